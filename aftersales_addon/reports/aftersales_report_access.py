# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Printing a document the user may not read gives Odoo's access message in
the user's language, not a QWeb error deep in the template: the access is
checked before rendering."""
from odoo import api, models


class AftersalesReportAccessMixin(models.AbstractModel):
    _name = 'aftersales.report.access.mixin'
    _description = 'After-sales report: access checked before rendering'
    _report_model = None

    @api.model
    def get_report_values(self, docids, data=None):
        docs = self.env[self._report_model].browse(docids)
        # AccessError, translated, before any template reads a field
        docs.check_access_rights('read')
        docs.check_access_rule('read')
        return {
            'doc_ids': docids,
            'doc_model': self._report_model,
            'docs': docs,
            'data': data,
        }


class ReportService(models.AbstractModel):
    _name = 'report.aftersales_addon.report_service'
    _inherit = 'aftersales.report.access.mixin'
    _description = 'Service report'
    _report_model = 'mrp.repair'


class ReportRecoveryList(models.AbstractModel):
    _name = 'report.aftersales_addon.report_recovery_list'
    _inherit = 'aftersales.report.access.mixin'
    _description = 'Outstanding old parts list'
    _report_model = 'aftersales.recovery.list'


class ReportReceivableStatement(models.AbstractModel):
    _name = 'report.aftersales_addon.report_receivable_statement'
    _inherit = 'aftersales.report.access.mixin'
    _description = 'Receivable statement'
    _report_model = 'aftersales.receivable.statement'


class ReportGoodsReceipt(models.AbstractModel):
    _name = 'report.aftersales_addon.report_goods_receipt'
    _inherit = 'aftersales.report.access.mixin'
    _description = 'Goods receipt of a unit brought in for repair'
    _report_model = 'helpdesk.ticket'
