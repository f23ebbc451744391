# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .aftersales_request_step import (
    ARRIVAL_RULES, MANAGER_GROUP, NEXT, PREVIOUS, SEQUENCE, now_utc)

CUSTOMER_SERVICE_GROUP = 'aftersales_addon.group_aftersales_customer_service'
# the steps only the request's technician (or the manager) records
TECHNICIAN_STEPS = ('contact', 'plan', 'arrival')


class HelpdeskTicket(models.Model):
    """A service request (R10, R11): who asks, about which unit, how it
    reached us, what kind of request it is and how urgent; and the
    deadline chain of its steps (R12)."""

    _name = 'helpdesk.ticket'
    _inherit = ['helpdesk.ticket', 'aftersales.control.mixin',
                'aftersales.activity.mixin']
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
    technician_id = fields.Many2one(
        'res.users', string='Technician', track_visibility='onchange',
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
        ticket = super(HelpdeskTicket, self).create(vals)
        ticket._aftersales_start_chain()
        return ticket

    @api.multi
    def write(self, vals):
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
