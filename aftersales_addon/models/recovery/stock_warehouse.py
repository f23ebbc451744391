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

    @api.model
    def create(self, vals):
        warehouse = super(StockWarehouse, self).create(vals)
        warehouse._aftersales_ensure_old_parts()
        return warehouse

    @api.model
    def _aftersales_ensure_all_old_parts(self):
        """Called at install: give every warehouse its old parts location."""
        self.search([])._aftersales_ensure_old_parts()

    @api.multi
    def _aftersales_ensure_old_parts(self):
        Location = self.env['stock.location']
        for warehouse in self.filtered(
                lambda w: not w.aftersales_old_parts_location_id):
            location = Location.create({
                'name': _('Old Parts'),
                'location_id': warehouse.view_location_id.id,
                'usage': 'internal',
                'company_id': warehouse.company_id.id,
            })
            sequence = self.env['ir.sequence'].create({
                'name': _('%s Old Parts Receipt') % warehouse.name,
                'prefix': '%s/OLD/' % warehouse.code,
                'padding': 5,
                'company_id': warehouse.company_id.id,
            })
            picking_type = self.env['stock.picking.type'].create({
                'name': _('Old Parts Receipt'),
                'code': 'incoming',
                'warehouse_id': warehouse.id,
                'sequence_id': sequence.id,
                'default_location_src_id': self.env.ref(
                    'stock.stock_location_customers').id,
                'default_location_dest_id': location.id,
                'use_create_lots': False,
                'use_existing_lots': True,
            })
            warehouse.write({
                'aftersales_old_parts_location_id': location.id,
                'aftersales_old_parts_type_id': picking_type.id,
            })
