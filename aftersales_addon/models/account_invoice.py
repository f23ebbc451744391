# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AccountInvoice(models.Model):
    _inherit = 'account.invoice'

    @api.multi
    def action_invoice_open(self):
        res = super(AccountInvoice, self).action_invoice_open()
        # R42: the deposit credit notes made while the repair invoice was a
        # draft are validated with it. sudo: whoever validates the invoice
        # need not see the recoveries the credit notes belong to.
        refunds = self.env['aftersales.part.recovery'].sudo().search(
            [('refund_ids.refund_invoice_id', 'in', self.ids)]).mapped(
                'refund_ids').filtered(
                    lambda r: r.state == 'draft' and
                    r.refund_invoice_id in self)
        if refunds:
            refunds.action_invoice_open()
        return res
