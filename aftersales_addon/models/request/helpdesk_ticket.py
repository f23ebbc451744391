# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html_escape, plaintext2html

from ..common.aftersales_control_mixin import (
    aftersales_control, in_aftersales_control)
from ...tools.actions import wizard_action
from .aftersales_request_step import (
    ARRIVAL_RULES, MANAGER_GROUP, NEXT, PREVIOUS, SEQUENCE, now_utc)

CUSTOMER_SERVICE_GROUP = 'aftersales_addon.group_aftersales_customer_service'
TECHNICIAN_GROUP = 'aftersales_addon.group_aftersales_technician'
# the steps only the request's technician (or the manager) records
TECHNICIAN_STEPS = ('contact', 'plan', 'arrival')
# R14: customer service forwards the requests; the manager may too
DISPATCH_GROUPS = (CUSTOMER_SERVICE_GROUP, MANAGER_GROUP)
URGENCY_RANKS = {'urgent': 0, 'important': 1}
SOLUTION_TYPES = [
    ('self_replacement', 'Parts Shipped for Self-Replacement'),
    ('phone', 'Phone Guidance'),
    ('onsite', 'On-site Visit by Appointment'),
    ('carry_in', 'Carry-in Repair'),
]
# R13: what the solution plan and the unit's receipt record, written by
# those actions only (they check who may, and when)
PLAN_FIELDS = frozenset([
    'aftersales_solution_type', 'aftersales_plan_notes',
    'aftersales_plan_date', 'aftersales_plan_user_id',
    'aftersales_assembly_notes', 'aftersales_assembly_attachment_ids',
    'aftersales_self_replace_accepted', 'aftersales_self_replace_accepted_by',
    'aftersales_self_replace_accepted_date',
    'aftersales_self_replace_accepted_user_id', 'aftersales_event_id',
    'aftersales_unit_received_date', 'aftersales_unit_received_user_id',
    'aftersales_unit_accessories', 'aftersales_unit_condition',
    'aftersales_promised_date',
])


