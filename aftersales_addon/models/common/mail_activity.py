# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MailActivity(models.Model):
    _inherit = 'mail.activity'

    aftersales_key = fields.Char(
        string='After-sales To-do', index=True, readonly=True, copy=False,
        help='Which after-sales step this to-do waits for; that step marks '
             'it done.')
