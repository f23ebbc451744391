# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class ReceivableRefundWizard(models.TransientModel):
    """R52: Finance pays a refund of a deduction directly to the technician
    instead of waiting for the next payslip."""

    _name = 'aftersales.receivable.refund.wizard'
    _description = 'Pay a deduction refund directly'

    move_id = fields.Many2one('aftersales.receivable.move', required=True,
                              string='Refund',
                              domain=[('kind', '=', 'refund'),
                                      ('state', '=', 'pending')])
    currency_id = fields.Many2one(related='move_id.currency_id', readonly=True)
    amount = fields.Monetary(related='move_id.amount', readonly=True)
    journal_id = fields.Many2one(
        'account.journal', string='Pay From', required=True,
        domain=[('type', 'in', ('bank', 'cash'))])
    payment_date = fields.Date(required=True,
                               default=lambda self: self.env.user.company_id
                               ._aftersales_today_str())

    @api.multi
    def action_pay(self):
        """Post an outbound payment to the technician and mark the refund
        done; nothing changes if the payment cannot be posted."""
        self.ensure_one()
        if not self.env.user._aftersales_is_finance():
            raise AccessError(_('Only Finance pays refunds.'))
        move = self.move_id
        if move.kind != 'refund' or move.state != 'pending':
            raise UserError(_('Only a refund still to pay can be paid.'))
        if move.payslip_id and move.payslip_id.state == 'done':
            raise UserError(_('This refund was paid on payslip %s.')
                            % move.payslip_id.number)
        employee = move.employee_id.sudo()
        partner = employee.address_home_id or employee.user_id.partner_id
        if not partner:
            raise UserError(_(
                '%s has no private address or user: the payment has no '
                'recipient.') % employee.name)
        method = self.journal_id.outbound_payment_method_ids[:1]
        if not method:
            raise UserError(_(
                'Journal %s has no outgoing payment method: choose another '
                'journal.') % self.journal_id.name)
        payment = self.env['account.payment'].create({
            'payment_type': 'outbound',
            'partner_type': 'supplier',
            'partner_id': partner.id,
            'amount': move.amount,
            'journal_id': self.journal_id.id,
            'payment_date': self.payment_date,
            'payment_method_id': method.id,
            'communication': _('Refund of receivable deduction %s') %
            move.receivable_id.name,
        })
        payment.post()
        # sudo: the refund entry is settled by this payment only (checked
        # above); Finance may not write ledger entries by hand
        move.sudo().write({'state': 'done', 'refund_method': 'direct',
                           'payment_id': payment.id, 'payslip_id': False})
        move.sudo()._close_refund_todos()
        move.receivable_id.message_post(body=_(
            'Deduction refunded directly: %(amount).2f (%(payment)s).') % {
            'amount': move.amount,
            'payment': payment.name,
        })
        return {'type': 'ir.actions.act_window_close'}
