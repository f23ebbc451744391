# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The service desk's settings (R13)."""

    _inherit = 'res.company'

    aftersales_request_carry_in_days = fields.Integer(
        string='Carry-in Repair Promised Within (working days)', default=5,
        help='When a customer brings a unit in for repair, the date '
             'promised on the goods receipt is this many working days '
             'after the day it is received (the receiving user may '
             'change it).')

    @api.constrains('aftersales_request_carry_in_days')
    def _check_aftersales_request_settings(self):
        for company in self:
            if company.aftersales_request_carry_in_days < 0:
                raise ValidationError(_(
                    'The promised time of a carry-in repair cannot be '
                    'negative.'))
