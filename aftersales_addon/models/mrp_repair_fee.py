# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MrpRepairFee(models.Model):
    """Labour line of a repair order; its price is guarded like a part's."""

    _name = 'mrp.repair.fee'
    _inherit = ['mrp.repair.fee', 'aftersales.price.guard.mixin']
