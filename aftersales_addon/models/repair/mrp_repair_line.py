# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.addons import decimal_precision as dp

from ..common.aftersales_control_mixin import aftersales_control


class MrpRepairLine(models.Model):
    """Part line of a repair order: the part is issued by the warehouse
    against the order (R21) and unused quantities come back (R24)."""

    _name = 'mrp.repair.line'
    _inherit = ['mrp.repair.line', 'aftersales.repair.line.mixin']
    _coverage_kind = 'parts'
    _aftersales_controlled_fields = frozenset(['state', 'move_id'])

    tracking = fields.Selection(
        related='product_id.tracking', readonly=True,
        string='Product Tracking')
    replace_reason = fields.Char(
        string='Reason',
        help='Why the part was replaced, printed on the service '
             'report.')
    aftersales_move_ids = fields.One2many(
        'stock.move', 'aftersales_repair_line_id', string='Parts Moves',
        readonly=True)
    qty_issued = fields.Float(
        string='Issued', compute='_compute_qty_issued',
        digits=dp.get_precision('Product Unit of Measure'),
        help='Quantity the warehouse issued to the order, less what came '
             'back unused.')
    qty_to_issue = fields.Float(
        string='To Issue', compute='_compute_qty_issued',
        digits=dp.get_precision('Product Unit of Measure'),
        help='Quantity still to request from the warehouse.')

    @api.model
    def _is_priced(self, vals, line):
        return vals.get('type', line.type) != 'remove'

    @api.depends('aftersales_move_ids.state',
                 'aftersales_move_ids.product_qty', 'product_uom_qty')
    def _compute_qty_issued(self):
        for line in self:
            issued = requested = 0.0
            for move in line.aftersales_move_ids:
                if move.state == 'cancel':
                    continue
                kind = move.picking_id.picking_type_id.aftersales_parts_kind
                sign = 1 if kind == 'issue' else -1
                qty = move.product_uom._compute_quantity(
                    move.product_uom_qty, line.product_uom)
                if move.state == 'done':
                    issued += sign * qty
                if sign > 0:
                    requested += qty
                elif move.state == 'done':
                    requested -= qty
            line.qty_issued = issued
            line.qty_to_issue = max(line.product_uom_qty - requested, 0.0)

    @api.multi
    def _aftersales_issue_warehouse(self):
        """The warehouse this part was issued from (R24, R43): that of its
        issue transfer, done first, else requested; else the order's."""
        self.ensure_one()
        moves = self.aftersales_move_ids.filtered(
            lambda m: m.state != 'cancel' and
            m.picking_id.picking_type_id.aftersales_parts_kind == 'issue')
        done = moves.filtered(lambda m: m.state == 'done')
        warehouse = (done or moves)[:1].picking_id.picking_type_id \
            .warehouse_id
        return warehouse or self.repair_id._aftersales_warehouse()

    @api.onchange('repair_id', 'product_id', 'product_uom_qty')
    def onchange_product_id(self):
        res = super(MrpRepairLine, self).onchange_product_id()
        if self.type == 'add' and self.product_id and self.repair_id:
            price = self._expected_price(self.repair_id, self.product_id,
                                         self.product_uom_qty)
            if price is not None:
                self.price_unit = price
        return res

    @api.model
    def _aftersales_default_locations(self, vals):
        """A part line added where the list's inline editing does not run
        Odoo's ``onchange_operation_type`` (the dialog of the phone layout,
        a form without the location columns, RPC) gets the same defaults:
        an added part leaves the company's stock for production, a removed
        one goes from production to scrap."""
        vals = dict(vals)
        vals.setdefault('type', 'add')
        if vals.get('location_id') and vals.get('location_dest_id'):
            return vals
        Location = self.env['stock.location']
        production = Location.search([('usage', '=', 'production')],
                                     limit=1)
        if vals['type'] == 'add':
            repair = self.env['mrp.repair'].browse(vals.get('repair_id'))
            if repair:
                source = repair._aftersales_warehouse().lot_stock_id
            else:
                source = self.env['stock.warehouse'].search(
                    [('company_id', '=', self.env.user.company_id.id)],
                    limit=1).lot_stock_id
            destination = production
        else:
            source = production
            destination = Location.search([('scrap_location', '=', True)],
                                          limit=1)
        vals.setdefault('location_id', source.id)
        vals.setdefault('location_dest_id', destination.id)
        vals['location_id'] = vals['location_id'] or source.id
        vals['location_dest_id'] = vals['location_dest_id'] or destination.id
        return vals

    @api.model
    def create(self, vals):
        vals = self._aftersales_default_locations(vals)
        line = super(MrpRepairLine, self).create(vals)
        # Odoo confirms part lines with their order; a part found during the
        # work (added after confirmation) follows the order's state too.
        if line.state == 'draft' and line.repair_id.state in (
                'confirmed', 'ready', 'under_repair'):
            # the line's state is Odoo's workflow field (controlled)
            with aftersales_control():
                line.state = 'confirmed'
        return line
