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

    aftersales_recovery_due_days = fields.Integer(
        string='Old Part Return Period (days)', default=30,
        help='R40: days the technician has to bring back the old part of a '
             'part replaced under warranty.')
    aftersales_recovery_exempt_threshold = fields.Float(
        string='Recovery Exemption Threshold', default=50.0,
        help='R41: a part whose unit cost is below this amount (company '
             'currency) and that has no recovery value is exempt from '
             'recovery.')
    aftersales_recovery_list_day = fields.Integer(
        string='Outstanding Old Parts List Day', default=5,
        help='R45: day of the month by which Finance gets the list of '
             'warranty parts whose old part has not come back.')
    aftersales_recovery_list_date = fields.Date(
        string='Last Outstanding Old Parts List', readonly=True,
        help='Date of the last monthly list, so the list is made once a '
             'month.')

    @api.constrains('aftersales_recovery_due_days',
                    'aftersales_recovery_exempt_threshold',
                    'aftersales_recovery_list_day')
    def _check_aftersales_recovery_settings(self):
        for company in self:
            if company.aftersales_recovery_due_days < 0 or \
                    company.aftersales_recovery_exempt_threshold < 0:
                raise ValidationError(_(
                    'The old part return period and the exemption threshold '
                    'cannot be negative.'))
            if not 1 <= company.aftersales_recovery_list_day <= 28:
                raise ValidationError(_(
                    'The day of the outstanding old parts list is a day of '
                    'the month between 1 and 28.'))

    @api.constrains('aftersales_doa_days', 'aftersales_quality_failure_days')
    def _check_aftersales_windows(self):
        for company in self:
            if company.aftersales_doa_days < 0 or \
                    company.aftersales_quality_failure_days < 0:
                raise ValidationError(_(
                    'The early-failure windows cannot be negative.'))
