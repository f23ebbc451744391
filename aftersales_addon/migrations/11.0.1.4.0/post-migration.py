# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.4.0: the After-sales Manager no longer implies Odoo's Inventory /
Manager, which implied Billing (invoices and payments are Finance's). The
group definition changes here; users keep the groups they have until an
administrator removes them (Settings > Users), as the README says."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    manager = env.ref('aftersales_addon.group_aftersales_manager',
                      raise_if_not_found=False)
    stock_manager = env.ref('stock.group_stock_manager',
                            raise_if_not_found=False)
    if manager and stock_manager:
        manager.write({'implied_ids': [(3, stock_manager.id)]})
