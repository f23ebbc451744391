# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MrpRepairLine(models.Model):
    """The old part a warranty part line owes (R40)."""

    _inherit = 'mrp.repair.line'

    recovery_ids = fields.One2many(
        'aftersales.part.recovery', 'repair_line_id',
        string='Old Part Recovery', readonly=True)
    old_part_state = fields.Selection(
        related='recovery_ids.state', string='Old Part', readonly=True,
        help='Whether the old part of this warranty part came back.')
