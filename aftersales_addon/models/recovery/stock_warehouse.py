# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models


class StockWarehouse(models.Model):
    """R43: each warehouse keeps the old parts it receives apart, in an
    Old Parts location, received through its own operation type."""

    _inherit = 'stock.warehouse'

    aftersales_old_parts_location_id = fields.Many2one(
        'stock.location', string='Old Parts Location', readonly=True)
    aftersales_old_parts_type_id = fields.Many2one(
        'stock.picking.type', string='Old Parts Receipt Type', readonly=True)

    @api.multi
    def create_sequences_and_picking_types(self):
        """Odoo's hook making a new warehouse's operation types makes its
        old parts receipt type and location too."""
        warehouse_data = super(
            StockWarehouse, self).create_sequences_and_picking_types()
        warehouse_data.update(self._aftersales_old_parts_values())
        return warehouse_data

    @api.model
    def _aftersales_ensure_all_old_parts(self):
        """Called at install and on update: give every warehouse its old
        parts location and receipt type, marked as such."""
        self.with_context(active_test=False).search(
            [])._aftersales_ensure_old_parts()

    @api.multi
    def _aftersales_ensure_old_parts(self):
        for warehouse in self:
            if not warehouse.aftersales_old_parts_location_id or \
                    not warehouse.aftersales_old_parts_type_id:
                warehouse.write(warehouse._aftersales_old_parts_values())
            elif warehouse.aftersales_old_parts_type_id \
                    .aftersales_parts_kind != 'old_parts':
                # made before the types said what they are (11.0.1.6.1)
                warehouse.aftersales_old_parts_type_id \
                    .aftersales_parts_kind = 'old_parts'

    @api.multi
    def _aftersales_old_parts_values(self):
        """The warehouse's links to its Old Parts location and receipt
        type: those it has, else new ones."""
        self.ensure_one()
        location = self.aftersales_old_parts_location_id or \
            self.env['stock.location'].create({
                'name': _('Old Parts'),
                'location_id': self.view_location_id.id,
                'usage': 'internal',
                'company_id': self.company_id.id,
            })
        picking_type = self.aftersales_old_parts_type_id
        if not picking_type:
            # sudo: as Odoo's own hook does for the warehouse's sequences
            sequence = self.env['ir.sequence'].sudo().create({
                'name': _('%s Old Parts Receipt') % self.name,
                'prefix': '%s/OLD/' % self.code,
                'padding': 5,
                'company_id': self.company_id.id,
            })
            picking_type = self.env['stock.picking.type'].create({
                'name': _('Old Parts Receipt'),
                'code': 'incoming',
                'aftersales_parts_kind': 'old_parts',
                'warehouse_id': self.id,
                'sequence_id': sequence.id,
                'default_location_src_id': self.env.ref(
                    'stock.stock_location_customers').id,
                'default_location_dest_id': location.id,
                'use_create_lots': False,
                'use_existing_lots': True,
            })
        return {
            'aftersales_old_parts_location_id': location.id,
            'aftersales_old_parts_type_id': picking_type.id,
        }
