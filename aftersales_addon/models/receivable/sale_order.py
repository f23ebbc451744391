# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    """R53: a parts-only sale to a customer ships once the customer has
    paid, unless a technician vouches (Finance's release, R22)."""

    _name = 'sale.order'
    _inherit = ['sale.order', 'aftersales.control.mixin',
                'aftersales.finance.release.mixin']

    aftersales_parts_sale = fields.Boolean(
        string='After-sales Parts Sale', copy=True,
        default=lambda self: self.env.context.get(
            'default_aftersales_parts_sale', False),
        help='Spare parts sold to a customer; the delivery leaves only '
             'after Finance released the order (paid, or vouched by a '
             'technician).')

    _aftersales_controlled_on_write = frozenset(['aftersales_parts_sale'])
    _aftersales_release_where = \
        "aftersales_parts_sale AND state IN ('sale', 'done')"

    @api.multi
    def _aftersales_controlled_in(self, vals, creating=False):
        """R53: the parts-sale flag is chosen while quoting; once the sale
        is confirmed it decides whether Finance must release the delivery,
        so it no longer changes."""
        names = super(SaleOrder, self)._aftersales_controlled_in(
            vals, creating=creating)
        if 'aftersales_parts_sale' in names and all(
                order.state in ('draft', 'sent') for order in self):
            names.discard('aftersales_parts_sale')
        return names

    @api.multi
    def _aftersales_release_state_ok(self):
        self.ensure_one()
        return self.state in ('sale', 'done')

    @api.multi
    def _aftersales_currency(self):
        self.ensure_one()
        return self.currency_id

    @api.multi
    def _aftersales_invoices(self):
        self.ensure_one()
        return self.invoice_ids.filtered(
            lambda i: i.type == 'out_invoice' and i.state != 'cancel')

    @api.multi
    def _aftersales_release_needed(self):
        """Only after-sales parts sales wait for Finance (R53)."""
        self.ensure_one()
        return self.aftersales_parts_sale and super(
            SaleOrder, self)._aftersales_release_needed()

    @api.multi
    def action_cancel(self):
        res = super(SaleOrder, self).action_cancel()
        # R50/R53: a cancelled parts sale closes its receivable (sudo: the
        # salesman cancelling may not read receivables)
        self.sudo().mapped('receivable_id')._close_for_cancelled_orders()
        return res

    @api.multi
    def action_invoice_create(self, grouped=False, final=False):
        res = super(SaleOrder, self).action_invoice_create(
            grouped=grouped, final=final)
        # the receivable of a vouched sale follows its invoices (R50)
        for order in self.filtered('receivable_id'):
            order.receivable_id.write({'invoice_ids': [
                (4, inv.id) for inv in order._aftersales_invoices()]})
        return res
