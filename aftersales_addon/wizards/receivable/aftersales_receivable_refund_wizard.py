# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


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
        """Pay it: the refund entry checks and records the payment
        (``aftersales.receivable.move._pay_refund_directly``)."""
        self.ensure_one()
        self.move_id._pay_refund_directly(self.journal_id, self.payment_date)
        return {'type': 'ir.actions.act_window_close'}
