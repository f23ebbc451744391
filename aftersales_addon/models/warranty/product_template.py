# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = 'product.template'

    aftersales_no_recovery_value = fields.Boolean(
        string='No Recovery Value',
        help='The old part is worth nothing once removed; below the '
             'company\'s exemption threshold it need not come back.')
