# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math

from odoo import api, fields, models

EARTH_RADIUS_KM = 6371.0


class ResPartner(models.Model):
    """Where a customer or a technician's base is (R12, R14): coordinates
    typed or pasted by customer service (no map service is reachable from
    the company's network) and the service zone of the address."""

    _inherit = 'res.partner'

    aftersales_latitude = fields.Float(
        string='Latitude', digits=(10, 6),
        help='Degrees north, as a map application shows them (for '
             'example 30.274085). Used for the distance to the customer.')
    aftersales_longitude = fields.Float(
        string='Longitude', digits=(10, 6),
        help='Degrees east, as a map application shows them (for '
             'example 120.155070).')
    aftersales_service_zone = fields.Selection(
        [('city', 'City'), ('suburb', 'Suburb')],
        string='Service Zone',
        help='Whether the address is in the city or in the suburbs: the '
             'time allowed from dispatch to arrival depends on it.')

    @api.multi
    def _aftersales_has_position(self):
        self.ensure_one()
        return bool(self.aftersales_latitude or self.aftersales_longitude)

    @api.multi
    def _aftersales_distance_km(self, other):
        """Great-circle distance in km between this partner and ``other``,
        or None when either position is unknown (R12 radius, R14)."""
        self.ensure_one()
        if not (other and self._aftersales_has_position()
                and other._aftersales_has_position()):
            return None
        lat1, lon1, lat2, lon2 = map(math.radians, (
            self.aftersales_latitude, self.aftersales_longitude,
            other.aftersales_latitude, other.aftersales_longitude))
        hav = (math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1)
               * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(hav)))
