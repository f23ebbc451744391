# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, http
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools import html_escape

from odoo.addons.web.controllers.main import ReportController


class AftersalesReportController(ReportController):
    """A report opened by its address (``/report/pdf/...``) for documents
    the user may not read answers 403 with Odoo's access message in the
    user's language, instead of a bare internal server error."""

    @http.route()
    def report_routes(self, reportname, docids=None, converter=None,
                      **data):
        try:
            return super(AftersalesReportController, self).report_routes(
                reportname, docids=docids, converter=converter, **data)
        except AccessError as error:
            body = '<html><body><h1>%s</h1><p>%s</p></body></html>' % (
                html_escape(_('Access Denied')), html_escape(error.name))
            return request.make_response(
                body, status=403,
                headers=[('Content-Type', 'text/html; charset=utf-8')])
