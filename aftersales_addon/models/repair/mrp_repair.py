# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import quote as url_quote

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, html_escape

from ..common.aftersales_control_mixin import aftersales_control
from ...tools.actions import wizard_action
from ...tools.early_lock import lock_early
from .stock_quant import empty_quants_removed_at_end

# R1: the technical diagnosis belongs to the technicians and the technical
# department; other departments (finance among them) may not edit it.
DIAGNOSIS_FIELDS = frozenset([
    'fault_category', 'diagnosis', 'repair_plan', 'test_result',
    'test_notes', 'warranty_exclusion', 'warranty_exclusion_note',
])
# Written by Odoo's workflow (confirm, start, end, invoice, cancel) after our
# checks, and by the actions that stamp the times: never typed in.
WORKFLOW_FIELDS = frozenset([
    'state', 'repaired', 'invoiced', 'invoice_id', 'move_id',
    'date_start', 'date_end', 'aftersales_governed',
])
DIAGNOSIS_GROUPS = (
    'aftersales_addon.group_aftersales_technician',
    'aftersales_addon.group_aftersales_technical',
)


class MrpRepair(models.Model):
    """Repair order (R20-R24) extending Odoo's ``mrp.repair``: who works on
    it, the diagnosis and the test, the parts issued by the warehouse and
    the workflow's checks. The other pillars (request, warranty, recovery,
    receivable) extend it in their own ``mrp_repair.py`` and hook into these
    methods through ``super()``."""

    _name = 'mrp.repair'
    _inherit = ['mrp.repair', 'aftersales.control.mixin',
                'aftersales.activity.mixin']
    _aftersales_controlled_fields = WORKFLOW_FIELDS

    aftersales_governed = fields.Boolean(
        string='After-sales Order', readonly=True, copy=False, index=True,
        help='The after-sales controls (warranty decision, finance release, '
             'parts from the warehouse, passed test, old-part recovery) '
             'govern this order: it answers a service request, was made by '
             'an after-sales department or has a technician, or the company '
             'applies them to every repair order. Set when the order is '
             'created.')

    technician_id = fields.Many2one(
        'res.users', string='Technician', index=True,
        track_visibility='onchange',
        # the group's id from the cached xmlid (env.ref would read the
        # group each time the field is described, e.g. on every tracked
        # write of an order)
        domain=lambda self: [('groups_id', 'in', self.env[
            'ir.model.data'].xmlid_to_res_id(
                'aftersales_addon.group_aftersales_technician'))])

    fault_symptom = fields.Text()

    scheduled_date = fields.Datetime(
        string='Visit Planned On', track_visibility='onchange', copy=False,
        help='When the technician is expected at the customer; his '
             'repairs are listed by urgency, then by this date.')

    aftersales_phone = fields.Char(
        string='Customer Phone', compute='_compute_aftersales_contact',
        help='The mobile, else the phone, of the address of the repair.')

    aftersales_map_url = fields.Char(
        string='Map', compute='_compute_aftersales_contact',
        help='Opens the address of the repair in the phone\'s map app.')

    aftersales_address = fields.Char(
        string='Address', compute='_compute_aftersales_contact')

    aftersales_photo_ids = fields.Many2many(
        'ir.attachment', 'mrp_repair_aftersales_photo_rel', 'repair_id',
        'attachment_id', string='Photos', copy=False,
        help='Photos of the unit taken on site (the fault, the exclusion, '
             'the work done); reduced to the size setting on upload.')

    fault_category = fields.Selection(
        [('software', 'Software'),
         ('hardware', 'Hardware'),
         ('electrical', 'Electrical'),
         ('mechanical', 'Mechanical'),
         ('human', 'Human')],
        track_visibility='onchange',
        help='The kind of fault found at diagnosis.')

    diagnosis = fields.Text()

    repair_plan = fields.Text()

    test_result = fields.Selection(
        [('passed', 'Passed'), ('failed', 'Failed')],
        track_visibility='onchange', copy=False,
        help='The test after the work. The order cannot be finished '
             'before a passed test is recorded.')

    test_notes = fields.Text(copy=False)

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

    can_run_workflow = fields.Boolean(
        compute='_compute_can_flags',
        help='The user may change this order (confirm, start, end, cancel, '
             'request parts); read-only departments see no such button.')

    can_create_invoice = fields.Boolean(
        compute='_compute_can_flags',
        help='The user may invoice this order now.')

    @api.multi
    def _compute_can_flags(self):
        writer = self.check_access_rights('write', raise_exception=False)
        finance = self.env.user._aftersales_is_finance()
        for repair in self:
            repair.can_run_workflow = writer
            repair.can_create_invoice = writer and \
                repair.state == '2binvoiced' and \
                (finance or not repair.aftersales_governed)

    @api.depends('address_id', 'partner_id')
    def _compute_aftersales_contact(self):
        """R13: on site, the customer is one tap away: a ``tel:`` number
        and a ``geo:`` link the phone opens in its own map app (no map
        service is called by the server)."""
        for repair in self:
            contact = repair.address_id or repair.partner_id
            phone = contact.mobile or contact.phone or \
                contact.commercial_partner_id.phone or ''
            address = ' '.join(part for part in (
                contact.state_id.name, contact.city, contact.street,
                contact.street2) if part)
            repair.aftersales_phone = phone
            repair.aftersales_address = address
            repair.aftersales_map_url = address and \
                'geo:0,0?q=%s' % url_quote(address) or False

    # ------------------------------------------------------------------
    # Access (R1)
    # ------------------------------------------------------------------
    @api.model
    def _can_edit_diagnosis(self):
        """R1: only technicians and the technical department write the
        diagnosis, the fault category and the test result."""
        return self.env.user._aftersales_in(*DIAGNOSIS_GROUPS)

    @api.multi
    def _aftersales_controlled_in(self, vals, creating=False):
        """R1: the invoicing method is the customer's choice while quoting
        only."""
        names = super(MrpRepair, self)._aftersales_controlled_in(
            vals, creating=creating)
        if not creating and 'invoice_method' in vals and any(
                repair.state != 'draft' for repair in self):
            names.add('invoice_method')
        return names

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
        if repair._aftersales_should_govern():
            # which controls apply is decided once, by the creation: one
            # UPDATE (no tracked field, no chatter), then the ORM is told
            self.env.cr.execute(
                'UPDATE mrp_repair SET aftersales_governed = true '
                'WHERE id = %s', (repair.id,))
            repair.invalidate_cache(['aftersales_governed'], repair.ids)
            repair.modified(['aftersales_governed'])
        if repair.technician_id:
            repair._notify_technician(new=True)
        return repair

    @api.multi
    def unlink(self):
        if self.filtered(lambda r: r.state not in ('draft', 'cancel')):
            raise UserError(_(
                'Only quotations and cancelled repair orders can be deleted; '
                'cancel the order first.'))
        return super(MrpRepair, self).unlink()

    @api.multi
    def _aftersales_should_govern(self):
        """Which repair orders the after-sales controls govern (README,
        "Repair orders"): those with a technician or made by an after-sales
        department, or all of them when the company says so (the request
        pillar adds the orders of a service request). Other orders keep
        Odoo's plain repair flow."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        user = self.env.user
        return bool(company.aftersales_repair_govern_all
                    or self.technician_id or (
                        not user._is_superuser() and
                        user._aftersales_is_department_user()))

    @api.model
    def _check_technician(self, user_id):
        user = self.env['res.users'].browse(user_id)
        group = self.env.ref('aftersales_addon.group_aftersales_technician')
        if group not in user.groups_id:
            raise UserError(_(
                '%s is not in the Technician group and cannot be assigned a '
                'repair order.') % user.name)

    @api.multi
    def _notify_technician(self, new=False):
        """Follow the order and get a to-do when assigned (R14), in the
        technician's language; a previous assignee's to-do goes away (a
        ``new`` order has none). The to-do makes the technician follow the
        order (``_aftersales_schedule_activities``, Odoo's default
        subtypes)."""
        for repair in self:
            if not new:
                repair.sudo().activity_ids.filtered(
                    lambda a: a.aftersales_key == 'repair_assigned' and
                    a.user_id != repair.technician_id).unlink()
            repair._aftersales_schedule_activity(
                repair.technician_id,
                lambda self: _('Repair %s assigned to you') % self.name,
                note=html_escape(repair.fault_symptom or ''),
                key='repair_assigned')

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    @api.multi
    def _ensure_can_invoice(self):
        """Finance invoices repair orders (the invoice rights of the other
        departments stop at reading)."""
        if self.filtered('aftersales_governed') and \
                not self.env.user._aftersales_is_finance():
            raise AccessError(_('Only Finance invoices repair orders.'))

    @api.multi
    def action_repair_invoice_create(self):
        self._ensure_can_invoice()
        # Odoo's own invoicing writes the order's state after our checks
        with aftersales_control():
            return super(MrpRepair, self).action_repair_invoice_create()

    @api.multi
    def action_invoice_create(self, group=False):
        self._ensure_can_invoice()
        with aftersales_control():
            return super(MrpRepair, self).action_invoice_create(group=group)

    @api.multi
    def _ensure_can_confirm(self):
        if self.filtered(lambda repair: repair.state != 'draft'):
            raise UserError(_('Only quotations can be confirmed.'))

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
    def action_repair_confirm(self):
        """Only quotations are confirmed (the warranty pillar decides the
        warranty before)."""
        self._ensure_can_confirm()
        with aftersales_control():
            return super(MrpRepair, self).action_repair_confirm()

    @api.multi
    def action_repair_ready(self):
        """Odoo's "ready" step: from a confirmed order, or once the invoice
        of an order invoiced before repair exists."""
        for repair in self:
            if not (repair.state == 'confirmed' or (
                    repair.state == '2binvoiced' and repair.invoiced)):
                raise UserError(_(
                    '%s cannot be made ready for repair in its current '
                    'state.') % repair.name)
        with aftersales_control():
            return super(MrpRepair, self).action_repair_ready()

    @api.multi
    def action_repair_start(self):
        with aftersales_control():
            res = super(MrpRepair, self).action_repair_start()
            # the start is stamped by the start of the work (R23)
            self.filtered(lambda r: not r.date_start).write(
                {'date_start': fields.Datetime.now()})
        return res

    @api.multi
    def action_repair_cancel(self):
        with aftersales_control():
            res = super(MrpRepair, self).action_repair_cancel()
        # R21: a cancelled order's parts no longer leave the warehouse
        # (sudo: whoever cancels the order may not cancel the warehouse's
        # transfers)
        self.mapped('parts_picking_ids').filtered(
            lambda p: p.state not in ('done', 'cancel')).sudo().action_cancel()
        # nothing left to repair: the technician's to-do goes away
        self.sudo().mapped('activity_ids').filtered(
            lambda a: a.aftersales_key == 'repair_assigned').unlink()
        return res

    @api.multi
    def action_repair_cancel_draft(self):
        with aftersales_control():
            return super(MrpRepair, self).action_repair_cancel_draft()

    @api.multi
    def action_repair_done(self):
        """Odoo consumes the parts and the unit when the work ends: only
        from the end of the work (R21, R23), never called on its own."""
        for repair in self:
            if repair.state != 'under_repair':
                raise UserError(_(
                    'The parts of %s are consumed when the repair ends.')
                    % repair.name)
        self._check_ready_to_end()
        with aftersales_control():
            return super(MrpRepair, self).action_repair_done()

    @api.multi
    def _check_ready_to_end(self):
        """R23: the work ends only after a passed test is recorded; R21:
        every part used must have been issued by the warehouse. Orders the
        after-sales controls do not govern keep Odoo's plain flow."""
        for repair in self.filtered('aftersales_governed'):
            if not repair.test_result:
                raise UserError(_(
                    'Record the test result of repair order %s before '
                    'ending it.') % repair.name)
            if repair.test_result != 'passed':
                raise UserError(_(
                    'The test of repair order %s failed: repair the unit '
                    'again and record a passed test before ending it.')
                    % repair.name)
            # what the warehouse actually issued (done), not what was asked
            missing = repair.operations.filtered(
                lambda line: line.type == 'add' and float_compare(
                    line.qty_issued, line.product_uom_qty,
                    precision_rounding=line.product_uom.rounding) < 0)
            if missing:
                raise UserError(_(
                    'Parts of repair order %(repair)s have not been '
                    'issued by the warehouse yet: %(items)s') % {
                    'repair': repair.name,
                    'items': ', '.join(
                        missing.mapped('product_id.display_name')),
                })

    @api.multi
    def _aftersales_end_hot_records(self):
        """Issue 24: what ``action_repair_end`` locks first (see
        tools/early_lock.py): the orders and the parts they consume
        (quants, FIFO candidate). A pillar that updates another shared row
        at the end adds its record here (one ``lock_early`` call)."""
        return [self, self.mapped('operations.product_id')]

    @api.multi
    def action_repair_end(self):
        # issue 24: the hot rows of the end (parts consumed...) first
        lock_early(self.env, *self._aftersales_end_hot_records())
        self._check_ready_to_end()
        with aftersales_control(), empty_quants_removed_at_end(self.env):
            # the end is stamped by the end of the work (R23)
            self.write({'date_end': fields.Datetime.now()})
            # the parts are consumed from Parts at Repair, where their
            # quants come to zero: removed once, at the end (issue 14)
            res = super(MrpRepair, self).action_repair_end()
        # the work the technician was assigned is done
        self._aftersales_close_activities(['repair_assigned'])
        return res

    # ------------------------------------------------------------------
    # Parts issue and return (R21, R24)
    # ------------------------------------------------------------------
    @api.multi
    def _aftersales_warehouse(self):
        """The warehouse serving this order (R21): the warehouse of the
        order's location, else the company's first warehouse (an order
        made from a request repairs the unit at the customer's)."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        warehouse = self.location_id.get_warehouse()
        if warehouse.company_id != company:
            warehouse = self.env['stock.warehouse'].search(
                [('company_id', '=', company.id)], limit=1)
        return warehouse

    @api.multi
    def _parts_picking_type(self, kind, warehouse=None):
        """The picking type issuing parts to repairs (``issue``) or taking
        unused parts back (``return``): ``warehouse``'s, by default the
        order's warehouse's."""
        self.ensure_one()
        warehouse = warehouse or self._aftersales_warehouse()
        if not warehouse.aftersales_parts_issue_type_id or \
                not warehouse.aftersales_parts_return_type_id:
            # sudo: the types are the warehouse's configuration, made by
            # its own hooks; whoever asks for parts may not make them
            warehouse.sudo()._aftersales_ensure_repair_parts()
        return warehouse['aftersales_parts_%s_type_id' % kind]

    @api.multi
    def _create_parts_picking(self, kind, quantities, warehouse=None):
        """Create one transfer of ``kind`` for ``quantities`` (a dict
        repair line -> quantity) at ``warehouse`` (by default the order's),
        reserve it and prepare the done quantities with the part line's
        serial; the warehouse validates it. The transfer carries the repair
        order number (R21)."""
        self.ensure_one()
        picking_type = self._parts_picking_type(kind, warehouse)
        location, location_dest = self._parts_locations(kind, picking_type)
        # the transfer is linked to its order and its moves to the part
        # lines by this action only (R21); the technician asking stays the
        # author, the warehouse validates
        with aftersales_control():
            return self._create_parts_picking_controlled(
                picking_type, location, location_dest, quantities)

    @api.multi
    def _parts_locations(self, kind, picking_type):
        """Where a parts transfer of ``kind`` comes from and goes to: the
        locations of its type (an issue: the warehouse's stock to Parts at
        Repair; a return: back). Other pillars change them through
        ``super()`` (the request pillar ships the parts of a
        self-replacement to the customer, R13)."""
        self.ensure_one()
        return (picking_type.default_location_src_id,
                picking_type.default_location_dest_id)

    @api.multi
    def _create_parts_returns(self, quantities):
        """R24: unused parts go back to the warehouse they were issued
        from: one return transfer per warehouse for ``quantities`` (a dict
        repair line -> quantity)."""
        self.ensure_one()
        by_warehouse = {}
        for line, qty in quantities.items():
            by_warehouse.setdefault(
                line._aftersales_issue_warehouse(), {})[line] = qty
        pickings = self.env['stock.picking']
        for warehouse, items in by_warehouse.items():
            pickings |= self._create_parts_picking('return', items, warehouse)
        return pickings

    @api.multi
    def _create_parts_picking_controlled(self, picking_type, location,
                                         location_dest, quantities):
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
        # issue 24: the parts reserved (quants) first
        lock_early(self.env, self, self.mapped('operations.product_id'))
        if self.state in ('draft', 'cancel', 'done'):
            raise UserError(_(
                'Parts are issued to a confirmed repair order only '
                '(%(name)s is %(state)s).') % {
                'name': self.name,
                'state': dict(self._fields['state']._description_selection(
                    self.env))[self.state],
            })
        quantities = {
            line: line.qty_to_issue
            for line in self.operations.filtered(
                lambda line: line.type == 'add' and line.qty_to_issue > 0)}
        if not quantities:
            raise UserError(_('All parts of %s have been requested '
                              'already.') % self.name)
        issue_location = self._parts_locations(
            'issue', self._parts_picking_type('issue'))[1]
        # The parts are consumed where they were issued to (Odoo moves them
        # from the line's location to production when the repair is done):
        # the Parts at Repair location of the order's warehouse.
        self.env['mrp.repair.line'].concat(*quantities).write(
            {'location_id': issue_location.id})
        picking = self._create_parts_picking('issue', quantities)
        return picking.get_formview_action()

    @api.multi
    def action_return_parts(self):
        """R24: open the wizard returning unused parts against this order."""
        self.ensure_one()
        return wizard_action(
            _('Return Unused Parts'), 'aftersales.repair.return.wizard',
            repair_id=self.id)

    @api.multi
    def action_view_parts_pickings(self):
        self.ensure_one()
        action = self.env.ref('stock.action_picking_tree_all').read()[0]
        action['domain'] = [('aftersales_repair_id', '=', self.id)]
        action['context'] = {}
        return action

    @api.multi
    def action_print_service_report(self):
        return self.env.ref(
            'aftersales_addon.action_report_service').report_action(self)
