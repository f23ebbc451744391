# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html_escape

from ..common.aftersales_control_mixin import (
    aftersales_control, in_aftersales_control)
from ...tools.actions import wizard_action

TECHNICIAN_GROUP = 'aftersales_addon.group_aftersales_technician'
MANAGER_GROUP = 'aftersales_addon.group_aftersales_manager'
# R14: customer service forwards the requests; the manager may too
DISPATCH_GROUPS = ('aftersales_addon.group_aftersales_customer_service',
                   MANAGER_GROUP)
URGENCY_RANKS = {'urgent': 0, 'important': 1}


class HelpdeskTicket(models.Model):
    """A service request (R10, R11): who asks, about which unit, how it
    reached us, what kind of request it is and how urgent."""

    _inherit = 'helpdesk.ticket'
    # R14: the queues list urgent requests first, then the oldest
    _order = 'urgency_rank, received_date, id'

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

    # ------------------------------------------------------------------
    # Dispatch (R14)
    # ------------------------------------------------------------------
    @api.model
    def create(self, vals):
        if vals.get('technician_id') and \
                not self._aftersales_dispatch_checked():
            # a technician chosen at intake passes the dispatch rules
            # before the request is written
            self.new({
                'name': vals.get('name'),
                'product_id': vals.get('product_id'),
                'company_id': vals.get('company_id') or
                self.env.user.company_id.id,
            })._aftersales_check_dispatch(
                self.env['res.users'].browse(vals['technician_id']))
        return super(HelpdeskTicket, self).create(vals)

    @api.multi
    def write(self, vals):
        if vals.get('technician_id') and \
                not self._aftersales_dispatch_checked():
            # changing the technician of a request is a dispatch: by the
            # dispatching departments, on the same rules
            self._ensure_can_dispatch()
            technician = self.env['res.users'].browse(vals['technician_id'])
            for ticket in self:
                ticket._aftersales_check_dispatch(technician)
        return super(HelpdeskTicket, self).write(vals)

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
