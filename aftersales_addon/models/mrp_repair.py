# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

# R1: the technical diagnosis belongs to the technicians and the technical
# department; other departments (finance among them) may not edit it.
DIAGNOSIS_FIELDS = frozenset([
    'fault_category', 'diagnosis', 'repair_plan', 'test_result',
    'test_notes',
])
DIAGNOSIS_GROUPS = (
    'aftersales_addon.group_aftersales_technician',
    'aftersales_addon.group_aftersales_technical',
)


class MrpRepair(models.Model):
    """Repair order (R20-R24) extending Odoo's ``mrp.repair``."""

    _inherit = 'mrp.repair'

    ticket_id = fields.Many2one(
        'helpdesk.ticket', string='Service Request', index=True,
        readonly=True, copy=False, ondelete='restrict',
        help='R20: the request this repair order answers.')
    technician_id = fields.Many2one(
        'res.users', string='Technician', index=True,
        track_visibility='onchange',
        domain=lambda self: [('groups_id', 'in', self.env.ref(
            'aftersales_addon.group_aftersales_technician').id)])
    fault_symptom = fields.Text(string='Fault Symptom')
    fault_category = fields.Selection(
        [('software', 'Software'),
         ('hardware', 'Hardware'),
         ('electrical', 'Electrical'),
         ('mechanical', 'Mechanical'),
         ('human', 'Human')],
        string='Fault Category', track_visibility='onchange',
        help='R20: the kind of fault found at diagnosis.')
    diagnosis = fields.Text(string='Diagnosis')
    repair_plan = fields.Text(string='Repair Plan')
    test_result = fields.Selection(
        [('passed', 'Passed'), ('failed', 'Failed')],
        string='Test Result', track_visibility='onchange', copy=False,
        help='R23: the test after the work. The order cannot be finished '
             'before a passed test is recorded.')
    test_notes = fields.Text(string='Test Notes', copy=False)
    date_start = fields.Datetime(
        string='Started On', readonly=True, copy=False)
    date_end = fields.Datetime(string='Ended On', readonly=True, copy=False)
    # Parts and labour found during the work are added after confirmation.
    operations = fields.One2many(states={
        'draft': [('readonly', False)], 'confirmed': [('readonly', False)],
        'ready': [('readonly', False)], 'under_repair': [('readonly', False)],
    })
    fees_lines = fields.One2many(states={
        'draft': [('readonly', False)], 'confirmed': [('readonly', False)],
        'ready': [('readonly', False)], 'under_repair': [('readonly', False)],
    })
    parts_picking_ids = fields.One2many(
        'stock.picking', 'aftersales_repair_id',
        string='Parts Transfers', readonly=True)
    parts_picking_count = fields.Integer(
        string='Parts Transfers', compute='_compute_parts_picking_count')

    @api.depends('operations.price_subtotal', 'operations.product_uom_qty',
                 'operations.price_unit', 'invoice_method',
                 'fees_lines.price_subtotal', 'fees_lines.product_uom_qty',
                 'fees_lines.price_unit', 'pricelist_id.currency_id')
    def _amount_untaxed(self):
        # Odoo 11 does not recompute the stored total when a line quantity
        # changes through the non-stored subtotal (e.g. parts returned
        # unused, R24): depend on the stored line fields as well.
        return super(MrpRepair, self)._amount_untaxed()

    @api.depends('parts_picking_ids')
    def _compute_parts_picking_count(self):
        data = self.env['stock.picking'].read_group(
            [('aftersales_repair_id', 'in', self.ids)],
            ['aftersales_repair_id'], ['aftersales_repair_id'])
        counts = {d['aftersales_repair_id'][0]: d['aftersales_repair_id_count']
                  for d in data}
        for repair in self:
            repair.parts_picking_count = counts.get(repair.id, 0)

    # ------------------------------------------------------------------
    # Access (R1)
    # ------------------------------------------------------------------
    @api.model
    def _can_edit_diagnosis(self):
        """R1: only technicians and the technical department write the
        diagnosis, the fault category and the test result."""
        user = self.env.user
        return user._is_superuser() or any(
            user.has_group(group) for group in DIAGNOSIS_GROUPS)

    @api.multi
    def write(self, vals):
        if DIAGNOSIS_FIELDS.intersection(vals) and \
                not self._can_edit_diagnosis():
            raise AccessError(_(
                'Only technicians and the technical department may change '
                'the diagnosis, fault category or test result of a repair '
                'order.'))
        if vals.get('technician_id'):
            self._check_technician(vals['technician_id'])
        res = super(MrpRepair, self).write(vals)
        if vals.get('technician_id'):
            self._notify_technician()
        return res

    @api.model
    def create(self, vals):
        if vals.get('technician_id'):
            self._check_technician(vals['technician_id'])
        repair = super(MrpRepair, self).create(vals)
        if repair.ticket_id and not repair.fault_symptom:
            repair.fault_symptom = repair.ticket_id.fault_symptom
        if repair.technician_id:
            repair._notify_technician()
        return repair

    @api.multi
    def unlink(self):
        if self.filtered(lambda r: r.state not in ('draft', 'cancel')):
            raise UserError(_(
                'Only quotations and cancelled repair orders can be deleted; '
                'cancel the order first.'))
        return super(MrpRepair, self).unlink()

    @api.model
    def _check_technician(self, user_id):
        user = self.env['res.users'].browse(user_id)
        group = self.env.ref('aftersales_addon.group_aftersales_technician')
        if group not in user.groups_id:
            raise UserError(_(
                '%s is not in the Technician group and cannot be assigned a '
                'repair order.') % user.name)

    @api.multi
    def _notify_technician(self):
        """Follow the order and get a to-do when assigned (R14)."""
        activity_type = self.env.ref('mail.mail_activity_data_todo')
        for repair in self:
            repair.message_subscribe_users(user_ids=repair.technician_id.ids)
            repair._schedule_technician_activity(activity_type)

    @api.multi
    def _schedule_technician_activity(self, activity_type):
        self.ensure_one()
        self.env['mail.activity'].create({
            'res_model_id': self.env['ir.model']._get('mrp.repair').id,
            'res_id': self.id,
            'activity_type_id': activity_type.id,
            'user_id': self.technician_id.id,
            'summary': _('Repair %s assigned to you') % self.name,
            'note': self.fault_symptom or '',
        })

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    @api.multi
    def action_validate(self):
        """A customer's unit repaired where it is (at the customer location)
        is not in our stock: Odoo's stock availability warning does not
        apply to it."""
        self.ensure_one()
        if self.location_id.usage != 'internal':
            return self.action_repair_confirm()
        return super(MrpRepair, self).action_validate()

    @api.multi
    def action_repair_start(self):
        res = super(MrpRepair, self).action_repair_start()
        self.filtered(lambda r: not r.date_start).write(
            {'date_start': fields.Datetime.now()})
        return res

    @api.multi
    def _check_ready_to_end(self):
        """R23: the work ends only after a passed test is recorded; R21:
        every part used must have been issued by the warehouse."""
        for repair in self:
            if not repair.test_result:
                raise UserError(_(
                    'Record the test result of repair order %s before '
                    'ending it.') % repair.name)
            if repair.test_result != 'passed':
                raise UserError(_(
                    'The test of repair order %s failed: repair the unit '
                    'again and record a passed test before ending it.')
                    % repair.name)
            missing = repair.operations.filtered(
                lambda l: l.type == 'add' and l.qty_to_issue > 0)
            if missing:
                raise UserError(_(
                    'Parts of repair order %s have not been issued by the '
                    'warehouse yet: %s') % (repair.name, ', '.join(
                        missing.mapped('product_id.display_name'))))

    @api.multi
    def action_repair_end(self):
        self._check_ready_to_end()
        self.write({'date_end': fields.Datetime.now()})
        return super(MrpRepair, self).action_repair_end()

    # ------------------------------------------------------------------
    # Parts issue and return (R21, R24)
    # ------------------------------------------------------------------
    @api.multi
    def _parts_picking_type(self, kind):
        """The picking type issuing parts to repairs (``issue``) or taking
        unused parts back (``return``)."""
        xmlid = {
            'issue': 'aftersales_addon.picking_type_parts_issue',
            'return': 'aftersales_addon.picking_type_parts_return',
        }[kind]
        return self.env.ref(xmlid)

    @api.multi
    def _create_parts_picking(self, kind, quantities):
        """Create one transfer of ``kind`` for ``quantities`` (a dict
        repair line -> quantity), reserve it and prepare the done quantities
        with the part line's serial; the warehouse validates it. The
        transfer carries the repair order number (R21)."""
        self.ensure_one()
        picking_type = self._parts_picking_type(kind)
        location = picking_type.default_location_src_id
        location_dest = picking_type.default_location_dest_id
        picking = self.env['stock.picking'].create({
            'picking_type_id': picking_type.id,
            'location_id': location.id,
            'location_dest_id': location_dest.id,
            'origin': self.name,
            'partner_id': self.partner_id.id,
            'aftersales_repair_id': self.id,
            'move_lines': [(0, 0, {
                'name': '%s: %s' % (self.name, line.name),
                'product_id': line.product_id.id,
                'product_uom': line.product_uom.id,
                'product_uom_qty': qty,
                'location_id': location.id,
                'location_dest_id': location_dest.id,
                'picking_type_id': picking_type.id,
                'aftersales_repair_line_id': line.id,
                'repair_id': self.id,
            }) for line, qty in quantities.items()],
        })
        picking.action_confirm()
        picking.action_assign()
        for move_line in picking.move_line_ids:
            lot = move_line.move_id.aftersales_repair_line_id.lot_id
            vals = {'qty_done': move_line.product_uom_qty}
            if lot and move_line.lot_id != lot:
                vals['lot_id'] = lot.id
            move_line.write(vals)
        return picking

    @api.multi
    def action_issue_parts(self):
        """R21: request the parts of the order's part lines from the
        warehouse, as one transfer numbered after the repair order."""
        self.ensure_one()
        if self.state in ('draft', 'cancel', 'done'):
            raise UserError(_(
                'Parts are issued to a confirmed repair order only (%s is '
                '%s).') % (self.name, dict(self._fields['state']
                                            ._description_selection(
                                                self.env))[self.state]))
        quantities = {
            line: line.qty_to_issue
            for line in self.operations.filtered(
                lambda l: l.type == 'add' and l.qty_to_issue > 0)}
        if not quantities:
            raise UserError(_('All parts of %s have been requested '
                              'already.') % self.name)
        issue_location = self._parts_picking_type(
            'issue').default_location_dest_id
        # The parts are consumed where they were issued to (Odoo moves them
        # from the line's location to production when the repair is done).
        self.operations.filtered(lambda l: l.type == 'add').write(
            {'location_id': issue_location.id})
        picking = self._create_parts_picking('issue', quantities)
        return picking.get_formview_action()

    @api.multi
    def action_return_parts(self):
        """R24: open the wizard returning unused parts against this order."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Return Unused Parts'),
            'res_model': 'aftersales.repair.return.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_repair_id': self.id},
        }

    @api.multi
    def action_view_parts_pickings(self):
        self.ensure_one()
        action = self.env.ref('stock.action_picking_tree_all').read()[0]
        action['domain'] = [('aftersales_repair_id', '=', self.id)]
        action['context'] = {}
        return action

    @api.multi
    def action_view_ticket(self):
        self.ensure_one()
        return self.ticket_id.get_formview_action()

    @api.multi
    def action_print_service_report(self):
        return self.env.ref(
            'aftersales_addon.action_report_service').report_action(self)
