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
