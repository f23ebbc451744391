# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


def _utcnow():
    """Now, in UTC (a naive datetime, as Odoo stores datetimes); tests
    patch it to be at any hour."""
    return datetime.utcnow()


class ResCompany(models.Model):
    """Every amount, period and threshold of SPEC.md is a company setting
    with the specification's default."""

    _inherit = 'res.company'

    aftersales_govern_all_repairs = fields.Boolean(
        string='After-sales Controls on Every Repair Order',
        help='Off: the after-sales controls (warranty decision, finance '
             'release, parts from the warehouse, passed test, old-part '
             'recovery) govern the repair orders of service requests and of '
             'the after-sales departments; other repair orders follow '
             'Odoo\'s plain repair flow. On: they govern every repair '
             'order of the company.')
    aftersales_photo_max_px = fields.Integer(
        string='Photo Size Limit (pixels)', default=1600,
        help='Photos attached to repair orders and service requests are '
             'reduced to this many pixels on their longer side when they '
             'are uploaded; 0 keeps them as they are.')
    aftersales_doa_days = fields.Integer(
        string='Dead on Arrival Window (days)', default=7,
        help='A unit failing within this many days of its warranty '
             'start is dead on arrival: repair first, exchange or return '
             'when it cannot be repaired.')
    aftersales_quality_failure_days = fields.Integer(
        string='Quality Failure Window (days)', default=15,
        help='A quality failure within this many days of the warranty '
             'start gives the customer the right to an exchange or a return '
             'when the unit cannot be repaired.')
    aftersales_parts_pricelist_id = fields.Many2one(
        'product.pricelist', string='Parts Price List',
        help='Price list of spare parts on repair orders. Empty: the '
             'repair order\'s price list.')
    aftersales_labour_pricelist_id = fields.Many2one(
        'product.pricelist', string='Labour Rates',
        help='Price list of labour (service products) on repair '
             'orders. Empty: the repair order\'s price list.')

    aftersales_recovery_due_days = fields.Integer(
        string='Old Part Return Period (days)', default=30,
        help='Days the technician has to bring back the old part of a '
             'part replaced under warranty.')
    aftersales_recovery_exempt_threshold = fields.Float(
        string='Recovery Exemption Threshold', default=50.0,
        help='A part whose unit cost is below this amount (company '
             'currency) and that has no recovery value is exempt from '
             'recovery.')
    aftersales_recovery_list_day = fields.Integer(
        string='Outstanding Old Parts List Day', default=5,
        help='Day of the month by which Finance gets the list of '
             'warranty parts whose old part has not come back.')
    aftersales_recovery_list_date = fields.Date(
        string='Last Outstanding Old Parts List', readonly=True,
        help='Date of the last monthly list, so the list is made once a '
             'month.')

    aftersales_receivable_deduction_days = fields.Integer(
        string='Deduct Receivables After (days)', default=40,
        help='A technician receivable still unpaid this many days '
             'after it was vouched is deducted from the technician\'s next '
             'salary.')
    aftersales_receivable_warning_days = fields.Integer(
        string='Receivable Ageing Warning (days)', default=30,
        help='Receivables older than this many days move to the second '
             'ageing bucket, before the deduction.')
    aftersales_receivable_refund_days = fields.Integer(
        string='Refund Deductions Within (working days)', default=2,
        help='When the customer pays after the deduction, the '
             'technician is refunded within this many working days.')
    aftersales_receivable_refund_method = fields.Selection(
        [('payslip', 'On the next payslip'),
         ('direct', 'Direct payment')],
        string='Refund Deductions By', default='payslip', required=True,
        help='How a deduction is given back by default; Finance may '
             'choose otherwise for each refund.')
    aftersales_receivable_notify_hours = fields.Integer(
        string='Notify Technician Within (hours)', default=12,
        help='The technician is notified of a customer payment within '
             'this many hours.')
    aftersales_statement_day = fields.Integer(
        string='Receivable Statement Day', default=5,
        help='Day of the month by which each technician gets the '
             'statement of the previous month.')
    aftersales_statement_date = fields.Date(
        string='Last Receivable Statements', readonly=True,
        help='Date the last monthly statements were made, so they are made '
             'once a month.')

    # ------------------------------------------------------------------
    # The company's local dates (R30, R32, R52): one helper for every
    # business date, whatever the user, the cron user or the server's zone
    # ------------------------------------------------------------------
    @api.multi
    def _aftersales_tz(self):
        """The company's time zone: its address's (Settings > Companies),
        UTC when none is set."""
        self.ensure_one()
        try:
            return pytz.timezone(self.partner_id.tz or 'UTC')
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    @api.multi
    def _aftersales_local_date(self, value):
        """The company's local date (a ``date``) of ``value``, a UTC
        datetime or its string as Odoo stores it; None when empty."""
        self.ensure_one()
        if not value:
            return None
        if isinstance(value, str):
            value = fields.Datetime.from_string(value)
        if value.tzinfo is None:
            value = pytz.utc.localize(value)
        return value.astimezone(self._aftersales_tz()).date()

    @api.multi
    def _aftersales_today(self):
        """Today in the company's time zone (a ``date``)."""
        return self._aftersales_local_date(_utcnow())

    @api.multi
    def _aftersales_today_str(self):
        return fields.Date.to_string(self._aftersales_today())

    @api.constrains('aftersales_receivable_deduction_days',
                    'aftersales_receivable_warning_days',
                    'aftersales_receivable_refund_days',
                    'aftersales_receivable_notify_hours',
                    'aftersales_statement_day')
    def _check_aftersales_receivable_settings(self):
        for company in self:
            if min(company.aftersales_receivable_deduction_days,
                   company.aftersales_receivable_warning_days,
                   company.aftersales_receivable_refund_days,
                   company.aftersales_receivable_notify_hours) < 0:
                raise ValidationError(_(
                    'The receivable periods cannot be negative.'))
            if company.aftersales_receivable_warning_days > \
                    company.aftersales_receivable_deduction_days:
                raise ValidationError(_(
                    'The ageing warning must come before the deduction.'))
            if not 1 <= company.aftersales_statement_day <= 28:
                raise ValidationError(_(
                    'The day of the receivable statements is a day of the '
                    'month between 1 and 28.'))

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

    @api.constrains('aftersales_photo_max_px')
    def _check_aftersales_photo_size(self):
        for company in self:
            if company.aftersales_photo_max_px and \
                    company.aftersales_photo_max_px < 320:
                raise ValidationError(_(
                    'Photos are kept at 320 pixels at least (0 keeps them '
                    'as they are).'))
