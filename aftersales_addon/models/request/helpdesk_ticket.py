# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html_escape, plaintext2html

from ..common.aftersales_control_mixin import aftersales_control

MANAGER_GROUP = 'aftersales_addon.group_aftersales_manager'
CUSTOMER_SERVICE_GROUP = 'aftersales_addon.group_aftersales_customer_service'
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
    reached us, what kind of request it is and how urgent; the solution
    the technician plans for it (R13)."""

    _name = 'helpdesk.ticket'
    _inherit = ['helpdesk.ticket', 'aftersales.control.mixin']
    _aftersales_controlled_fields = PLAN_FIELDS

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

    @api.multi
    def _aftersales_step_done(self, code):
        """R12: the step ``code`` of each request is met now, by the
        current user. Codes: 'to_service' (sales forwarded the customer's
        report), 'to_technician' (customer service forwarded it),
        'contact' (the technician contacted the customer), 'plan' (the
        solution plan is given), 'arrival' (on site, or answered when the
        customer is outside the service radius). Other pillars call it from
        the action that completes the step; the deadline chain stamps and
        checks the step here."""
        return True

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
        self._move_to_work_stage()
        self.message_post(body=_('Repair order %s created.') % repair.name)
        return repair

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
        for ticket in self:
            ticket.can_give_plan = not ticket.closed and \
                ticket._aftersales_is_planner()
            ticket.can_receive_unit = not ticket.closed and \
                ticket.aftersales_solution_type == 'carry_in' and \
                not ticket.aftersales_unit_received_date and \
                ticket._aftersales_is_receiver()

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
        self._aftersales_plan_event(kind, plan)
        self._aftersales_plan_repair(kind)
        self.message_post(body=self._aftersales_plan_note(kind))
        if kind == 'phone':
            self._aftersales_close_request()
        self._aftersales_step_done('plan')
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
        if not self.can_give_plan:
            raise AccessError(_(
                'Only the technician of request %s (or the after-sales '
                'manager) gives its solution plan, while it is open.')
                % self.number)
        return {
            'type': 'ir.actions.act_window',
            'name': _('Solution Plan'),
            'res_model': 'aftersales.solution.plan.wizard',
            'view_mode': 'form', 'target': 'new',
            'context': {'default_ticket_id': self.id},
        }

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
