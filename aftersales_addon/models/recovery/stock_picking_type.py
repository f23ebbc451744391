# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class StockPickingType(models.Model):
    """R43: each warehouse's receipt of old parts is an after-sales
    operation of its own kind."""

    _inherit = 'stock.picking.type'

    aftersales_parts_kind = fields.Selection(
        selection_add=[('old_parts', 'Old Parts Receipt')])
