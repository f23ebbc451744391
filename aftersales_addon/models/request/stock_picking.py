# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class StockPicking(models.Model):
    """R25: the deliveries and returns of loaner units belong to the repair
    order they were lent for. R13: the parts of a self-replacement leave the
    warehouse for the customer when the warehouse validates their issue."""

    _inherit = 'stock.picking'
    _aftersales_controlled_fields = frozenset(['aftersales_loaner_repair_id'])

    aftersales_loaner_repair_id = fields.Many2one(
        'mrp.repair', string='Loaner for Repair Order', index=True,
        readonly=True, ondelete='restrict',
        help='The repair order whose customer the loaner unit is lent to.')

    @api.multi
    def write(self, vals):
        if {'move_lines', 'location_id', 'location_dest_id',
                'picking_type_id'}.intersection(vals) and \
                self.filtered('aftersales_loaner_repair_id') and \
                not self._aftersales_may_write_controlled() and \
                not self.env.user._aftersales_moves_stock():
            raise AccessError(_(
                'Only the warehouse changes the transfers of loaner units.'))
        return super(StockPicking, self).write(vals)

    @api.multi
    def action_done(self):
        res = super(StockPicking, self).action_done()
        # R25: a loaner back in its location closes the overdue to-do
        back = self.filtered(
            lambda p: p.state == 'done' and p.aftersales_loaner_repair_id and
            p.aftersales_loaner_repair_id.loaner_return_picking_id == p)
        back.mapped('aftersales_loaner_repair_id') \
            ._aftersales_close_activities(['loaner_overdue'])
        issues = self.filtered(
            lambda p: p.state == 'done' and
            p.picking_type_id.aftersales_parts_kind == 'issue' and
            p.aftersales_repair_id.aftersales_self_replacement)
        if issues:
            issues.mapped('aftersales_repair_id')._aftersales_parts_shipped(
                issues.mapped('move_lines').filtered(
                    lambda m: m.state == 'done'))
        return res
