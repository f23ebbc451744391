# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models


class StockWarehouse(models.Model):
    """R25: each warehouse keeps its loaner units apart, in a Loaner Units
    location, from which they are lent to customers."""

    _inherit = 'stock.warehouse'

    aftersales_loaner_location_id = fields.Many2one(
        'stock.location', string='Loaner Units Location', readonly=True,
        help='Units lent to customers while their own is repaired live '
             'here between two loans.')

    @api.multi
    def create_sequences_and_picking_types(self):
        """Odoo's hook making a new warehouse's operation types makes its
        loaner location too."""
        warehouse_data = super(
            StockWarehouse, self).create_sequences_and_picking_types()
        warehouse_data.update(self._aftersales_loaner_values())
        return warehouse_data

    @api.model
    def _aftersales_ensure_all_loaners(self):
        """At install and by the migration to 11.0.1.8.0: every warehouse,
        archived ones too, has its loaner location."""
        self.with_context(active_test=False).search(
            [])._aftersales_ensure_loaners()

    @api.multi
    def _aftersales_ensure_loaners(self):
        for warehouse in self.filtered(
                lambda w: not w.aftersales_loaner_location_id):
            warehouse.write(warehouse._aftersales_loaner_values())

    @api.multi
    def _aftersales_loaner_values(self):
        """The warehouse's link to its Loaner Units location: the one it
        has, else a new one."""
        self.ensure_one()
        location = self.aftersales_loaner_location_id or \
            self.env['stock.location'].create({
                'name': _('Loaner Units'),
                'location_id': self.view_location_id.id,
                'usage': 'internal',
                'company_id': self.company_id.id,
            })
        return {'aftersales_loaner_location_id': location.id}

    @api.multi
    def _aftersales_add_loaner_units(self, lot_ids):
        """Record units kept as loaners in this warehouse's Loaner Units
        location (an inventory adjustment, one unit per serial): for units
        the company already holds, e.g. the demo's."""
        self.ensure_one()
        self._aftersales_ensure_loaners()
        location = self.aftersales_loaner_location_id
        lots = self.env['stock.production.lot'].browse(lot_ids)
        inventory = self.env['stock.inventory'].create({
            'name': _('Loaner Units'),
            'filter': 'partial',
            'location_id': location.id,
            'line_ids': [(0, 0, {
                'product_id': lot.product_id.id,
                'product_uom_id': lot.product_id.uom_id.id,
                'prod_lot_id': lot.id,
                'product_qty': 1.0,
                'location_id': location.id,
            }) for lot in lots],
        })
        inventory.action_done()
        return inventory
