# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import UserError

from ...tools.early_lock import lock_early


class AccountInvoice(models.Model):
    _inherit = 'account.invoice'

    @api.multi
    def action_invoice_open(self):
        # R42: the deposit credit notes made while the repair invoice was a
        # draft are validated with it. sudo: whoever validates the invoice
        # need not see the recoveries the credit notes belong to.
        refunds = self.env['aftersales.part.recovery'].sudo().search(
            [('refund_ids.refund_invoice_id', 'in', self.ids)]).mapped(
                'refund_ids').filtered(
                    lambda r: r.state == 'draft' and
                    r.refund_invoice_id in self)
        # issue 24: the journals' gapless numbering (a shared row, also
        # taken by the old-part receipt's credit notes) first, before any
        # work: a second accountant waits instead of failing and redoing
        lock_early(self.env, (self | refunds).mapped('journal_id'))
        res = super(AccountInvoice, self).action_invoice_open()
        if refunds:
            refunds.action_invoice_open()
            refunds._aftersales_reconcile_with_origin()
        return res

    @api.multi
    def _aftersales_reconcile_with_origin(self):
        """R42 x R50: a credit note giving back an old part's deposit
        settles that much of the invoice it refers to, like a payment, so
        the technician who vouched for the order no longer owes it (the
        receivable follows the invoice's residual)."""
        for refund in self.filtered(
                lambda r: r.state == 'open' and r.type == 'out_refund' and
                r.refund_invoice_id.state == 'open'):
            lines = (refund.move_id.line_ids |
                     refund.refund_invoice_id.move_id.line_ids).filtered(
                lambda line: line.account_id == refund.account_id and
                not line.reconciled)
            if lines.filtered('debit') and lines.filtered('credit'):
                lines.reconcile()

    @api.multi
    def unlink(self):
        """R50: an invoice a technician receivable follows cannot vanish,
        or the receivable would lose track of the customer's payments."""
        # sudo: the check must see receivables the user may not read
        followed = self.env['aftersales.technician.receivable'].sudo().search(
            [('invoice_ids', 'in', self.ids)])
        if followed:
            raise UserError(_(
                'These invoices are followed by the technician receivables '
                '%s and cannot be deleted; cancel them instead.') % ', '.join(
                    followed.mapped('name')))
        return super(AccountInvoice, self).unlink()

    @api.multi
    def action_invoice_cancel(self):
        res = super(AccountInvoice, self).action_invoice_cancel()
        self._aftersales_sync_receivables()
        return res

    @api.multi
    def _aftersales_sync_receivables(self):
        """R50/R53: the receivables following these invoices take in what
        the customer paid. sudo: the accountant reconciling a payment need
        not have access to technician receivables."""
        receivables = self.env['aftersales.technician.receivable'].sudo(
        ).search([('invoice_ids', 'in', self.ids)])
        if receivables:
            receivables._sync_payments()
