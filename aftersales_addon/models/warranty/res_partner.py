# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models


class ResPartner(models.Model):
    _inherit = 'res.partner'

    aftersales_service_contract = fields.Boolean(
        string='Under Service Contract',
        help='Repairs of this customer are of the "contract" service '
             'type.')
    warranty_unit_count = fields.Integer(
        string='Units', compute='_compute_warranty_unit_count')

    @api.multi
    def _compute_warranty_unit_count(self):
        Lot = self.env['stock.production.lot']
        for partner in self:
            partner.warranty_unit_count = len(Lot._lots_of_customer(partner))

    @api.multi
    def action_view_warranty_units(self):
        """The units the customer owns, with the warranty status of each."""
        self.ensure_one()
        lots = self.env['stock.production.lot']._lots_of_customer(self)
        return {
            'type': 'ir.actions.act_window',
            'name': _('Units and Warranty'),
            'res_model': 'stock.production.lot',
            'view_mode': 'tree,form',
            'views': [(self.env.ref(
                'aftersales_addon.stock_production_lot_view_tree_warranty').id,
                'tree'), (False, 'form')],
            'domain': [('id', 'in', lots.ids)],
        }
