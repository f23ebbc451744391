# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape


class HelpdeskTicket(models.Model):
    """A service request (R10, R11): who asks, about which unit, how it
    reached us, what kind of request it is and how urgent."""

    _inherit = 'helpdesk.ticket'

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
        self._move_to_work_stage(
            note=_('Repair order %s created.') % html_escape(repair.name))
        return repair.get_formview_action()

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
