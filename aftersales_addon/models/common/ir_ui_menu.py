# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models, tools


# Odoo's own apps showing the after-sales records without the addon's
# views: the after-sales departments find all of it under After-Sales.
HOST_APP_MENUS = (
    'helpdesk_mgmt.helpdesk_ticket_main_menu',
    'mrp_repair.menu_repair_order',
)


class IrUiMenu(models.Model):
    _inherit = 'ir.ui.menu'

    @api.model
    @tools.ormcache('frozenset(self.env.user.groups_id.ids)', 'debug')
    def _visible_menu_ids(self, debug=False):
        """One home per department: Odoo's own Helpdesk and Repairs apps
        are hidden from the after-sales departments (the administrators
        keep them). Depends on the user's groups only, like the cache."""
        visible = super(IrUiMenu, self)._visible_menu_ids(debug=debug)
        user = self.env.user
        if user.has_group('base.group_system') or \
                not user._aftersales_is_department_user():
            return visible
        hidden = self.browse()
        for xmlid in HOST_APP_MENUS:
            menu = self.env.ref(xmlid, raise_if_not_found=False)
            if menu:
                hidden |= menu
        if not hidden:
            return visible
        hidden = self.sudo().search([('id', 'child_of', hidden.ids)])
        return visible - set(hidden.ids)
