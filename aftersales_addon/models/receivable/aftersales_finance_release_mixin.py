# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..common.aftersales_control_mixin import aftersales_control
from ...tools.actions import wizard_action
from ...tools.early_lock import lock_early

RELEASE_MODES = [
    ('warranty', 'Warranty (nothing to pay)'),
    ('paid', 'Customer paid'),
    ('vouched', 'Vouched by technician'),
]
RELEASE_FIELDS = frozenset([
    'finance_release', 'finance_release_date', 'finance_release_user_id',
    'finance_release_amount', 'finance_release_ref', 'vouch_user_id',
    'receivable_id',
])


class AftersalesFinanceReleaseMixin(models.AbstractModel):
    """R22 / R53: parts leave the warehouse for a repair order or a parts
    sale only once Finance has released the order: warranty (nothing to
    pay), paid, or vouched by a technician, who then owes the amount as a
    receivable (R50). Its fields are controlled: a model using it also
    inherits ``aftersales.control.mixin``."""

    _name = 'aftersales.finance.release.mixin'
    _description = 'Finance Release Before Parts Leave'
    _aftersales_controlled_fields = RELEASE_FIELDS

    finance_release = fields.Selection(
        RELEASE_MODES, readonly=True, copy=False,
        track_visibility='onchange',
        help='How Finance released the parts of this order.')
    finance_release_date = fields.Datetime(
        string='Released On', readonly=True, copy=False)
    finance_release_user_id = fields.Many2one(
        'res.users', string='Released By', readonly=True, copy=False)
    finance_release_amount = fields.Float(
        string='Amount Released', readonly=True, copy=False,
        help='What the customer owed when Finance released the order. If '
             'the order grows beyond it, Finance releases it again.')
    finance_release_ref = fields.Char(
        string='Payment Reference', readonly=True, copy=False)
    vouch_user_id = fields.Many2one(
        'res.users', string='Vouched By', readonly=True, copy=False,
        track_visibility='onchange')
    receivable_id = fields.Many2one(
        'aftersales.technician.receivable', string='Technician Receivable',
        readonly=True, copy=False)

    can_be_released = fields.Boolean(
        compute='_compute_can_be_released',
        help='Whether the current user may release this order now.')
    aftersales_to_release = fields.Boolean(
        string='To Release', compute='_compute_aftersales_to_release',
        search='_search_aftersales_to_release',
        help='The customer owes more than Finance has released: the parts '
             'wait for Finance.')

    # SQL condition (on the order's table) of an order that may be released;
    # a constant of each model, never built from user input
    _aftersales_release_where = "state NOT IN ('draft', 'cancel', 'done')"

    @api.multi
    def _compute_aftersales_to_release(self):
        for order in self:
            order.aftersales_to_release = \
                order._aftersales_release_state_ok() and \
                order._aftersales_release_needed() and \
                order._aftersales_release_outstanding()

    @api.multi
    def _aftersales_release_outstanding(self):
        """R22/R53: not released yet, or the order now owes more than
        Finance released."""
        self.ensure_one()
        return self.finance_release not in ('paid', 'vouched') or \
            self._aftersales_currency().compare_amounts(
                self._aftersales_amount_due(),
                self.finance_release_amount) > 0

    @api.model
    def _search_aftersales_to_release(self, operator, value):
        """R22/R53: Finance's list of orders waiting for a release, in one
        query."""
        query = sql.SQL("""
            SELECT id FROM {table}
             WHERE {where}
               AND amount_total > 0
               AND (finance_release IS NULL
                    OR finance_release NOT IN ('paid', 'vouched')
                    OR amount_total > COALESCE(finance_release_amount, 0))
        """).format(table=sql.Identifier(self._table),
                    where=sql.SQL(self._aftersales_release_where))
        # as text: Odoo 11's cursor logs queries as strings
        self.env.cr.execute(query.as_string(self.env.cr._obj))
        ids = [row[0] for row in self.env.cr.fetchall()]
        positive = (operator in ('=', '==')) == bool(value)
        return [('id', 'in' if positive else 'not in', ids)]

    @api.multi
    def _compute_can_be_released(self):
        is_finance = self.env.user._aftersales_is_finance()
        for order in self:
            order.can_be_released = is_finance and \
                order._aftersales_release_state_ok() and \
                order._aftersales_release_outstanding()

    @api.multi
    def _aftersales_release_state_ok(self):
        """Orders in these states may be released (confirmed, not
        finished or cancelled)."""
        self.ensure_one()
        return self.state not in ('draft', 'sent', 'cancel', 'done')

    @api.multi
    def _ensure_can_be_released(self):
        """R22: only Finance releases, an order that is under way."""
        if not self.env.user._aftersales_is_finance():
            raise AccessError(_('Only Finance releases the parts of an '
                                'order.'))
        for order in self:
            if not order._aftersales_release_state_ok():
                raise UserError(_(
                    '%s cannot be released in its current state: Finance '
                    'releases confirmed orders that are not finished or '
                    'cancelled.') % order.display_name)

    @api.multi
    def _aftersales_amount_due(self):
        """What the customer owes for the order (order currency)."""
        self.ensure_one()
        return self.amount_total

    @api.multi
    def _aftersales_currency(self):
        self.ensure_one()
        return self.pricelist_id.currency_id or self.company_id.currency_id

    @api.multi
    def _aftersales_customer(self):
        self.ensure_one()
        return self.partner_id.commercial_partner_id

    @api.multi
    def _aftersales_invoices(self):
        """Customer invoices of the order that a receivable follows."""
        raise NotImplementedError

    @api.multi
    def _aftersales_release_needed(self):
        """R22: an order whose customer owes something must be released."""
        self.ensure_one()
        return self._aftersales_currency().compare_amounts(
            self._aftersales_amount_due(), 0.0) > 0

    @api.multi
    def _check_finance_release(self):
        """R22/R53: refuse to let parts leave before Finance's release, or
        when the order now costs more than what was released. An order with
        nothing to pay is released as warranty on the way."""
        to_stamp = self.browse()
        for order in self:
            if not order._aftersales_release_needed():
                if not order.finance_release:
                    to_stamp |= order
                continue
            if order.finance_release in (False, 'warranty'):
                raise UserError(_(
                    '%(order)s must be released by Finance before its '
                    'parts leave the warehouse: the customer owes '
                    '%(amount_due).2f. Finance releases it as paid, or '
                    'as vouched by a technician.') % {
                    'order': order.display_name,
                    'amount_due': order._aftersales_amount_due(),
                })
            if order._aftersales_currency().compare_amounts(
                    order._aftersales_amount_due(),
                    order.finance_release_amount) > 0:
                raise UserError(_(
                    '%(order)s now costs %(amount_due).2f but Finance '
                    'released %(finance_release_amount).2f: ask '
                    'Finance to release it again.') % {
                    'order': order.display_name,
                    'amount_due': order._aftersales_amount_due(),
                    'finance_release_amount': order.finance_release_amount,
                })
        if to_stamp:
            # sudo: the warehouse validating the issue records that nothing
            # was to pay (checked just above); no release field is writable
            # by it otherwise.
            to_stamp.sudo().write({
                'finance_release': 'warranty',
                'finance_release_date': fields.Datetime.now(),
                'finance_release_amount': 0.0,
            })

    @api.multi
    def _aftersales_finance_release(self, mode, vouch_user=None,
                                    invoice=None, payment=None):
        """R22: Finance releases the order.

        * ``paid``: the customer's paid invoice or posted payment covers
          what is owed;
        * ``vouched``: the technician ``vouch_user`` takes responsibility
          and owes the amount as a receivable (created, or topped up when
          the order is released again for more).
        """
        self.ensure_one()
        # issue 24: one release per order and technician at a time
        lock_early(self.env, self, vouch_user)
        self._ensure_can_be_released()
        due = self._aftersales_amount_due()
        vals = {
            'finance_release': mode,
            'finance_release_date': fields.Datetime.now(),
            'finance_release_user_id': self.env.user.id,
            'finance_release_amount': due,
        }
        if mode == 'paid':
            vals['finance_release_ref'] = self._check_customer_paid(
                due, invoice, payment)
        elif mode == 'vouched':
            Receivable = self.env['aftersales.technician.receivable']
            employee = Receivable._vouching_employee(vouch_user)
            if self.receivable_id:
                if self.receivable_id.employee_id != employee:
                    raise UserError(_(
                        '%(name)s is already vouched for by '
                        '%(technician)s; the same technician vouches '
                        'for the rest.') % {
                        'name': self.display_name,
                        'technician': self.receivable_id.employee_id.name,
                    })
                extra = self._aftersales_currency().round(
                    due - self.receivable_id.amount)
                if extra > 0:
                    self.receivable_id._top_up(extra)
            else:
                Receivable._check_new_amount(due)
                # sudo: the receivable is the ledger's, created by the
                # release Finance just made (checked above).
                vals['receivable_id'] = Receivable.sudo().create(
                    self._aftersales_receivable_vals(employee, due)).id
            vals['vouch_user_id'] = vouch_user.id
        else:
            raise UserError(_('Finance releases an order as paid or as '
                              'vouched; warranty orders need no release.'))
        # the release is recorded by Finance's release only, after the checks
        # above (Finance may not write these fields by hand); Finance stays
        # the author of the tracked change.
        with aftersales_control():
            self.write(vals)
        if mode == 'vouched':
            self.receivable_id._notify_vouched(self)
            invoices = self._aftersales_invoices()
            if invoices:
                self.receivable_id.write(
                    {'invoice_ids': [(4, inv.id) for inv in invoices]})
        return True

    @api.multi
    def _aftersales_receivable_vals(self, employee, amount):
        self.ensure_one()
        link = 'repair_id' if self._name == 'mrp.repair' else 'sale_order_id'
        return {
            link: self.id,
            'employee_id': employee.id,
            'partner_id': self._aftersales_customer().id,
            'company_id': self.company_id.id,
            'origin': self.name,
            'amount': amount,
            'date': self.company_id._aftersales_today_str(),
        }

    @api.multi
    def _check_customer_paid(self, due, invoice, payment):
        """R22: the customer's paid invoice or posted payment must cover
        the amount owed. Returns the reference recorded on the order."""
        self.ensure_one()
        customer = self._aftersales_customer()
        if invoice:
            if invoice.commercial_partner_id != customer or \
                    invoice.type != 'out_invoice':
                raise UserError(_(
                    'Invoice %(invoice)s is not an invoice of '
                    '%(customer)s.') % {
                    'invoice': invoice.number or invoice.display_name,
                    'customer': customer.name,
                })
            if invoice.state != 'paid':
                raise UserError(_(
                    'Invoice %s is not paid yet: release the order as '
                    'vouched, or wait for the payment.') % invoice.number)
            currency = self._aftersales_currency()
            if currency.compare_amounts(invoice.amount_total, due) < 0:
                raise UserError(_(
                    'Invoice %(invoice)s (%(amount_total).2f) does not '
                    'cover the %(due).2f the customer owes.') % {
                    'invoice': invoice.number,
                    'amount_total': invoice.amount_total,
                    'due': due,
                })
            return invoice.number
        if payment:
            if payment.partner_id.commercial_partner_id != customer or \
                    payment.payment_type != 'inbound':
                raise UserError(_(
                    'Payment %(payment)s is not a payment from '
                    '%(customer)s.') % {
                    'payment': payment.name,
                    'customer': customer.name,
                })
            if payment.state not in ('posted', 'reconciled'):
                raise UserError(_('Payment %s is not posted.') % payment.name)
            currency = self._aftersales_currency()
            if currency.compare_amounts(payment.amount, due) < 0:
                raise UserError(_(
                    'Payment %(payment)s (%(amount).2f) does not cover '
                    'the %(due).2f the customer owes.') % {
                    'payment': payment.name,
                    'amount': payment.amount,
                    'due': due,
                })
            return payment.name
        raise UserError(_('Choose the customer\'s paid invoice or payment.'))

    @api.multi
    def action_finance_release(self):
        """Open the release wizard (Finance)."""
        self.ensure_one()
        return wizard_action(
            _('Finance Release'), 'aftersales.finance.release.wizard',
            res_model=self._name, res_id=self.id)

    @api.multi
    def action_view_receivable(self):
        self.ensure_one()
        return self.receivable_id.get_formview_action()
