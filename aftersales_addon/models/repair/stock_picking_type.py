# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class StockPickingType(models.Model):
    """R21/R24: the operation types each warehouse issues parts to repair
    orders and takes unused parts back with say what they are, so the code
    asks the type, not an external id."""

    _inherit = 'stock.picking.type'

    aftersales_parts_kind = fields.Selection(
        [('issue', 'Repair Parts Issue'),
         ('return', 'Repair Parts Return')],
        string='After-Sales Operation', readonly=True, index=True,
        help='What this operation type does for the after-sales service; '
             'set on the types the addon makes for every warehouse.')
