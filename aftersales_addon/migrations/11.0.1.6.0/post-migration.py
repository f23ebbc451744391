# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.6.0: the After-sales Manager does not imply Finance (Finance's
controls are Finance's, R22/R53; issue 13 moved this one-off change of
existing data out of the group's definition). Users keep the groups they
were given directly."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    manager = env.ref('aftersales_addon.group_aftersales_manager',
                      raise_if_not_found=False)
    finance = env.ref('aftersales_addon.group_aftersales_finance',
                      raise_if_not_found=False)
    if manager and finance and finance in manager.implied_ids:
        manager.write({'implied_ids': [(3, finance.id)]})
