# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

COVERAGE = [('free', 'Free'), ('charged', 'Charged')]


class AftersalesWarrantyTier(models.Model):
    """One period of a warranty rule (R30): from ``month_from`` (included)
    to ``month_to`` (excluded) months after the warranty start, what the
    customer pays for parts and for labour."""

    _name = 'aftersales.warranty.tier'
    _description = 'Warranty Tier'
    _order = 'rule_id, month_from'

    rule_id = fields.Many2one('aftersales.warranty.rule', required=True,
                              ondelete='cascade', index=True)
    month_from = fields.Integer(string='From Month', required=True,
                                default=0)
    month_to = fields.Integer(string='To Month', required=True)
    parts_coverage = fields.Selection(COVERAGE, string='Parts',
                                      required=True, default='free')
    labour_coverage = fields.Selection(COVERAGE, string='Labour',
                                       required=True, default='free')

    def name_get(self):
        return [(tier.id, '%s: %s-%s' % (tier.rule_id.name, tier.month_from,
                                         tier.month_to)) for tier in self]
