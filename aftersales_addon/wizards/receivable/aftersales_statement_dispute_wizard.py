# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class StatementDisputeWizard(models.TransientModel):
    """R51: the technician disputes a line of the statement, with a
    comment."""

    _name = 'aftersales.statement.dispute.wizard'
    _description = 'Dispute a statement line'

    line_id = fields.Many2one('aftersales.receivable.statement.line',
                              required=True, string='Order')
    note = fields.Text(string='What is wrong', required=True)

    @api.multi
    def action_dispute(self):
        self.ensure_one()
        self.line_id.action_dispute(self.note)
        return {'type': 'ir.actions.act_window_close'}
