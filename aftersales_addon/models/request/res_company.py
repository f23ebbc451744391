# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


class ResCompany(models.Model):
    """The service desk's settings: the time each step of a request may
    take, in working hours of the company's calendar, and the service radius
    that decides between a visit and an answer (R12); how much more an
    urgent job weighs in a technician's workload (R14); how long a customer
    may keep a loaner unit after his own unit is repaired (R25); the
    date promised for a unit carried in for repair (R13)."""

    _inherit = 'res.company'

    aftersales_request_to_service_hours = fields.Float(
        string='Sales Forwards to Customer Service Within (working hours)',
        default=12.0,
        help='From the customer\'s report to sales until customer service '
             'has the request.')
    aftersales_request_to_technician_hours = fields.Float(
        string='Customer Service Forwards to a Technician Within (working '
               'hours)', default=12.0,
        help='From the moment customer service has the request until a '
             'technician is assigned.')
    aftersales_request_contact_hours = fields.Float(
        string='Technician Contacts the Customer Within (working hours)',
        default=12.0,
        help='From the forwarding to the technician.')
    aftersales_request_plan_hours = fields.Float(
        string='Technician Gives a Solution Plan Within (working hours)',
        default=24.0,
        help='From the forwarding to the technician.')
    aftersales_request_arrival_hours = fields.Float(
        string='On-site Arrival Within the Service Radius (working hours)',
        default=24.0,
        help='From the forwarding to the technician, for a customer inside '
             'the service radius whose address has no service zone.')
    aftersales_request_answer_hours = fields.Float(
        string='Answer Outside the Service Radius Within (working hours)',
        default=12.0,
        help='From the forwarding to the technician, for a customer '
             'farther than the service radius: the customer gets an answer '
             'instead of a visit.')
    aftersales_request_radius_km = fields.Float(
        string='Service Radius (km)', default=100.0,
        help='Distance from the company\'s address (its position on the '
             'company\'s contact) within which the technician goes on '
             'site.')
    aftersales_request_city_hours = fields.Float(
        string='Dispatch to Arrival in the City (working hours)',
        default=6.0,
        help='For a customer whose address is in the city zone.')
    aftersales_request_suburb_hours = fields.Float(
        string='Dispatch to Arrival in the Suburbs (working hours)',
        default=7.0,
        help='For a customer whose address is in the suburb zone.')

    aftersales_request_urgent_weight = fields.Float(
        string='Weight of an Urgent Job', default=2.0,
        help='In a technician\'s workload, an open urgent request or '
             'repair counts this many times; any other counts once.')

    aftersales_request_loaner_grace_days = fields.Integer(
        string='Loaner Return Period (days)', default=0,
        help='Days the customer may keep a loaner unit after his own unit '
             'is repaired; 0: the loaner is due back on the day the '
             'repair ends.')

    aftersales_request_carry_in_days = fields.Integer(
        string='Carry-in Repair Promised Within (working days)', default=5,
        help='When a customer brings a unit in for repair, the date '
             'promised on the goods receipt is this many working days '
             'after the day it is received (the receiving user may '
             'change it).')

    @api.constrains('aftersales_request_to_service_hours',
                    'aftersales_request_to_technician_hours',
                    'aftersales_request_contact_hours',
                    'aftersales_request_plan_hours',
                    'aftersales_request_arrival_hours',
                    'aftersales_request_answer_hours',
                    'aftersales_request_radius_km',
                    'aftersales_request_city_hours',
                    'aftersales_request_suburb_hours')
    def _check_aftersales_request_settings(self):
        """R12: every deadline is a positive time; a step is not allowed
        more time than the one it leads to."""
        for company in self:
            company._check_aftersales_request_positive()
            company._check_aftersales_request_chain()

    @api.multi
    def _check_aftersales_request_positive(self):
        self.ensure_one()
        names = [
            'aftersales_request_to_service_hours',
            'aftersales_request_to_technician_hours',
            'aftersales_request_contact_hours',
            'aftersales_request_plan_hours',
            'aftersales_request_arrival_hours',
            'aftersales_request_answer_hours',
            'aftersales_request_radius_km',
            'aftersales_request_city_hours',
            'aftersales_request_suburb_hours']
        wrong = [name for name in names if self[name] <= 0]
        if wrong:
            raise ValidationError(_(
                'These service request settings must be greater than '
                'zero: %s') % ', '.join(
                    self._fields[name].get_description(self.env)['string']
                    for name in wrong))

    @api.multi
    def _check_aftersales_request_chain(self):
        """R12: the customer is contacted before the plan is given; a
        customer in the city is reached before one in the suburbs; and
        either zone before the general on-site time of the radius."""
        self.ensure_one()
        pairs = [
            ('aftersales_request_contact_hours',
             'aftersales_request_plan_hours'),
            ('aftersales_request_city_hours',
             'aftersales_request_suburb_hours'),
            ('aftersales_request_suburb_hours',
             'aftersales_request_arrival_hours'),
        ]
        for shorter, longer in pairs:
            if self[shorter] > self[longer]:
                label = self._fields[shorter].get_description(
                    self.env)['string']
                other = self._fields[longer].get_description(
                    self.env)['string']
                raise ValidationError(_(
                    '"%(shorter)s" (%(value)s) cannot be longer than '
                    '"%(longer)s" (%(other_value)s).') % {
                    'shorter': label, 'value': self[shorter],
                    'longer': other, 'other_value': self[longer]})

    @api.constrains('aftersales_request_urgent_weight',
                    'aftersales_request_loaner_grace_days')
    def _check_aftersales_dispatch_settings(self):
        """R14, R25: an urgent job weighs at least one; the loaner return
        period is not negative."""
        for company in self:
            if company.aftersales_request_urgent_weight < 1:
                raise ValidationError(_(
                    'An urgent job weighs at least as much as any other '
                    '(1 or more).'))
            if company.aftersales_request_loaner_grace_days < 0:
                raise ValidationError(_(
                    'The loaner return period cannot be negative.'))

    @api.constrains('aftersales_request_carry_in_days')
    def _check_aftersales_carry_in_settings(self):
        """R13: the promised time of a carry-in repair is not negative."""
        for company in self:
            if company.aftersales_request_carry_in_days < 0:
                raise ValidationError(_(
                    'The promised time of a carry-in repair cannot be '
                    'negative.'))
