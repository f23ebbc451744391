# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class RecoveryInspectWizard(models.TransientModel):
    """R44: Quality or Technical inspects a received old part."""

    _name = 'aftersales.recovery.inspect.wizard'
    _description = 'Inspect an old part'

    recovery_id = fields.Many2one('aftersales.part.recovery', required=True)
    result = fields.Selection(
        [('fault_confirmed', 'Fault confirmed'),
         ('no_fault', 'No fault found'),
         ('human_damage', 'Human damage found')],
        string='Inspection Result', required=True)
    disposition = fields.Selection(
        [('reusable', 'Reusable: refurbish and restock'),
         ('scrap', 'Not reusable: scrap')],
        required=True, default='scrap')
    note = fields.Text(string='Notes')

    @api.multi
    def action_inspect(self):
        self.ensure_one()
        self.recovery_id._inspect(self.result,
                                  self.disposition == 'reusable', self.note)
        return {'type': 'ir.actions.act_window_close'}
