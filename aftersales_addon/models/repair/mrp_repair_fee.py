# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MrpRepairFee(models.Model):
    """Labour line of a repair order: priced from the labour rates and
    covered by the warranty tier's labour coverage."""

    _name = 'mrp.repair.fee'
    _inherit = ['mrp.repair.fee', 'aftersales.repair.line.mixin']
    _coverage_kind = 'labour'

    @api.onchange('repair_id', 'product_id', 'product_uom_qty')
    def onchange_product_id(self):
        res = super(MrpRepairFee, self).onchange_product_id()
        if self.product_id and self.repair_id:
            price = self._expected_price(self.repair_id, self.product_id,
                                         self.product_uom_qty)
            if price is not None:
                self.price_unit = price
        return res
