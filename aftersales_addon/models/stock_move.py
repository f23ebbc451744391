# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class StockMove(models.Model):
    _inherit = 'stock.move'

    aftersales_repair_line_id = fields.Many2one(
        'mrp.repair.line', string='Repair Part Line', index=True,
        readonly=True, ondelete='set null',
        help='R21/R24: the repair part line this issue or return is for.')
    aftersales_recovery_id = fields.Many2one(
        'aftersales.part.recovery', string='Old Part Recovery', index=True,
        readonly=True, ondelete='restrict',
        help='R43: the old part this receipt brings back.')
