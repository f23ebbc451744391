# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class RecoveryExemptWizard(models.TransientModel):
    """R41: Finance exempts a part whose recovery costs too much."""

    _name = 'aftersales.recovery.exempt.wizard'
    _description = 'Exempt an old part from recovery'

    recovery_id = fields.Many2one('aftersales.part.recovery', required=True)
    reason = fields.Text(required=True)

    @api.multi
    def action_exempt(self):
        self.ensure_one()
        self.recovery_id._exempt(self.reason)
        return {'type': 'ir.actions.act_window_close'}
