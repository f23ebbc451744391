# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import io
import logging

from PIL import Image, ImageOps

from odoo import api, models

_logger = logging.getLogger(__name__)

# the documents technicians photograph on site
PHOTO_MODELS = ('mrp.repair', 'helpdesk.ticket')
RESIZED_FORMATS = {'JPEG': 'image/jpeg', 'PNG': 'image/png'}


class IrAttachment(models.Model):
    _inherit = 'ir.attachment'

    @api.model
    def _aftersales_shrink_photo(self, datas, limit):
        """The photo ``datas`` (base64) with its longer side at most
        ``limit`` pixels, upright (the phone's EXIF orientation applied),
        in its own format; None when it is small enough already or is not
        a JPEG/PNG photo."""
        try:
            image = Image.open(io.BytesIO(base64.b64decode(datas)))
            fmt = image.format
            if fmt not in RESIZED_FORMATS or max(image.size) <= limit:
                return None
            image = ImageOps.exif_transpose(image)
            image.thumbnail((limit, limit), Image.LANCZOS)
            out = io.BytesIO()
            if fmt == 'JPEG':
                image.convert('RGB').save(out, 'JPEG', quality=85,
                                          optimize=True)
            else:
                image.save(out, 'PNG', optimize=True)
            return base64.b64encode(out.getvalue())
        except (IOError, OSError, ValueError, SyntaxError) as exc:
            # not an image PIL can read: kept as it came
            _logger.debug('photo not resized: %s', exc)
            return None

    @api.model
    def create(self, values):
        """Photos attached to a repair or its request are resized on upload
        (company setting), so that a day of phone photos does not fill the
        filestore."""
        if values.get('res_model') in PHOTO_MODELS and values.get('datas') \
                and (values.get('mimetype') or 'image/').startswith('image/'):
            limit = self.env.user.company_id.aftersales_repair_photo_max_px
            if limit:
                smaller = self._aftersales_shrink_photo(
                    values['datas'], limit)
                if smaller:
                    values = dict(values, datas=smaller)
        return super(IrAttachment, self).create(values)
