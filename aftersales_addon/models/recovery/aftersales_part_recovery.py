# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from ..common.aftersales_control_mixin import aftersales_control
from ...tools.actions import wizard_action
from ...tools.early_lock import lock_early
from ...tools.gapless import is_gapless, next_gapless, sequence_for

FINANCE_GROUP = 'aftersales_addon.group_aftersales_finance'
WAREHOUSE_GROUP = 'aftersales_addon.group_aftersales_warehouse'
INSPECTION_GROUPS = ('aftersales_addon.group_aftersales_quality',
                     'aftersales_addon.group_aftersales_technical')


class AftersalesPartRecovery(models.Model):
    """Old-part recovery obligation (旧件回收, R40-R46): the part removed
    when a part was replaced under warranty comes back to the warehouse, or
    is exempted on purpose; the customer's deposit follows it."""

    _name = 'aftersales.part.recovery'
    _description = 'Old Part Recovery'
    _inherit = ['mail.thread', 'mail.activity.mixin',
                'aftersales.control.mixin']
    _order = 'due_date, id'
    # R40-R44: a recovery is the system's record of an obligation; only the
    # removed part's serial is entered by hand, the rest is written by the
    # receipt, the exemption and the inspection
    _aftersales_editable_fields = frozenset(['removed_serial'])

    name = fields.Char(string='Reference', required=True, copy=False,
                       readonly=True, default='/')
    company_id = fields.Many2one(
        'res.company', required=True, readonly=True,
        default=lambda self: self.env.user.company_id)
    repair_id = fields.Many2one('mrp.repair', string='Repair Order',
                                required=True, readonly=True, index=True,
                                ondelete='restrict')
    repair_line_id = fields.Many2one('mrp.repair.line', string='Part Line',
                                     readonly=True, index=True,
                                     ondelete='set null')
    product_id = fields.Many2one('product.product', string='Part',
                                 required=True, readonly=True, index=True)
    lot_id = fields.Many2one('stock.production.lot', string='New Serial',
                             readonly=True,
                             help='Serial of the part fitted.')
    removed_serial = fields.Char(
        track_visibility='onchange',
        help='Serial of the old part, when known (entered at receipt).')
    quantity = fields.Float(
        required=True, readonly=True,
        digits=dp.get_precision('Product Unit of Measure'))
    received_qty = fields.Float(
        string='Received', readonly=True, copy=False,
        digits=dp.get_precision('Product Unit of Measure'))
    technician_id = fields.Many2one('res.users', string='Technician',
                                    readonly=True, index=True)
    partner_id = fields.Many2one('res.partner', string='Customer',
                                 readonly=True)
    due_date = fields.Date(readonly=True, index=True)
    state = fields.Selection(
        [('to_return', 'To Return'),
         ('received', 'Received'),
         ('exempt', 'Exempt'),
         ('refurbished', 'Refurbished'),
         ('scrapped', 'Scrapped')],
        default='to_return', required=True, readonly=True, index=True,
        track_visibility='onchange', copy=False)
    unit_cost = fields.Float(
        readonly=True,
        digits=dp.get_precision('Product Price'),
        help='Cost of the part when it was replaced.')
    exempt_reason = fields.Text(string='Exemption Reason', readonly=True,
                                track_visibility='onchange')
    exempt_user_id = fields.Many2one('res.users', string='Exempted By',
                                     readonly=True)
    deposit_unit_price = fields.Float(
        string='Deposit per Unit', readonly=True,
        digits=dp.get_precision('Product Price'),
        help='Price the customer pays for the warranty part until its '
             'old part is received.')
    credited_qty = fields.Float(
        string='Deposit Returned For', readonly=True, copy=False,
        digits=dp.get_precision('Product Unit of Measure'),
        help='Quantity whose deposit has been given back; never more '
             'than what was received or exempted.')
    refund_ids = fields.Many2many(
        'account.invoice', string='Credit Notes', readonly=True, copy=False,
        help='Credit notes reversing the deposit when the old part '
             'came back.')
    move_ids = fields.One2many('stock.move', 'aftersales_recovery_id',
                               string='Receipt Moves', readonly=True)
    picking_ids = fields.Many2many('stock.picking', string='Receipts',
                                   compute='_compute_picking_ids')
    inspection_result = fields.Selection(
        [('fault_confirmed', 'Fault confirmed'),
         ('no_fault', 'No fault found'),
         ('human_damage', 'Human damage found')],
        readonly=True,
        track_visibility='onchange')
    inspection_note = fields.Text(string='Inspection Notes', readonly=True)
    inspection_user_id = fields.Many2one('res.users', string='Inspected By',
                                         readonly=True)
    disposal_date = fields.Date(string='Disposed On', readonly=True,
                                index=True)
    scrap_id = fields.Many2one('stock.scrap', string='Scrap', readonly=True)
    restock_picking_id = fields.Many2one(
        'stock.picking', string='Restock Transfer', readonly=True)
    by_courier = fields.Boolean(
        related='repair_id.aftersales_self_replacement', readonly=True,
        string='Returned by Courier',
        # R46: parts may come back by courier
        help='The part was shipped to the customer, who fitted it: the old '
             'part comes back by courier.')
    overdue = fields.Boolean(compute='_compute_overdue',
                             search='_search_overdue')
    # what the current user may do now: the buttons and the actions agree
    can_be_received = fields.Boolean(compute='_compute_can_flags')
    can_be_exempted = fields.Boolean(compute='_compute_can_flags')
    can_be_inspected = fields.Boolean(compute='_compute_can_flags')

    _sql_constraints = [
        ('quantity_positive', 'CHECK(quantity > 0)',
         'The quantity to recover must be positive.'),
        ('received_not_more', 'CHECK(received_qty <= quantity)',
         'More old parts cannot be received than were replaced.'),
    ]

    @api.model
    def create(self, vals):
        if vals.get('name', '/') == '/':
            vals['name'] = self._next_names(1)[0]
        return super(AftersalesPartRecovery, self).create(vals)

    @api.multi
    def _compute_can_flags(self):
        """R41/R43/R44: the warehouse receives what is to return, Finance
        exempts it, quality or technical inspect what was received."""
        user = self.env.user
        warehouse = user._aftersales_in(WAREHOUSE_GROUP)
        finance = user._aftersales_is_finance()
        inspects = user._aftersales_in(*INSPECTION_GROUPS)
        for recovery in self:
            to_return = recovery.state == 'to_return'
            recovery.can_be_received = warehouse and to_return and \
                recovery.repair_id.state != 'cancel'
            recovery.can_be_exempted = finance and to_return
            recovery.can_be_inspected = inspects and \
                recovery.state == 'received'

    @api.multi
    def _ensure_can(self, flag, message):
        for recovery in self:
            if not recovery[flag]:
                raise UserError(message % {
                    'name': recovery.name,
                    'state': recovery._state_label()})

    @api.depends('move_ids.picking_id')
    def _compute_picking_ids(self):
        for recovery in self:
            recovery.picking_ids = recovery.move_ids.mapped('picking_id')

    @api.multi
    def _compute_overdue(self):
        today = self.env.user.company_id._aftersales_today_str()
        for recovery in self:
            recovery.overdue = recovery.state == 'to_return' and \
                recovery.due_date and recovery.due_date < today

    @api.model
    def _search_overdue(self, operator, value):
        today = self.env.user.company_id._aftersales_today_str()
        overdue = ['&', ('state', '=', 'to_return'), ('due_date', '<', today)]
        if (operator in ('=', '==')) == bool(value):
            return overdue
        return ['!'] + overdue

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    @api.model
    def _is_recovery_exempt(self, product, company):
        """R41: a part whose unit cost is below the company's threshold and
        that has no recovery value need not come back. Returns the reason,
        or False when the part must come back."""
        if not product.aftersales_no_recovery_value:
            # the cost (a company-dependent field) is read only when needed
            return False
        return self._exempt_reason(product.standard_price, True, company)

    @api.model
    def _exempt_reason(self, cost, no_recovery_value, company):
        """R41 on values already read (see ``_is_recovery_exempt``)."""
        if not no_recovery_value:
            return False
        threshold = company.aftersales_recovery_exempt_threshold
        if float_compare(cost, threshold,
                         precision_rounding=company.currency_id.rounding) < 0:
            return _(
                'Unit cost %(standard_price)s below the threshold '
                '%(threshold)s and no recovery value.') % {
                'standard_price': cost,
                'threshold': threshold,
            }
        return False

    @api.model
    def _recovery_sequence(self):
        """The old-part recovery sequence of the user's company."""
        return sequence_for(self.env, 'aftersales.part.recovery')

    @api.model
    def _next_names(self, count):
        """``count`` references of the recovery sequence: without gaps
        (R40: every old part owed is accounted for) in one update of a
        gapless sequence, one query for a standard one (PostgreSQL's), the
        sequence's own ``_next`` for a dated one."""
        sequence = self._recovery_sequence()
        if not sequence:
            return ['/'] * count
        if is_gapless(sequence):
            return next_gapless(sequence, count)
        if sequence.implementation != 'standard' or sequence.use_date_range:
            return [sequence._next() for _i in range(count)]
        self.env.cr.execute(
            'SELECT nextval(%s) FROM generate_series(1, %s)',
            ('ir_sequence_%03d' % sequence.id, count))
        return [sequence.get_next_char(number)
                for number, in self.env.cr.fetchall()]

    @api.model
    def _recovery_values(self, repairs, lines=None):
        """R40/R41: the values of the recoveries owed by ``repairs``: one
        per part line replaced under warranty that has none yet (among
        ``lines`` only, when given)."""
        values = []
        owed = (lines if lines is not None else repairs.mapped(
            'operations')).filtered(
            lambda line: line.type == 'add' and
            line.warranty_coverage in ('free', 'deposit') and
            not line.recovery_ids)
        # the parts' costs (a company-dependent field) and recovery value,
        # read at once
        parts = {row['id']: row for row in owed.mapped('product_id').read(
            ['standard_price', 'aftersales_no_recovery_value'])}
        for repair in repairs:
            company = repair.company_id or self.env.user.company_id
            due = fields.Date.to_string(
                company._aftersales_today()
                + timedelta(days=company.aftersales_recovery_due_days))
            for line in owed.filtered(lambda ln: ln.repair_id == repair):
                part = parts[line.product_id.id]
                reason = self._exempt_reason(
                    part['standard_price'],
                    part['aftersales_no_recovery_value'], company)
                values.append({
                    'company_id': company.id,
                    'repair_id': repair.id,
                    'repair_line_id': line.id,
                    'product_id': line.product_id.id,
                    'lot_id': line.lot_id.id or None,
                    'quantity': line.product_uom_qty,
                    'received_qty': 0.0,
                    'credited_qty': 0.0,
                    'technician_id': repair.technician_id.id or None,
                    'partner_id': repair.partner_id.id or None,
                    'due_date': due,
                    'unit_cost': part['standard_price'],
                    'deposit_unit_price': line.warranty_coverage == 'deposit'
                    and line.price_unit or 0.0,
                    'state': 'exempt' if reason else 'to_return',
                    'exempt_reason': reason or None,
                })
        return values

    @api.model
    def _create_for_repairs(self, repairs, lines=None):
        """R40: one recovery per part line replaced under warranty of the
        finished ``repairs``; parts exempt under R41 are recorded exempt.
        ``lines``: only these part lines of ``repairs`` (R13: the warranty
        parts shipped to a customer who fits them owe their old part from
        the shipment on).

        Set-based: the obligations are the system's records (no creation
        message, no follower, nothing typed in), written by one INSERT
        whatever the number of lines, with their references taken from the
        sequence in one query; then the ORM is told what changed."""
        values = self._recovery_values(repairs, lines=lines)
        if not values:
            return self.browse()
        names = self._next_names(len(values))
        columns = sorted(values[0])
        rows = [tuple(vals[col] for col in columns) + (name,)
                for vals, name in zip(values, names)]
        placeholders = '(%s)' % ', '.join(
            ['%s'] * (len(columns) + 1) + ["%s", "(now() at time zone 'UTC')",
                                           "%s", "(now() at time zone 'UTC')"])
        uid = self.env.uid
        # column names are the field names above, never user input
        query = 'INSERT INTO aftersales_part_recovery (%s) VALUES %s ' \
            'RETURNING id' % (
                ', '.join(columns + ['name', 'create_uid', 'create_date',
                                     'write_uid', 'write_date']),
                ', '.join([placeholders] * len(rows)))
        params = [value for row in rows for value in row + (uid, uid)]
        self.env.cr.execute(query, params)
        recoveries = self.browse([row[0] for row in self.env.cr.fetchall()])
        # what the ORM holds about these records and their inverses
        self.invalidate_cache()
        self.env['mrp.repair.line'].invalidate_cache(['recovery_ids'])
        self.env['mrp.repair'].invalidate_cache(['recovery_ids'])
        recoveries.modified(columns + ['name'])
        if self.env.recompute:
            recoveries.recompute()
        return recoveries

    # ------------------------------------------------------------------
    # Exemption by Finance (R41)
    # ------------------------------------------------------------------
    @api.multi
    def _exempt(self, reason):
        """R41: Finance exempts a part whose recovery costs too much; the
        deposit is reversed as if the part had come back."""
        if not self.env.user._aftersales_in(FINANCE_GROUP):
            raise AccessError(_('Only Finance may exempt an old part from '
                                'recovery.'))
        if not (reason or '').strip():
            raise UserError(_('Give the reason of the exemption.'))
        # issue 24: the credit notes' numbering (gapless sequence of the
        # invoices' journals, shared with the accountants and the
        # receipts) first; the same recoveries being received: refused
        lock_early(self.env, self.sudo().mapped('repair_id.invoice_id.'
                                                'journal_id'),
                   nowait=self.sudo(), busy=UserError(_(
                       'Another user is processing %s right now; reload it '
                       'in a moment.') % ', '.join(self.mapped('name'))))
        self._lock()
        for recovery in self:
            if recovery.state != 'to_return':
                raise UserError(_(
                    '%(recovery)s is already %(state_label)s: it '
                    'cannot be exempted.') % {
                    'recovery': recovery.name,
                    'state_label': recovery._state_label(),
                })
        # the exemption is written by Finance's exemption only (R41),
        # checked above; Finance stays the author of the tracked change
        with aftersales_control():
            for recovery in self:
                remaining = recovery.quantity - recovery.received_qty
                recovery._reverse_deposits({recovery.id: remaining})
                recovery.write({'state': 'exempt', 'exempt_reason': reason,
                                'exempt_user_id': self.env.uid})

    # ------------------------------------------------------------------
    # Receipt (R42, R43, R46)
    # ------------------------------------------------------------------
    @api.multi
    def _lock(self):
        """Lock the recoveries for this transaction: two users receiving or
        exempting the same old part at the same moment cannot both
        succeed (the second is told, nothing is written twice)."""
        names = ', '.join(self.mapped('name'))
        try:
            # the savepoint keeps the transaction usable when the lock fails
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    'SELECT id FROM aftersales_part_recovery WHERE id IN %s '
                    'FOR UPDATE NOWAIT', (tuple(self.ids),))
        except psycopg2.OperationalError:
            raise UserError(_('Another user is processing %s right now; '
                              'reload it in a moment.') % names)
        self.invalidate_cache()

    @api.multi
    def _state_label(self):
        self.ensure_one()
        return dict(self._fields['state']._description_selection(
            self.env))[self.state]

    @api.multi
    def _receive(self, quantity, removed_serial=False, courier=False,
                 tracking_ref=False, freight_collect=False):
        """R43: the warehouse receives ``quantity`` old parts of this
        recovery (see ``_receive_batch``)."""
        self.ensure_one()
        return self._receive_batch(
            {self.id: quantity}, {self.id: removed_serial}, courier,
            tracking_ref, freight_collect)

    @api.model
    def _receive_batch(self, quantities, serials=None, courier=False,
                       tracking_ref=False, freight_collect=False):
        """R43: the warehouse receives old parts (``quantities``: recovery
        id -> quantity) into the Old Parts location of the warehouse each
        part was issued from, one transfer per repair order and warehouse
        (R46: courier, freight collect), then the deposit of what came
        back is reversed, one credit note per invoice (R42). All or
        nothing: the recoveries are locked, every check passes before
        anything is written."""
        if not self.env.user._aftersales_in(WAREHOUSE_GROUP):
            raise AccessError(_('Only the warehouse receives old parts.'))
        # issue 24: the parts (quants) and the credit notes' numbering
        # (no-gap sequence of the invoices' journals) first
        hot = self.sudo().browse(list(quantities))
        lock_early(self.env, hot.mapped('product_id'),
                   hot.mapped('repair_id.invoice_id.journal_id'), nowait=hot,
                   busy=UserError(_('Another user is processing %s right '
                                    'now; reload it in a moment.') % ', '.join(
                                        hot.mapped('name'))))
        serials = serials or {}
        recoveries = self.browse(list(quantities))
        recoveries._lock()
        precision = self.env['decimal.precision'].precision_get(
            'Product Unit of Measure')
        for recovery in recoveries:
            quantity = quantities[recovery.id]
            if recovery.state != 'to_return':
                raise UserError(_(
                    '%(recovery)s is %(state_label)s: there is nothing '
                    'to receive.') % {
                    'recovery': recovery.name,
                    'state_label': recovery._state_label(),
                })
            if recovery.repair_id.state == 'cancel':
                raise UserError(_('Repair order %s is cancelled: its old '
                                  'part cannot be received.')
                                % recovery.repair_id.name)
            remaining = recovery.quantity - recovery.received_qty
            if float_compare(quantity, 0.0,
                             precision_digits=precision) <= 0 or \
                    float_compare(quantity, remaining,
                                  precision_digits=precision) > 0:
                raise UserError(_(
                    'Receive between 0 and %(remaining)s old parts for '
                    '%(recovery)s (what was replaced and has not come '
                    'back).') % {
                    'remaining': remaining,
                    'recovery': recovery.name,
                })
        # the receipt, its links and the recovery's figures are written by
        # the receipt only (R43), every check above passed
        with aftersales_control():
            return recoveries._receive_checked(quantities, serials, courier,
                                               tracking_ref, freight_collect)

    @api.multi
    def _receive_checked(self, quantities, serials, courier, tracking_ref,
                         freight_collect):
        recoveries = self
        precision = self.env['decimal.precision'].precision_get(
            'Product Unit of Measure')
        pickings = self.env['stock.picking']
        # one receipt per repair order and warehouse the parts were issued
        # from: each old part comes back to its own warehouse (R43)
        groups = {}
        for recovery in recoveries:
            key = (recovery.repair_id, recovery._aftersales_warehouse())
            groups[key] = groups.get(key, self.browse()) | recovery
        for key, group in groups.items():
            pickings |= group._create_receipt(
                key[1], quantities, serials, courier, tracking_ref,
                freight_collect)
        recoveries._reverse_deposits(quantities)
        recoveries._record_received(quantities, serials, precision)
        return pickings

    @api.multi
    def _record_received(self, quantities, serials, precision):
        """R43: the recoveries' figures after a receipt, with the same
        number of queries whatever the number of recoveries: one write per
        distinct outcome (most old parts come back whole), then one note
        per recovery in its chatter, posted set-based, instead of Odoo's
        tracking message per record."""
        groups = {}
        bodies = []
        for recovery in self:
            received = recovery.received_qty + quantities[recovery.id]
            vals = {'received_qty': received}
            if serials.get(recovery.id):
                vals['removed_serial'] = serials[recovery.id]
            whole = float_compare(received, recovery.quantity,
                                  precision_digits=precision) >= 0
            if whole:
                vals['state'] = 'received'
            key = tuple(sorted(vals.items()))
            groups[key] = groups.get(key, self.browse()) | recovery
            bodies.append(self._received_note(
                quantities[recovery.id], received, recovery.quantity,
                vals.get('removed_serial'), whole))
        # the tracking of these writes is the notes below (one statement
        # per table for all recoveries, not a message per record)
        quiet = self.with_context(tracking_disable=True)
        for key, group in groups.items():
            quiet.browse(group.ids).write(dict(key))
        self.env['aftersales.activity.mixin']._aftersales_post_notices(
            self, bodies, [self.env['res.partner']] * len(self),
            subtype='mail.mt_note')

    @api.model
    def _received_note(self, quantity, received, expected, serial, whole):
        """The chatter note of a receipt, in the receiving user's
        language."""
        body = _('Old part received: %(qty)s (%(received)s of %(expected)s '
                 'back).') % {'qty': '%g' % quantity,
                              'received': '%g' % received,
                              'expected': '%g' % expected}
        if serial:
            body += ' ' + _('Removed serial: %s.') % serial
        if whole:
            body += ' ' + _('Status: Received.')
        return body

    @api.multi
    def _old_part_lot(self, removed_serial):
        """The lot the old part is received under, for tracked parts: its
        own serial when known, else one named after the recovery."""
        self.ensure_one()
        if self.product_id.tracking == 'none':
            return self.env['stock.production.lot']
        name = removed_serial or _('%s-OLD') % self.name
        Lot = self.env['stock.production.lot']
        return Lot.search([('product_id', '=', self.product_id.id),
                           ('name', '=', name)], limit=1) or Lot.create(
            {'product_id': self.product_id.id, 'name': name})

    @api.multi
    def _aftersales_warehouse(self):
        """The warehouse the old part comes back to (R43): the one its
        replacement was issued from, else the repair order's."""
        self.ensure_one()
        if self.repair_line_id:
            return self.repair_line_id._aftersales_issue_warehouse()
        return self.repair_id._aftersales_warehouse()

    @api.multi
    def _create_receipt(self, warehouse, quantities, serials, courier,
                        tracking_ref, freight_collect):
        """One validated Old Parts Receipt into ``warehouse`` for these
        recoveries (of one repair order), a move per recovery."""
        repair = self.mapped('repair_id')
        repair.ensure_one()
        warehouse._aftersales_ensure_old_parts()
        picking_type = warehouse.aftersales_old_parts_type_id
        partner = repair.partner_id
        source = partner.property_stock_customer or \
            picking_type.default_location_src_id
        dest = warehouse.aftersales_old_parts_location_id
        picking = self.env['stock.picking'].create({
            'picking_type_id': picking_type.id,
            'location_id': source.id,
            'location_dest_id': dest.id,
            'partner_id': partner.id,
            'origin': '%s %s' % (repair.name, ', '.join(self.mapped('name'))),
            'aftersales_courier': courier,
            'aftersales_tracking_ref': tracking_ref,
            'aftersales_freight_collect': freight_collect,
            'move_lines': [(0, 0, {
                'name': _(
                    'Old part of %(repair)s (%(recovery)s)') % {
                    'repair': repair.name,
                    'recovery': rec.name,
                },
                'product_id': rec.product_id.id,
                'product_uom': rec.product_id.uom_id.id,
                'product_uom_qty': quantities[rec.id],
                'location_id': source.id,
                'location_dest_id': dest.id,
                'picking_type_id': picking_type.id,
                'aftersales_recovery_id': rec.id,
            }) for rec in self],
        })
        picking.action_confirm()
        for move in picking.move_lines:
            rec = move.aftersales_recovery_id
            move.write({'move_line_ids': [(0, 0, {
                'product_id': move.product_id.id,
                'product_uom_id': move.product_uom.id,
                'qty_done': quantities[rec.id],
                'location_id': source.id,
                'location_dest_id': dest.id,
                'lot_id': rec._old_part_lot(serials.get(rec.id)).id,
            })]})
        picking.action_done()
        return picking

    @api.multi
    def _reverse_deposits(self, quantities):
        """R42: the deposit charged for warranty parts is given back for
        ``quantities`` (recovery id -> quantity) more old parts, received or
        exempted. Before invoicing, a line whose old parts are all back
        simply becomes free; a partial return waits for the invoice. After
        invoicing, one credit note per invoice refers to it.
        ``credited_qty`` keeps count, under the recoveries' lock: nothing
        is reversed twice."""
        to_credit = {}
        free_lines = self.env['mrp.repair.line']
        for recovery in self:
            line = recovery.repair_line_id
            if not line or line.warranty_coverage != 'deposit':
                continue
            settled = recovery.received_qty + quantities[recovery.id]
            if line.invoice_line_id and \
                    line.repair_id.invoice_id.state != 'cancel':
                to_credit[recovery] = settled - recovery.credited_qty
            elif float_compare(settled, recovery.quantity,
                               precision_digits=6) >= 0:
                free_lines |= line
                recovery.credited_qty = recovery.quantity
        if free_lines:
            self.env['mrp.repair.line']._set_coverage(free_lines, 'free', 0.0)
        self._credit_deposits(to_credit)

    @api.model
    def _credit_deposits(self, quantities):
        """Credit notes for invoiced deposits, one per invoice, a line per
        recovery (``quantities``: recovery -> quantity)."""
        by_invoice = {}
        for recovery, quantity in quantities.items():
            if float_compare(quantity, 0.0, precision_digits=6) > 0:
                invoice = recovery.repair_line_id.repair_id.invoice_id
                by_invoice.setdefault(invoice, []).append(
                    (recovery, quantity))
        for invoice, items in by_invoice.items():
            refund = self._create_deposit_refund(invoice, items)
            for recovery, quantity in items:
                recovery.write({
                    'refund_ids': [(4, refund.id)],
                    'credited_qty': recovery.credited_qty + quantity,
                })

    @api.model
    def _credit_pending_deposits(self, repairs):
        """Once the invoice exists, give back the deposit of old parts that
        came back (or were exempted) before it was made."""
        pending = self.search([
            ('repair_id', 'in', repairs.ids),
            '|', ('state', '=', 'exempt'), ('received_qty', '>', 0)])
        # the credited quantities are written by the invoicing that gives
        # the deposits back (R42)
        with aftersales_control():
            pending._credit_pending()

    @api.multi
    def _credit_pending(self):
        for recovery in self:
            line = recovery.repair_line_id
            if not line.invoice_line_id or \
                    line.warranty_coverage != 'deposit':
                continue
            recovery._lock()
            done = recovery.quantity if recovery.state == 'exempt' \
                else recovery.received_qty
            self._credit_deposits({recovery: done - recovery.credited_qty})

    @api.model
    def _create_deposit_refund(self, invoice, items):
        """One credit note referring to ``invoice`` giving back the deposit
        of ``items`` [(recovery, quantity)], at the deposit price."""
        names = ', '.join(recovery.name for recovery, _qty in items)
        lines = []
        for recovery, quantity in items:
            inv_line = recovery.repair_line_id.invoice_line_id
            lines.append((0, 0, {
                'name': _(
                    'Deposit returned, old part received '
                    '(%(recovery)s): %(line)s') % {
                    'recovery': recovery.name,
                    'line': inv_line.name,
                },
                'product_id': inv_line.product_id.id,
                'uom_id': inv_line.uom_id.id,
                'account_id': inv_line.account_id.id,
                'quantity': quantity,
                'price_unit': recovery.deposit_unit_price,
                'discount': inv_line.discount,
                'invoice_line_tax_ids': [(6, 0,
                                          inv_line.invoice_line_tax_ids.ids)],
            }))
        # sudo: the warehouse receiving the old part may not write invoices;
        # the credit note is the system's consequence of the receipt (R42).
        refund = self.env['account.invoice'].sudo().create({
            'type': 'out_refund',
            'partner_id': invoice.partner_id.id,
            'account_id': invoice.account_id.id,
            'journal_id': invoice.journal_id.id,
            'currency_id': invoice.currency_id.id,
            'company_id': invoice.company_id.id,
            'origin': invoice.number or invoice.origin,
            'refund_invoice_id': invoice.id,
            'name': _('Old parts received: %s') % names,
            'invoice_line_ids': lines,
        })
        refund.compute_taxes()
        # a draft invoice's credit note is validated with the invoice
        if invoice.state in ('open', 'paid'):
            refund.action_invoice_open()
            refund._aftersales_reconcile_with_origin()
        return refund

    # ------------------------------------------------------------------
    # Inspection and disposal (R44)
    # ------------------------------------------------------------------
    @api.multi
    def _inspect(self, result, reusable, note=False):
        """R44: Quality or Technical inspects a received old part: reusable
        parts go back to sellable stock (an internal move from Old Parts),
        the others are scrapped with Odoo's scrap, the reason recorded."""
        self.ensure_one()
        if not self.env.user._aftersales_in(*INSPECTION_GROUPS):
            raise AccessError(_('Only the quality or technical department '
                                'inspects old parts.'))
        self._lock()
        if self.state != 'received':
            raise UserError(_(
                '%(name)s is %(state_label)s: only received old parts '
                'are inspected.') % {
                'name': self.name,
                'state_label': self._state_label(),
            })
        # the part is where its receipt put it, in that warehouse
        source = self.move_ids.filtered(
            lambda m: m.state == 'done')[-1:].location_dest_id
        warehouse = source.get_warehouse()
        vals = {'inspection_result': result, 'inspection_note': note,
                'inspection_user_id': self.env.user.id,
                'disposal_date': self.company_id._aftersales_today_str()}
        with aftersales_control():
            # the disposal is written by the inspection only (R44)
            self._dispose(vals, reusable, warehouse, source)

    @api.multi
    def _dispose(self, vals, reusable, warehouse, source):
        if reusable:
            picking = self._restock(warehouse, source)
            vals.update(state='refurbished', restock_picking_id=picking.id)
        else:
            # sudo: quality scraps without being a stock manager; the scrap
            # is the recorded disposal of this old part.
            scrap = self.env['stock.scrap'].sudo().create({
                'product_id': self.product_id.id,
                'product_uom_id': self.product_id.uom_id.id,
                'scrap_qty': self.received_qty,
                'location_id': source.id,
                'origin': '%s %s' % (self.repair_id.name, self.name),
                'company_id': self.company_id.id,
            })
            scrap.action_validate()
            vals.update(state='scrapped', scrap_id=scrap.id)
        self.write(vals)

    @api.multi
    def _restock(self, warehouse, source):
        dest = warehouse.lot_stock_id
        picking_type = warehouse.int_type_id
        # sudo: see _inspect; the transfer back to stock is the disposal.
        picking = self.env['stock.picking'].sudo().create({
            'picking_type_id': picking_type.id,
            'location_id': source.id,
            'location_dest_id': dest.id,
            'origin': '%s %s' % (self.repair_id.name, self.name),
            'move_lines': [(0, 0, {
                'name': _('Refurbished old part %s') % self.name,
                'product_id': self.product_id.id,
                'product_uom': self.product_id.uom_id.id,
                'product_uom_qty': self.received_qty,
                'location_id': source.id,
                'location_dest_id': dest.id,
            })],
        })
        picking.action_confirm()
        picking.action_assign()
        for move_line in picking.move_line_ids:
            move_line.qty_done = move_line.product_uom_qty
        picking.action_done()
        return picking

    # ------------------------------------------------------------------
    # Monthly list for Finance (R45)
    # ------------------------------------------------------------------
    @api.model
    def _outstanding_domain(self, company):
        """R45: warranty parts whose old part has not come back (exempt
        ones are not on the list)."""
        return [('company_id', '=', company.id), ('state', '=', 'to_return')]

    @api.model
    def _cron_outstanding_list(self):
        """R45: by the company's day of the month, make the list of warranty
        parts whose old part has not come back, per technician, and notify
        Finance. Made once a month; queries do not grow with the number of
        recoveries."""
        lists = self.env['aftersales.recovery.list']
        for company in self.env['res.company'].search([]):
            today = company._aftersales_today()
            last = company.aftersales_recovery_list_date and \
                fields.Date.from_string(company.aftersales_recovery_list_date)
            if today.day < company.aftersales_recovery_list_day or (
                    last and (last.year, last.month) ==
                    (today.year, today.month)):
                continue
            lists |= lists._generate(company, today)
        return lists

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    @api.multi
    def _open_wizard(self, model, title):
        self.ensure_one()
        return wizard_action(title, model, recovery_id=self.id)

    @api.multi
    def action_receive(self):
        self._ensure_can('can_be_received', _(
            'You cannot receive %(name)s (%(state)s): the warehouse receives '
            'old parts still to return.'))
        return self._open_wizard('aftersales.recovery.receive.wizard',
                                 _('Receive Old Part'))

    @api.multi
    def action_exempt(self):
        self._ensure_can('can_be_exempted', _(
            'You cannot exempt %(name)s (%(state)s): Finance exempts old '
            'parts still to return.'))
        return self._open_wizard('aftersales.recovery.exempt.wizard',
                                 _('Exempt from Recovery'))

    @api.multi
    def action_inspect(self):
        self._ensure_can('can_be_inspected', _(
            'You cannot inspect %(name)s (%(state)s): quality or the '
            'technical department inspect received old parts.'))
        return self._open_wizard('aftersales.recovery.inspect.wizard',
                                 _('Inspect Old Part'))
