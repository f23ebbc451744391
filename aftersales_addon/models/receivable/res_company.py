# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


class ResCompany(models.Model):
    """The technician receivable pillar's settings (R50-R53)."""

    _inherit = 'res.company'

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

    aftersales_receivable_statement_day = fields.Integer(
        string='Receivable Statement Day', default=5,
        help='Day of the month by which each technician gets the '
             'statement of the previous month.')

    aftersales_receivable_statement_date = fields.Date(
        string='Last Receivable Statements', readonly=True,
        help='Date the last monthly statements were made, so they are made '
             'once a month.')

    @api.constrains('aftersales_receivable_deduction_days',
                    'aftersales_receivable_warning_days',
                    'aftersales_receivable_refund_days',
                    'aftersales_receivable_notify_hours',
                    'aftersales_receivable_statement_day')
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
            if not 1 <= company.aftersales_receivable_statement_day <= 28:
                raise ValidationError(_(
                    'The day of the receivable statements is a day of the '
                    'month between 1 and 28.'))
