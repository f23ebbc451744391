# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from .aftersales_finance_release_mixin import RELEASE_FIELDS


class MrpRepair(models.Model):
    """Finance's release of a repair order's parts (R22, R53) and the
    technician's receivable that follows it (R50-R52)."""

    _name = 'mrp.repair'
    _inherit = ['mrp.repair', 'aftersales.finance.release.mixin']
    _aftersales_controlled_fields = RELEASE_FIELDS
    _aftersales_release_where = \
        "aftersales_governed AND state NOT IN ('draft', 'cancel', 'done')"

    @api.multi
    def _aftersales_invoices(self):
        self.ensure_one()
        return self.invoice_id.filtered(
            lambda i: i.type == 'out_invoice' and i.state != 'cancel')

    @api.multi
    def _aftersales_release_needed(self):
        """R22: only orders the after-sales controls govern wait for
        Finance."""
        self.ensure_one()
        return self.aftersales_governed and super(
            MrpRepair, self)._aftersales_release_needed()

    @api.multi
    def action_invoice_create(self, group=False):
        res = super(MrpRepair, self).action_invoice_create(group=group)
        # R50: the receivable of a vouched order follows its invoice
        for repair in self.filtered('receivable_id'):
            repair.receivable_id.write({'invoice_ids': [
                (4, inv.id) for inv in repair._aftersales_invoices()]})
        return res

    @api.multi
    def action_repair_cancel(self):
        res = super(MrpRepair, self).action_repair_cancel()
        # R22: nothing is owed for an order that was never carried out
        self.sudo().mapped('receivable_id')._close_for_cancelled_orders()
        return res
