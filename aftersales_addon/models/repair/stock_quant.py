# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
from contextlib import contextmanager

from odoo import api, models
from odoo.tools import float_is_zero

# Empty quants whose cleanup waits for the end of a batch of stock moves
# (server-side only: a flag of the thread, never the context).
_DEFERRED = threading.local()


@contextmanager
def empty_quants_removed_at_end(env):
    """Inside the block, the quants Odoo 11 empties while it moves stock
    (``_update_available_quantity`` unlinks an empty quant at once: a
    DELETE and the whole record cache emptied, so the next move of the
    batch reads its products, locations and FIFO candidates again) are
    removed once, at the end, if still empty (issue 14: the parts issued
    to a repair are consumed from the Parts at Repair location, where their
    quants come to zero one part after the other)."""
    outer = getattr(_DEFERRED, 'ids', None)
    if outer is not None:
        yield
        return
    _DEFERRED.ids = set()
    try:
        yield
        ids = _DEFERRED.ids
    finally:
        _DEFERRED.ids = None
    if ids:
        quants = env['stock.quant'].sudo().browse(sorted(ids)).exists()
        quants.filtered(lambda q: float_is_zero(
            q.quantity, precision_rounding=q.product_uom_id.rounding) and
            float_is_zero(q.reserved_quantity,
                          precision_rounding=q.product_uom_id.rounding)
        ).unlink()


class StockQuant(models.Model):
    """Empty quants removed once per batch of moves (see
    ``empty_quants_removed_at_end``)."""

    _inherit = 'stock.quant'

    @api.multi
    def unlink(self):
        deferred = getattr(_DEFERRED, 'ids', None)
        if deferred is not None and self.env.user._is_superuser() and all(
                float_is_zero(quant.quantity,
                              precision_rounding=quant.product_uom_id.rounding)
                and float_is_zero(
                    quant.reserved_quantity,
                    precision_rounding=quant.product_uom_id.rounding)
                for quant in self):
            # an empty quant Odoo cleans up while moving stock (sudo in
            # _update_available_quantity): removed at the end of the batch
            deferred.update(self.ids)
            return True
        return super(StockQuant, self).unlink()
