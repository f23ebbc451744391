# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare
from odoo.addons import decimal_precision as dp

# R90: prices come from the price list; only Finance (and the manager, who
# is in Finance) may set another price.
PRICE_GROUP = 'aftersales_addon.group_aftersales_finance'


class PriceGuardMixin(models.AbstractModel):
    """R1/R90: a repair line's price is the price list's unless Finance
    sets it. Shared by part lines and labour lines."""

    _name = 'aftersales.price.guard.mixin'
    _description = 'Repair line price guard'

    @api.model
    def _may_set_price(self):
        user = self.env.user
        return user._is_superuser() or user.has_group(PRICE_GROUP)

    @api.model
    def _list_price(self, repair, product, qty):
        pricelist = repair.pricelist_id
        if not pricelist or not product:
            return None
        return pricelist.get_product_price(product, qty or 1.0,
                                           repair.partner_id)

    @api.multi
    def _check_price_unit(self, vals):
        """Refuse a price different from the price list when the user is not
        allowed to set prices (technicians cannot change prices)."""
        if 'price_unit' not in vals or self._may_set_price():
            return
        precision = self.env['decimal.precision'].precision_get(
            'Product Price')
        records = self or [self.new({})]
        for line in records:
            repair = self.env['mrp.repair'].browse(
                vals.get('repair_id') or line.repair_id.id)
            product = self.env['product.product'].browse(
                vals.get('product_id') or line.product_id.id)
            qty = vals.get('product_uom_qty') or line.product_uom_qty
            if vals.get('type', getattr(line, 'type', 'add')) == 'remove':
                expected = 0.0
            else:
                expected = self._list_price(repair, product, qty)
            if expected is None:
                continue
            if float_compare(vals['price_unit'] or 0.0, expected,
                             precision_digits=precision):
                raise AccessError(_(
                    'Only Finance may change the price of %s: the price '
                    'list gives %s.') % (product.display_name, expected))

    @api.model
    def create(self, vals):
        self.browse()._check_price_unit(vals)
        return super(PriceGuardMixin, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_price_unit(vals)
        return super(PriceGuardMixin, self).write(vals)


class MrpRepairLine(models.Model):
    """Part line of a repair order: the part is issued by the warehouse
    against the order (R21) and unused quantities come back (R24)."""

    _name = 'mrp.repair.line'
    _inherit = ['mrp.repair.line', 'aftersales.price.guard.mixin']

    replace_reason = fields.Char(
        string='Reason',
        help='R23: why the part was replaced, printed on the service '
             'report.')
    aftersales_move_ids = fields.One2many(
        'stock.move', 'aftersales_repair_line_id', string='Parts Moves',
        readonly=True)
    qty_issued = fields.Float(
        string='Issued', compute='_compute_qty_issued',
        digits=dp.get_precision('Product Unit of Measure'),
        help='Quantity the warehouse issued to the order, less what came '
             'back unused.')
    qty_to_issue = fields.Float(
        string='To Issue', compute='_compute_qty_issued',
        digits=dp.get_precision('Product Unit of Measure'),
        help='Quantity still to request from the warehouse.')

    @api.depends('aftersales_move_ids.state',
                 'aftersales_move_ids.product_qty', 'product_uom_qty')
    def _compute_qty_issued(self):
        issue_type = self.env.ref('aftersales_addon.picking_type_parts_issue')
        for line in self:
            issued = requested = 0.0
            for move in line.aftersales_move_ids:
                if move.state == 'cancel':
                    continue
                sign = 1 if move.picking_id.picking_type_id == issue_type else -1
                qty = move.product_uom._compute_quantity(
                    move.product_uom_qty, line.product_uom)
                if move.state == 'done':
                    issued += sign * qty
                if sign > 0:
                    requested += qty
                elif move.state == 'done':
                    requested -= qty
            line.qty_issued = issued
            line.qty_to_issue = max(line.product_uom_qty - requested, 0.0)

    @api.model
    def create(self, vals):
        line = super(MrpRepairLine, self).create(vals)
        # Odoo confirms part lines with their order; a part found during the
        # work (added after confirmation) follows the order's state too.
        if line.state == 'draft' and line.repair_id.state in (
                'confirmed', 'ready', 'under_repair'):
            line.state = 'confirmed'
        return line
