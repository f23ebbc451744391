# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from ..common import res_company as common_company

STEPS = [
    ('to_service', 'Forwarded to Customer Service'),
    ('to_technician', 'Forwarded to a Technician'),
    ('contact', 'Customer Contacted'),
    ('plan', 'Solution Plan Given'),
    ('arrival', 'Arrived on Site or Answered'),
]
SEQUENCE = {code: index for index, (code, _label) in enumerate(STEPS)}
# the step that must be met before a step can be
PREVIOUS = {
    'to_technician': 'to_service',
    'contact': 'to_technician',
    'plan': 'contact',
    'arrival': 'contact',
}
# the steps whose clock a met step starts
NEXT = {
    'to_service': ('to_technician',),
    'to_technician': ('contact', 'plan', 'arrival'),
}
# the company setting of each step's time
HOURS = {
    'to_service': 'aftersales_request_to_service_hours',
    'to_technician': 'aftersales_request_to_technician_hours',
    'contact': 'aftersales_request_contact_hours',
    'plan': 'aftersales_request_plan_hours',
}
ARRIVAL_RULES = [
    ('onsite', 'On site, within the service radius'),
    ('city', 'On site, city'),
    ('suburb', 'On site, suburbs'),
    ('answer', 'Answer, outside the service radius'),
]
ARRIVAL_HOURS = {
    'onsite': 'aftersales_request_arrival_hours',
    'city': 'aftersales_request_city_hours',
    'suburb': 'aftersales_request_suburb_hours',
    'answer': 'aftersales_request_answer_hours',
}
MANAGER_GROUP = 'aftersales_addon.group_aftersales_manager'
BREACH_KEY = 'aftersales_request_breach'


def now_utc():
    """Now (naive UTC); tests move it through the company helper's
    ``_utcnow``."""
    return common_company._utcnow().replace(microsecond=0)


