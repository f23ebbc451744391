# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AftersalesWarrantyRule(models.Model):
    """Warranty rule (三包, R30) of a product or a product category: the
    event the warranty starts from and its tiers. The most specific rule
    wins: a product's rule, else the rule of its category or of the nearest
    parent category."""

    _name = 'aftersales.warranty.rule'
    _description = 'Warranty Rule'
    _inherit = ['mail.thread']
    _order = 'name'

    name = fields.Char(required=True, translate=True,
                       track_visibility='onchange')
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True,
        default=lambda self: self.env['res.company']._company_default_get(
            'aftersales.warranty.rule'))
    product_id = fields.Many2one(
        'product.product', string='Product', index=True,
        track_visibility='onchange',
        help='The rule applies to this product only (it wins over a '
             'category rule).')
    categ_id = fields.Many2one(
        'product.category', string='Product Category', index=True,
        track_visibility='onchange',
        help='The rule applies to the products of this category and of its '
             'sub-categories that have no more specific rule.')
    start_event = fields.Selection(
        [('delivery', 'Delivery to the customer'),
         ('acceptance', 'Customer acceptance (delivery if not recorded)')],
        string='Warranty Starts On', required=True, default='delivery',
        track_visibility='onchange',
        help='The warranty is counted from the date the serial left '
             'the company to the customer, or from the customer\'s '
             'acceptance date when one is recorded on the serial.')
    tier_ids = fields.One2many('aftersales.warranty.tier', 'rule_id',
                               string='Tiers', copy=True)
    duration_months = fields.Integer(
        string='Total Months', compute='_compute_duration_months')
    note = fields.Text(string='Terms')

    @api.depends('tier_ids.month_to')
    def _compute_duration_months(self):
        for rule in self:
            rule.duration_months = max(rule.tier_ids.mapped('month_to') or [0])

    # ------------------------------------------------------------------
    # Configuration errors, shown at save time
    # ------------------------------------------------------------------
    # 'name' is always written at creation: the check runs even when the
    # product and category keys are left out
    @api.constrains('name', 'product_id', 'categ_id')
    def _check_target(self):
        for rule in self:
            if not rule.product_id and not rule.categ_id:
                raise ValidationError(_(
                    'Warranty rule "%s" needs a product or a product '
                    'category.') % rule.name)

    @api.constrains('product_id', 'categ_id', 'company_id', 'active')
    def _check_unique_scope(self):
        """Two equally specific rules for one product are a configuration
        error (R30)."""
        for rule in self.filtered('active'):
            domain = [('id', '!=', rule.id),
                      ('company_id', '=', rule.company_id.id)]
            if rule.product_id:
                domain.append(('product_id', '=', rule.product_id.id))
            else:
                domain += [('product_id', '=', False),
                           ('categ_id', '=', rule.categ_id.id)]
            other = self.search(domain, limit=1)
            if other:
                raise ValidationError(_(
                    'Warranty rules "%(rule)s" and "%(other)s" apply '
                    'to the same %(product)s: keep only one.') % {
                    'rule': rule.name,
                    'other': other.name,
                    'product': rule.product_id.display_name or
                    rule.categ_id.display_name,
                })

    @api.constrains('tier_ids', 'product_id', 'categ_id')
    def _check_tiers(self):
        """Tiers start at month 0 and follow each other without gap or
        overlap, each at least one month long (R30)."""
        for rule in self:
            tiers = rule.tier_ids.sorted('month_from')
            if not tiers:
                raise ValidationError(_(
                    'Warranty rule "%s" needs at least one tier.')
                    % rule.name)
            expected = 0
            for tier in tiers:
                if tier.month_from < 0 or tier.month_to <= tier.month_from:
                    raise ValidationError(_(
                        'Tier %(month_from)s-%(month_to)s of warranty '
                        'rule "%(rule)s": periods are whole months, '
                        'not negative, and each tier ends after it '
                        'starts.') % {
                        'month_from': tier.month_from,
                        'month_to': tier.month_to,
                        'rule': rule.name,
                    })
                if tier.month_from < expected:
                    raise ValidationError(_(
                        'Tiers of warranty rule "%(rule)s" overlap at '
                        'month %(month_from)s.') % {
                        'rule': rule.name,
                        'month_from': tier.month_from,
                    })
                if tier.month_from > expected:
                    raise ValidationError(_(
                        'Tiers of warranty rule "%(rule)s" leave a gap '
                        'between month %(expected)s and month '
                        '%(month_from)s.') % {
                        'rule': rule.name,
                        'expected': expected,
                        'month_from': tier.month_from,
                    })
                expected = tier.month_to

    # ------------------------------------------------------------------
    # Rule engine
    # ------------------------------------------------------------------
    @api.model
    def _match_products(self, products, company=None):
        """R30: the applicable rule of each product, most specific first
        (product rule, then the nearest category). One search for any
        number of products. Returns {product id: rule}."""
        company = company or self.env.user.company_id
        rules = self.search([('company_id', '=', company.id)])
        by_product = {r.product_id.id: r for r in rules if r.product_id}
        by_categ = {r.categ_id.id: r for r in rules if not r.product_id}
        result = {}
        for product in products:
            rule = by_product.get(product.id)
            categ = product.categ_id
            while not rule and categ:
                rule = by_categ.get(categ.id)
                categ = categ.parent_id
            result[product.id] = rule or self.browse()
        return result

    @api.multi
    def _tier_at(self, start, date):
        """The tier covering ``date`` for a warranty started on ``start``
        (R30): tier months are counted from the start, the first day
        included, the day the months complete excluded. False after the
        last tier."""
        self.ensure_one()
        for tier in self.tier_ids.sorted('month_from'):
            if start + relativedelta(months=tier.month_from) <= date < \
                    start + relativedelta(months=tier.month_to):
                return tier
        return self.env['aftersales.warranty.tier']

    @api.multi
    def _end_date(self, start):
        """Last day covered by the rule for a warranty started on
        ``start``."""
        self.ensure_one()
        return start + relativedelta(months=self.duration_months, days=-1)
