# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class AftersalesReceivableStatement(models.Model):
    """R51: the monthly reconciliation between Finance and a technician:
    opening balance, new receivables, customer payments, deductions,
    refunds and closing balance, with each order and its age. The
    technician confirms it or disputes a line."""

    _name = 'aftersales.receivable.statement'
    _description = 'Technician Receivable Statement'
    _inherit = ['mail.thread', 'mail.activity.mixin',
                'aftersales.activity.mixin', 'aftersales.control.mixin']
    # R51: made by the monthly job, confirmed, disputed and answered by its
    # actions only
    _aftersales_editable_fields = frozenset()
    _order = 'date_to desc, employee_id'

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True)
    currency_id = fields.Many2one(related='company_id.currency_id',
                                  readonly=True)
    employee_id = fields.Many2one('hr.employee', string='Technician',
                                  required=True, readonly=True, index=True)
    user_id = fields.Many2one('res.users', string='Technician User',
                              readonly=True, index=True)
    date_from = fields.Date(string='From', required=True, readonly=True)
    date_to = fields.Date(string='To', required=True, readonly=True,
                          index=True)
    line_ids = fields.One2many('aftersales.receivable.statement.line',
                               'statement_id', string='Orders',
                               readonly=True)
    opening = fields.Monetary(string='Opening Balance', readonly=True)
    new_amount = fields.Monetary(string='New Receivables', readonly=True)
    paid = fields.Monetary(string='Customer Payments', readonly=True)
    deducted = fields.Monetary(string='Deductions', readonly=True)
    refunded = fields.Monetary(string='Refunds', readonly=True)
    closing = fields.Monetary(string='Closing Balance', readonly=True)
    state = fields.Selection(
        [('sent', 'To Confirm'), ('confirmed', 'Confirmed'),
         ('disputed', 'Disputed')],
        default='sent', readonly=True, track_visibility='onchange')
    confirm_date = fields.Datetime(string='Confirmed On', readonly=True)
    is_my_statement = fields.Boolean(
        compute='_compute_is_my_statement',
        help='The current user is the technician of this statement: they '
             'confirm it or dispute its lines.')
    can_be_confirmed = fields.Boolean(compute='_compute_is_my_statement')
    can_be_resolved = fields.Boolean(compute='_compute_is_my_statement')

    @api.multi
    def _compute_is_my_statement(self):
        user = self.env.user
        finance = user._aftersales_is_finance()
        for statement in self:
            mine = statement.user_id == user
            statement.is_my_statement = mine
            statement.can_be_confirmed = mine and statement.state == 'sent'
            statement.can_be_resolved = finance and \
                statement.state == 'disputed'

    _sql_constraints = [
        ('employee_period_uniq', 'unique(employee_id, date_to)',
         'A technician has one statement per period.'),
    ]

    # ------------------------------------------------------------------
    # Generation (set-based)
    # ------------------------------------------------------------------
    @api.model
    def _generate(self, company, date_from, date_to):
        """R51: the statements of ``company`` for the period, one per
        technician with a balance or a movement. The figures come from one
        grouped query over the receivable entries; the statements, their
        lines and the technicians' to-dos are each inserted by one
        statement, so the number of queries is the same whatever the number
        of technicians and receivables."""
        cr = self.env.cr
        params = {'company': company.id, 'from': date_from, 'to': date_to}
        cr.execute("""
            SELECT employee_id FROM aftersales_receivable_statement
             WHERE company_id = %(company)s AND date_to = %(to)s
        """, params)
        done = [row[0] for row in cr.fetchall()]
        params['done'] = done or [0]
        cr.execute("""
            SELECT DISTINCT employee_id FROM (
            SELECT m.employee_id
              FROM aftersales_receivable_move m
             WHERE m.company_id = %(company)s AND m.date <= %(to)s
               AND m.employee_id != ALL(%(done)s)
          GROUP BY m.employee_id, m.receivable_id
            HAVING SUM(CASE WHEN m.date < %(from)s THEN
                       CASE WHEN m.kind IN ('new', 'refund') THEN m.amount
                            ELSE -m.amount END ELSE 0 END) != 0
                OR BOOL_OR(m.date >= %(from)s)) t
        """, params)
        employee_ids = sorted(set(row[0] for row in cr.fetchall()))
        if not employee_ids:
            return self.browse()
        statements = self._insert_statements(company, employee_ids,
                                             date_from, date_to)
        params.update(statements=statements.ids,
                      employees=statements.mapped('employee_id').ids,
                      uid=self.env.uid)
        cr.execute("""
            INSERT INTO aftersales_receivable_statement_line
                   (statement_id, receivable_id, opening, new_amount, paid,
                    deducted, refunded, closing, age_days, state,
                    create_uid, create_date, write_uid, write_date)
            SELECT s.statement_id, a.receivable_id, a.opening, a.new, a.paid,
                   a.ded, a.ref, a.opening + a.new - a.paid - a.ded + a.ref,
                   %(to)s::date - r.date, 'ok',
                   %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM (SELECT m.employee_id, m.receivable_id,
                        SUM(CASE WHEN m.date < %(from)s THEN
                                CASE WHEN m.kind IN ('new', 'refund')
                                     THEN m.amount ELSE -m.amount END
                                ELSE 0 END) AS opening,
                        SUM(CASE WHEN m.date >= %(from)s AND m.kind = 'new'
                                THEN m.amount
                                WHEN m.date >= %(from)s AND m.kind = 'cancel'
                                THEN -m.amount ELSE 0 END) AS new,
                        SUM(CASE WHEN m.date >= %(from)s
                                 AND m.kind = 'payment'
                                THEN m.amount ELSE 0 END) AS paid,
                        SUM(CASE WHEN m.date >= %(from)s
                                 AND m.kind = 'deduction'
                                THEN m.amount ELSE 0 END) AS ded,
                        SUM(CASE WHEN m.date >= %(from)s
                                 AND m.kind = 'refund'
                                THEN m.amount ELSE 0 END) AS ref,
                        BOOL_OR(m.date >= %(from)s) AS moved
                      FROM aftersales_receivable_move m
                     WHERE m.company_id = %(company)s AND m.date <= %(to)s
                       AND m.employee_id = ANY(%(employees)s)
                  GROUP BY m.employee_id, m.receivable_id) a
              JOIN unnest(%(statements)s::int[], %(employees)s::int[])
                   AS s(statement_id, employee_id)
                ON s.employee_id = a.employee_id
              JOIN aftersales_technician_receivable r
                ON r.id = a.receivable_id
             WHERE a.opening != 0 OR a.moved
        """, params)
        cr.execute("""
            UPDATE aftersales_receivable_statement st
               SET opening = t.opening, new_amount = t.new, paid = t.paid,
                   deducted = t.ded, refunded = t.ref, closing = t.closing
              FROM (SELECT statement_id, SUM(opening) AS opening,
                           SUM(new_amount) AS new, SUM(paid) AS paid,
                           SUM(deducted) AS ded, SUM(refunded) AS ref,
                           SUM(closing) AS closing
                      FROM aftersales_receivable_statement_line
                     WHERE statement_id = ANY(%(statements)s)
                  GROUP BY statement_id) t
             WHERE st.id = t.statement_id
        """, params)
        statements.invalidate_cache()
        statements._notify_technicians()
        return statements

    @api.model
    def _insert_statements(self, company, employee_ids, date_from, date_to):
        """R51: the (empty) statements of ``employee_ids`` for the period,
        in one INSERT. They are the system's records: no creation message,
        no follower, no tracking (the technician's to-do is the notice).
        sudo: the scheduled action makes the statements for Finance."""
        period = fields.Date.from_string(date_to).strftime('%Y-%m')
        employees = self.env['hr.employee'].sudo().browse(employee_ids)
        names = [_('%(employee)s %(period)s') % {
            'employee': employee.name, 'period': period,
        } for employee in employees]
        self.env.cr.execute("""
            INSERT INTO aftersales_receivable_statement
                   (name, company_id, employee_id, user_id, date_from,
                    date_to, state, opening, new_amount, paid, deducted,
                    refunded, closing, create_uid, create_date, write_uid,
                    write_date)
            SELECT s.name, %(company)s, s.employee_id, s.user_id,
                   %(from)s, %(to)s, 'sent', 0, 0, 0, 0, 0, 0,
                   %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM unnest(%(names)s::varchar[], %(employees)s::int[],
                          %(users)s::int[]) AS s(name, employee_id, user_id)
          ORDER BY s.employee_id
         RETURNING id
        """, {'company': company.id, 'from': date_from, 'to': date_to,
              'uid': self.env.uid, 'names': names,
              'employees': employees.ids,
              'users': [employee.user_id.id or None
                        for employee in employees]})
        statements = self.sudo().browse(sorted(
            row[0] for row in self.env.cr.fetchall()))
        self.invalidate_cache()
        return statements

    @api.multi
    def _notify_technicians(self):
        """R51: each technician gets a to-do to confirm their statement,
        all scheduled at once (set-based)."""
        return self._aftersales_schedule_activities(
            [(statement, statement.user_id)
             for statement in self.filtered('user_id')],
            lambda self: _('Confirm your receivable statement'),
            key='statement_confirm')

    @api.model
    def _previous_month(self, today):
        first = today.replace(day=1)
        last_prev = first - timedelta(days=1)
        return last_prev.replace(day=1), last_prev

    @api.model
    def _cron_monthly_statements(self, today=None):
        """R51: daily; on or after the company's day (5th), once a month,
        the statements of the previous month."""
        given = today and fields.Date.from_string(today)
        result = self.browse()
        for company in self.env['res.company'].search([]):
            today = given or company._aftersales_today()
            if today.day < company.aftersales_receivable_statement_day:
                continue
            last = company.aftersales_receivable_statement_date
            if last and fields.Date.from_string(last).replace(day=1) == \
                    today.replace(day=1):
                continue
            date_from, date_to = self._previous_month(today)
            result |= self._generate(company,
                                     fields.Date.to_string(date_from),
                                     fields.Date.to_string(date_to))
            # sudo: bookkeeping of the scheduled action
            company.sudo().aftersales_receivable_statement_date = \
                fields.Date.to_string(today)
        return result

    @api.model
    def action_generate_last_month(self):
        """Finance's menu: make last month's missing statements now."""
        if not self.env.user._aftersales_is_finance():
            raise AccessError(_('Only Finance makes the statements.'))
        date_from, date_to = self._previous_month(
            self.env.user.company_id._aftersales_today())
        statements = self._generate(self.env.user.company_id,
                                    fields.Date.to_string(date_from),
                                    fields.Date.to_string(date_to))
        action = self.env.ref(
            'aftersales_addon.aftersales_receivable_statement_action'
        ).read()[0]
        action['domain'] = [('date_to', '=', fields.Date.to_string(date_to))]
        if not statements:
            action['context'] = {}
        return action

    # ------------------------------------------------------------------
    # The technician's answer
    # ------------------------------------------------------------------
    @api.multi
    def _check_is_technician_of(self):
        for statement in self:
            if statement.user_id != self.env.user and \
                    not self.env.user._is_superuser():
                raise AccessError(_(
                    'Only %s confirms or disputes this statement.')
                    % statement.employee_id.name)

    @api.multi
    def action_confirm(self):
        """R51: the technician agrees with the statement."""
        self._check_is_technician_of()
        if self.filtered(lambda s: s.state == 'confirmed'):
            raise UserError(_('This statement is confirmed already.'))
        if self.mapped('line_ids').filtered(
                lambda line: line.state == 'disputed'):
            raise UserError(_(
                'A line is disputed: Finance answers the dispute first.'))
        # sudo: the technician only reads statements; confirming is theirs
        self.sudo().write({'state': 'confirmed',
                           'confirm_date': fields.Datetime.now()})
        for statement in self:
            statement.sudo().message_post(
                body=_('Confirmed by %s.') % self.env.user.name)
        self._aftersales_close_activities(['statement_confirm'])
        # the payments the technician was told of are on the confirmed
        # statement: those to-dos are done too
        self.sudo().mapped('line_ids.receivable_id')\
            ._aftersales_close_activities(['customer_payment'])
        return True

    @api.multi
    def action_resolve(self):
        """Finance answered the dispute: the statement goes back to the
        technician."""
        if not self.env.user._aftersales_is_finance():
            raise AccessError(_('Only Finance answers a dispute.'))
        if self.filtered(lambda s: s.state != 'disputed'):
            raise UserError(_('Only a disputed statement gets an answer.'))
        # sudo: the dispute's answer is written by this action only (R51)
        self.sudo().mapped('line_ids').filtered(
            lambda line: line.state == 'disputed').write({'state': 'resolved'})
        self.sudo().write({'state': 'sent'})
        self._aftersales_close_activities(['statement_disputed'])
        return True

    @api.multi
    def action_print(self):
        return self.env.ref(
            'aftersales_addon.action_report_receivable_statement'
        ).report_action(self)
