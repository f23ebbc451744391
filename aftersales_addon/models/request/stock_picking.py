# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class StockPicking(models.Model):
    """R13: the parts of a self-replacement leave the warehouse for the
    customer when the warehouse validates their issue."""

    _inherit = 'stock.picking'

    @api.multi
    def action_done(self):
        res = super(StockPicking, self).action_done()
        issues = self.filtered(
            lambda p: p.state == 'done' and
            p.picking_type_id.aftersales_parts_kind == 'issue' and
            p.aftersales_repair_id.aftersales_self_replacement)
        if issues:
            issues.mapped('aftersales_repair_id')._aftersales_parts_shipped(
                issues.mapped('move_lines').filtered(
                    lambda m: m.state == 'done'))
        return res
