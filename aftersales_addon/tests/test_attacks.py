# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The server enforces every control, whatever the client sends (R1, R21,
R22, R33, R41-R43, R50-R52).

Each test plays a department's user calling the ORM the way the web client
and XML-RPC do (``sudo(user)`` is the RPC caller's environment, with the
context a client can send), tries to walk around a control and must be
refused with AccessError / UserError / ValidationError, never an internal
error, with nothing half-written afterwards."""
from odoo.exceptions import AccessError, UserError, ValidationError

from .test_recovery import RecoveryCase

REFUSED = (AccessError, UserError, ValidationError)
DEPARTMENTS = ('cs', 'tech1', 'tech2', 'warehouse', 'purchasing', 'finance',
               'technical', 'quality', 'office', 'manager')
# context keys a client may send to try its luck
FORGED_CONTEXTS = (
    {'aftersales_warranty_decision': True},
    {'aftersales_release': True},
    {'aftersales_control': True},
    {'force_company': 1, 'active_test': False},
)


class AttackCase(RecoveryCase):

    def as_(self, key, record, **context):
        return record.sudo(self.users[key]).with_context(**context)

    def assertRefused(self, func, *args, **kwargs):
        with self.assertRaises(REFUSED):
            # a savepoint: the refusal must leave the transaction usable
            with self.env.cr.savepoint():
                func(*args, **kwargs)

    def confirmed_repair(self, failure_date='2026-06-01', qty=2):
        """tech1's repair confirmed with ``qty`` brake pads; the unit's
        warranty started on 10 January 2023 (parts charged from the 37th
        month, out of warranty after the 60th)."""
        repair = self.create_repair()
        repair.sudo(self.users['cs']).failure_date = failure_date
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=qty))
        repair.sudo(self.users['tech1']).action_validate()
        return repair

    def charged_repair(self):
        """A confirmed repair out of warranty: every line charged."""
        return self.confirmed_repair(failure_date='2030-01-01')


class TestForgedDecisionAndRelease(AttackCase):
    """Observed 1 and 2: permission from the context, create skipping the
    guards."""

    def test_context_keys_do_not_grant_the_decision(self):
        repair = self.confirmed_repair()
        before = repair.warranty_state
        for key in ('tech1', 'cs', 'finance', 'technical', 'manager'):
            for context in FORGED_CONTEXTS:
                for vals in ({'warranty_state': 'in'},
                             {'warranty_override': True,
                              'warranty_override_reason': 'forged'},
                             {'warranty_tier_id': self.tier0.id},
                             {'service_type': 'free_warranty'}):
                    self.assertRefused(
                        self.as_(key, repair, **context).write, vals)
        repair.invalidate_cache()
        self.assertEqual(repair.warranty_state, before)
        self.assertFalse(repair.warranty_override)

    def test_context_keys_do_not_grant_a_release(self):
        repair = self.charged_repair()
        repair.sudo(self.users['tech1']).action_issue_parts()
        order = self.env['sale.order'].create({
            'partner_id': self.customer.id, 'aftersales_parts_sale': True,
            'order_line': [(0, 0, {'product_id': self.part.id,
                                   'product_uom_qty': 1,
                                   'price_unit': 80.0})]})
        order.action_confirm()
        vals = {'finance_release': 'paid', 'finance_release_amount': 1e9}
        for key in ('tech1', 'cs', 'finance', 'warehouse', 'manager'):
            for context in FORGED_CONTEXTS:
                self.assertRefused(
                    self.as_(key, repair, **context).write, vals)
                self.assertRefused(
                    self.as_(key, order, **context).write, vals)
        repair.invalidate_cache()
        order.invalidate_cache()
        self.assertFalse(repair.finance_release)
        self.assertFalse(order.finance_release)
        # and so the warehouse still cannot let the parts go
        picking = repair.parts_picking_ids
        self.assertRefused(
            picking.sudo(self.users['warehouse']).button_validate)
        self.assertNotEqual(picking.state, 'done')

    def test_only_finance_releases_through_the_release(self):
        repair = self.charged_repair()
        for key in ('tech1', 'cs', 'warehouse', 'technical', 'manager'):
            self.assertRefused(
                self.as_(key, repair)._aftersales_finance_release,
                'vouched', vouch_user=self.users['tech1'])
            self.assertFalse(self.as_(key, repair).can_be_released)
        self.assertTrue(self.as_('finance', repair).can_be_released)
        # a quotation is not released, even by Finance
        draft = self.create_repair()
        self.assertFalse(self.as_('finance', draft).can_be_released)
        self.assertRefused(
            self.as_('finance', draft)._aftersales_finance_release,
            'vouched', vouch_user=self.users['tech1'])

    def test_create_refuses_controlled_values_and_defaults(self):
        ticket = self.create_ticket()
        base = {'product_id': self.unit_product.id,
                'product_uom': self.unit_product.uom_id.id,
                'partner_id': self.customer.id,
                'location_id': self.stock_location.id,
                'location_dest_id': self.stock_location.id,
                'technician_id': self.users['tech1'].id,
                'ticket_id': ticket.id}
        Repair = self.env['mrp.repair']
        count = Repair.search_count([])
        for key in ('cs', 'tech1', 'manager'):
            for vals in ({'warranty_state': 'in'},
                         {'warranty_override': True},
                         {'finance_release': 'paid',
                          'finance_release_amount': 1e9},
                         {'state': 'under_repair'},
                         {'date_end': '2026-01-01 00:00:00'}):
                self.assertRefused(self.as_(key, Repair).create,
                                   dict(base, **vals))
            for name, value in (('warranty_state', 'in'),
                                ('finance_release', 'paid'),
                                ('warranty_override', True)):
                self.assertRefused(
                    self.as_(key, Repair, **{'default_' + name: value})
                    .create, dict(base))
        self.assertEqual(Repair.search_count([]), count)
        # the ordinary creation still works
        repair = self.as_('cs', Repair).create(dict(base))
        self.assertFalse(repair.finance_release)


class TestPartsMovements(AttackCase):
    """Observed 3: parts leave only through the warehouse and Finance."""

    def issued_request(self):
        repair = self.charged_repair()
        repair.sudo(self.users['tech1']).action_issue_parts()
        return repair, repair.parts_picking_ids

    def test_technician_cannot_unlink_the_transfer_from_its_order(self):
        repair, picking = self.issued_request()
        for key in ('tech1', 'warehouse', 'cs', 'manager'):
            self.assertRefused(self.as_(key, picking).write,
                               {'aftersales_repair_id': False})
        self.assertEqual(picking.aftersales_repair_id, repair)
        # no department but the warehouse validates any transfer
        for key in ('tech1', 'cs', 'technical', 'quality'):
            self.assertRefused(self.as_(key, picking).button_validate)
            self.assertRefused(self.as_(key, picking).action_done)
        self.assertNotEqual(picking.state, 'done')

    def test_technician_cannot_fake_the_issue_on_the_move(self):
        repair, picking = self.issued_request()
        move = picking.move_lines
        for key in ('tech1', 'cs'):
            for vals in ({'state': 'done'}, {'quantity_done': 2},
                         {'aftersales_repair_line_id': False},
                         {'location_id': self.repair_location.id}):
                self.assertRefused(self.as_(key, move).write, vals)
        move.invalidate_cache()
        self.assertNotEqual(move.state, 'done')
        tech = repair.sudo(self.users['tech1'])
        tech.action_repair_start()
        tech.test_result = 'passed'
        with self.assertRaisesRegex(UserError, 'not been issued'):
            tech.action_repair_end()
        # Odoo's consumption is not callable on its own
        self.assertRefused(tech.action_repair_done)
        self.assertRefused(tech.write, {'state': 'done'})
        self.assertEqual(repair.state, 'under_repair')

    def test_parts_sale_flag_stays_once_confirmed(self):
        order = self.env['sale.order'].create({
            'partner_id': self.customer.id, 'aftersales_parts_sale': True,
            'user_id': self.users['cs'].id,
            'order_line': [(0, 0, {'product_id': self.part.id,
                                   'product_uom_qty': 1,
                                   'price_unit': 80.0})]})
        # while quoting, the salesman may still change his mind
        self.as_('cs', order).write({'aftersales_parts_sale': False})
        self.as_('cs', order).write({'aftersales_parts_sale': True})
        order.action_confirm()
        for key in ('warehouse', 'cs', 'manager', 'finance'):
            self.assertRefused(self.as_(key, order).write,
                               {'aftersales_parts_sale': False})
        self.assertTrue(order.aftersales_parts_sale)
        picking = order.picking_ids
        picking.move_lines.write({'quantity_done': 1})
        with self.assertRaisesRegex(UserError, 'released by Finance'):
            picking.sudo(self.users['warehouse']).button_validate()


class TestInvoicesBelongToFinance(AttackCase):
    """Observed 4: the other departments read invoices, never change
    them."""

    def test_departments_cannot_change_or_delete_customer_invoices(self):
        repair = self.finished_repair([(self.controller, 1, None)],
                                      failure_date='2030-01-01')
        repair.sudo(self.users['finance']).action_repair_invoice_create()
        invoice = repair.invoice_id
        self.assertEqual(invoice.state, 'draft')
        line = invoice.invoice_line_ids[:1]
        price = line.price_unit
        for key in ('cs', 'tech1', 'tech2', 'warehouse', 'purchasing',
                    'technical', 'quality', 'office', 'manager'):
            self.assertRefused(self.as_(key, line).write,
                               {'price_unit': 1.0})
            self.assertRefused(self.as_(key, invoice).write,
                               {'comment': 'changed'})
            self.assertRefused(self.as_(key, invoice).unlink)
            self.assertRefused(self.as_(key, invoice).action_invoice_open)
            self.assertRefused(self.as_(key, self.env['account.invoice'])
                               .create, {'partner_id': self.customer.id,
                                         'type': 'out_refund'})
            self.assertRefused(
                self.as_(key, self.env['account.payment']).create, {
                    'payment_type': 'inbound', 'partner_type': 'customer',
                    'partner_id': self.customer.id, 'amount': 1.0,
                    'journal_id': self.env['account.journal'].search(
                        [('type', '=', 'bank')], limit=1).id,
                    'payment_method_id': self.env.ref(
                        'account.account_payment_method_manual_in').id})
            # those whose Odoo groups read invoices still read it
            if key not in ('technical', 'quality', 'office'):
                self.assertEqual(self.as_(key, invoice).read(['state'])[0][
                    'state'], 'draft')
        self.assertEqual(line.price_unit, price)
        self.assertTrue(invoice.exists())
        # Finance does its job
        line.sudo(self.users['finance']).write({'price_unit': price})
        invoice.sudo(self.users['finance']).action_invoice_open()
        self.assertEqual(invoice.state, 'open')

    def test_only_finance_invoices_repairs(self):
        repair = self.finished_repair([(self.controller, 1, None)],
                                      failure_date='2030-01-01')
        for key in ('cs', 'tech1', 'warehouse', 'manager'):
            self.assertRefused(self.as_(key, repair)
                               .action_repair_invoice_create)
            self.assertRefused(self.as_(key, repair).action_invoice_create)
        self.assertFalse(repair.invoice_id)


class TestStatesWrittenDirectly(AttackCase):
    """Observed 5: recoveries and receivables change only through their
    actions."""

    def test_recovery_states_only_through_receipt_exemption_inspection(self):
        repair = self.finished_repair([(self.serial_part, 1,
                                        self.battery_lot)])
        recovery = self.recovery_of(repair, self.serial_part)
        self.assertEqual(recovery.state, 'to_return')
        attempts = [
            ('warehouse', {'state': 'exempt'}),
            ('quality', {'state': 'received'}),
            ('technical', {'state': 'scrapped'}),
            ('finance', {'state': 'exempt', 'exempt_reason': 'x'}),
            ('warehouse', {'received_qty': 1}),
            ('finance', {'credited_qty': 1}),
            ('manager', {'state': 'received'}),
            ('quality', {'inspection_result': 'no_fault'}),
            ('warehouse', {'repair_id': False}),
        ]
        for key, vals in attempts:
            for context in FORGED_CONTEXTS:
                self.assertRefused(
                    self.as_(key, recovery, **context).write, vals)
        self.assertRefused(self.as_('manager', recovery).unlink)
        self.assertRefused(
            self.as_('manager', self.env['aftersales.part.recovery']).create,
            {'repair_id': repair.id, 'product_id': self.part.id,
             'quantity': 1, 'state': 'exempt'})
        recovery.invalidate_cache()
        self.assertEqual(recovery.state, 'to_return')
        self.assertEqual(recovery.received_qty, 0)
        # the buttons each department sees agree with the server
        flags = {key: (self.as_(key, recovery).can_be_received,
                       self.as_(key, recovery).can_be_exempted,
                       self.as_(key, recovery).can_be_inspected)
                 for key in ('warehouse', 'finance', 'quality', 'tech1')}
        self.assertEqual(flags, {'warehouse': (True, False, False),
                                 'finance': (False, True, False),
                                 'quality': (False, False, False),
                                 'tech1': (False, False, False)})
        self.assertRefused(self.as_('quality', recovery).action_receive)
        self.assertRefused(self.as_('warehouse', recovery).action_exempt)
        self.assertRefused(self.as_('finance', recovery).action_inspect)
        # the removed serial is entered by hand at receipt
        self.as_('warehouse', recovery).write({'removed_serial': 'OLD-1'})
        # and the actions check the department
        self.assertRefused(self.as_('warehouse', recovery)._exempt, 'x')
        self.assertRefused(self.as_('quality', recovery)._receive, 1)
        self.assertRefused(self.as_('technical', recovery)._inspect,
                           'no_fault', True)

    def test_receivable_figures_only_from_the_ledger(self):
        repair = self.charged_repair()
        receivable = self.release(repair)
        amount = receivable.amount
        self.assertGreater(amount, 0)
        for key in ('finance', 'tech1', 'manager'):
            for context in FORGED_CONTEXTS:
                for vals in ({'balance': 0}, {'state': 'settled'},
                             {'paid_amount': amount},
                             {'deducted_amount': amount},
                             {'employee_id': self.employees['tech2'].id}):
                    self.assertRefused(
                        self.as_(key, receivable, **context).write, vals)
        Move = self.env['aftersales.receivable.move']
        for key in ('finance', 'tech1', 'manager'):
            self.assertRefused(self.as_(key, Move).create, {
                'receivable_id': receivable.id,
                'employee_id': receivable.employee_id.id,
                'company_id': receivable.company_id.id,
                'date': receivable.date, 'kind': 'payment',
                'amount': amount})
            self.assertRefused(self.as_(key, receivable.move_ids).write,
                               {'amount': 0.01})
            self.assertRefused(self.as_(key, receivable).unlink)
        receivable.invalidate_cache()
        self.assertEqual(receivable.balance, amount)
        self.assertEqual(receivable.amount - receivable.paid_amount -
                         receivable.deducted_amount +
                         receivable.refunded_amount, receivable.balance)


class TestDecisionMovesOnlyByOverride(AttackCase):
    """Observed 6: the failure date after the decision."""

    def test_failure_date_after_decision_only_through_override(self):
        repair = self.confirmed_repair(failure_date='2030-01-01')
        self.assertEqual(repair.warranty_state, 'out')
        for key in ('cs', 'tech1', 'finance', 'manager', 'technical'):
            self.assertRefused(self.as_(key, repair).write,
                               {'failure_date': '2024-02-01'})
            self.assertRefused(self.as_(key, repair).write,
                               {'lot_id': False})
        self.assertEqual(repair.failure_date, '2030-01-01')
        # re-checking decides again on the same facts: still out
        self.as_('tech1', repair).action_recheck_warranty()
        self.assertEqual(repair.warranty_state, 'out')
        # Finance does not re-decide
        self.assertRefused(
            self.as_('finance', repair).action_recheck_warranty)
        self.assertFalse(self.as_('finance', repair).can_recheck_warranty)
        self.assertTrue(self.as_('cs', repair).can_recheck_warranty)
        self.assertFalse(self.as_('tech1', repair).can_override_warranty)
        self.assertTrue(self.as_('technical', repair).can_override_warranty)
        # the technical department corrects the date, with a reason
        wizard = self.env['aftersales.warranty.override.wizard'].sudo(
            self.users['technical']).with_context(
                default_repair_id=repair.id).create({
                    'failure_date': '2024-02-01', 'redecide': True,
                    'reason': 'Customer called on 1 Feb 2024 <b>x</b>'})
        wizard.action_apply()
        self.assertEqual(repair.failure_date, '2024-02-01')
        self.assertEqual(repair.warranty_state, 'in')
        self.assertTrue(repair.warranty_override)
        message = repair.message_ids.filtered(
            lambda m: 'Customer called' in (m.body or ''))
        self.assertTrue(message)
        self.assertNotIn('<b>x</b>', message[0].body)
        self.assertIn('&lt;b&gt;', message[0].body)
        # others may not use the override wizard
        self.assertRefused(
            self.env['aftersales.warranty.override.wizard'].sudo(
                self.users['tech1']).with_context(
                    default_repair_id=repair.id).create({
                        'warranty_state': 'in', 'tier_id': self.tier0.id,
                        'reason': 'mine'}).action_apply)

    def test_proof_of_purchase_entered_by_customer_service(self):
        """R30: the technician cannot move his unit's warranty start and
        then re-check the decision."""
        lot = self.unit_lot
        start = lot.warranty_start_manual
        for key in ('tech1', 'warehouse', 'finance', 'purchasing',
                    'technical'):
            for field in ('warranty_start_manual', 'acceptance_date'):
                self.assertRefused(self.as_(key, lot).write,
                                   {field: '2029-12-01'})
        self.assertEqual(lot.warranty_start_manual, start)
        self.as_('cs', lot).write({'warranty_start_manual': '2023-02-01'})
        self.as_('cs', lot).write({'acceptance_date': '2023-02-02'})
        self.assertEqual(lot.warranty_start_manual, '2023-02-01')


class TestPrices(AttackCase):
    """Observed 7: prices follow product and coverage; quantities and
    prices stay sane."""

    def test_price_follows_a_new_product(self):
        repair = self.charged_repair()
        line = repair.operations
        self.assertEqual(line.price_unit, 80.0)
        self.as_('tech1', line).write({'product_id': self.controller.id,
                                       'name': self.controller.name})
        self.assertEqual(line.price_unit, 500.0)
        self.assertEqual(line.warranty_coverage, 'charged')

    def test_remove_line_switched_to_add_is_priced(self):
        repair = self.charged_repair()
        vals = dict(self.part_line_vals(repair), type='remove',
                    price_unit=0.0)
        line = self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            vals)
        self.assertEqual(line.price_unit, 0.0)
        self.as_('tech1', line).write({'type': 'add'})
        self.assertEqual(line.price_unit, 80.0)
        self.assertEqual(line.warranty_coverage, 'charged')

    def test_bad_quantities_and_prices_refused(self):
        repair = self.charged_repair()
        line = repair.operations
        total = repair.amount_total
        for qty in (-1, -5, 0):
            self.assertRefused(self.as_('tech1', line).write,
                               {'product_uom_qty': qty})
            self.assertRefused(
                self.as_('tech1', self.env['mrp.repair.line']).create,
                dict(self.part_line_vals(repair), product_uom_qty=qty))
        for price in (-1.0, 1e15):
            self.assertRefused(self.as_('finance', line).write,
                               {'price_unit': price})
        self.assertRefused(self.as_('tech1', line).write,
                           {'warranty_coverage': 'free'})
        self.assertRefused(self.as_('tech1', line).write,
                           {'price_unit': 0.0})
        repair.invalidate_cache()
        self.assertEqual(repair.amount_total, total)
        self.assertEqual(line.warranty_coverage, 'charged')


class TestLeaks(AttackCase):
    """Observed 8: to-dos, markup, reports."""

    def test_technician_does_not_read_others_receivable_todos(self):
        repair = self.charged_repair()
        receivable = self.release(repair, tech='tech2')
        receivable._aftersales_schedule_activity(
            self.users['tech2'], 'Owed', note='You owe 160.00')
        Activity = self.env['mail.activity']
        domain = [('res_model', '=', receivable._name),
                  ('res_id', '=', receivable.id)]
        self.assertFalse(Activity.sudo(self.users['tech1']).search(domain))
        self.assertFalse(Activity.sudo(self.users['cs']).search(domain))
        self.assertTrue(Activity.sudo(self.users['tech2']).search(domain))
        self.assertTrue(Activity.sudo(self.users['finance']).search(domain))
        activity = Activity.search(domain, limit=1)
        with self.assertRaises(AccessError):
            activity.sudo(self.users['tech1']).read(['note'])

    def test_printing_another_technicians_statement_says_access(self):
        repair = self.charged_repair()
        receivable = self.release(repair, tech='tech2')
        self.assertTrue(receivable)
        Statement = self.env['aftersales.receivable.statement']
        statements = Statement.sudo()._generate(
            self.env.user.company_id, '2000-01-01', '2100-12-31')
        theirs = statements.filtered(
            lambda s: s.employee_id == self.employees['tech2'])
        self.assertTrue(theirs)
        report = self.env.ref(
            'aftersales_addon.action_report_receivable_statement')
        with self.assertRaises(AccessError):
            report.sudo(self.users['tech1']).render_qweb_html(theirs.ids)
        html = report.sudo(self.users['tech2']).render_qweb_html(
            theirs.ids)[0]
        self.assertIn('Test tech2', html.decode()
                      if isinstance(html, bytes) else html)

    def test_dispute_note_is_text_not_markup(self):
        repair = self.charged_repair()
        receivable = self.release(repair)
        statements = self.env['aftersales.receivable.statement'].sudo() \
            ._generate(self.env.user.company_id, '2000-01-01', '2100-12-31')
        mine = statements.filtered(
            lambda s: s.employee_id == self.employees['tech1'])
        line = mine.line_ids.filtered(
            lambda sl: sl.receivable_id == receivable)
        line.sudo(self.users['tech1']).action_dispute(
            '<a href="http://evil">pay here</a><img src=x onerror=1>')
        bodies = ' '.join(mine.message_ids.mapped('body'))
        self.assertNotIn('<a href', bodies)
        self.assertNotIn('<img', bodies)
        self.assertIn('&lt;a href', bodies)


class TestFinancePrice(AttackCase):
    """R90: a price Finance set survives the warranty decision while the
    line stays charged."""

    def test_finance_price_survives_confirmation(self):
        repair = self.create_repair()
        repair.sudo(self.users['cs']).failure_date = '2030-01-01'
        line = self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair))
        line.sudo(self.users['finance']).write({'price_unit': 70.0})
        self.assertTrue(line.price_set_by_finance)
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(line.warranty_coverage, 'charged')
        self.assertEqual(line.price_unit, 70.0)
        # a technician cannot make his own price stick
        self.assertRefused(self.as_('tech1', line).write,
                           {'price_set_by_finance': True})

    def test_finance_price_gives_way_when_the_coverage_changes(self):
        repair = self.confirmed_repair(failure_date='2030-01-01')
        line = repair.operations
        line.sudo(self.users['finance']).write({'price_unit': 70.0})
        self.assertTrue(line.price_set_by_finance)
        # the technical department overrides: now in warranty, parts free
        wizard = self.env['aftersales.warranty.override.wizard'].sudo(
            self.users['technical']).with_context(
                default_repair_id=repair.id).create({
                    'warranty_state': 'in', 'tier_id': self.tier0.id,
                    'reason': 'Goodwill'})
        wizard.action_apply()
        self.assertEqual(line.warranty_coverage, 'free')
        self.assertEqual(line.price_unit, 0.0)
        self.assertFalse(line.price_set_by_finance)


class TestTwoLinesOfOnePart(AttackCase):
    """R21: two part lines of the same part are each issued once, exactly
    their quantity."""

    def test_each_line_issued_once(self):
        repair = self.create_repair()
        repair.sudo(self.users['cs']).failure_date = '2030-01-01'
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        first = Line.create(self.part_line_vals(repair, qty=1))
        second = Line.create(self.part_line_vals(repair, qty=2))
        repair.sudo(self.users['tech1']).action_validate()
        picking = self.env['mrp.repair'].browse(repair.id)
        self.issue_parts(picking)
        repair = self.env['mrp.repair'].browse(repair.id)
        self.assertEqual(len(repair.parts_picking_ids), 1)
        self.assertEqual(len(repair.parts_picking_ids.move_lines), 2)
        self.assertEqual((first.qty_issued, second.qty_issued), (1.0, 2.0))
        self.assertEqual((first.qty_to_issue, second.qty_to_issue),
                         (0.0, 0.0))
        # nothing left to request
        with self.assertRaisesRegex(UserError, 'requested already'):
            repair.sudo(self.users['tech1']).action_issue_parts()

    def test_partial_issue_backorder_keeps_its_line(self):
        """The warehouse issues one of two parts: Odoo splits the move for
        the backorder (a copy), which stays linked to its part line; a
        client cannot choose the link of a copy."""
        repair = self.charged_repair()
        line = repair.operations
        repair.sudo(self.users['tech1']).action_issue_parts()
        self.release(repair)
        picking = self.env['mrp.repair'].browse(repair.id).parts_picking_ids
        picking.move_line_ids.write({'qty_done': 1})
        wh_picking = picking.sudo(self.users['warehouse'])
        action = wh_picking.button_validate()
        wizard = self.env[action['res_model']].sudo(
            self.users['warehouse']).browse(action['res_id'])
        wizard.process()
        moves = self.env['stock.move'].search(
            [('aftersales_repair_line_id', '=', line.id)])
        self.assertEqual(len(moves), 2)
        self.assertEqual(line.qty_issued, 1.0)
        backorder_move = moves.filtered(lambda m: m.state != 'done')
        self.assertRefused(self.as_('tech1', backorder_move).copy,
                           {'aftersales_repair_line_id': line.id})
        self.assertRefused(self.as_('warehouse', backorder_move).copy,
                           {'aftersales_recovery_id': 1})
