# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

RELEASABLE_MODELS = ('mrp.repair', 'sale.order')


class FinanceReleaseWizard(models.TransientModel):
    """R22/R53: Finance releases a repair order or a parts sale, as paid or
    as vouched by a technician."""

    _name = 'aftersales.finance.release.wizard'
    _description = 'Finance Release'

    res_model = fields.Char(required=True)
    res_id = fields.Integer(required=True)
    order_name = fields.Char(string='Order', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Customer',
                                 readonly=True)
    amount_due = fields.Float(string='Customer Owes', readonly=True)
    mode = fields.Selection(
        [('paid', 'Customer paid'), ('vouched', 'Vouched by a technician')],
        string='Release As', required=True, default='paid')
    invoice_id = fields.Many2one(
        'account.invoice', string='Paid Invoice',
        domain="[('commercial_partner_id', '=', partner_id), "
               "('type', '=', 'out_invoice'), ('state', '=', 'paid')]")
    payment_id = fields.Many2one(
        'account.payment', string='Customer Payment',
        domain="[('partner_id', 'child_of', partner_id), "
               "('payment_type', '=', 'inbound'), "
               "('state', 'in', ('posted', 'reconciled'))]")
    vouch_user_id = fields.Many2one(
        'res.users', string='Technician Who Vouches',
        help='The technician who takes responsibility for the unpaid '
             'customer and owes the amount until the customer pays.')

    @api.model
    def default_get(self, fields_list):
        res = super(FinanceReleaseWizard, self).default_get(fields_list)
        order = self._order(res.get('res_model'), res.get('res_id'))
        if order:
            res.update({
                'order_name': order.display_name,
                'partner_id': order._aftersales_customer().id,
                'amount_due': order._aftersales_amount_due(),
                'vouch_user_id': order.vouch_user_id.id or (
                    order._name == 'mrp.repair' and
                    order.technician_id.id),
            })
        return res

    @api.model
    def _order(self, res_model, res_id):
        if res_model not in RELEASABLE_MODELS:
            return None
        return self.env[res_model].browse(res_id).exists()

    @api.multi
    def action_release(self):
        self.ensure_one()
        order = self._order(self.res_model, self.res_id)
        if not order:
            raise UserError(_('The order to release no longer exists.'))
        order._aftersales_finance_release(
            self.mode, vouch_user=self.vouch_user_id,
            invoice=self.invoice_id, payment=self.payment_id)
        return {'type': 'ir.actions.act_window_close'}
