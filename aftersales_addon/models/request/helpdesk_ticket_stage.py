# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    """A stage where the request waits for the customer (R12): the clock
    of its deadlines stops while it is there."""

    _inherit = 'helpdesk.ticket.stage'

    aftersales_waiting_customer = fields.Boolean(
        string='Waiting for Customer',
        help='While a request is in this stage its deadlines do not run: '
             'the time spent here is added to them when it leaves.')
