# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AccountMoveLine(models.Model):
    """R50/R53: a payment reconciled with (or removed from) a customer
    invoice updates the technician receivables that follow the invoice, at
    once: every way Odoo records a payment (payment registration, outstanding
    credit, reconciliation widget) goes through these two methods."""

    _inherit = 'account.move.line'

    @api.multi
    def reconcile(self, writeoff_acc_id=False, writeoff_journal_id=False):
        res = super(AccountMoveLine, self).reconcile(
            writeoff_acc_id=writeoff_acc_id,
            writeoff_journal_id=writeoff_journal_id)
        self._aftersales_invoices()._aftersales_sync_receivables()
        return res

    @api.multi
    def remove_move_reconcile(self):
        invoices = self._aftersales_invoices()
        res = super(AccountMoveLine, self).remove_move_reconcile()
        invoices._aftersales_sync_receivables()
        return res

    @api.multi
    def _aftersales_invoices(self):
        """Customer invoices touched by these lines or their counterparts."""
        lines = self | self.mapped('matched_debit_ids.debit_move_id') | \
            self.mapped('matched_credit_ids.credit_move_id')
        return lines.mapped('invoice_id').filtered(
            lambda i: i.type == 'out_invoice')
