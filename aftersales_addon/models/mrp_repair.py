# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import quote as url_quote

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, html_escape

from .aftersales_control_mixin import aftersales_control
from .aftersales_finance_release_mixin import RELEASE_FIELDS
from .stock_production_lot import EARLY_FAILURES, WARRANTY_STATES

# R1: the technical diagnosis belongs to the technicians and the technical
# department; other departments (finance among them) may not edit it.
DIAGNOSIS_FIELDS = frozenset([
    'fault_category', 'diagnosis', 'repair_plan', 'test_result',
    'test_notes', 'warranty_exclusion', 'warranty_exclusion_note',
])
# R33: the warranty decision is written by the decision itself or by the
# technical department's override, never typed in.
WARRANTY_DECISION_FIELDS = frozenset([
    'warranty_state', 'warranty_rule_id', 'warranty_tier_id',
    'warranty_start_date', 'warranty_end_date', 'warranty_early_failure',
    'warranty_override', 'warranty_override_reason',
])
# Written by Odoo's workflow (confirm, start, end, invoice, cancel) after our
# checks, and by the actions that stamp the times: never typed in.
WORKFLOW_FIELDS = frozenset([
    'state', 'repaired', 'invoiced', 'invoice_id', 'move_id',
    'date_start', 'date_end', 'service_type', 'aftersales_governed',
])
# R30/R33: what the decision was made from; after the decision it changes
# only through the technical department's override.
DECISION_BASIS_FIELDS = frozenset(['failure_date', 'lot_id', 'product_id'])
TECHNICAL_GROUP = 'aftersales_addon.group_aftersales_technical'
DIAGNOSIS_GROUPS = (
    'aftersales_addon.group_aftersales_technician',
    'aftersales_addon.group_aftersales_technical',
)


