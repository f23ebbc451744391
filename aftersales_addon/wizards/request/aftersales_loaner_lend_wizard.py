# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AftersalesLoanerLendWizard(models.TransientModel):
    """R25: choose the loaner unit lent to the customer of a repair
    order, among the units kept in its warehouse's loaner location."""

    _name = 'aftersales.loaner.lend.wizard'
    _description = 'Lend a Loaner Unit'

    repair_id = fields.Many2one('mrp.repair', string='Repair Order',
                                required=True, readonly=True)
    location_id = fields.Many2one('stock.location', string='From',
                                  compute='_compute_available')
    available_count = fields.Integer(string='Units Available',
                                     compute='_compute_available')
    lot_id = fields.Many2one('stock.production.lot', string='Loaner Unit',
                             required=True)

    @api.depends('repair_id')
    def _compute_available(self):
        for wizard in self:
            if not wizard.repair_id:
                continue
            location = wizard.repair_id._aftersales_loaner_location()
            wizard.location_id = location
            wizard.available_count = len(
                wizard.repair_id._aftersales_available_loaners(location))

    @api.onchange('repair_id')
    def _onchange_repair_id(self):
        """Only the units that may be lent are offered."""
        if not self.repair_id:
            return {}
        lots = self.repair_id._aftersales_available_loaners(
            self.repair_id._aftersales_loaner_location())
        return {'domain': {'lot_id': [('id', 'in', lots.ids)]}}

    @api.multi
    def action_lend(self):
        self.ensure_one()
        picking = self.repair_id._aftersales_lend_loaner(self.lot_id)
        return picking.get_formview_action()
