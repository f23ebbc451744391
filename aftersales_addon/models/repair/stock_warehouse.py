# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

# Made by data/repair/stock_data.xml for the main warehouse before every
# warehouse had its own: the warehouse they are bound to adopts them, so the
# transfers made with them keep their type and numbering.
MAIN_WAREHOUSE_RECORDS = {
    'aftersales_parts_location_id':
        'aftersales_addon.stock_location_parts_at_repair',
    'aftersales_parts_issue_type_id':
        'aftersales_addon.picking_type_parts_issue',
    'aftersales_parts_return_type_id':
        'aftersales_addon.picking_type_parts_return',
}


class StockWarehouse(models.Model):
    """R21/R24: every warehouse issues parts to the repair orders it serves,
    and takes their unused parts back, through operation types of its own,
    into and out of its own Parts at Repair location."""

    _inherit = 'stock.warehouse'

    aftersales_parts_location_id = fields.Many2one(
        'stock.location', string='Parts at Repair Location', readonly=True,
        help='Parts issued to repair orders wait here until the order '
             'consumes them or they come back unused.')
    aftersales_parts_issue_type_id = fields.Many2one(
        'stock.picking.type', string='Repair Parts Issue Type',
        readonly=True)
    aftersales_parts_return_type_id = fields.Many2one(
        'stock.picking.type', string='Repair Parts Return Type',
        readonly=True)

    @api.multi
    def create_sequences_and_picking_types(self):
        """Odoo's hook making a new warehouse's operation types makes its
        parts issue and return types and their location too."""
        warehouse_data = super(
            StockWarehouse, self).create_sequences_and_picking_types()
        warehouse_data.update(self._aftersales_repair_parts_values())
        return warehouse_data

    @api.model
    def _aftersales_ensure_all_repair_parts(self):
        """At install and by the migration to 11.0.1.6.1: every warehouse,
        archived ones too, has its parts issue and return types."""
        self.with_context(active_test=False).search(
            [])._aftersales_ensure_repair_parts()

    @api.multi
    def _aftersales_ensure_repair_parts(self):
        for warehouse in self.filtered(
                lambda w: not (w.aftersales_parts_location_id and
                               w.aftersales_parts_issue_type_id and
                               w.aftersales_parts_return_type_id)):
            warehouse.write(warehouse._aftersales_repair_parts_values())

    @api.multi
    def _aftersales_main_records(self):
        """The records of the data file, if this warehouse is the one they
        are bound to (the main warehouse); else nothing to adopt."""
        self.ensure_one()
        issue_type = self.env.ref(
            MAIN_WAREHOUSE_RECORDS['aftersales_parts_issue_type_id'],
            raise_if_not_found=False)
        if not issue_type or issue_type.warehouse_id != self:
            return {}
        return {
            field: self.env.ref(xmlid, raise_if_not_found=False)
            for field, xmlid in MAIN_WAREHOUSE_RECORDS.items()}

    @api.multi
    def _aftersales_repair_parts_values(self):
        """The warehouse's links to its Parts at Repair location and its
        parts issue and return types: those it has, else the main
        warehouse's records it adopts, else new ones."""
        self.ensure_one()
        main = self._aftersales_main_records()
        location = self.aftersales_parts_location_id or \
            main.get('aftersales_parts_location_id')
        if not location:
            location = self.env['stock.location'].create({
                'name': _('Parts at Repair'),
                'location_id': self.view_location_id.id,
                'usage': 'internal',
                'company_id': self.company_id.id,
            })
        vals = {'aftersales_parts_location_id': location.id}
        for kind, field, source, destination in (
                ('issue', 'aftersales_parts_issue_type_id',
                 self.lot_stock_id, location),
                ('return', 'aftersales_parts_return_type_id',
                 location, self.lot_stock_id)):
            picking_type = self[field] or main.get(field)
            if not picking_type:
                picking_type = self._aftersales_create_parts_type(
                    kind, source, destination)
            elif picking_type.aftersales_parts_kind != kind:
                picking_type.aftersales_parts_kind = kind
            vals[field] = picking_type.id
        return vals

    @api.multi
    def _aftersales_create_parts_type(self, kind, source, destination):
        """A parts issue or return type of this warehouse, numbered
        ``<code>/RPI/`` or ``<code>/RPR/``."""
        self.ensure_one()
        name, prefix = {
            'issue': (_('Repair Parts Issue'), 'RPI'),
            'return': (_('Repair Parts Return'), 'RPR'),
        }[kind]
        # sudo: as Odoo's own hook does for the warehouse's sequences
        sequence = self.env['ir.sequence'].sudo().create({
            'name': '%s %s' % (self.name, name),
            'prefix': '%s/%s/' % (self.code, prefix),
            'padding': 5,
            'company_id': self.company_id.id,
        })
        return self.env['stock.picking.type'].create({
            'name': name,
            'code': 'internal',
            'aftersales_parts_kind': kind,
            'warehouse_id': self.id,
            'sequence_id': sequence.id,
            'default_location_src_id': source.id,
            'default_location_dest_id': destination.id,
            'use_existing_lots': True,
            'use_create_lots': False,
        })
