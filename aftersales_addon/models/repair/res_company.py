# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _


class ResCompany(models.Model):
    """The repair pillar's settings: how far the controls reach, photos,
    price lists (R90)."""

    _inherit = 'res.company'

    aftersales_repair_govern_all = fields.Boolean(
        string='After-sales Controls on Every Repair Order',
        help='Off: the after-sales controls (warranty decision, finance '
             'release, parts from the warehouse, passed test, old-part '
             'recovery) govern the repair orders of service requests and of '
             'the after-sales departments; other repair orders follow '
             'Odoo\'s plain repair flow. On: they govern every repair '
             'order of the company.')

    aftersales_repair_photo_max_px = fields.Integer(
        string='Photo Size Limit (pixels)', default=1600,
        help='Photos attached to repair orders and service requests are '
             'reduced to this many pixels on their longer side when they '
             'are uploaded; 0 keeps them as they are.')

    aftersales_repair_parts_pricelist_id = fields.Many2one(
        'product.pricelist', string='Parts Price List',
        help='Price list of spare parts on repair orders. Empty: the '
             'repair order\'s price list.')

    aftersales_repair_labour_pricelist_id = fields.Many2one(
        'product.pricelist', string='Labour Rates',
        help='Price list of labour (service products) on repair '
             'orders. Empty: the repair order\'s price list.')

    @api.constrains('aftersales_repair_photo_max_px')
    def _check_aftersales_photo_size(self):
        for company in self:
            if company.aftersales_repair_photo_max_px and \
                    company.aftersales_repair_photo_max_px < 320:
                raise ValidationError(_(
                    'Photos are kept at 320 pixels at least (0 keeps them '
                    'as they are).'))
