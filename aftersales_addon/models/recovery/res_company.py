# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


class ResCompany(models.Model):
    """The old-part recovery pillar's settings (R40-R45)."""

    _inherit = 'res.company'

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
