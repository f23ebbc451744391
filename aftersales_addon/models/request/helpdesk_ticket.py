# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html_escape

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


class HelpdeskTicket(models.Model):
    """A service request (R10, R11): who asks, about which unit, how it
    reached us, what kind of request it is and how urgent; and the
    deadline chain of its steps (R12)."""

    _name = 'helpdesk.ticket'
    _inherit = ['helpdesk.ticket', 'aftersales.control.mixin',
                'aftersales.activity.mixin']
    # R14: the queues list urgent requests first, then the oldest
    _order = 'urgency_rank, received_date, id'
    # R12: recorded by the steps' actions and the scheduled check only
    _aftersales_controlled_fields = frozenset([
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
        string='Next Deadline', compute='_compute_aftersales_deadlines',
        help='The earliest deadline of the steps still open.')
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

    @api.depends('aftersales_step_ids')
    def _compute_aftersales_deadlines(self):
        """The earliest open deadline, the arrival rule, and which step
        buttons the current user may use (one read of the steps)."""
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
            open_deadlines = [row['deadline'] for row in mine.values()
                              if row['state'] == 'open']
            ticket.aftersales_next_deadline = min(open_deadlines) \
                if open_deadlines else False
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
        }

    @api.multi
    def action_create_repair(self):
        """Create the repair order of a repair request (R20) and open it."""
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
        repair = self.env['mrp.repair'].create(self._prepare_repair_values())
        self._move_to_work_stage()
        self.message_post(body=_('Repair order %s created.') % repair.name)
        return repair.get_formview_action()

    @api.multi
    def _move_to_work_stage(self):
        """A request still waiting for attention is being worked on once its
        repair order exists: move it to the first open, attended stage."""
        waiting = self.filtered(lambda t: t.stage_id.unattended)
        if not waiting:
            return
        stage = self.env['helpdesk.ticket.stage'].search(
            [('unattended', '=', False), ('closed', '=', False)],
            order='sequence, id', limit=1)
        if stage:
            waiting.write({'stage_id': stage.id})

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
