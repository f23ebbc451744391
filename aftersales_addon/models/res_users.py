# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = 'res.users'

    @api.multi
    def _aftersales_is_finance(self):
        """R1: the Finance department (or the superuser) acts on money:
        releases, refunds, statements' disputes."""
        self.ensure_one()
        return self._is_superuser() or self.has_group(
            'aftersales_addon.group_aftersales_finance')
