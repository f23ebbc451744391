# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


class ResCompany(models.Model):
    """Every amount, period and threshold of SPEC.md is a company setting
    with the specification's default."""

    _inherit = 'res.company'

    aftersales_doa_days = fields.Integer(
        string='Dead on Arrival Window (days)', default=7,
        help='R32: a unit failing within this many days of its warranty '
             'start is dead on arrival: repair first, exchange or return '
             'when it cannot be repaired.')
    aftersales_quality_failure_days = fields.Integer(
        string='Quality Failure Window (days)', default=15,
        help='R32: a quality failure within this many days of the warranty '
             'start gives the customer the right to an exchange or a return '
             'when the unit cannot be repaired.')
    aftersales_parts_pricelist_id = fields.Many2one(
        'product.pricelist', string='Parts Price List',
        help='R90: price list of spare parts on repair orders. Empty: the '
             'repair order\'s price list.')
    aftersales_labour_pricelist_id = fields.Many2one(
        'product.pricelist', string='Labour Rates',
        help='R90: price list of labour (service products) on repair '
             'orders. Empty: the repair order\'s price list.')

    @api.constrains('aftersales_doa_days', 'aftersales_quality_failure_days')
    def _check_aftersales_windows(self):
        for company in self:
            if company.aftersales_doa_days < 0 or \
                    company.aftersales_quality_failure_days < 0:
                raise ValidationError(_(
                    'The early-failure windows cannot be negative.'))
