# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

DEPARTMENT_GROUPS = (
    'aftersales_addon.group_aftersales_customer_service',
    'aftersales_addon.group_aftersales_technician',
    'aftersales_addon.group_aftersales_warehouse',
    'aftersales_addon.group_aftersales_purchasing',
    'aftersales_addon.group_aftersales_finance',
    'aftersales_addon.group_aftersales_technical',
    'aftersales_addon.group_aftersales_quality',
    'aftersales_addon.group_aftersales_administration',
    'aftersales_addon.group_aftersales_manager',
)
WAREHOUSE_GROUP = 'aftersales_addon.group_aftersales_warehouse'


class ResUsers(models.Model):
    _inherit = 'res.users'

    @api.multi
    def _aftersales_in(self, *groups):
        """Whether the user is the superuser (a business method's
        ``sudo()``) or in one of ``groups`` (external ids): the one test of
        every department guard."""
        self.ensure_one()
        return self._is_superuser() or any(
            self.has_group(group) for group in groups)

    @api.multi
    def _aftersales_is_finance(self):
        """R1: the Finance department (or the superuser) acts on money:
        releases, refunds, statements' disputes."""
        return self._aftersales_in('aftersales_addon.group_aftersales_finance')

    @api.multi
    def _aftersales_is_department_user(self):
        """Whether the user works in one of the after-sales departments
        (users of Odoo's own groups only keep Odoo's rules)."""
        self.ensure_one()
        return any(self.has_group(group) for group in DEPARTMENT_GROUPS)

    @api.multi
    def _aftersales_moves_stock(self):
        """R21: who makes stock move: the warehouse (the manager is in it),
        the superuser, and users outside the after-sales departments, who
        keep Odoo's own rules."""
        self.ensure_one()
        return self._aftersales_in(WAREHOUSE_GROUP) or \
            not self._aftersales_is_department_user()

    # ------------------------------------------------------------------
    # A technician's day starts with his repairs (R13)
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        user = super(ResUsers, self).create(vals)
        user._aftersales_set_technician_home()
        return user

    @api.multi
    def write(self, vals):
        res = super(ResUsers, self).write(vals)
        if any(key == 'groups_id' or key.startswith(('in_group_', 'sel_'))
               for key in vals):
            self._aftersales_set_technician_home()
        return res

    @api.multi
    def _aftersales_set_technician_home(self):
        """A technician (not the manager, who sees every department) with
        no home action of his own opens Odoo on his open repairs."""
        action = self.env.ref('aftersales_addon.mrp_repair_my_action',
                              raise_if_not_found=False)
        if not action:  # during the module's own installation
            return
        technician = self.env.ref(
            'aftersales_addon.group_aftersales_technician')
        manager = self.env.ref('aftersales_addon.group_aftersales_manager')
        users = self.filtered(
            lambda u: not u.action_id and technician in u.groups_id and
            manager not in u.groups_id)
        if users:
            # sudo: the home action is set by the system, whoever gives the
            # group
            users.sudo().write({'action_id': action.id})
