# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


class ResCompany(models.Model):
    """The warranty pillar's settings: the early-failure windows (R32)."""

    _inherit = 'res.company'

    aftersales_warranty_doa_days = fields.Integer(
        string='Dead on Arrival Window (days)', default=7,
        help='A unit failing within this many days of its warranty '
             'start is dead on arrival: repair first, exchange or return '
             'when it cannot be repaired.')

    aftersales_warranty_quality_failure_days = fields.Integer(
        string='Quality Failure Window (days)', default=15,
        help='A quality failure within this many days of the warranty '
             'start gives the customer the right to an exchange or a return '
             'when the unit cannot be repaired.')

    @api.constrains('aftersales_warranty_doa_days',
                    'aftersales_warranty_quality_failure_days')
    def _check_aftersales_windows(self):
        for company in self:
            if company.aftersales_warranty_doa_days < 0 or \
                    company.aftersales_warranty_quality_failure_days < 0:
                raise ValidationError(_(
                    'The early-failure windows cannot be negative.'))