class HelpdeskTicket(models.Model):
    """A service request (R10, R11): who asks, about which unit, how it
    reached us, what kind of request it is and how urgent; the deadline
    chain of its steps (R12); the solution the technician plans for it
    (R13)."""

    _name = 'helpdesk.ticket'
    _inherit = ['helpdesk.ticket', 'aftersales.control.mixin',
                'aftersales.activity.mixin']
    # R14: the queues list urgent requests first, then the nearest
    # deadline, then the oldest
    _order = 'urgency_rank, aftersales_next_deadline, received_date, id'
    # R12: recorded by the steps' actions and the scheduled check only;
    # R13: the plan and the receipt by their actions
    _aftersales_controlled_fields = PLAN_FIELDS | frozenset([
        'aftersales_breached', 'aftersales_step_ids'])

    request_type = fields.Selection(
        [('consultation', 'Consultation'),
         ('complaint', 'Complaint'),
         ('repair', 'Repair'),
         ('return', 'Return / Exchange')],
        default='repair', required=True,
        track_visibility='onchange',
        help='What the customer asks for. Only repair requests '
             'lead to a repair order.')
    complaint_type = fields.Selection(
        [('delivery', 'Delivery (quantity / lead time)'),
         ('quality', 'Quality')],
        help='A delivery complaint is about quantities or lead time, '
             'a quality complaint about the product itself.')
    urgency = fields.Selection(
        [('urgent', 'Urgent'),
         ('important', 'Important'),
         ('normal', 'Normal')],
        default='normal', required=True,
        track_visibility='onchange')
    contact_name = fields.Char(
        string='Contact Person',
        help='Who reported the fault on the customer side.')
    contact_phone = fields.Char()
    received_date = fields.Datetime(
        string='Received On', default=fields.Datetime.now, required=True,
        help='When the request reached the company, on any channel.')
    product_id = fields.Many2one(
        'product.product', string='Product',
        help='The unit the request is about.')
    lot_id = fields.Many2one(
        'stock.production.lot', string='Serial Number',
        help='Type the serial: the unit is found by itself, with its '
             'product and the customer it was delivered to.')
    fault_symptom = fields.Text(
        help='The fault as the customer describes it.')
    urgency_rank = fields.Integer(
        compute='_compute_urgency_rank', store=True, index=True,
        help='Urgent first, then important, then normal: the order of the '
             'request queues.')
    technician_id = fields.Many2one(
        'res.users', string='Technician', track_visibility='onchange',
        index=True,
        domain=lambda self: [('groups_id', 'in', self.env.ref(
            'aftersales_addon.group_aftersales_technician').id)],
        help='The technician customer service forwards the request to; '
             'new repair orders are assigned to them.')
    warranty_state = fields.Selection(
        related='lot_id.warranty_state', string='Warranty',
        help='Warranty status of the unit today, for the agent to tell the '
             'customer on the phone.')
    warranty_end_date = fields.Date(related='lot_id.warranty_end_date',
                                    string='Warranty Until')
    warranty_rule_id = fields.Many2one(related='lot_id.warranty_rule_id',
                                       string='Warranty Rule')
    repair_ids = fields.One2many(
        'mrp.repair', 'ticket_id', string='Repair Orders')
    repair_count = fields.Integer(
        string='Repairs', compute='_compute_repair_count')
    aftersales_step_ids = fields.One2many(
        'aftersales.request.step', 'ticket_id', string='Deadlines',
        readonly=True, copy=False)
    aftersales_breached = fields.Boolean(
        string='Deadline Missed', readonly=True, copy=False, index=True,
        help='A step of this request was not met by its deadline.')
    aftersales_next_deadline = fields.Datetime(
        string='Next Deadline', compute='_compute_aftersales_next_deadline',
        store=True, index=True,
        help='The earliest deadline of the steps still open whose clock '
             'runs (none while the request waits for the customer).')
    aftersales_arrival_rule = fields.Selection(
        ARRIVAL_RULES, string='Arrival Rule',
        compute='_compute_aftersales_deadlines')
    can_forward_to_service = fields.Boolean(
        compute='_compute_aftersales_deadlines')
    can_mark_contacted = fields.Boolean(
        compute='_compute_aftersales_deadlines')
    can_mark_arrived = fields.Boolean(
        compute='_compute_aftersales_deadlines')

    can_dispatch = fields.Boolean(
        compute='_compute_can_dispatch',
        help='The user may dispatch this request to a technician now.')

    @api.depends('urgency')
    def _compute_urgency_rank(self):
        for ticket in self:
            ticket.urgency_rank = URGENCY_RANKS.get(ticket.urgency, 2)

    @api.multi
    def _compute_can_dispatch(self):
        allowed = self.env.user._aftersales_in(*DISPATCH_GROUPS)
        for ticket in self:
            ticket.can_dispatch = allowed and not ticket.closed

    @api.depends('repair_ids')
    def _compute_repair_count(self):
        data = self.env['mrp.repair'].read_group(
            [('ticket_id', 'in', self.ids)], ['ticket_id'], ['ticket_id'])
        counts = {d['ticket_id'][0]: d['ticket_id_count'] for d in data}
        for ticket in self:
            ticket.repair_count = counts.get(ticket.id, 0)

    @api.onchange('lot_id')
    def _onchange_lot_id(self):
        """Intake by serial (R10): the serial alone finds the unit; its
        product and the customer it was delivered to fill themselves."""
        if not self.lot_id:
            return
        self.product_id = self.lot_id.product_id
        owner = self.lot_id._delivered_partners().get(self.lot_id.id)
        if owner and not self.partner_id:
            self.partner_id = owner

    @api.onchange('product_id')
    def _onchange_product_id_clear_lot(self):
        """The serial list narrows to the product once it is chosen; a
        serial of another product is cleared."""
        if self.lot_id and self.lot_id.product_id != self.product_id:
            self.lot_id = False
        domain = [('product_id', '=', self.product_id.id)] \
            if self.product_id else []
        return {'domain': {'lot_id': domain}}

    # ------------------------------------------------------------------
    # The deadline chain (R12)
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        if vals.get('technician_id') and \
                not self._aftersales_dispatch_checked():
            # R14: a technician chosen at intake passes the dispatch rules
            # before the request is written
            self.new({
                'name': vals.get('name'),
                'product_id': vals.get('product_id'),
                'company_id': vals.get('company_id') or
                self.env.user.company_id.id,
            })._aftersales_check_dispatch(
                self.env['res.users'].browse(vals['technician_id']))
        ticket = super(HelpdeskTicket, self).create(vals)
        ticket._aftersales_start_chain()
        return ticket

    @api.multi
    def write(self, vals):
        if vals.get('technician_id') and \
                not self._aftersales_dispatch_checked():
            # R14: changing the technician of a request is a dispatch: by
            # the dispatching departments, on the same rules
            self._ensure_can_dispatch()
            technician = self.env['res.users'].browse(vals['technician_id'])
            for ticket in self:
                ticket._aftersales_check_dispatch(technician)
        result = super(HelpdeskTicket, self).write(vals)
        if vals.get('technician_id'):
            self._aftersales_stamp_first_technician()
        if 'stage_id' in vals:
            self._aftersales_sync_clock()
        return result

    @api.multi
    def _aftersales_is_from_sales(self):
        self.ensure_one()
        sales = self.env.ref('aftersales_addon.helpdesk_ticket_channel_sales',
                             raise_if_not_found=False)
        return bool(sales) and self.channel_id == sales

    @api.multi
    def _aftersales_start_chain(self):
        """R12: a new request's clock starts at its received time: a report
        that reached sales must first reach customer service, any other
        request a technician. Customer service recording a report from
        sales has it (forwarded now); a request entered with its technician
        is forwarded now."""
        rows = []
        for ticket in self:
            first = 'to_service' if ticket._aftersales_is_from_sales() \
                else 'to_technician'
            start = fields.Datetime.from_string(ticket.received_date) \
                or now_utc()
            rows.append((ticket, first, start))
        self.env['aftersales.request.step']._aftersales_plan(rows)
        if self.env.user.has_group(CUSTOMER_SERVICE_GROUP):
            received = self.filtered(lambda t: t._aftersales_is_from_sales())
            if received:
                received._aftersales_step_done('to_service')
        assigned = self.filtered('technician_id')
        if assigned:
            assigned._aftersales_step_done('to_technician')
        self._aftersales_sync_clock()

    @api.multi
    def _aftersales_stamp_first_technician(self):
        """R12: the first technician set on a request forwards it (stamps
        'to_technician'); a later change of technician stamps nothing."""
        steps = self.env['aftersales.request.step'].sudo().search([
            ('ticket_id', 'in', self.ids),
            ('code', 'in', ('to_service', 'to_technician')),
            ('state', '=', 'open')])
        tickets = steps.mapped('ticket_id').filtered('technician_id')
        if tickets:
            self.browse(tickets.ids)._aftersales_step_done('to_technician')

    @api.multi
    def _aftersales_arrival_rule(self):
        """R12: what the last step asks, from where the customer is. The
        customer's position (latitude/longitude typed on the contact, or
        on its company) against the company's address: farther than the
        service radius, an answer; otherwise a visit, within the time of
        the address's service zone (city, suburbs) when it has one, else
        within the radius's on-site time. An unknown position counts as
        inside the radius (the customer is visited)."""
        self.ensure_one()
        company = (self.company_id or self.env.user.company_id).sudo()
        customer = self.partner_id.sudo()
        if not customer:
            return 'onsite'
        located = customer if customer._aftersales_has_position() \
            else customer.commercial_partner_id
        distance = located._aftersales_distance_km(company.partner_id)
        if distance is not None and \
                distance > company.aftersales_request_radius_km:
            return 'answer'
        zone = customer.aftersales_service_zone or \
            customer.commercial_partner_id.aftersales_service_zone
        return zone or 'onsite'

    @api.multi
    def _aftersales_ensure_can_stamp(self, code):
        """R12, R1: a step is recorded by a user who may change the request;
        the technician's steps (contact, plan, arrival) by the request's
        technician or the after-sales manager only."""
        user = self.env.user
        if user._is_superuser():
            return
        self.check_access_rights('write')
        self.check_access_rule('write')
        if code in TECHNICIAN_STEPS and not user.has_group(MANAGER_GROUP):
            others = self.filtered(lambda t: t.technician_id != user)
            if others:
                raise AccessError(_(
                    'Only the technician of request %s can record this '
                    'step.') % others[0].number)

    @api.multi
    def _aftersales_step_done(self, code):
        """R12: the step ``code`` of each request is met now, by the
        current user. Codes: 'to_service' (sales forwarded the customer's
        report), 'to_technician' (customer service forwarded it),
        'contact' (the technician contacted the customer), 'plan' (the
        solution plan is given), 'arrival' (on site, or answered when the
        customer is outside the service radius). Other pillars call it from
        the action that completes the step.

        The step is stamped (when, by whom); a step met after its deadline
        is flagged at once (the manager gets a to-do); the steps it leads
        to start their clocks. Refused, with nothing written: a step
        recorded twice, before the step it follows, on a closed request,
        or by a user who may not. Requests made before the deadline chain
        existed (no step at all) are left alone."""
        if code not in SEQUENCE:
            raise UserError(_('Unknown step of a service request: %s') % code)
        if not self:
            return True
        self._aftersales_ensure_can_stamp(code)
        if code == 'to_technician':
            # forwarding a report from sales to a technician: customer
            # service has it, so it was forwarded to customer service too
            self._aftersales_steps_locked()
            pending = self.env['aftersales.request.step'].sudo().search([
                ('ticket_id', 'in', self.ids), ('code', '=', 'to_service'),
                ('state', '=', 'open')])
            if pending:
                self.browse(pending.mapped('ticket_id').ids) \
                    ._aftersales_step_done('to_service')
        steps = self._aftersales_steps_locked()
        found = {(step.ticket_id.id, step.code): step for step in steps}
        with_chain = set(step.ticket_id.id for step in steps)
        todo = self.env['aftersales.request.step'].sudo()
        for ticket in self.filtered(lambda t: t.id in with_chain):
            step = found.get((ticket.id, code))
            ticket._aftersales_check_step(code, step, found)
            todo |= step
        if not todo:
            return True
        now = now_utc()
        late = todo.filtered(lambda s: s._aftersales_late_at(now))
        newly = late.filtered(lambda s: not s.breached)
        values = {'state': 'done', 'done_on': fields.Datetime.to_string(now),
                  'done_by': self.env.uid, 'paused_since': False}
        # sudo: the step is recorded by this action, which checked who may
        # record it and in which order (no department writes steps)
        if newly:
            newly.write(dict(values, breached=True))
        if todo - newly:
            (todo - newly).write(values)
        if newly:
            # sudo: the flag follows the steps, recorded here
            newly.mapped('ticket_id').sudo().write(
                {'aftersales_breached': True})
        self.env['aftersales.request.step']._aftersales_plan([
            (step.ticket_id, following, now)
            for step in todo for following in NEXT.get(code, ())])
        todo.mapped('ticket_id')._aftersales_sync_clock()
        newly._aftersales_notify_breaches()
        return True

    # ------------------------------------------------------------------
    # Dispatch (R14)
    # ------------------------------------------------------------------
    @api.model
    def _aftersales_dispatch_checked(self):
        """The dispatch action checked the rules already (or the
        superuser writes): server-side only, never from the context."""
        return self.env.user._is_superuser() or in_aftersales_control()

    @api.multi
    def _aftersales_skill_levels(self, users):
        """R14: {user id: skill level} of ``users`` for the category of
        the request's product (0: no skill). sudo: a technician reads only
        his own skills; the dispatch rules read everyone's."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        levels = self.env['aftersales.technician.skill'].sudo() \
            ._aftersales_levels(users, self.product_id.categ_id, company)
        return {user.id: levels.get(user.id, 0) for user in users}

    @api.multi
    def _aftersales_dispatch_problem(self, technician):
        """R14: why ``technician`` should not get this request:
        'not_technician', 'no_skill' (a unit whose category he has no
        skill for) or None."""
        self.ensure_one()
        if not technician.has_group(TECHNICIAN_GROUP):
            return 'not_technician'
        if self.product_id and \
                not self._aftersales_skill_levels(technician)[technician.id]:
            return 'no_skill'
        return None

    @api.multi
    def _aftersales_check_dispatch(self, technician, force=False):
        """R14: a request goes to a technician with a skill for the
        unit's category. A user outside the Technician group never gets it
        (his repair order could not be assigned to him); a technician
        without the skill only when the manager forces it."""
        self.ensure_one()
        problem = self._aftersales_dispatch_problem(technician)
        if problem == 'not_technician':
            raise UserError(_(
                '%(user)s is not a technician: request %(number)s can only '
                'be dispatched to a member of the Technician group.') % {
                'user': technician.name,
                'number': self.number or self.name or ''})
        if problem == 'no_skill':
            if not force:
                raise UserError(_(
                    '%(user)s has no skill for %(categ)s (the product of '
                    'request %(number)s): choose a technician with this '
                    'skill. Only the after-sales manager may dispatch it '
                    'anyway.') % {
                    'user': technician.name,
                    'categ': self.product_id.categ_id.display_name,
                    'number': self.number or self.name or ''})
            if not self.env.user._aftersales_in(MANAGER_GROUP):
                raise AccessError(_(
                    'Only the after-sales manager may dispatch a request '
                    'to a technician without the skill for its product.'))
        return problem

    @api.multi
    def _ensure_can_dispatch(self):
        """R14: customer service (and the manager) dispatch open
        requests."""
        if not self.env.user._aftersales_in(*DISPATCH_GROUPS):
            raise AccessError(_(
                'Only customer service and the after-sales manager dispatch '
                'service requests.'))
        closed = self.filtered('closed')
        if closed:
            raise UserError(_('Request %s is closed: it is no longer '
                              'dispatched.') % closed[0].number)

    @api.multi
    def _aftersales_dispatch(self, technician, force=False):
        """R14: forward the request to ``technician`` after the checks;
        a dispatch the manager forces is written in the request's
        history."""
        self.ensure_one()
        self._ensure_can_dispatch()
        problem = self._aftersales_check_dispatch(technician, force=force)
        # the rules were checked just above; the write stamps the step
        # (deadline chain) as the dispatching user
        with aftersales_control():
            self.write({'technician_id': technician.id})
        self.message_subscribe_users(user_ids=technician.ids)
        if problem:
            self.message_post(body=html_escape(_(
                'Dispatched to %(user)s by %(manager)s although he has no '
                'skill for %(categ)s.') % {
                'user': technician.name, 'manager': self.env.user.name,
                'categ': self.product_id.categ_id.display_name}))
        return True

    @api.multi
    def _aftersales_dispatch_suggestions(self):
        """R14: the technicians for this request, best first: highest skill
        for the unit's category, then lowest open workload (urgent work
        weighing the company's setting), then nearest to the customer
        (unknown distances last), then by name. A list of dicts, the
        wizard's lines. Set-based: the board's view gives every
        technician's workload in one query, the skills one search."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        # sudo: the dispatcher compares the technicians' open work; he
        # reads their counts only
        loads = self.env['aftersales.technician.load'].sudo().search(
            [('company_id', '=', company.id)])
        users = loads.mapped('user_id')
        levels = self._aftersales_skill_levels(users)
        customer = self.partner_id
        suggestions = []
        for load in loads:
            user = load.user_id
            base = user.partner_id
            if not base._aftersales_has_position():
                base = user.company_id.partner_id
            distance = customer._aftersales_distance_km(base) \
                if customer else None
            suggestions.append({
                'user_id': user.id,
                'skill_level': str(levels.get(user.id, 0)),
                'open_request_count': load.open_request_count,
                'open_repair_count': load.open_repair_count,
                'urgent_count': load.urgent_count,
                'workload': load.workload,
                'distance_known': distance is not None,
                'distance_km': distance or 0.0,
                '_name': user.name or '',
            })
        suggestions.sort(key=lambda v: (
            -int(v['skill_level']), v['workload'],
            not v['distance_known'], v['distance_km'], v['_name']))
        for sequence, values in enumerate(suggestions, 1):
            values['sequence'] = sequence
            del values['_name']
        return suggestions

    @api.multi
    def action_dispatch(self):
        """Open the dispatch wizard: the technicians suggested for this
        request (R14)."""
        self.ensure_one()
        self._ensure_can_dispatch()
        return wizard_action(_('Dispatch'), 'aftersales.dispatch.wizard',
                             ticket_id=self.id)

    @api.multi
    def _aftersales_steps_locked(self):
        """The steps of these requests, locked until the end of the
        transaction: two users recording the same step at once record it
        once (the second is told it is done)."""
        self.env.cr.execute("""
            SELECT id FROM aftersales_request_step
             WHERE ticket_id IN %s ORDER BY id FOR UPDATE
        """, (tuple(self.ids),))
        Step = self.env['aftersales.request.step'].sudo()
        steps = Step.browse([row[0] for row in self.env.cr.fetchall()])
        steps.invalidate_cache(ids=steps.ids)
        return steps

    @api.multi
    def _aftersales_check_step(self, code, step, found):
        """R12: ``step`` (of this request, or None) may be recorded now:
        open, and the step it follows met."""
        self.ensure_one()
        Step = self.env['aftersales.request.step']
        labels = dict(Step._fields['code']._description_selection(self.env))
        if not step:
            if code == 'to_service':
                raise UserError(_(
                    'Request %s did not come from sales: there is no '
                    'forwarding to customer service to record.') %
                    self.number)
            previous = PREVIOUS.get(code)
            if code == 'to_technician':
                previous = 'to_service'
            raise UserError(_(
                'Request %(number)s: "%(step)s" cannot be recorded before '
                '"%(previous)s".') % {
                'number': self.number, 'step': labels[code],
                'previous': labels.get(previous, '')})
        if step.state == 'done':
            done_on = fields.Datetime.context_timestamp(
                self, fields.Datetime.from_string(step.done_on))
            raise UserError(_(
                'Request %(number)s: "%(step)s" was already recorded on '
                '%(date)s by %(user)s.') % {
                'number': self.number, 'step': labels[code],
                'date': done_on.strftime('%Y-%m-%d %H:%M'),
                'user': step.done_by.sudo().name})
        if step.state == 'cancelled':
            raise UserError(_(
                'Request %s is closed: its steps are no longer '
                'recorded.') % self.number)
        previous = found.get((self.id, PREVIOUS.get(code)))
        if previous and previous.state != 'done':
            raise UserError(_(
                'Request %(number)s: "%(step)s" cannot be recorded before '
                '"%(previous)s".') % {
                'number': self.number, 'step': labels[code],
                'previous': labels[previous.code]})

    @api.multi
    def _aftersales_sync_clock(self):
        """R12: the clocks of the open steps follow the request's stage.
        Waiting for the customer: they stop. Back from waiting: each gets
        the working time it had left when it stopped, counted from now (a
        step already late then stays late). Closed: the open steps are not
        needed any more."""
        Step = self.env['aftersales.request.step'].sudo()
        steps = Step.search([('ticket_id', 'in', self.ids),
                             ('state', '=', 'open')])
        if not steps:
            return
        now = now_utc()
        closed = steps.filtered(lambda s: s.ticket_id.stage_id.closed)
        if closed:
            # sudo: recorded by the stage change of the request
            closed.write({'state': 'cancelled', 'paused_since': False})
        steps -= closed
        waiting = steps.filtered(
            lambda s: s.ticket_id.stage_id.aftersales_waiting_customer)
        to_pause = waiting.filtered(lambda s: not s.paused_since)
        if to_pause:
            to_pause.write({'paused_since': fields.Datetime.to_string(now)})
        to_resume = (steps - waiting).filtered('paused_since')
        by_company = {}
        for step in to_resume:
            company = step.ticket_id.company_id or self.env.user.company_id
            by_company.setdefault(company.sudo(), Step.browse())
            by_company[company.sudo()] |= step
        for company, company_steps in by_company.items():
            since = min(fields.Datetime.from_string(s.paused_since)
                        for s in company_steps)
            working = company._aftersales_working_time(since)
            for step in company_steps:
                paused = fields.Datetime.from_string(step.paused_since)
                deadline = fields.Datetime.from_string(step.deadline)
                if deadline > paused:
                    left = working.hours_between(paused, deadline)
                    deadline = company._aftersales_add_working_hours(
                        now, left, working)
                step.write({'paused_since': False,
                            'deadline': fields.Datetime.to_string(deadline)})

    @api.depends('aftersales_step_ids.state',
                 'aftersales_step_ids.deadline',
                 'aftersales_step_ids.paused_since')
    def _compute_aftersales_next_deadline(self):
        """R12, R14: the earliest deadline of the open steps whose clock
        runs; the queues sort by it after the urgency."""
        # sudo: the deadlines only, in one read (a department reading the
        # request may not read every step)
        rows = self.env['aftersales.request.step'].sudo().search_read(
            [('ticket_id', 'in', [t.id for t in self if t.id]),
             ('state', '=', 'open'), ('paused_since', '=', False)],
            ['ticket_id', 'deadline'])
        nearest = {}
        for row in rows:
            key = row['ticket_id'][0]
            if key not in nearest or row['deadline'] < nearest[key]:
                nearest[key] = row['deadline']
        for ticket in self:
            ticket.aftersales_next_deadline = nearest.get(ticket.id, False)

    @api.depends('aftersales_step_ids')
    def _compute_aftersales_deadlines(self):
        """The arrival rule, and which step buttons the current user may
        use (one read of the steps)."""
        user = self.env.user
        manager = user.has_group(MANAGER_GROUP)
        rows = self.env['aftersales.request.step'].sudo().search_read(
            [('ticket_id', 'in', [t.id for t in self if t.id])],
            ['ticket_id', 'code', 'state', 'deadline', 'arrival_rule'])
        steps = {}
        for row in rows:
            steps.setdefault(row['ticket_id'][0], {})[row['code']] = row
        for ticket in self:
            mine = steps.get(ticket.id, {})
            ticket.aftersales_arrival_rule = \
                mine.get('arrival', {}).get('arrival_rule') or False

            def is_open(code):
                return mine.get(code, {}).get('state') == 'open'

            contacted = mine.get('contact', {}).get('state') == 'done'
            technician = manager or ticket.technician_id == user
            ticket.can_forward_to_service = is_open('to_service')
            ticket.can_mark_contacted = technician and is_open('contact')
            ticket.can_mark_arrived = technician and contacted and \
                is_open('arrival')

    @api.multi
    def action_forward_to_service(self):
        """Sales forwards the customer's report to customer service."""
        return self._aftersales_step_done('to_service')

    @api.multi
    def action_customer_contacted(self):
        """The technician has contacted the customer."""
        return self._aftersales_step_done('contact')

    @api.multi
    def action_arrived(self):
        """The technician is on site (or has answered a customer outside
        the service radius)."""
        return self._aftersales_step_done('arrival')

    @api.multi
    def _prepare_repair_values(self):
        """Values of the repair order created from this request (R20): the
        customer's unit is repaired where it is, at the customer location."""
        self.ensure_one()
        customer_location = (
            self.partner_id.property_stock_customer
            or self.env.ref('stock.stock_location_customers'))
        return {
            'ticket_id': self.id,
            'product_id': self.product_id.id,
            'product_uom': self.product_id.uom_id.id,
            'lot_id': self.lot_id.id,
            'partner_id': self.partner_id.id,
            'partner_invoice_id': self.partner_id.id,
            'address_id': self.partner_id.id,
            'pricelist_id': (self.partner_id.property_product_pricelist.id
                             or self.env['product.pricelist'].search(
                                 [], limit=1).id),
            'fault_symptom': self.fault_symptom,
            # R30/R32: the day the customer reported it, in the company's
            # time zone (07:30 in Beijing is still that day)
            'failure_date': self.received_date and fields.Date.to_string(
                (self.company_id or self.env.user.company_id)
                ._aftersales_local_date(self.received_date)),
            'technician_id': self.technician_id.id,
            'location_id': customer_location.id,
            'location_dest_id': customer_location.id,
            'invoice_method': 'after_repair',
            'company_id': self.company_id.id or self.env.user.company_id.id,
            # R13: the order of a visit is planned at the appointment
            'scheduled_date': self.aftersales_solution_type == 'onsite' and
            self.aftersales_event_id.active and
            self.aftersales_event_id.start or False,
        }

    @api.multi
    def action_create_repair(self):
        """Create the repair order of a repair request (R20) and open it."""
        self.ensure_one()
        self._aftersales_check_repair_request()
        return self._aftersales_create_repair().get_formview_action()

    @api.multi
    def _aftersales_check_repair_request(self):
        """R20: a repair order is made from a repair request with its
        product, customer and, for a serial-tracked product, serial."""
        self.ensure_one()
        if self.request_type != 'repair':
            raise UserError(_(
                'Only a repair request can lead to a repair order; this '
                'request is a "%s".') % dict(self._fields['request_type']
                                             ._description_selection(
                                                 self.env)).get(
                                                     self.request_type))
        if not self.product_id:
            raise UserError(_(
                'Set the product of request %s before creating its repair '
                'order.') % self.number)
        if not self.partner_id:
            raise UserError(_(
                'Set the customer of request %s before creating its repair '
                'order.') % self.number)
        if self.product_id.tracking == 'serial' and not self.lot_id:
            raise UserError(_(
                'The product %(product)s is tracked by serial number: '
                'enter the serial number of the unit on request '
                '%(number)s first.') % {
                'product': self.product_id.display_name,
                'number': self.number,
            })

    @api.multi
    def _aftersales_create_repair(self):
        """The repair order of this request (checked by
        ``_aftersales_check_repair_request``), the request then worked on."""
        self.ensure_one()
        repair = self.env['mrp.repair'].create(self._prepare_repair_values())
        self._move_to_work_stage(
            note=_('Repair order %s created.') % html_escape(repair.name))
        return repair

    @api.multi
    def _move_to_work_stage(self, note=''):
        """A request still waiting for attention is being worked on once its
        repair order exists: move it to the first open, attended stage.
        ``note`` (HTML) is posted on each request, with the stage change:
        one chatter entry carrying the note and the tracked stage (issue
        14: one message instead of two), and the stage's email template,
        if any, sent as Odoo's tracking sends it."""
        waiting = self.filtered(lambda t: t.stage_id.unattended)
        stage = waiting and self.env['helpdesk.ticket.stage'].search(
            [('unattended', '=', False), ('closed', '=', False)],
            order='sequence, id', limit=1)
        if not stage:
            waiting = self.browse()
        if note:
            for ticket in self - waiting:
                ticket.message_post(body=note)
        if not waiting:
            return
        # the tracked value is described in the user's language, as Odoo's
        # tracking does
        track_self = waiting if 'lang' in self.env.context else \
            waiting.with_context(lang=self.env.user.lang)
        tracked = track_self._get_tracked_fields(['stage_id'])
        old_stages = dict((ticket.id, ticket.stage_id) for ticket in waiting)
        waiting.with_context(mail_notrack=True).write({'stage_id': stage.id})
        Tracking = self.env['mail.tracking.value']
        for ticket in track_self:
            old = old_stages[ticket.id]
            commands = []
            if tracked:
                values = Tracking.create_tracking_values(
                    old, stage, 'stage_id', tracked['stage_id'])
                commands = [(0, 0, values)] if values else []
            subtype = ticket._track_subtype({'stage_id': old}) or None
            ticket.message_post(body=note, subtype=subtype,
                                tracking_value_ids=commands)
            ticket._message_track_post_template(
                {ticket.id: ({'stage_id'}, commands)})

    @api.multi
    def action_view_repairs(self):
        self.ensure_one()
        action = self.env.ref('mrp_repair.action_repair_order_tree').read()[0]
        action['domain'] = [('ticket_id', '=', self.id)]
        action['context'] = {'default_ticket_id': self.id}
        if len(self.repair_ids) == 1:
            action['views'] = [(False, 'form')]
            action['res_id'] = self.repair_ids.id
        return action

    # ------------------------------------------------------------------
    # Solution types (R13)
    # ------------------------------------------------------------------
    aftersales_solution_type = fields.Selection(
        SOLUTION_TYPES, string='Solution', readonly=True, copy=False,
        track_visibility='onchange', index=True,
        help='How the technician solves the request: parts shipped for the '
             'customer to fit, guidance on the phone, a visit on site by '
             'appointment, or the unit brought in for repair.')
    aftersales_plan_notes = fields.Text(
        string='Solution Notes', readonly=True, copy=False,
        help='The technician\'s plan; for phone guidance, what the customer '
             'was told.')
    aftersales_plan_date = fields.Datetime(
        string='Plan Given On', readonly=True, copy=False)
    aftersales_plan_user_id = fields.Many2one(
        'res.users', string='Plan Given By', readonly=True, copy=False)
    aftersales_assembly_notes = fields.Text(
        string='Assembly Notes', readonly=True, copy=False,
        help='The key points of fitting the parts, sent to the customer '
             'with the parts.')
    aftersales_assembly_attachment_ids = fields.Many2many(
        'ir.attachment', 'helpdesk_ticket_aftersales_assembly_rel',
        'ticket_id', 'attachment_id', string='Assembly Documents',
        readonly=True, copy=False,
        help='Drawings, photos or videos attached to the message that '
             'goes with the parts.')
    aftersales_self_replace_accepted = fields.Boolean(
        string='Customer Bears Mis-assembly', readonly=True, copy=False,
        track_visibility='onchange',
        help='The customer agreed to fit the parts and to bear the damage '
             'caused by fitting them wrongly.')
    aftersales_self_replace_accepted_by = fields.Char(
        string='Agreed By', readonly=True, copy=False,
        help='Who agreed on the customer\'s side.')
    aftersales_self_replace_accepted_date = fields.Datetime(
        string='Agreed On', readonly=True, copy=False)
    aftersales_self_replace_accepted_user_id = fields.Many2one(
        'res.users', string='Agreement Recorded By', readonly=True,
        copy=False)
    aftersales_event_id = fields.Many2one(
        'calendar.event', string='Appointment', readonly=True, copy=False,
        ondelete='set null',
        help='The visit on site agreed with the customer, in the '
             'technician\'s and the customer\'s calendars.')
    aftersales_appointment_start = fields.Datetime(
        related='aftersales_event_id.start_datetime', readonly=True,
        string='Visit On')
    aftersales_unit_received_date = fields.Datetime(
        string='Unit Received On', readonly=True, copy=False)
    aftersales_unit_received_user_id = fields.Many2one(
        'res.users', string='Unit Received By', readonly=True, copy=False)
    aftersales_unit_accessories = fields.Text(
        string='Accessories', readonly=True, copy=False,
        help='What came with the unit (charger, key, bag...).')
    aftersales_unit_condition = fields.Text(
        string='Visible Condition', readonly=True, copy=False,
        help='Scratches, dents, missing parts seen when the unit was '
             'received.')
    aftersales_promised_date = fields.Date(
        string='Promised For', readonly=True, copy=False,
        help='The day the customer was promised the repaired unit.')
    can_give_plan = fields.Boolean(
        compute='_compute_can_solution',
        help='The user may give the solution plan of this request now.')
    can_receive_unit = fields.Boolean(
        compute='_compute_can_solution',
        help='The user may receive the unit of this carry-in repair now.')

    @api.multi
    def _compute_can_solution(self):
        waiting = self._aftersales_waiting_for_contact()
        for ticket in self:
            ticket.can_give_plan = not ticket.closed and \
                ticket not in waiting and ticket._aftersales_is_planner()
            ticket.can_receive_unit = not ticket.closed and \
                ticket.aftersales_solution_type == 'carry_in' and \
                not ticket.aftersales_unit_received_date and \
                ticket._aftersales_is_receiver()

    @api.multi
    def _aftersales_waiting_for_contact(self):
        """R12, R13: the requests whose plan must wait: their deadline
        chain has not recorded the customer's contact yet (requests made
        before the chain existed have no steps and do not wait). sudo: the
        steps' states only, in one read."""
        rows = self.env['aftersales.request.step'].sudo().search_read(
            [('ticket_id', 'in', [t.id for t in self if t.id])],
            ['ticket_id', 'code', 'state'])
        chained, contacted = set(), set()
        for row in rows:
            chained.add(row['ticket_id'][0])
            if row['code'] == 'contact' and row['state'] == 'done':
                contacted.add(row['ticket_id'][0])
        return self.browse(sorted(chained - contacted))

    @api.multi
    def _aftersales_plan_step_open(self):
        """R12: the plan step of this request waits to be stamped (a plan
        changed later is not stamped again)."""
        self.ensure_one()
        return bool(self.env['aftersales.request.step'].sudo().search_count(
            [('ticket_id', '=', self.id), ('code', '=', 'plan'),
             ('state', '=', 'open')]))

    @api.multi
    def _ensure_contacted_before_plan(self):
        """R12, R13: the technician contacts the customer before giving the
        solution plan."""
        waiting = self._aftersales_waiting_for_contact()
        if waiting:
            raise UserError(_(
                'Request %s: record that the customer was contacted before '
                'giving the solution plan.') % waiting[0].number)

    @api.multi
    def _aftersales_is_planner(self):
        """R13: the technician of the request gives its solution plan (the
        manager may too)."""
        self.ensure_one()
        user = self.env.user
        return (bool(self.technician_id) and self.technician_id == user) \
            or user.has_group(MANAGER_GROUP)

    @api.multi
    def _aftersales_is_receiver(self):
        """R13: customer service (the front desk), the request's technician
        or the manager receives a unit brought in."""
        self.ensure_one()
        user = self.env.user
        return (bool(self.technician_id) and self.technician_id == user) \
            or user.has_group(CUSTOMER_SERVICE_GROUP)

    @api.multi
    def _aftersales_open_repairs(self):
        self.ensure_one()
        return self.repair_ids.filtered(
            lambda r: r.state not in ('done', 'cancel'))

    @api.multi
    def _ensure_can_give_plan(self, plan):
        """R13: who gives the plan, on which request, with what: every
        check before anything is written."""
        self.ensure_one()
        if not self._aftersales_is_planner():
            raise AccessError(_(
                'Only the technician of request %s (or the after-sales '
                'manager) gives its solution plan.') % self.number)
        if self.closed:
            raise UserError(_('Request %s is closed: it needs no solution '
                              'plan.') % self.number)
        self._ensure_contacted_before_plan()
        kind = plan.get('solution_type')
        if kind not in dict(SOLUTION_TYPES):
            raise UserError(_('Choose how the request is solved.'))
        notes = (plan.get('notes') or '').strip()
        if kind == 'phone':
            if not notes:
                raise UserError(_(
                    'Write down the guidance given on the phone: the '
                    'request is closed with these notes.'))
            busy = self._aftersales_open_repairs()
            if busy:
                raise UserError(_(
                    'Request %(number)s has repair order %(repair)s under '
                    'way: finish or cancel it before closing the request '
                    'with phone guidance.') % {
                    'number': self.number,
                    'repair': ', '.join(busy.mapped('name'))})
        if kind == 'onsite':
            self._ensure_appointment(plan)
        if kind in ('self_replacement', 'carry_in'):
            self._aftersales_check_repair_request()
        if kind == 'self_replacement':
            if not (plan.get('assembly_notes') or '').strip():
                raise UserError(_(
                    'Write the assembly notes the customer gets with the '
                    'parts.'))
            if not plan.get('accepted'):
                raise UserError(_(
                    'The customer must agree to fit the parts and to bear '
                    'the damage caused by fitting them wrongly before the '
                    'parts are shipped.'))
            if not (plan.get('accepted_by') or '').strip():
                raise UserError(_(
                    'Write who agreed on the customer\'s side.'))
        started = self._aftersales_open_repairs().filtered(
            lambda r: r.state != 'draft' and r.aftersales_self_replacement
            != (kind == 'self_replacement'))
        if started:
            raise UserError(_(
                'Repair order %s is already under way with another '
                'solution: cancel it before changing the solution plan.')
                % ', '.join(started.mapped('name')))

    @api.multi
    def _ensure_appointment(self, plan):
        if not self.partner_id:
            raise UserError(_('Set the customer of request %s before making '
                              'an appointment.') % self.number)
        start, stop = plan.get('start'), plan.get('stop')
        if not start or not stop:
            raise UserError(_('Give the day and time of the visit.'))
        start = fields.Datetime.from_string(start) \
            if isinstance(start, str) else start
        stop = fields.Datetime.from_string(stop) \
            if isinstance(stop, str) else stop
        if stop <= start:
            raise UserError(_('The visit must end after it starts.'))
        if start < fields.Datetime.from_string(fields.Datetime.now()) \
                - timedelta(minutes=5):
            raise UserError(_('The appointment cannot be in the past.'))

    @api.multi
    def _aftersales_give_plan(self, plan):
        """R13: the technician's solution plan. ``plan``: solution_type,
        notes; for a self-replacement assembly_notes, attachments (the
        documents sent with the parts), accepted and accepted_by (the
        customer's agreement to bear mis-assembly); for a visit start,
        stop and location. Then each type's follow-up: phone guidance
        closes the request with the notes, a visit is put in the
        technician's and the customer's calendars, a self-replacement gets
        its repair order whose parts are shipped to the customer, a
        carry-in waits for the unit (``_aftersales_receive_unit``)."""
        self.ensure_one()
        self._ensure_can_give_plan(plan)
        stamp = self._aftersales_plan_step_open()
        kind = plan['solution_type']
        attachments = plan.get('attachments') or \
            self.env['ir.attachment']
        if attachments:
            # the documents sent to the customer must be the user's to read
            attachments.check('read')
        now = fields.Datetime.now()
        vals = {
            'aftersales_solution_type': kind,
            'aftersales_plan_notes': (plan.get('notes') or '').strip(),
            'aftersales_plan_date': now,
            'aftersales_plan_user_id': self.env.uid,
        }
        if kind == 'self_replacement':
            vals.update({
                'aftersales_assembly_notes': plan['assembly_notes'].strip(),
                'aftersales_self_replace_accepted': True,
                'aftersales_self_replace_accepted_by':
                    plan['accepted_by'].strip(),
                'aftersales_self_replace_accepted_date': now,
                'aftersales_self_replace_accepted_user_id': self.env.uid,
            })
        if kind == 'self_replacement' and attachments:
            # the customer's copies, on the request (sudo: the documents
            # were checked readable by the user just above; the copies
            # belong to the request)
            vals['aftersales_assembly_attachment_ids'] = [(6, 0, [
                attachment.sudo().copy({
                    'res_model': self._name, 'res_id': self.id}).id
                for attachment in attachments])]
        # the plan's fields are written by this action only, after the
        # checks above (the technician of the request, or the manager), who
        # stays the author of the tracked change
        with aftersales_control():
            self.write(vals)
        if stamp:
            # the deadline chain's plan step, before the follow-ups (phone
            # guidance closes the request, which ends its open steps)
            self._aftersales_step_done('plan')
        self._aftersales_plan_event(kind, plan)
        self._aftersales_plan_repair(kind)
        self.message_post(body=self._aftersales_plan_note(kind))
        if kind == 'phone':
            self._aftersales_close_request()
        return True

    @api.multi
    def _aftersales_plan_note(self, kind):
        label = dict(self._fields['aftersales_solution_type']
                     ._description_selection(self.env))[kind]
        body = '<p>%s</p>' % html_escape(
            _('Solution plan: %s.') % label)
        if self.aftersales_plan_notes:
            body += plaintext2html(self.aftersales_plan_notes)
        if kind == 'self_replacement':
            body += '<p>%s</p>' % html_escape(_(
                '%s agreed to fit the parts and to bear the damage caused '
                'by fitting them wrongly.')
                % self.aftersales_self_replace_accepted_by)
        return body

    @api.multi
    def _aftersales_plan_event(self, kind, plan):
        """R13: a visit on site is an event in the calendars of the
        technician and of the customer (invited); another plan cancels the
        appointment made before."""
        event = self.aftersales_event_id
        if kind != 'onsite':
            if event:
                event.write({'active': False})
            return
        technician = self.technician_id or self.env.user
        vals = {
            'name': _('On-site visit: %(number)s %(customer)s') % {
                'number': self.number,
                'customer': self.partner_id.display_name},
            'start': plan['start'], 'stop': plan['stop'],
            'allday': False,
            'user_id': technician.id,
            'partner_ids': [(6, 0, (technician.partner_id
                                    | self.partner_id).ids)],
            'location': plan.get('location') or
            self._aftersales_visit_address(),
            'description': '\n\n'.join(filter(None, [
                self.fault_symptom, self.aftersales_plan_notes])),
            'res_model_id': self.env['ir.model']._get(self._name).id,
            'res_id': self.id,
        }
        if event:
            event.write(dict(vals, active=True))
        else:
            event = self.env['calendar.event'].create(vals)
            # the appointment is recorded by the plan only
            with aftersales_control():
                self.aftersales_event_id = event
        # the technician's repairs are ordered by the planned visit
        # (sudo: the date is the appointment just made)
        self._aftersales_open_repairs().sudo().write(
            {'scheduled_date': plan['start']})

    @api.multi
    def _aftersales_visit_address(self):
        partner = self.partner_id
        return ' '.join(part for part in (
            partner.state_id.name, partner.city, partner.street,
            partner.street2) if part) or partner.display_name

    @api.multi
    def _aftersales_plan_repair(self, kind):
        """R13: a self-replacement's repair order ships its parts to the
        customer (a quotation of the request made for another solution
        becomes one); a repair order made for another solution does not."""
        repairs = self._aftersales_open_repairs().filtered(
            lambda r: r.state == 'draft')
        wanted = kind == 'self_replacement'
        if wanted and not self._aftersales_open_repairs():
            repairs = self._aftersales_create_repair()
        # the flag is the plan's (controlled), checked above
        with aftersales_control():
            repairs.filtered(
                lambda r: r.aftersales_self_replacement != wanted).write(
                    {'aftersales_self_replacement': wanted})

    @api.multi
    def _aftersales_close_request(self):
        """R13: phone guidance solved the request: it is closed with the
        technician's notes (the first closed stage)."""
        stage = self.env['helpdesk.ticket.stage'].search(
            [('closed', '=', True)], order='sequence, id', limit=1)
        if not stage:
            raise UserError(_('No closed stage is configured for service '
                              'requests.'))
        self.write({'stage_id': stage.id})

    @api.multi
    def _aftersales_default_promised_date(self):
        """R13: the day promised for a unit brought in: the company's
        setting, in working days from today (its local date)."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        return company._aftersales_add_working_days(
            company._aftersales_today(),
            company.aftersales_request_carry_in_days)

    @api.multi
    def _aftersales_receive_unit(self, condition, accessories=None,
                                 promised_date=None):
        """R13: the unit of a carry-in repair arrives: its accessories and
        visible condition and the date promised are recorded for the goods
        receipt the customer takes home, and its repair order is made.
        Every check before anything is written."""
        self.ensure_one()
        if not self._aftersales_is_receiver():
            raise AccessError(_(
                'Customer service or the technician of request %s receives '
                'the unit brought in.') % self.number)
        if self.closed:
            raise UserError(_('Request %s is closed: no unit is received '
                              'for it.') % self.number)
        if self.aftersales_solution_type != 'carry_in':
            raise UserError(_(
                'Request %s is not a carry-in repair: the technician gives '
                'that solution plan first.') % self.number)
        if self.aftersales_unit_received_date:
            raise UserError(_('The unit of request %s was received '
                              'already.') % self.number)
        if not (condition or '').strip():
            raise UserError(_(
                'Describe the visible condition of the unit (scratches, '
                'dents, missing parts) before receiving it.'))
        company = self.company_id or self.env.user.company_id
        today = company._aftersales_today()
        promised = promised_date or self._aftersales_default_promised_date()
        if isinstance(promised, str):
            promised = fields.Date.from_string(promised)
        if promised < today:
            raise UserError(_('The promised date cannot be before the day '
                              'the unit is received.'))
        if not self._aftersales_open_repairs():
            self._aftersales_check_repair_request()
        # the receipt's fields are written by this action only, after the
        # checks above
        with aftersales_control():
            self.write({
                'aftersales_unit_received_date': fields.Datetime.now(),
                'aftersales_unit_received_user_id': self.env.uid,
                'aftersales_unit_accessories': (accessories or '').strip(),
                'aftersales_unit_condition': condition.strip(),
                'aftersales_promised_date': fields.Date.to_string(promised),
            })
        if not self._aftersales_open_repairs():
            self._aftersales_create_repair()
        self.message_post(body=html_escape(_(
            'Unit received for repair; promised for %s.')
            % fields.Date.to_string(promised)))
        return True

    @api.multi
    def action_solution_plan(self):
        """R13: open the solution plan of the request."""
        self.ensure_one()
        self._ensure_contacted_before_plan()
        if not self.can_give_plan:
            raise AccessError(_(
                'Only the technician of request %s (or the after-sales '
                'manager) gives its solution plan, while it is open.')
                % self.number)
        return wizard_action(_('Solution Plan'),
                             'aftersales.solution.plan.wizard',
                             ticket_id=self.id)

    @api.multi
    def action_receive_unit(self):
        """R13: open the receipt of a unit brought in."""
        self.ensure_one()
        if not self.can_receive_unit:
            raise UserError(_(
                'The unit of request %s cannot be received now: customer '
                'service or its technician receives the unit of a carry-in '
                'repair once.') % self.number)
        return {
            'type': 'ir.actions.act_window',
            'name': _('Receive Unit'),
            'res_model': 'aftersales.unit.receive.wizard',
            'view_mode': 'form', 'target': 'new',
            'context': {'default_ticket_id': self.id},
        }

    @api.multi
    def action_print_goods_receipt(self):
        """R13: the goods receipt of a unit brought in, for the
        customer."""
        for ticket in self:
            if not ticket.aftersales_unit_received_date:
                raise UserError(_('The unit of request %s has not been '
                                  'received: there is no goods receipt to '
                                  'print.') % ticket.number)
        return self.env.ref(
            'aftersales_addon.action_report_goods_receipt').report_action(
                self)
