# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.8.0 (desk-dispatch): every existing warehouse gets its Loaner
Units location (R25; new warehouses get theirs from the warehouse's own
hook). The requests' urgency rank (R14 queues) is filled by the ORM when
the stored field is added."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env['stock.warehouse']._aftersales_ensure_all_loaners()
