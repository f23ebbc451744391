# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ...tools.actions import wizard_action

MOVE_KINDS = [
    ('new', 'New receivable'),
    ('payment', 'Customer payment'),
    ('deduction', 'Salary deduction'),
    ('refund', 'Refund of deduction'),
    ('cancel', 'Order cancelled'),
]


class AftersalesReceivableMove(models.Model):
    """One entry of a technician receivable's history (R50-R52). The
    receivable's figures and the monthly statements are sums of these
    entries, so the ledger identity holds by construction."""

    _name = 'aftersales.receivable.move'
    _inherit = 'aftersales.control.mixin'
    _description = 'Technician Receivable Entry'
    _order = 'date, id'
    # the ledger's entries are written by its operations only (R50-R52)
    _aftersales_editable_fields = frozenset()

    receivable_id = fields.Many2one(
        'aftersales.technician.receivable', string='Receivable',
        required=True, index=True, ondelete='cascade', readonly=True)
    employee_id = fields.Many2one(
        'hr.employee', string='Technician', required=True, index=True,
        readonly=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True)
    currency_id = fields.Many2one(related='company_id.currency_id',
                                  readonly=True)
    date = fields.Date(required=True, index=True, readonly=True)
    kind = fields.Selection(MOVE_KINDS, required=True, readonly=True)
    amount = fields.Monetary(required=True, readonly=True,
                             help='Always positive, except a payment '
                                  'cancelled by un-reconciling the invoice.')
    state = fields.Selection(
        [('pending', 'To Execute'), ('done', 'Done')],
        required=True, default='done', readonly=True,
        help='Deductions and refunds are pending until the payslip that '
             'carries them is confirmed, or the refund is paid directly.')
    refund_method = fields.Selection(
        [('payslip', 'Next payslip'), ('direct', 'Direct payment')],
        string='Refund By')
    due_date = fields.Date(string='Refund Due Date', readonly=True,
                           help='Within the working days setting of '
                                'the customer\'s payment.')
    payslip_id = fields.Many2one('hr.payslip', string='Payslip',
                                 readonly=True, ondelete='set null',
                                 index=True)
    payment_id = fields.Many2one('account.payment', string='Direct Payment',
                                 readonly=True)
    note = fields.Char(readonly=True)

    @api.constrains('amount', 'kind')
    def _check_amount(self):
        for move in self:
            if move.kind != 'payment' and move.amount <= 0:
                raise ValidationError(_(
                    'A receivable entry (%s) must have a positive amount.')
                    % dict(MOVE_KINDS)[move.kind])

    @api.model_cr
    def init(self):
        # statements and the payslip look entries up per technician and date
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS aftersales_receivable_move_emp_date_idx
                ON aftersales_receivable_move (employee_id, date)""")

    @api.multi
    def _close_refund_todos(self):
        """Finance's refund to-do is done once no refund of its receivable
        waits any more (paid directly or on a payslip)."""
        receivables = self.filtered(
            lambda m: m.kind == 'refund' and m.state == 'done'
        ).mapped('receivable_id')
        if not receivables:
            return
        waiting = self.search([('receivable_id', 'in', receivables.ids),
                               ('kind', '=', 'refund'),
                               ('state', '=', 'pending')]).mapped(
                                   'receivable_id')
        (receivables - waiting)._aftersales_close_activities(['refund'])

    @api.multi
    def _ensure_can_pay_refund(self, journal):
        """R52: Finance pays a refund still to pay, to a technician who
        can receive it, from a journal that pays out."""
        self.ensure_one()
        if not self.env.user._aftersales_is_finance():
            raise AccessError(_('Only Finance pays refunds.'))
        if self.kind != 'refund' or self.state != 'pending':
            raise UserError(_('Only a refund still to pay can be paid.'))
        if self.payslip_id and self.payslip_id.state == 'done':
            raise UserError(_('This refund was paid on payslip %s.')
                            % self.payslip_id.number)
        employee = self.employee_id.sudo()
        if not (employee.address_home_id or employee.user_id.partner_id):
            raise UserError(_(
                '%s has no private address or user: the payment has no '
                'recipient.') % employee.name)
        if not journal.outbound_payment_method_ids:
            raise UserError(_(
                'Journal %s has no outgoing payment method: choose another '
                'journal.') % journal.name)

    @api.multi
    def _pay_refund_directly(self, journal, payment_date):
        """R52, Finance's choice: post an outbound payment to the
        technician and mark the refund done; nothing changes if the
        payment cannot be posted."""
        self._ensure_can_pay_refund(journal)
        employee = self.employee_id.sudo()
        partner = employee.address_home_id or employee.user_id.partner_id
        payment = self.env['account.payment'].create({
            'payment_type': 'outbound',
            'partner_type': 'supplier',
            'partner_id': partner.id,
            'amount': self.amount,
            'journal_id': journal.id,
            'payment_date': payment_date,
            'payment_method_id': journal.outbound_payment_method_ids[:1].id,
            'communication': _('Refund of receivable deduction %s') %
            self.receivable_id.name,
        })
        payment.post()
        # sudo: the refund entry is settled by this payment only (checked
        # above); Finance may not write ledger entries by hand
        self.sudo().write({'state': 'done', 'refund_method': 'direct',
                           'payment_id': payment.id, 'payslip_id': False})
        self.sudo()._close_refund_todos()
        self.receivable_id.message_post(body=_(
            'Deduction refunded directly: %(amount).2f (%(payment)s).') % {
            'amount': self.amount,
            'payment': payment.name,
        })
        return payment

    @api.multi
    def action_pay_directly(self):
        """R52, Finance's choice: pay a refund directly (wizard)."""
        self.ensure_one()
        return wizard_action(
            _('Pay Refund Directly'), 'aftersales.receivable.refund.wizard',
            move_id=self.id)
