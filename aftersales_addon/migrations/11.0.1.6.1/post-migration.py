# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.6.1: every warehouse issues parts to repair orders and takes
them back through its own operation types (issue 13). The main warehouse
adopts the types and the Parts at Repair location the data file made for
it, so its transfers keep their type and numbering; every other warehouse
gets its own (``<code>/RPI/``, ``<code>/RPR/``). The old parts receipt
types, made per warehouse before, are marked as such."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    warehouses = env['stock.warehouse']
    warehouses._aftersales_ensure_all_repair_parts()
    warehouses._aftersales_ensure_all_old_parts()
