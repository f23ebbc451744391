# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class StockPicking(models.Model):
    """R43/R46: the receipt of an old part, and how it travelled."""

    _inherit = 'stock.picking'

    aftersales_is_old_parts = fields.Boolean(
        string='Old Parts Receipt',
        compute='_compute_aftersales_is_old_parts')
    aftersales_courier = fields.Char(string='Courier')
    aftersales_tracking_ref = fields.Char(string='Tracking Number')
    aftersales_freight_collect = fields.Boolean(
        string='Freight Collect',
        help='Old parts may come back by courier, freight collect.')

    @api.depends('move_lines.aftersales_recovery_id')
    def _compute_aftersales_is_old_parts(self):
        for picking in self:
            picking.aftersales_is_old_parts = bool(
                picking.move_lines.filtered('aftersales_recovery_id'))
