# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..common.aftersales_activity_mixin import in_lang
from ...tools.gapless import is_gapless, next_gapless, sequence_for

TECHNICIAN_GROUP = 'aftersales_addon.group_aftersales_technician'
SEQUENCE_CODE = 'aftersales.technician.receivable'
# R52: the limits of the buckets are company settings (30 and 40 days by
# default), so their labels name no number of days.
AGE_BUCKETS = [
    ('current', 'Recent'),
    ('warning', 'Nearing deduction'),
    ('overdue', 'Due for deduction'),
    ('deducted', 'Deducted'),
    ('settled', 'Settled'),
]


class AftersalesTechnicianReceivable(models.Model):
    """R50: parts fronted to a customer who has not paid are owed by the
    technician who vouched for them until the customer pays. The figures
    are sums of the receivable's entries (``aftersales.receivable.move``);
    the customer's payments are read from the invoices it follows."""

    _name = 'aftersales.technician.receivable'
    _description = 'Technician Receivable'
    _inherit = ['mail.thread', 'mail.activity.mixin',
                'aftersales.activity.mixin', 'aftersales.control.mixin']
    _order = 'date desc, id desc'
    # R50-R52: the receivable is the ledger's; Finance links the customer
    # invoices it follows, the figures come from its entries only
    _aftersales_editable_fields = frozenset(['invoice_ids'])

    name = fields.Char(string='Reference', readonly=True, copy=False,
                       default='/')
    company_id = fields.Many2one(
        'res.company', required=True, readonly=True,
        default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one(related='company_id.currency_id',
                                  readonly=True)
    employee_id = fields.Many2one(
        'hr.employee', string='Technician', required=True, readonly=True,
        index=True, ondelete='restrict', track_visibility='onchange')
    user_id = fields.Many2one(
        'res.users', string='Technician User', readonly=True, index=True,
        help='The user of the technician, who sees this receivable.')
    partner_id = fields.Many2one('res.partner', string='Customer',
                                 required=True, readonly=True, index=True)
    repair_id = fields.Many2one('mrp.repair', string='Repair Order',
                                readonly=True, index=True,
                                ondelete='restrict')
    sale_order_id = fields.Many2one('sale.order', string='Parts Sale',
                                    readonly=True, index=True,
                                    ondelete='restrict')
    origin = fields.Char(string='Order', readonly=True)
    date = fields.Date(string='Vouched On', required=True, readonly=True,
                       index=True,
                       help='The age of the receivable counts from '
                            'this day.')
    invoice_ids = fields.Many2many(
        'account.invoice', 'aftersales_receivable_invoice_rel',
        'receivable_id', 'invoice_id', string='Customer Invoices',
        domain=[('type', '=', 'out_invoice')],
        help='The receivable follows these invoices: what the customer '
             'pays on them reduces it.')
    move_ids = fields.One2many('aftersales.receivable.move', 'receivable_id',
                               string='History', readonly=True)
    # Figures: sums of the entries, written by _refresh_figures() (one SQL
    # statement for any number of receivables).
    amount = fields.Monetary(string='Amount Vouched', readonly=True)
    paid_amount = fields.Monetary(string='Paid by Customer', readonly=True)
    deducted_amount = fields.Monetary(string='Deducted', readonly=True)
    refunded_amount = fields.Monetary(string='Refunded', readonly=True)
    balance = fields.Monetary(
        readonly=True,
        help='What the technician still owes (negative: what the company '
             'owes back to the technician).')
    customer_due = fields.Monetary(
        string='Customer Still Owes', compute='_compute_customer_due')
    state = fields.Selection(
        [('open', 'Open'), ('deducted', 'Deducted'),
         ('refund', 'Refund Due'), ('settled', 'Settled')],
        default='open', readonly=True, index=True,
        track_visibility='onchange')
    age_bucket = fields.Selection(
        AGE_BUCKETS, string='Ageing', default='current', readonly=True,
        index=True,
        help='Updated by the daily ageing job and whenever the receivable '
             'changes.')
    age_days = fields.Integer(string='Age (days)', compute='_compute_age')
    overdue = fields.Boolean(
        compute='_compute_age', search='_search_overdue',
        help='Still owed by the technician after the deduction period.')

    _sql_constraints = [
        ('repair_uniq', 'unique(repair_id)',
         'A repair order has one receivable; a second release tops it up.'),
        ('sale_uniq', 'unique(sale_order_id)',
         'A parts sale has one receivable; a second release tops it up.'),
    ]

    @api.depends('amount', 'paid_amount')
    def _compute_customer_due(self):
        for receivable in self:
            receivable.customer_due = receivable.amount - \
                receivable.paid_amount

    @api.depends('date')
    def _compute_age(self):
        today = self.env.user.company_id._aftersales_today()
        for receivable in self:
            age = (today - fields.Date.from_string(receivable.date)).days \
                if receivable.date else 0
            receivable.age_days = age
            receivable.overdue = receivable.balance > 0 and age > \
                receivable.company_id.aftersales_receivable_deduction_days

    @api.model
    def _search_overdue(self, operator, value):
        today = self.env.user.company_id._aftersales_today()
        days = self.env.user.company_id.aftersales_receivable_deduction_days
        limit = fields.Date.to_string(today - timedelta(days=days))
        domain = ['&', ('balance', '>', 0), ('date', '<', limit)]
        positive = (operator == '=') == bool(value)
        if positive:
            return domain
        return ['|', ('balance', '<=', 0), ('date', '>=', limit)]

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        """A receivable is created with its amount as its first entry."""
        vals = dict(vals)
        amount = vals.pop('amount', 0.0)
        self._check_new_amount(amount)
        employee = self.env['hr.employee'].browse(vals['employee_id'])
        vals['user_id'] = employee.user_id.id
        if vals.get('name', '/') == '/':
            vals['name'] = self._next_reference()
        receivable = super(AftersalesTechnicianReceivable, self).create(vals)
        self._add_moves([(receivable, {'kind': 'new', 'amount': amount,
                                       'date': receivable.date})])
        if employee.user_id:
            # the technician follows his receivable (Odoo's default
            # subtypes), in one statement
            receivable._aftersales_add_followers(
                receivable.ids, employee.user_id.partner_id.ids)
        return receivable

    @api.model
    def _next_reference(self):
        """R50: the next receivable reference, without gaps: the receivable
        sequence is gapless (``no_gap``), so a release rolled back gives its
        number back. The number is taken under a row lock of the sequence
        that waits for a concurrent release to end (Odoo's own ``no_gap``
        takes it with NOWAIT and fails at once); a sequence made standard
        or dated by hand is used as it is."""
        sequence = sequence_for(self.env, SEQUENCE_CODE)
        if not sequence:
            return '/'
        if not is_gapless(sequence):
            return sequence._next()
        return next_gapless(sequence)[0]

    @api.model
    def _check_new_amount(self, amount):
        if not amount or amount <= 0:
            raise ValidationError(_(
                'A technician receivable is for a positive amount that the '
                'customer owes; %s is not.') % amount)

    @api.model
    def _vouching_employee(self, user):
        """R22/R50: only a technician with an employee record vouches; the
        receivable is owed by that employee."""
        if not user:
            raise UserError(_('Choose the technician who vouches for the '
                              'customer.'))
        if not user.has_group(TECHNICIAN_GROUP):
            raise UserError(_(
                '%s is not a technician and cannot vouch for a customer.')
                % user.name)
        # sudo: Finance may not read every employee; the link user ->
        # employee is what we need.
        employee = self.env['hr.employee'].sudo().search(
            [('user_id', '=', user.id)], limit=1)
        if not employee:
            raise UserError(_(
                '%s has no employee record: a receivable cannot be owed by '
                'them, and nothing could be deducted from their salary. Ask '
                'HR to create the employee and link the user.') % user.name)
        return employee

    @api.model
    def _add_moves(self, entries):
        """Add entries, given as (receivable, values) pairs, and refresh the
        figures of the receivables concerned once."""
        # sudo: entries are written by the ledger's own operations (release,
        # customer payment, ageing, refund), never by hand
        Move = self.env['aftersales.receivable.move'].sudo()
        moves = Move
        receivables = self.browse()
        for receivable, vals in entries:
            vals = dict(vals, receivable_id=receivable.id,
                        employee_id=receivable.employee_id.id,
                        company_id=receivable.company_id.id)
            vals.setdefault('date',
                            receivable.company_id._aftersales_today_str())
            moves |= Move.create(vals)
            receivables |= receivable
        receivables._refresh_figures()
        return moves

    @api.multi
    def _top_up(self, amount, date=None):
        """A second release of the same order for a higher amount adds the
        difference as a new entry."""
        self.ensure_one()
        self._check_new_amount(amount)
        return self._add_moves([(self, {
            'kind': 'new', 'amount': amount,
            'date': date or self.company_id._aftersales_today_str()})])

    # ------------------------------------------------------------------
    # Figures and ageing (set-based)
    # ------------------------------------------------------------------
    @api.multi
    def _refresh_figures(self, today=None):
        """Write amount, paid, deducted, refunded, balance, state and ageing
        bucket of these receivables from their entries: two UPDATE
        statements whatever the number of receivables."""
        if not self.ids:
            return
        cr = self.env.cr
        cr.execute("""
            UPDATE aftersales_technician_receivable r
               SET amount = s.new, paid_amount = s.paid,
                   deducted_amount = s.ded, refunded_amount = s.ref,
                   balance = s.new - s.paid - s.ded + s.ref
              FROM (SELECT receivable_id,
                           SUM(CASE WHEN kind = 'new' THEN amount
                                    WHEN kind = 'cancel' THEN -amount
                                    ELSE 0 END)
                               AS new,
                           SUM(CASE WHEN kind = 'payment' THEN amount
                                    ELSE 0 END) AS paid,
                           SUM(CASE WHEN kind = 'deduction' THEN amount
                                    ELSE 0 END) AS ded,
                           SUM(CASE WHEN kind = 'refund' THEN amount
                                    ELSE 0 END) AS ref
                      FROM aftersales_receivable_move
                     WHERE receivable_id = ANY(%s)
                  GROUP BY receivable_id) s
             WHERE r.id = s.receivable_id
        """, (list(self.ids),))
        self._update_states(today=today, ids=self.ids)
        self.invalidate_cache()

    @api.model
    def _update_states(self, today=None, ids=None):
        """R52 ageing buckets: 0-30 days, 31-40 days, over 40 days (settings
        of each company), deducted, settled; one UPDATE for all receivables
        (or ``ids``)."""
        today = today or self.env.user.company_id._aftersales_today_str()
        query = """
            UPDATE aftersales_technician_receivable r
               SET state = n.state, age_bucket = n.age_bucket
              FROM (SELECT r2.id,
                           CASE
                               WHEN r2.balance < 0 THEN 'refund'
                               WHEN r2.paid_amount >= r2.amount
                                   THEN 'settled'
                               WHEN r2.balance <= 0 THEN 'deducted'
                               ELSE 'open' END AS state,
                           CASE
                               WHEN r2.paid_amount >= r2.amount
                                    AND r2.balance >= 0 THEN 'settled'
                               WHEN r2.balance <= 0 THEN 'deducted'
                               WHEN %(today)s::date - r2.date
                                   > c.aftersales_receivable_deduction_days
                                   THEN 'overdue'
                               WHEN %(today)s::date - r2.date
                                   > c.aftersales_receivable_warning_days
                                   THEN 'warning'
                               ELSE 'current' END AS age_bucket
                      FROM aftersales_technician_receivable r2
                      JOIN res_company c ON c.id = r2.company_id
                     WHERE CASE WHEN %(all)s
                                -- settled receivables do not age any more
                                THEN r2.state != 'settled'
                                ELSE r2.id = ANY(%(ids)s) END) n
             WHERE r.id = n.id
               AND (r.state, r.age_bucket)
                   IS DISTINCT FROM (n.state, n.age_bucket)
        """
        # only rows whose state or bucket changes are written
        self.env.cr.execute(query, {
            'today': today, 'all': ids is None, 'ids': list(ids or [])})

    @api.model
    def _age_receivables(self, today=None):
        """R52: every receivable the technician still owes more than the
        deduction period (40 days) after it was vouched gets a salary
        deduction of its balance, carried by the technician's next payslip.
        Set-based and idempotent: a receivable already deducted has a zero
        balance, so running the job twice (or again after an interruption)
        deducts nothing twice. Returns the deductions made."""
        today = today or self.env.user.company_id._aftersales_today_str()
        cr = self.env.cr
        self._update_states(today=today)
        uid = self.env.uid
        # one statement: insert the deductions and bring the receivables'
        # figures along (a deducted receivable has a zero balance)
        cr.execute("""
            WITH ins AS (
                INSERT INTO aftersales_receivable_move
                       (receivable_id, employee_id, company_id, date, kind,
                        amount, state, note, create_uid, create_date,
                        write_uid, write_date)
                SELECT r.id, r.employee_id, r.company_id, %(today)s,
                       'deduction', r.balance, 'pending', %(note)s,
                       %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM aftersales_technician_receivable r
                  JOIN res_company c ON c.id = r.company_id
                 WHERE r.balance > 0
                   AND %(today)s::date - r.date
                       > c.aftersales_receivable_deduction_days
             RETURNING id, receivable_id, employee_id, amount
            ), upd AS (
                UPDATE aftersales_technician_receivable r
                   SET deducted_amount = r.deducted_amount + ins.amount,
                       balance = r.balance - ins.amount,
                       state = CASE WHEN r.paid_amount >= r.amount
                                    THEN 'settled' ELSE 'deducted' END,
                       age_bucket = 'deducted',
                       write_uid = %(uid)s,
                       write_date = now() at time zone 'UTC'
                  FROM ins
                 WHERE r.id = ins.receivable_id
            )
            SELECT id, receivable_id, employee_id, amount FROM ins
        """, {'today': today, 'uid': uid,
              'note': _('Unpaid after the deduction period')})
        rows = cr.fetchall()
        self.invalidate_cache()
        if rows:
            totals = {}
            for _move, _rec, employee_id, amount in rows:
                count, total = totals.get(employee_id, (0, 0.0))
                totals[employee_id] = (count + 1, total + amount)
            self._notify_deductions(totals)
        return self.env['aftersales.receivable.move'].browse(
            [row[0] for row in rows])

    @api.model
    def _notify_deductions(self, totals):
        """R52: tell each technician what goes on the next payslip: one
        message per technician on his employee record, in his language,
        posted set-based (a fixed number of queries whatever the number of
        technicians and receivables)."""
        # sudo: the cron posts on the employees' records for them
        employees = self.env['hr.employee'].sudo().browse(sorted(totals))
        bodies = []
        for employee in employees:
            count, total = totals[employee.id]
            bodies.append(in_lang(
                employee, employee.user_id.lang, lambda self: _(
                    '%(count)d receivable(s) unpaid after the '
                    'deduction period, total %(total).2f, will be '
                    'deducted from your next payslip.') % {
                    'count': count,
                    'total': total,
                }))
        return self._aftersales_post_notices(
            employees, bodies,
            [employee.user_id.partner_id for employee in employees])

    @api.model
    def _cron_age_receivables(self):
        """Daily scheduled action (R52)."""
        return self._age_receivables()

    # ------------------------------------------------------------------
    # Following the customer's invoices (R50, R53)
    # ------------------------------------------------------------------
    @api.multi
    def _customer_paid_amounts(self):
        """R50: how much of each receivable the customer has paid, read from
        the validated invoices it follows: the amount minus what the
        customer still owes on them (their residual), never below 0 nor
        above the amount. A payment larger than the receivable settles it,
        no more; a credit note reconciled with the invoice (e.g. an old
        part's deposit given back, R42) lowers what is owed like a
        payment. Before an invoice is validated nothing is paid. One read
        of the invoices for all receivables."""
        invoices = self.mapped('invoice_ids').filtered(
            lambda i: i.state in ('open', 'paid') and
            i.type == 'out_invoice')
        residuals = {inv.id: inv.residual for inv in invoices}
        result = {}
        for receivable in self:
            followed = [inv.id for inv in receivable.invoice_ids
                        if inv.id in residuals]
            if not followed:
                result[receivable.id] = 0.0
                continue
            owed = sum(residuals[inv_id] for inv_id in followed)
            result[receivable.id] = receivable.currency_id.round(
                max(0.0, receivable.amount - min(owed, receivable.amount)))
        return result

    @api.multi
    def _sync_payments(self, date=None):
        """R50/R53: record what the customer paid (or what an unreconciled
        payment took back) since the last sync as a payment entry, notify
        the technician, and schedule the refund of a deduction the customer
        has now paid (R52)."""
        date = date or (self[:1].company_id or self.env.user.company_id
                        )._aftersales_today_str()
        paid = self._customer_paid_amounts()
        entries = []
        for receivable in self:
            delta = receivable.currency_id.round(
                paid[receivable.id] - receivable.paid_amount)
            if not receivable.currency_id.is_zero(delta):
                entries.append((receivable, {
                    'kind': 'payment', 'amount': delta, 'date': date,
                    'note': ', '.join(
                        receivable.invoice_ids.mapped('number')),
                }))
        self._add_moves(entries)
        for receivable, vals in entries:
            if vals['amount'] > 0:
                receivable._notify_payment(vals['amount'])
        changed = self.browse([receivable.id for receivable, _v in entries])
        changed.filtered(lambda r: r.balance < 0)._schedule_refunds(date)
        return changed

    @api.multi
    def _notify_vouched(self, order):
        """R50/R53: the technician is told at once what they vouched for."""
        self.ensure_one()
        # in the technician's language, whoever released the order
        message = in_lang(self, self.user_id.lang, lambda self: _(
            'You vouched for %(order)s: %(balance).2f %(currency)s is '
            'owed by you until the customer pays.') % {
            'order': order.display_name,
            'balance': self.balance,
            'currency': self.currency_id.name or '',
        })
        # what message_post(partner_ids=technician) does, set-based: the
        # technician gets it in his Inbox or by email (issue 14)
        self._aftersales_post_notices(
            self, [message], [self.user_id.partner_id],
            subtype='mail.mt_comment')

    @api.multi
    def _notify_payment(self, amount):
        """R53: the technician learns at once (well within the 12 hours of
        the setting) that the customer paid."""
        self.ensure_one()
        hours = self.company_id.aftersales_receivable_notify_hours
        deadline = fields.Datetime.from_string(fields.Datetime.now()) + \
            timedelta(hours=hours)
        message = in_lang(self, self.user_id.lang, lambda self: _(
            'The customer paid %(amount).2f %(currency)s for '
            '%(origin)s; you still owe %(owed).2f.') % {
            'amount': amount,
            'currency': self.currency_id.name or '',
            'origin': self.origin or self.name,
            'owed': max(self.balance, 0.0),
        })
        self.message_post(body=message, subtype='mail.mt_comment',
                          partner_ids=self.user_id.partner_id.ids)
        # the to-do names the order, not the amounts: the figures stay on
        # the receivable, for those who may read it
        self._aftersales_schedule_activity(
            self.user_id, lambda self: _('Customer payment received'),
            note=lambda self: _('The customer paid for %s: see the '
                                'receivable.') % (self.origin or self.name),
            deadline=self.company_id._aftersales_local_date(deadline),
            key='customer_payment')

    @api.multi
    def _schedule_refunds(self, date=None):
        """R52: a receivable whose customer paid after the deduction owes
        the technician the difference: a refund entry due within the
        working days setting, on the next payslip or paid directly
        (Finance's choice, the company setting by default)."""
        date = date or (self[:1].company_id or self.env.user.company_id
                        )._aftersales_today_str()
        start = fields.Date.from_string(date)
        entries = []
        for receivable in self:
            if receivable.deducted_amount <= receivable.refunded_amount:
                raise UserError(_(
                    "Nothing was deducted from %(technician)s's salary "
                    'for %(receivable)s: there is nothing to refund.') % {
                    'technician': receivable.employee_id.name,
                    'receivable': receivable.name,
                })
            if receivable.balance >= 0:
                raise UserError(_(
                    'The customer has not paid more than '
                    '%(technician)s still owes for %(receivable)s: '
                    'there is nothing to refund yet.') % {
                    'technician': receivable.employee_id.name,
                    'receivable': receivable.name,
                })
            company = receivable.company_id
            due = company._aftersales_add_working_days(
                start, company.aftersales_receivable_refund_days)
            entries.append((receivable, {
                'kind': 'refund', 'amount': -receivable.balance,
                'date': date, 'state': 'pending',
                'refund_method': company.aftersales_receivable_refund_method,
                'due_date': fields.Date.to_string(due),
                'note': _('Customer paid after the deduction'),
            }))
            receivable._aftersales_schedule_activity(
                self._aftersales_finance_users(company),
                lambda self: _('Refund the deduction of %s')
                % self.employee_id.name, deadline=due, key='refund')
        return self._add_moves(entries)

    @api.multi
    def _close_for_cancelled_orders(self):
        """R50/R52: an order cancelled before the customer paid was never
        carried out: what the technician still owes for it is written off
        by an entry that says why, so nothing is deducted from his salary.
        (What was already deducted stays, and is refunded as usual when
        the customer pays.)"""
        entries = [(receivable, {
            'kind': 'cancel', 'amount': receivable.balance,
            'note': _('Order %s cancelled') % (receivable.origin or ''),
        }) for receivable in self if receivable.currency_id.compare_amounts(
            receivable.balance, 0.0) > 0]
        return self._add_moves(entries) if entries else \
            self.env['aftersales.receivable.move']

    @api.multi
    def action_schedule_refund(self):
        """Finance's button: refund what the customer paid after the
        deduction (refused when nothing was deducted)."""
        return self._schedule_refunds()

    @api.multi
    def action_sync_payments(self):
        return self._sync_payments()

    @api.multi
    def write(self, vals):
        res = super(AftersalesTechnicianReceivable, self).write(vals)
        if 'invoice_ids' in vals:
            # Finance linked (or unlinked) an invoice: follow it at once
            self._sync_payments()
        return res

    @api.multi
    def unlink(self):
        if self:
            raise UserError(_(
                'A technician receivable is part of the ledger and cannot be '
                'deleted; its history shows how it was settled.'))
        return super(AftersalesTechnicianReceivable, self).unlink()

    @api.multi
    def action_view_order(self):
        self.ensure_one()
        order = self.repair_id or self.sale_order_id
        if not order:
            raise UserError(_('%s was vouched without an order in Odoo.')
                            % self.name)
        return order.get_formview_action()