class MrpRepair(models.Model):
    """Repair order (R20-R24) extending Odoo's ``mrp.repair``; Finance
    releases its parts (R22) through the release mixin."""

    _name = 'mrp.repair'
    _inherit = ['mrp.repair', 'aftersales.finance.release.mixin',
                'aftersales.activity.mixin']
    _aftersales_controlled_fields = \
        WARRANTY_DECISION_FIELDS | RELEASE_FIELDS | WORKFLOW_FIELDS
    _aftersales_release_where = \
        "aftersales_governed AND state NOT IN ('draft', 'cancel', 'done')"

    aftersales_governed = fields.Boolean(
        string='After-sales Order', readonly=True, copy=False, index=True,
        help='The after-sales controls (warranty decision, finance release, '
             'parts from the warehouse, passed test, old-part recovery) '
             'govern this order: it answers a service request, was made by '
             'an after-sales department or has a technician, or the company '
             'applies them to every repair order. Set when the order is '
             'created.')
    ticket_id = fields.Many2one(
        'helpdesk.ticket', string='Service Request', index=True,
        readonly=True, copy=False, ondelete='restrict',
        help='The request this repair order answers.')
    technician_id = fields.Many2one(
        'res.users', string='Technician', index=True,
        track_visibility='onchange',
        domain=lambda self: [('groups_id', 'in', self.env.ref(
            'aftersales_addon.group_aftersales_technician').id)])
    fault_symptom = fields.Text()
    urgency = fields.Selection(
        related='ticket_id.urgency', store=True, readonly=True,
        string='Urgency')
    urgency_rank = fields.Integer(
        compute='_compute_urgency_rank', store=True, index=True,
        help='Urgent first, then important, then normal: the order of a '
             'technician\'s repairs.')
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
    failure_date = fields.Date(
        string='Failure Reported On', copy=False,
        default=lambda self: self.env.user.company_id._aftersales_today_str(),
        track_visibility='onchange',
        help='The warranty is evaluated on this date (the day the '
             'customer reported the fault).')
    warranty_state = fields.Selection(
        WARRANTY_STATES, string='Warranty Decision', readonly=True,
        copy=False, track_visibility='onchange',
        help='Decided when the order is confirmed; drives the price '
             'of every line. Only the technical department overrides it.')
    warranty_rule_id = fields.Many2one(
        'aftersales.warranty.rule', string='Warranty Rule', readonly=True,
        copy=False)
    warranty_tier_id = fields.Many2one(
        'aftersales.warranty.tier', string='Warranty Tier', readonly=True,
        copy=False, track_visibility='onchange')
    warranty_start_date = fields.Date(
        string='Warranty Start', readonly=True, copy=False)
    warranty_end_date = fields.Date(
        string='Warranty End', readonly=True, copy=False)
    warranty_early_failure = fields.Selection(
        EARLY_FAILURES, string='Early Failure', readonly=True, copy=False,
        help='Within the dead-on-arrival or quality-failure window the '
             'unit is repaired first; the customer may have it exchanged or '
             'returned when it cannot be repaired.')
    warranty_exclusion = fields.Selection(
        [('human', 'Human damage'),
         ('disassembly', 'Unauthorised disassembly'),
         ('modification', 'Unauthorised modification')],
        track_visibility='onchange', copy=False,
        help='Recorded by the technician at diagnosis (attach photos '
             'to the order); the repair is then charged.')
    warranty_exclusion_note = fields.Text(string='Exclusion Details',
                                          copy=False)
    # not tracked: Odoo 11's chatter shows a tracked boolean as "true";
    # the override posts who changed what, and why (override wizard)
    warranty_override = fields.Boolean(
        string='Decision Overridden', readonly=True, copy=False)
    warranty_override_reason = fields.Text(
        string='Override Reason', readonly=True, copy=False,
        track_visibility='onchange')
    service_type = fields.Selection(
        [('paid', 'Paid'), ('contract', 'Contract'),
         ('free_warranty', 'Free warranty'), ('internal', 'Internal')],
        compute='_compute_service_type', store=True,
        help='Internal for the company\'s own units, contract for '
             'customers under a service contract, free warranty when the '
             'warranty covers every line (deposits included), else paid.')
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
    recovery_ids = fields.One2many(
        'aftersales.part.recovery', 'repair_id', string='Old Parts',
        readonly=True)
    recovery_count = fields.Integer(string='Old Parts',
                                    compute='_compute_recovery_count')
    aftersales_deposit_amount = fields.Float(
        string='Deposit Charged', compute='_compute_aftersales_deposit',
        digits=dp.get_precision('Product Price'),
        help='The warranty parts whose old part must come back are '
             'charged at their price until the warehouse receives the old '
             'part; this much (taxes excluded) is then given back.')
    aftersales_deposit_open = fields.Float(
        string='Deposit Still Held', compute='_compute_aftersales_deposit',
        digits=dp.get_precision('Product Price'),
        help='What is given back when the old parts still outstanding '
             'come back (taxes excluded).')
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

    @api.depends('warranty_state', 'partner_id',
                 'partner_id.commercial_partner_id.'
                 'aftersales_service_contract',
                 'company_id.partner_id', 'operations.warranty_coverage',
                 'fees_lines.warranty_coverage')
    def _compute_service_type(self):
        """R91: the service type follows from the customer and the warranty
        decision."""
        for repair in self:
            customer = repair.partner_id.commercial_partner_id
            coverages = repair.operations.filtered(
                lambda ln: ln.type == 'add').mapped('warranty_coverage') + \
                repair.fees_lines.mapped('warranty_coverage')
            if customer and customer == \
                    repair.company_id.partner_id.commercial_partner_id:
                repair.service_type = 'internal'
            elif customer.aftersales_service_contract:
                repair.service_type = 'contract'
            elif repair.warranty_state == 'in' and all(
                    cov in ('free', 'deposit') for cov in coverages):
                repair.service_type = 'free_warranty'
            else:
                repair.service_type = 'paid'

    @api.multi
    def _compute_aftersales_deposit(self):
        """R42: the deposit charged on the order, and what of it is still
        held until old parts come back."""
        for repair in self:
            deposits = repair.operations.filtered(
                lambda line: line.type == 'add' and
                line.warranty_coverage == 'deposit')
            repair.aftersales_deposit_amount = sum(
                deposits.mapped('price_subtotal'))
            held = 0.0
            for line in deposits:
                recovery = line.recovery_ids[:1]
                back = recovery.credited_qty if recovery else 0.0
                held += line.price_unit * max(
                    line.product_uom_qty - back, 0.0)
            repair.aftersales_deposit_open = held

    @api.depends('recovery_ids')
    def _compute_recovery_count(self):
        data = self.env['aftersales.part.recovery'].read_group(
            [('repair_id', 'in', self.ids)], ['repair_id'], ['repair_id'])
        counts = {d['repair_id'][0]: d['repair_id_count'] for d in data}
        for repair in self:
            repair.recovery_count = counts.get(repair.id, 0)

    @api.multi
    def action_view_recoveries(self):
        self.ensure_one()
        action = self.env.ref(
            'aftersales_addon.aftersales_part_recovery_action').read()[0]
        action['domain'] = [('repair_id', '=', self.id)]
        action['context'] = {}
        return action

    @api.multi
    def action_receive_old_parts(self):
        """R43: the warehouse receives every outstanding old part of the
        order at once."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Receive Old Parts'),
            'res_model': 'aftersales.recovery.receive.wizard',
            'view_mode': 'form', 'target': 'new',
            'context': {'default_repair_id': self.id},
        }

    @api.multi
    def _aftersales_invoices(self):
        self.ensure_one()
        return self.invoice_id.filtered(
            lambda i: i.type == 'out_invoice' and i.state != 'cancel')

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
    # Guards: what the current user may do now (buttons and actions agree)
    # ------------------------------------------------------------------
    can_override_warranty = fields.Boolean(
        compute='_compute_can_flags',
        help='The technical department may override this decision now.')
    can_recheck_warranty = fields.Boolean(
        compute='_compute_can_flags',
        help='A technician may decide the warranty again now.')
    can_receive_old_parts = fields.Boolean(
        compute='_compute_can_flags',
        help='The warehouse may receive old parts of this order now.')
    can_run_workflow = fields.Boolean(
        compute='_compute_can_flags',
        help='The user may change this order (confirm, start, end, cancel, '
             'request parts); read-only departments see no such button.')
    can_create_invoice = fields.Boolean(
        compute='_compute_can_flags',
        help='The user may invoice this order now.')

    @api.multi
    def _compute_can_flags(self):
        user = self.env.user
        technical = user._is_superuser() or user.has_group(TECHNICAL_GROUP)
        rechecks = self._can_recheck_warranty()
        warehouse = user._is_superuser() or user.has_group(
            'aftersales_addon.group_aftersales_warehouse')
        writer = self.check_access_rights('write', raise_exception=False)
        finance = user._aftersales_is_finance()
        for repair in self:
            repair.can_run_workflow = writer
            repair.can_create_invoice = writer and \
                repair.state == '2binvoiced' and \
                (finance or not repair.aftersales_governed)
            open_decision = bool(repair.warranty_state) and \
                repair.state not in ('done', 'cancel') and \
                not repair.invoiced
            repair.can_override_warranty = technical and open_decision
            repair.can_recheck_warranty = writer and rechecks and \
                open_decision and not repair.warranty_override
            repair.can_receive_old_parts = warehouse and \
                repair.state != 'cancel' and any(
                    rec.state == 'to_return' for rec in repair.recovery_ids)

    @api.multi
    def _ensure_can_override_warranty(self):
        """R33: only the technical department overrides, while the order is
        open and not invoiced."""
        user = self.env.user
        if not (user._is_superuser() or user.has_group(TECHNICAL_GROUP)):
            raise AccessError(_('Only the technical department may '
                                'override a warranty decision.'))
        for repair in self:
            if repair.state in ('done', 'cancel') or repair.invoiced:
                raise UserError(_(
                    'The warranty decision of %s can no longer change: the '
                    'order is finished or invoiced.') % repair.name)

    @api.model
    def _can_recheck_warranty(self):
        """R33: customer service (who enters the proof of purchase),
        technicians and the technical department decide again on the same
        facts; the failure date is no longer theirs to change."""
        user = self.env.user
        return self._can_edit_diagnosis() or user.has_group(
            'aftersales_addon.group_aftersales_customer_service')

    @api.multi
    def _ensure_can_recheck_warranty(self):
        """R33: see ``_can_recheck_warranty``; an overridden decision
        stays as the technical department set it."""
        if not self._can_recheck_warranty():
            raise AccessError(_('Only customer service, technicians and the '
                                'technical department may decide the '
                                'warranty again.'))
        for repair in self:
            if repair.state in ('done', 'cancel') or repair.invoiced:
                raise UserError(_('A finished, cancelled or invoiced order '
                                  'keeps its warranty decision.'))
            if repair.warranty_override:
                raise UserError(_(
                    'The warranty decision of %s was overridden by the '
                    'technical department; only an override changes it.')
                    % repair.name)

    @api.depends('urgency')
    def _compute_urgency_rank(self):
        ranks = {'urgent': 0, 'important': 1}
        for repair in self:
            repair.urgency_rank = ranks.get(repair.urgency, 2)

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
        user = self.env.user
        return user._is_superuser() or any(
            user.has_group(group) for group in DIAGNOSIS_GROUPS)

    @api.multi
    def _aftersales_controlled_in(self, vals, creating=False):
        """R33: once the warranty is decided, the failure date, the unit
        and its serial change only through the override; R1: the invoicing
        method is the customer's choice while quoting only."""
        names = super(MrpRepair, self)._aftersales_controlled_in(
            vals, creating=creating)
        if not creating:
            if any(repair.warranty_state for repair in self):
                names |= DECISION_BASIS_FIELDS.intersection(vals)
            if 'invoice_method' in vals and any(
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
        if 'warranty_exclusion' in vals:
            # R31: an exclusion recorded after confirmation re-decides
            self.filtered(lambda r: r.warranty_state)._decide_warranty()
        return res

    @api.model
    def create(self, vals):
        if vals.get('technician_id'):
            self._check_technician(vals['technician_id'])
        repair = super(MrpRepair, self).create(vals)
        if repair._aftersales_should_govern():
            # which controls apply is decided once, by the creation
            with aftersales_control():
                repair.aftersales_governed = True
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

    @api.multi
    def _aftersales_release_needed(self):
        """R22: only orders the after-sales controls govern wait for
        Finance."""
        self.ensure_one()
        return self.aftersales_governed and super(
            MrpRepair, self)._aftersales_release_needed()

    @api.multi
    def _aftersales_should_govern(self):
        """Which repair orders the after-sales controls govern (README,
        "Repair orders"): those of a service request, with a technician or
        made by an after-sales department, or all of them when the company
        says so. Other orders keep Odoo's plain repair flow."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        user = self.env.user
        return bool(company.aftersales_govern_all_repairs or self.ticket_id
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
    def _notify_technician(self):
        """Follow the order and get a to-do when assigned (R14), in the
        technician's language; a previous assignee's to-do goes away."""
        for repair in self:
            repair.sudo().activity_ids.filtered(
                lambda a: a.aftersales_key == 'repair_assigned' and
                a.user_id != repair.technician_id).unlink()
            repair.message_subscribe_users(user_ids=repair.technician_id.ids)
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
            res = super(MrpRepair, self).action_invoice_create(group=group)
        # R50: the receivable of a vouched order follows its invoice
        for repair in self.filtered('receivable_id'):
            repair.receivable_id.write({'invoice_ids': [
                (4, inv.id) for inv in repair._aftersales_invoices()]})
        # R42: deposits of old parts already back are given back at once
        self.env['aftersales.part.recovery']._credit_pending_deposits(self)
        return res

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
        """R33: the warranty is decided when the order is confirmed."""
        if self.filtered(lambda repair: repair.state != 'draft'):
            raise UserError(_('Only quotations can be confirmed.'))
        self.filtered('aftersales_governed')._decide_warranty()
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
        # R21/R22: a cancelled order's parts no longer leave the warehouse
        # (sudo: whoever cancels the order may not cancel the warehouse's
        # transfers), and its receivable is closed
        self.mapped('parts_picking_ids').filtered(
            lambda p: p.state not in ('done', 'cancel')).sudo().action_cancel()
        self.sudo().mapped('receivable_id')._close_for_cancelled_orders()
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
    def action_repair_end(self):
        self._check_ready_to_end()
        with aftersales_control():
            # the end is stamped by the end of the work (R23)
            self.write({'date_end': fields.Datetime.now()})
            res = super(MrpRepair, self).action_repair_end()
        # R40: every part replaced under warranty owes its old part
        self.env['aftersales.part.recovery']._create_for_repairs(
            self.filtered('aftersales_governed'))
        # the work the technician was assigned is done
        self._aftersales_close_activities(['repair_assigned'])
        return res

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
        # the transfer is linked to its order and its moves to the part
        # lines by this action only (R21); the technician asking stays the
        # author, the warehouse validates
        with aftersales_control():
            return self._create_parts_picking_controlled(
                picking_type, location, location_dest, quantities)

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
        issue_location = self._parts_picking_type(
            'issue').default_location_dest_id
        # The parts are consumed where they were issued to (Odoo moves them
        # from the line's location to production when the repair is done).
        self.operations.filtered(lambda line: line.type == 'add').write(
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
    def action_override_warranty(self):
        """R33: open the override wizard (Technical department)."""
        self.ensure_one()
        self._ensure_can_override_warranty()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Override Warranty Decision'),
            'res_model': 'aftersales.warranty.override.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_repair_id': self.id},
        }

    @api.multi
    def action_recheck_warranty(self):
        """Decide again, e.g. after the customer's proof of purchase gave the
        serial its start date (technicians and the technical department)."""
        self._ensure_can_recheck_warranty()
        self._decide_warranty()
        return True

    @api.multi
    def action_view_ticket(self):
        self.ensure_one()
        return self.ticket_id.get_formview_action()

    @api.multi
    def action_print_service_report(self):
        return self.env.ref(
            'aftersales_addon.action_report_service').report_action(self)

    # ------------------------------------------------------------------
    # Warranty decision (R30-R33, R90)
    # ------------------------------------------------------------------
    @api.multi
    def _decide_warranty(self):
        """R30-R33: decide in / out of warranty / excluded / unknown for
        each order (overridden decisions are kept), store the rule, tier,
        start and end, and price every line from it. Set-based: the number
        of queries does not grow with the number of lines."""
        repairs = self.filtered(lambda r: not r.warranty_override)
        if not repairs:
            return
        # order totals and service type are recomputed once, at the end
        with self.env.norecompute():
            repairs._decide_warranty_no_recompute()
        self.recompute()

    @api.multi
    def _decide_warranty_no_recompute(self):
        repairs = self
        rules = self.env['aftersales.warranty.rule']._match_products(
            repairs.mapped('product_id'))
        lots = repairs.mapped('lot_id')
        statuses = lots._warranty_status(
            {r.lot_id.id: fields.Date.from_string(r.failure_date)
             or (r.company_id or self.env.user.company_id)._aftersales_today()
             for r in repairs if r.lot_id}, rules=rules)
        for repair in repairs:
            status = statuses.get(repair.lot_id.id) or {
                'rule': rules.get(repair.product_id.id),
                'state': 'unknown' if rules.get(repair.product_id.id)
                else 'out',
                'tier': self.env['aftersales.warranty.tier'],
                'start': None, 'end': None, 'early_failure': False}
            state = status['state']
            if repair.warranty_exclusion and state in ('in', 'unknown'):
                state = 'excluded'
            # the decision is written by the decision only (R33); the user
            # whose action made it stays the author of the tracked change
            with aftersales_control():
                repair.write({
                    'warranty_state': state,
                    'warranty_rule_id': status['rule'].id,
                    'warranty_tier_id': state == 'in' and status['tier'].id,
                    'warranty_start_date': status['start'],
                    'warranty_end_date': status['end'],
                    'warranty_early_failure': status['early_failure'],
                })
        repairs._apply_warranty_coverage()

    @api.multi
    def _line_coverage(self, kind):
        """R33: what the customer pays for a ``kind`` ('parts' or 'labour')
        line of this order: 'free' in warranty when the tier covers it,
        else 'charged'; None before the decision."""
        self.ensure_one()
        if not self.warranty_state:
            return None
        if self.warranty_state == 'in' and self.warranty_tier_id:
            return self.warranty_tier_id[kind + '_coverage']
        return 'charged'

    @api.multi
    def _price_list_for(self, kind):
        """R90: the company's parts price list or labour rates, else the
        order's price list."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        pricelist = company.aftersales_parts_pricelist_id if kind == 'parts' \
            else company.aftersales_labour_pricelist_id
        return pricelist or self.pricelist_id

    @api.multi
    def _apply_warranty_coverage(self, lines=None):
        """Write the coverage and the price of every line of the orders (or
        of ``lines``) from the decision: one price computation per price
        list and one UPDATE per line table, whatever the number of lines."""
        for model, kind in (('mrp.repair.line', 'parts'),
                            ('mrp.repair.fee', 'labour')):
            targets = lines.filtered(lambda line: line._name == model) \
                if lines is not None else \
                self.mapped('operations' if model == 'mrp.repair.line'
                            else 'fees_lines')
            if model == 'mrp.repair.line':
                targets = targets.filtered(lambda line: line.type == 'add')
            if targets:
                self.env[model]._write_coverage(targets, kind)
        if self.env.recompute:
            self.recompute()
