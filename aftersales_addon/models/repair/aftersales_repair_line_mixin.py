# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare

from ..common.aftersales_control_mixin import aftersales_control

# R90: prices come from the price list; only Finance (and the manager, who
# is in Finance) may set another price.
PRICE_GROUP = 'aftersales_addon.group_aftersales_finance'


class RepairLineMixin(models.AbstractModel):
    """What part lines and labour lines share: the warranty coverage that
    sets their price (R33) and the guard that keeps that price (R1, R90)."""

    _name = 'aftersales.repair.line.mixin'
    _inherit = 'aftersales.control.mixin'
    _description = 'Repair line warranty coverage and price guard'
    # 'parts' or 'labour': which price list and which tier coverage apply
    _coverage_kind = 'parts'
    # R33: the coverage follows the decision; invoicing links are Odoo's
    _aftersales_controlled_fields = frozenset([
        'warranty_coverage', 'invoiced', 'invoice_line_id',
        'price_set_by_finance'])
    # a line does not move to another order
    _aftersales_controlled_on_write = frozenset(['repair_id'])

    warranty_coverage = fields.Selection(
        [('free', 'Free'), ('deposit', 'Deposit'), ('charged', 'Charged')],
        string='Coverage', readonly=True, copy=False,
        help='Free when the warranty decision covers this line, '
             'charged otherwise; set when the order is confirmed. A '
             'warranty part whose old part must come back is charged as a '
             'deposit until the warehouse receives the old part.')

    price_set_by_finance = fields.Boolean(
        string='Price Set by Finance', readonly=True, copy=False,
        help='Finance set this price; the warranty decision keeps it '
             'while the line stays charged.')

    @api.model
    def _may_set_price(self):
        return self.env.user._aftersales_in(PRICE_GROUP)

    @api.model
    def _is_priced(self, vals, line):
        """Part lines removing a part carry no price."""
        return True

    @api.model
    def _coverage_for(self, repair, product):
        """R33/R42: the coverage of a line of ``product`` on ``repair``: the
        decision's, except that a warranty part whose old part must come
        back (R40, not exempt under R41) is a deposit."""
        coverage = repair._line_coverage(self._coverage_kind)
        if coverage == 'free' and self._coverage_kind == 'parts' and \
                not self.env['aftersales.part.recovery']._is_recovery_exempt(
                    product, repair.company_id or self.env.user.company_id):
            coverage = 'deposit'
        return coverage

    @api.model
    def _expected_price(self, repair, product, qty):
        """R33/R90: 0 for a line the warranty covers, else the price of the
        company's parts price list or labour rates (deposits included)."""
        if self._coverage_for(repair, product) == 'free':
            return 0.0
        pricelist = repair._price_list_for(self._coverage_kind)
        if not pricelist or not product:
            return None
        return pricelist.get_product_price(product, qty or 1.0,
                                           repair.partner_id)

    @api.multi
    def _check_price_unit(self, vals):
        """Refuse a price different from the expected one when the user may
        not set prices (technicians cannot change prices)."""
        if 'price_unit' not in vals or self._may_set_price():
            return
        precision = self.env['decimal.precision'].precision_get(
            'Product Price')
        for line in self or [self.new({})]:
            repair = self.env['mrp.repair'].browse(
                vals.get('repair_id') or line.repair_id.id)
            if not repair.aftersales_governed:
                # Odoo's plain repair flow: Odoo's own rights
                continue
            product = self.env['product.product'].browse(
                vals.get('product_id') or line.product_id.id)
            qty = vals.get('product_uom_qty') or line.product_uom_qty
            if not self._is_priced(vals, line):
                expected = 0.0
            else:
                expected = self._expected_price(repair, product, qty)
            if expected is None:
                continue
            if float_compare(vals['price_unit'] or 0.0, expected,
                             precision_digits=precision):
                raise AccessError(_(
                    'Only Finance may change the price of %(product)s: '
                    'the expected price is %(expected)s.') % {
                    'product': product.display_name,
                    'expected': expected,
                })

    @api.constrains('product_uom_qty', 'price_unit')
    def _check_quantity_and_price(self):
        """R90: a line has a positive quantity and a price that is not
        negative and fits the price's precision."""
        digits = self._fields['price_unit'].digits
        limit = 10 ** (digits[0] - digits[1]) if digits else 10 ** 14
        for line in self:
            if line.product_uom_qty <= 0:
                raise ValidationError(_(
                    'The quantity of %(line)s must be positive '
                    '(%(product_uom_qty)s given).') % {
                    'line': line.name or line.product_id.display_name,
                    'product_uom_qty': line.product_uom_qty,
                })
            if line.price_unit < 0:
                raise ValidationError(_(
                    'The price of %(line)s cannot be negative '
                    '(%(price_unit)s given).') % {
                    'line': line.name or line.product_id.display_name,
                    'price_unit': line.price_unit,
                })
            if line.price_unit >= limit:
                raise ValidationError(_(
                    'The price of %(line)s is too large '
                    '(%(price_unit)s given).') % {
                    'line': line.name or line.product_id.display_name,
                    'price_unit': line.price_unit,
                })

    @api.model
    def create(self, vals):
        self.browse()._check_price_unit(vals)
        line = super(RepairLineMixin, self).create(vals)
        if line.repair_id.warranty_state and line._is_priced({}, line):
            # a line added after the decision gets its coverage at once
            line.repair_id._apply_warranty_coverage(lines=line)
        return line

    @api.multi
    def write(self, vals):
        self._check_price_unit(vals)
        res = super(RepairLineMixin, self).write(vals)
        if 'price_unit' in vals and not self.env.user._is_superuser() and \
                self._may_set_price():
            # R90: Finance's price stands until the coverage changes
            with aftersales_control():
                self.filtered(lambda line: line.repair_id.aftersales_governed
                              ).write({'price_set_by_finance': True})
        if {'product_id', 'type'}.intersection(vals):
            # R33/R90: the price follows the product and the coverage
            self._reprice_decided()
        return res

    @api.multi
    def _reprice_decided(self):
        """Coverage and price again for lines of decided orders whose
        product or type changed: priced lines from the decision, part lines
        removing a part at 0 without coverage."""
        decided = self.filtered(lambda line: line.repair_id.warranty_state)
        priced = decided.filtered(lambda line: line._is_priced({}, line))
        if priced:
            priced.mapped('repair_id')._apply_warranty_coverage(lines=priced)
        unpriced = decided - priced
        if unpriced:
            self._update_coverage(unpriced, [
                value for line in unpriced for value in (line.id, 0.0, None)])

    @api.model
    def _write_coverage(self, lines, kind):
        """Coverage and price of ``lines`` from their order's decision, in
        one price computation per price list and one UPDATE (R33, R90)."""
        values = []
        charged = defaultdict(lambda: self.browse())
        coverages = {}
        if kind == 'parts':
            # what R41 looks at, read for all parts at once: the cost (a
            # company-dependent field) of the parts without recovery value
            # only, the others come back whatever they cost
            products = lines.mapped('product_id')
            products.filtered('aftersales_no_recovery_value').mapped(
                'standard_price')
        reset = self.browse()
        for line in lines:
            coverages[line.id] = self._coverage_for(line.repair_id,
                                                    line.product_id)
            if line.price_set_by_finance and coverages[line.id] != 'free' \
                    and line.warranty_coverage in (False, coverages[line.id]):
                # R90: Finance's price stands while the line stays charged
                values += [line.id, line.price_unit, coverages[line.id]]
                continue
            reset |= line.filtered('price_set_by_finance')
            if coverages[line.id] == 'free':
                values += [line.id, 0.0, 'free']
            else:
                charged[line.repair_id._price_list_for(kind)] |= line
        for pricelist, group in charged.items():
            prices = pricelist.get_products_price(
                group.mapped('product_id'),
                [line.product_uom_qty or 1.0 for line in group],
                [line.repair_id.partner_id for line in group]) \
                if pricelist else {}
            for line in group:
                values += [line.id,
                           prices.get(line.product_id.id, line.price_unit),
                           coverages[line.id]]
        self._update_coverage(lines, values)
        if reset:
            # sudo: the coverage changed, so the price list prices the line
            # again; whoever made the decision (e.g. the technical
            # department's override) may not write lines
            reset.sudo().write({'price_set_by_finance': False})

    @api.model
    def _set_coverage(self, lines, coverage, price):
        """Give ``lines`` one coverage and price (e.g. a deposit line
        becoming free when its old part comes back, R42)."""
        values = []
        for line in lines:
            values += [line.id, price, coverage]
        self._update_coverage(lines, values)

    @api.model
    def _update_coverage(self, lines, values):
        """One UPDATE of price and coverage from ``values``, a flat list of
        (id, price, coverage) triples, then the ORM is told."""
        if not values:
            return
        query = sql.SQL("""
            UPDATE {table} AS l
               SET price_unit = v.price, warranty_coverage = v.coverage
              FROM (VALUES {rows}) AS v(id, price, coverage)
             WHERE l.id = v.id
        """).format(
            table=sql.Identifier(self._table),
            rows=sql.SQL(', ').join(
                [sql.SQL('(%s, %s::numeric, %s)')] * (len(values) // 3)))
        # as text: Odoo 11's cursor logs queries as strings
        self.env.cr.execute(query.as_string(self.env.cr._obj), values)
        lines.invalidate_cache(['price_unit', 'warranty_coverage'], lines.ids)
        lines.modified(['price_unit', 'warranty_coverage'])
