# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.5.0: the technicians already in the database open Odoo on their
repairs, as new technicians do; the departments that handle units and parts
get the serial numbers (the group definitions bring them to their users)."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    technician = env.ref('aftersales_addon.group_aftersales_technician',
                         raise_if_not_found=False)
    if technician:
        technician.users._aftersales_set_technician_home()