class AftersalesRequestStep(models.Model):
    """One step of a service request's deadline chain (R12): when its
    clock started, its deadline on the company's working calendar, when it
    was met and by whom, and whether it was missed. The action that
    completes the step stamps it (``helpdesk.ticket._aftersales_step_done``)
    and a scheduled check flags the steps that became late since its last
    run. No department writes a step by hand."""

    _name = 'aftersales.request.step'
    _inherit = 'aftersales.control.mixin'
    _description = 'Service Request Deadline'
    _order = 'ticket_id desc, sequence, id'
    # every stored field is recorded by the request's actions
    _aftersales_editable_fields = ()

    ticket_id = fields.Many2one(
        'helpdesk.ticket', string='Service Request', required=True,
        index=True, ondelete='cascade', readonly=True)
    code = fields.Selection(STEPS, string='Step', required=True,
                            readonly=True)
    sequence = fields.Integer(readonly=True)
    start = fields.Datetime(
        string='Counted From', required=True, readonly=True,
        help='When the previous step was met (the request\'s received '
             'time for the first step).')
    hours = fields.Float(
        string='Allowed (working hours)', readonly=True,
        help='The company\'s setting when the clock started.')
    arrival_rule = fields.Selection(
        ARRIVAL_RULES, readonly=True,
        help='What the last step asks of the technician, from the '
             'customer\'s distance and service zone.')
    deadline = fields.Datetime(required=True, readonly=True)
    state = fields.Selection(
        [('open', 'Open'), ('done', 'Met'),
         ('cancelled', 'Not Needed')],
        default='open', required=True, readonly=True,
        help='Not needed: the request was closed before the step.')
    done_on = fields.Datetime(string='Met On', readonly=True)
    done_by = fields.Many2one('res.users', string='Met By', readonly=True)
    breached = fields.Boolean(
        string='Missed', readonly=True, index=True,
        help='The step was not met by its deadline.')
    paused_since = fields.Datetime(
        readonly=True,
        help='The request waits for the customer: the clock is stopped.')
    technician_id = fields.Many2one(
        related='ticket_id.technician_id', store=True, readonly=True,
        string='Technician')
    team_id = fields.Many2one(
        related='ticket_id.team_id', store=True, readonly=True,
        string='Team')
    company_id = fields.Many2one(
        related='ticket_id.company_id', store=True, readonly=True,
        string='Company')

    _sql_constraints = [
        ('ticket_code_unique', 'unique(ticket_id, code)',
         'A request has each step once.'),
    ]

    @api.model_cr
    def init(self):
        """The scheduled check reads only the open steps not yet flagged
        and not paused, by deadline: a partial index keeps it flat in the
        number of requests."""
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS aftersales_request_step_due_idx
                ON aftersales_request_step (deadline)
             WHERE state = 'open' AND NOT breached
               AND paused_since IS NULL
        """)

    @api.multi
    def name_get(self):
        labels = dict(self._fields['code']._description_selection(self.env))
        return [(step.id, '%s: %s' % (step.ticket_id.number,
                                      labels.get(step.code)))
                for step in self]

    # ------------------------------------------------------------------
    # Opening steps
    # ------------------------------------------------------------------
    @api.model
    def _aftersales_plan(self, rows):
        """R12: open the steps ``rows`` -- (ticket, code, start) -- each
        with its deadline: ``start`` plus the company's setting for the
        step, in working hours of the company's calendar. The working
        hours are read once per company."""
        Step = self.sudo()
        if not rows:
            return Step
        by_company = {}
        for ticket, code, start in rows:
            company = (ticket.company_id or self.env.user.company_id).sudo()
            by_company.setdefault(company, []).append((ticket, code, start))
        values = []
        for company, items in by_company.items():
            working = company._aftersales_working_time(
                min(start for _ticket, _code, start in items))
            for ticket, code, start in items:
                rule = False
                if code == 'arrival':
                    rule = ticket._aftersales_arrival_rule()
                    hours = company[ARRIVAL_HOURS[rule]]
                else:
                    hours = company[HOURS[code]]
                deadline = company._aftersales_add_working_hours(
                    start, hours, working)
                values.append({
                    'ticket_id': ticket.id, 'code': code,
                    'sequence': SEQUENCE[code],
                    'start': fields.Datetime.to_string(start),
                    'hours': hours, 'arrival_rule': rule,
                    'deadline': fields.Datetime.to_string(deadline),
                })
        steps = Step.browse()
        for vals in values:
            # sudo: the request's action that starts the clock opens it
            steps |= Step.create(vals)
        return steps

    # ------------------------------------------------------------------
    # Breaches
    # ------------------------------------------------------------------
    @api.multi
    def _aftersales_late_at(self, moment):
        """R12: a step met (or still open) at ``moment`` is late when that
        is after its deadline; a paused step is late only if it already
        was when the request began to wait for the customer."""
        self.ensure_one()
        deadline = fields.Datetime.from_string(self.deadline)
        if self.paused_since:
            return fields.Datetime.from_string(self.paused_since) > deadline
        return moment > deadline

    @api.model
    def _aftersales_flag_breaches(self, now=None):
        """R12: flag every open step whose deadline passed since the last
        run, and its request, in one statement; give the after-sales
        manager a to-do per request. Steps already flagged, met, not needed
        or paused are not read: running it twice flags nothing twice.
        Returns the steps flagged now."""
        now = now or now_utc()
        cr = self.env.cr
        cr.execute("""
            WITH late AS (
                UPDATE aftersales_request_step s
                   SET breached = true, write_uid = %(uid)s,
                       write_date = now() at time zone 'UTC'
                 WHERE s.state = 'open' AND NOT s.breached
                   AND s.paused_since IS NULL AND s.deadline < %(now)s
             RETURNING s.id, s.ticket_id
            ), flagged AS (
                UPDATE helpdesk_ticket t
                   SET aftersales_breached = true
                 WHERE t.id IN (SELECT ticket_id FROM late)
                   AND t.aftersales_breached IS NOT TRUE
            )
            SELECT id FROM late ORDER BY id
        """, {'uid': self.env.uid, 'now': fields.Datetime.to_string(now)})
        steps = self.sudo().browse([row[0] for row in cr.fetchall()])
        self.invalidate_cache(['breached'])
        self.env['helpdesk.ticket'].invalidate_cache(['aftersales_breached'])
        steps._aftersales_notify_breaches()
        return steps

    @api.model
    def _cron_flag_breaches(self):
        """Scheduled check of the deadline chain (R12)."""
        self._aftersales_flag_breaches()
        return True

    @api.multi
    def _aftersales_notify_breaches(self):
        """R12: the after-sales managers of the request's company get a
        to-do on each request with a step missed now, naming the steps, in
        their language (one set of statements for all)."""
        if not self or self.pool._init:
            # not while modules load (demo requests): the translations of
            # the to-dos are not loaded yet; the flags stay
            return
        codes = {}
        for step in self:
            codes.setdefault(step.ticket_id.id, []).append(step.code)
        tickets = self.mapped('ticket_id')
        managers = self.env.ref(MANAGER_GROUP).sudo().users.filtered(
            lambda user: not user.share)
        pairs = [(ticket, user) for ticket in tickets for user in managers
                 if not ticket.company_id or
                 ticket.company_id in user.company_ids]
        if not pairs:
            return

        def summary(self):
            return _('Deadline missed on request %s') % self.number

        def note(self):
            labels = dict(self.env['aftersales.request.step']._fields[
                'code']._description_selection(self.env))
            return _('Missed: %s') % ', '.join(
                labels[code] for code in codes[self.id])
        self.env['helpdesk.ticket']._aftersales_schedule_activities(
            pairs, summary, note=note, key=BREACH_KEY)
