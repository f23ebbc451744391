# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ResPartner(models.Model):
    """Odoo's notification of a message, without its empty work."""

    _inherit = 'res.partner'

    @api.multi
    def _notify_by_chat(self, message):
        """Odoo 11 formats the message for the Inbox (``message_format``,
        about 15 queries) before looking at who reads it there: a note
        nobody reads in Odoo (most tracking messages) pays for it all. No
        such reader, nothing to format or send (issue 14)."""
        if not self:
            return
        return super(ResPartner, self)._notify_by_chat(message)
