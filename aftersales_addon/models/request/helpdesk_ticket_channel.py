# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class HelpdeskTicketChannel(models.Model):
    """The channels a request comes by (R10) read in the user's language."""

    _inherit = 'helpdesk.ticket.channel'

    name = fields.Char(translate=True)
