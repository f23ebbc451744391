# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare

from .aftersales_control_mixin import aftersales_control

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
        user = self.env.user
        return user._is_superuser() or user.has_group(PRICE_GROUP)

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
            # what R41 looks at, read for all parts at once
            products = lines.mapped('product_id')
            products.mapped('standard_price')
            products.mapped('aftersales_no_recovery_value')
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


class MrpRepairLine(models.Model):
    """Part line of a repair order: the part is issued by the warehouse
    against the order (R21) and unused quantities come back (R24)."""

    _name = 'mrp.repair.line'
    _inherit = ['mrp.repair.line', 'aftersales.repair.line.mixin']
    _coverage_kind = 'parts'
    _aftersales_controlled_fields = \
        RepairLineMixin._aftersales_controlled_fields | frozenset(
            ['state', 'move_id'])

    tracking = fields.Selection(
        related='product_id.tracking', readonly=True,
        string='Product Tracking')
    replace_reason = fields.Char(
        string='Reason',
        help='Why the part was replaced, printed on the service '
             'report.')
    aftersales_move_ids = fields.One2many(
        'stock.move', 'aftersales_repair_line_id', string='Parts Moves',
        readonly=True)
    qty_issued = fields.Float(
        string='Issued', compute='_compute_qty_issued',
        digits=dp.get_precision('Product Unit of Measure'),
        help='Quantity the warehouse issued to the order, less what came '
             'back unused.')
    recovery_ids = fields.One2many(
        'aftersales.part.recovery', 'repair_line_id',
        string='Old Part Recovery', readonly=True)
    old_part_state = fields.Selection(
        related='recovery_ids.state', string='Old Part', readonly=True,
        help='Whether the old part of this warranty part came back.')
    qty_to_issue = fields.Float(
        string='To Issue', compute='_compute_qty_issued',
        digits=dp.get_precision('Product Unit of Measure'),
        help='Quantity still to request from the warehouse.')

    @api.model
    def _is_priced(self, vals, line):
        return vals.get('type', line.type) != 'remove'

    @api.depends('aftersales_move_ids.state',
                 'aftersales_move_ids.product_qty', 'product_uom_qty')
    def _compute_qty_issued(self):
        issue_type = self.env.ref('aftersales_addon.picking_type_parts_issue')
        for line in self:
            issued = requested = 0.0
            for move in line.aftersales_move_ids:
                if move.state == 'cancel':
                    continue
                sign = 1 if move.picking_id.picking_type_id == issue_type \
                    else -1
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

    @api.onchange('repair_id', 'product_id', 'product_uom_qty')
    def onchange_product_id(self):
        res = super(MrpRepairLine, self).onchange_product_id()
        if self.type == 'add' and self.product_id and self.repair_id:
            price = self._expected_price(self.repair_id, self.product_id,
                                         self.product_uom_qty)
            if price is not None:
                self.price_unit = price
        return res

    @api.model
    def _aftersales_default_locations(self, vals):
        """A part line added where the list's inline editing does not run
        Odoo's ``onchange_operation_type`` (the dialog of the phone layout,
        a form without the location columns, RPC) gets the same defaults:
        an added part leaves the company's stock for production, a removed
        one goes from production to scrap."""
        vals = dict(vals)
        vals.setdefault('type', 'add')
        if vals.get('location_id') and vals.get('location_dest_id'):
            return vals
        Location = self.env['stock.location']
        production = Location.search([('usage', '=', 'production')],
                                     limit=1)
        if vals['type'] == 'add':
            repair = self.env['mrp.repair'].browse(vals.get('repair_id'))
            company = repair.company_id or self.env.user.company_id
            source = self.env['stock.warehouse'].search(
                [('company_id', '=', company.id)], limit=1).lot_stock_id
            destination = production
        else:
            source = production
            destination = Location.search([('scrap_location', '=', True)],
                                          limit=1)
        vals.setdefault('location_id', source.id)
        vals.setdefault('location_dest_id', destination.id)
        vals['location_id'] = vals['location_id'] or source.id
        vals['location_dest_id'] = vals['location_dest_id'] or destination.id
        return vals

    @api.model
    def create(self, vals):
        vals = self._aftersales_default_locations(vals)
        line = super(MrpRepairLine, self).create(vals)
        # Odoo confirms part lines with their order; a part found during the
        # work (added after confirmation) follows the order's state too.
        if line.state == 'draft' and line.repair_id.state in (
                'confirmed', 'ready', 'under_repair'):
            # the line's state is Odoo's workflow field (controlled)
            with aftersales_control():
                line.state = 'confirmed'
        return line
