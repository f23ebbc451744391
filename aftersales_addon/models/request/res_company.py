# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


class ResCompany(models.Model):
    """The service desk's settings: how much more an urgent job weighs in a
    technician's workload (R14), how long a customer may keep a loaner unit
    after his own unit is repaired (R25)."""

    _inherit = 'res.company'

    aftersales_request_urgent_weight = fields.Float(
        string='Weight of an Urgent Job', default=2.0,
        help='In a technician\'s workload, an open urgent request or '
             'repair counts this many times; any other counts once.')

    aftersales_request_loaner_grace_days = fields.Integer(
        string='Loaner Return Period (days)', default=0,
        help='Days the customer may keep a loaner unit after his own unit '
             'is repaired; 0: the loaner is due back on the day the '
             'repair ends.')

    @api.constrains('aftersales_request_urgent_weight',
                    'aftersales_request_loaner_grace_days')
    def _check_aftersales_request_settings(self):
        for company in self:
            if company.aftersales_request_urgent_weight < 1:
                raise ValidationError(_(
                    'An urgent job weighs at least as much as any other '
                    '(1 or more).'))
            if company.aftersales_request_loaner_grace_days < 0:
                raise ValidationError(_(
                    'The loaner return period cannot be negative.'))
