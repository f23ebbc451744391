# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# R21/R24/R43: what a parts movement is made of; on the moves of the
# after-sales flows only the warehouse (or Odoo's workflow run by our
# actions) changes it.
MOVEMENT_FIELDS = frozenset([
    'state', 'product_id', 'product_uom_qty', 'product_uom',
    'quantity_done', 'location_id', 'location_dest_id', 'picking_id',
    'picking_type_id', 'move_line_ids',
])


class StockMove(models.Model):
    _name = 'stock.move'
    _inherit = ['stock.move', 'aftersales.control.mixin']
    # the links between a movement and the order or old part it is for
    _aftersales_controlled_fields = frozenset([
        'aftersales_repair_line_id', 'aftersales_recovery_id'])

    aftersales_repair_line_id = fields.Many2one(
        'mrp.repair.line', string='Repair Part Line', index=True,
        readonly=True, ondelete='set null',
        help='The repair part line this issue or return is for.')
    aftersales_recovery_id = fields.Many2one(
        'aftersales.part.recovery', string='Old Part Recovery', index=True,
        readonly=True, ondelete='restrict',
        help='The old part this receipt brings back.')

    @api.model
    def _prepare_merge_moves_distinct_fields(self):
        """R21: each part line is issued by its own move (two lines of the
        same part are not merged, or the second would stay to issue)."""
        return super(StockMove, self)._prepare_merge_moves_distinct_fields() \
            + ['aftersales_repair_line_id', 'aftersales_recovery_id']

    @api.model
    def _prepare_merge_move_sort_method(self, move):
        return super(StockMove, self)._prepare_merge_move_sort_method(move) \
            + [move.aftersales_repair_line_id.id,
               move.aftersales_recovery_id.id]

    @api.multi
    def _aftersales_is_flow_move(self):
        """Moves of the after-sales flows: parts issued to or returned from
        a repair order, consumed by it, or old parts received."""
        self.ensure_one()
        return bool(self.aftersales_repair_line_id or self.repair_id or
                    self.aftersales_recovery_id or
                    self.picking_id.aftersales_repair_id)

    @api.multi
    def write(self, vals):
        if MOVEMENT_FIELDS.intersection(vals) and \
                not self._aftersales_may_write_controlled() and \
                not self.env.user._aftersales_moves_stock() and \
                any(move._aftersales_is_flow_move() for move in self):
            raise AccessError(_(
                'Only the warehouse changes the parts movements of repair '
                'orders and old parts.'))
        return super(StockMove, self).write(vals)
