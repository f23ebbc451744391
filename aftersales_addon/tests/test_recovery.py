# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Old-part recovery (R40-R46): every part replaced under warranty comes
back, or is exempted on purpose, and the money follows it."""
from datetime import timedelta
from unittest import mock

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import (
    at_install, get_db_name, post_install, TransactionCase)

from ..models.common.aftersales_control_mixin import aftersales_control
from .test_warranty import WarrantyCase


class RecoveryCase(WarrantyCase):

    @classmethod
    def setUpClass(cls):
        super(RecoveryCase, cls).setUpClass()
        uom = cls.env.ref('product.product_uom_unit')
        cls.controller = cls.env['product.product'].create({
            'name': 'Test Motor Controller', 'type': 'product',
            'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 500.0, 'standard_price': 300.0})
        cls.env['stock.quant']._update_available_quantity(
            cls.controller, cls.stock_location, 10)
        cls.warehouse = cls.env.ref('stock.warehouse0')
        cls.old_parts = cls.warehouse.aftersales_old_parts_location_id

    def finished_repair(self, lines, failure_date='2025-06-01',
                        invoice=False):
        """A repair finished under warranty with ``lines``: a list of
        (product, qty, lot)."""
        repair = self.create_repair()
        repair.sudo(self.users['cs']).failure_date = failure_date
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        for product, qty, lot in lines:
            Line.create(self.part_line_vals(repair, product, qty, lot))
        tech = repair.sudo(self.users['tech1'])
        tech.action_validate()
        self.issue_parts(repair)
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()
        if invoice:
            repair.sudo(self.users['finance']).action_repair_invoice_create()
            repair.invoice_id.sudo(self.users['finance']).action_invoice_open()
        return repair

    def recovery_of(self, repair, product):
        return repair.recovery_ids.filtered(lambda r: r.product_id == product)


class TestRecoveryCreation(RecoveryCase):

    def test_warranty_part_creates_recovery(self):
        """R40: the battery replaced under warranty owes its old part; R41:
        the cheap brake pad with no recovery value is exempt."""
        repair = self.finished_repair([
            (self.serial_part, 1, self.battery_lot), (self.part, 2, None)])
        battery = self.recovery_of(repair, self.serial_part)
        self.assertEqual(battery.state, 'to_return')
        self.assertEqual(battery.technician_id, self.users['tech1'])
        self.assertEqual(battery.lot_id, self.battery_lot)
        self.assertEqual(battery.quantity, 1)
        self.assertEqual(battery.deposit_unit_price, 2400.0)
        today = self.company._aftersales_today()
        self.assertEqual(battery.due_date,
                         fields.Date.to_string(today + timedelta(days=30)))
        pad = self.recovery_of(repair, self.part)
        self.assertEqual(pad.state, 'exempt')
        self.assertIn('below the threshold', pad.exempt_reason)
        self.assertEqual(repair.recovery_count, 2)
        # R42: until its old part is received, the battery is a deposit
        line = repair.operations.filtered(
            lambda line: line.product_id == self.serial_part)
        self.assertEqual(line.warranty_coverage, 'deposit')
        self.assertEqual(line.price_unit, 2400.0)
        self.assertEqual(repair.service_type, 'free_warranty')

    def test_charged_parts_owe_nothing(self):
        repair = self.finished_repair([(self.controller, 1, None)],
                                      failure_date='2026-06-01')  # tier 1
        self.assertFalse(repair.recovery_ids)

    def test_deposit_decision_queries_do_not_grow_with_lines(self):
        """Deciding deposits (R41 checked per part) issues the same number
        of queries for 1 and 10 lines."""
        counts = []
        for n in (1, 1, 10):  # the first run warms the caches up
            repair = self.repair_with_lines('2025-06-01', parts_qty=1)
            repair.operations.unlink()
            for _i in range(n):
                product = self.env['product.product'].create({
                    'name': 'Test Part %s' % _i, 'type': 'product',
                    'list_price': 100.0, 'standard_price': 60.0})
                self.env['mrp.repair.line'].create(
                    self.part_line_vals(repair, product, 1))
            repair.invalidate_cache()
            before = self.env.cr.sql_log_count
            repair._decide_warranty()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(set(repair.operations.mapped(
                'warranty_coverage')), {'deposit'})
        self.assertEqual(counts[1], counts[2], counts)

    def test_recovery_creation_queries_do_not_grow_with_lines(self):
        """R40: ending a repair creates its recoveries with the same number
        of queries for 1 and 10 warranty part lines (one INSERT, one
        sequence query), each with its own reference, values and due
        date."""
        counts = []
        for n in (1, 1, 10):  # the first run warms the caches up
            repair = self.repair_with_lines('2025-06-01', parts_qty=1)
            repair.operations.unlink()
            for _i in range(n):
                product = self.env['product.product'].create({
                    'name': 'Test Part %s' % _i, 'type': 'product',
                    'list_price': 100.0, 'standard_price': 60.0 + _i})
                self.env['mrp.repair.line'].create(
                    self.part_line_vals(repair, product, 2))
            repair._decide_warranty()
            repair.invalidate_cache()
            Recovery = self.env['aftersales.part.recovery']
            before = self.env.cr.sql_log_count
            recoveries = Recovery._create_for_repairs(repair)
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(recoveries), n)
            self.assertEqual(len(set(recoveries.mapped('name'))), n)
            self.assertTrue(all(name.startswith('RCV/')
                                for name in recoveries.mapped('name')))
            self.assertEqual(repair.recovery_ids, recoveries)
            line = repair.operations[-1]
            self.assertEqual(line.recovery_ids.product_id, line.product_id)
            self.assertEqual(line.recovery_ids.quantity, 2)
            self.assertEqual(line.recovery_ids.unit_cost,
                             line.product_id.standard_price)
            self.assertEqual(line.old_part_state, 'to_return')
            self.assertEqual(set(recoveries.mapped('deposit_unit_price')),
                             {line.price_unit})
            # a second end creates nothing twice
            self.assertFalse(Recovery._create_for_repairs(repair))
        self.assertEqual(counts[1], counts[2], counts)

    def test_periods_and_threshold_are_settings(self):
        self.company.write({'aftersales_recovery_due_days': 10,
                            'aftersales_recovery_exempt_threshold': 20.0})
        repair = self.finished_repair([(self.part, 1, None)])
        pad = self.recovery_of(repair, self.part)
        # cost 30 is no longer below the threshold: it must come back
        self.assertEqual(pad.state, 'to_return')
        today = self.company._aftersales_today()
        self.assertEqual(pad.due_date,
                         fields.Date.to_string(today + timedelta(days=10)))
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.company.aftersales_recovery_list_day = 31

    def test_old_parts_location_per_warehouse(self):
        self.assertEqual(self.old_parts.usage, 'internal')
        self.assertEqual(self.old_parts.location_id,
                         self.warehouse.view_location_id)
        new = self.env['stock.warehouse'].create(
            {'name': 'Chengdu Service Centre', 'code': 'CDU'})
        self.assertTrue(new.aftersales_old_parts_location_id)
        self.assertEqual(
            new.aftersales_old_parts_type_id.default_location_dest_id,
            new.aftersales_old_parts_location_id)


class TestRecoveryReceipt(RecoveryCase):

    def test_receipt_before_invoice_makes_line_free(self):
        """R42/R43: received before invoicing: the deposit line becomes
        warranty and the customer pays nothing for it."""
        repair = self.finished_repair([(self.serial_part, 1,
                                        self.battery_lot)])
        self.assertEqual(repair.amount_untaxed, 2400.0)
        recovery = repair.recovery_ids
        wizard = self.env['aftersales.recovery.receive.wizard'].sudo(
            self.users['warehouse']).with_context(
                default_recovery_id=recovery.id).create({
                    'courier': 'SF Express', 'tracking_ref': 'SF123',
                    'freight_collect': True})
        self.assertEqual(wizard.line_ids.quantity, 1)
        wizard.line_ids.removed_serial = 'OLD-BAT-7781'
        wizard.action_receive()
        self.assertEqual(recovery.state, 'received')
        self.assertEqual(recovery.removed_serial, 'OLD-BAT-7781')
        picking = recovery.picking_ids
        self.assertEqual(picking.state, 'done')
        self.assertEqual(picking.location_dest_id, self.old_parts)
        self.assertIn(repair.name, picking.origin)
        self.assertTrue(picking.aftersales_freight_collect)
        self.assertEqual(picking.aftersales_courier, 'SF Express')
        self.assertEqual(self.serial_part.with_context(
            location=self.old_parts.id).qty_available, 1)
        line = recovery.repair_line_id
        self.assertEqual(line.warranty_coverage, 'free')
        self.assertEqual(line.price_unit, 0.0)
        self.assertEqual(repair.amount_untaxed, 0.0)
        self.assertFalse(recovery.refund_ids)
        repair.sudo(self.users['finance']).action_repair_invoice_create()
        self.assertEqual(repair.invoice_id.amount_total, 0.0)

    def test_receipt_after_invoice_credit_note_to_the_cent(self):
        """R42: invoiced at the normal price, the deposit comes back as a
        credit note referring to the invoice; net = warranty expectation."""
        repair = self.finished_repair(
            [(self.serial_part, 1, self.battery_lot),
             (self.controller, 3, None)], invoice=True)
        invoice = repair.invoice_id
        self.assertEqual(invoice.state, 'open')
        self.assertAlmostEqual(invoice.amount_total, 2400.0 + 3 * 500.0, 2)
        battery = self.recovery_of(repair, self.serial_part)
        controller = self.recovery_of(repair, self.controller)
        battery.sudo(self.users['warehouse'])._receive(1)
        refund = battery.refund_ids
        self.assertEqual(refund.type, 'out_refund')
        self.assertEqual(refund.refund_invoice_id, invoice)
        # reconciled with the invoice it refers to (R42 x R50)
        self.assertEqual(refund.state, 'paid')
        self.assertAlmostEqual(refund.amount_total, 2400.0, 2)
        # partial receipts: each reverses what came back, never more
        controller.sudo(self.users['warehouse'])._receive(2)
        self.assertEqual(controller.state, 'to_return')
        self.assertAlmostEqual(controller.refund_ids.amount_total, 1000.0, 2)
        with self.assertRaisesRegex(UserError, 'Receive between'):
            controller.sudo(self.users['warehouse'])._receive(2)
        controller.sudo(self.users['warehouse'])._receive(1)
        self.assertEqual(controller.state, 'received')
        refunds = (battery | controller).mapped('refund_ids')
        self.assertAlmostEqual(
            invoice.amount_total - sum(refunds.mapped('amount_total')),
            0.0, 2)
        # nothing is reversed twice
        with self.assertRaisesRegex(UserError, 'nothing to receive'):
            battery.sudo(self.users['warehouse'])._receive(1)
        self.assertEqual(len(battery.refund_ids), 1)

    def test_partial_receipt_before_invoice_credited_with_invoice(self):
        """Two of three old controllers come back before invoicing: the
        invoice charges three deposits and its credit note gives two back
        at once (validated with the invoice); the third, later."""
        repair = self.finished_repair([(self.controller, 3, None)])
        recovery = repair.recovery_ids
        recovery.sudo(self.users['warehouse'])._receive(2)
        self.assertEqual(recovery.repair_line_id.warranty_coverage,
                         'deposit')
        self.assertFalse(recovery.refund_ids)
        repair.sudo(self.users['finance']).action_repair_invoice_create()
        invoice = repair.invoice_id
        self.assertAlmostEqual(invoice.amount_total, 1500.0, 2)
        refund = recovery.refund_ids
        self.assertEqual(refund.state, 'draft')
        self.assertAlmostEqual(refund.amount_total, 1000.0, 2)
        invoice.sudo(self.users['finance']).action_invoice_open()
        # validated with the invoice and reconciled with it (R42 x R50)
        self.assertEqual(refund.state, 'paid')
        recovery.sudo(self.users['warehouse'])._receive(1)
        self.assertEqual(recovery.credited_qty, 3)
        self.assertAlmostEqual(sum(recovery.refund_ids.mapped(
            'amount_total')), 1500.0, 2)

    def test_exemption_after_invoice_credits_the_deposit(self):
        repair = self.finished_repair([(self.controller, 1, None)],
                                      invoice=True)
        recovery = repair.recovery_ids
        recovery.sudo(self.users['finance'])._exempt('Freight too costly')
        self.assertAlmostEqual(recovery.refund_ids.amount_total, 500.0, 2)
        self.assertEqual(recovery.refund_ids.refund_invoice_id,
                         repair.invoice_id)

    def test_receive_all_old_parts_of_an_order_at_once(self):
        """One transfer and one credit note for the whole order."""
        repair = self.finished_repair(
            [(self.serial_part, 1, self.battery_lot),
             (self.controller, 2, None)], invoice=True)
        wizard = self.env['aftersales.recovery.receive.wizard'].sudo(
            self.users['warehouse']).with_context(
                default_repair_id=repair.id).create({})
        self.assertEqual(len(wizard.line_ids), 2)
        wizard.action_receive()
        recoveries = repair.recovery_ids
        self.assertEqual(set(recoveries.mapped('state')), {'received'})
        self.assertEqual(len(recoveries.mapped('picking_ids')), 1)
        refund = recoveries.mapped('refund_ids')
        self.assertEqual(len(refund), 1)
        self.assertAlmostEqual(refund.amount_total, 2400.0 + 2 * 500.0, 2)
        self.assertAlmostEqual(
            repair.invoice_id.amount_total - refund.amount_total, 0.0, 2)
        with self.assertRaisesRegex(UserError, 'waiting to be received'):
            self.env['aftersales.recovery.receive.wizard'].sudo(
                self.users['warehouse']).with_context(
                    default_repair_id=repair.id).create({})

    def test_receipt_bookkeeping_queries_do_not_grow_with_recoveries(self):
        """R43: the recoveries' figures and chatter notes after a receipt
        cost the same queries for 2 and 8 old parts (one write per
        outcome: whole, partly back); each recovery still tells its history
        (what came back, its new status)."""
        Recovery = self.env['aftersales.part.recovery'].sudo(
            self.users['warehouse'])
        repair = self.create_repair()
        precision = self.env['decimal.precision'].precision_get(
            'Product Unit of Measure')
        counts = []
        for n in (2, 2, 8):  # the first run warms the caches up
            recoveries = Recovery.browse()
            for _i in range(n):
                recoveries |= self.env['aftersales.part.recovery'].create({
                    'repair_id': repair.id, 'quantity': 2,
                    'product_id': self.controller.id,
                    'technician_id': self.users['tech1'].id})
            recoveries = Recovery.browse(recoveries.ids)
            # half of them come back whole, the others one of two
            quantities = {rec.id: 2 if index % 2 == 0 else 1
                          for index, rec in enumerate(recoveries)}
            recoveries.invalidate_cache()
            before = self.env.cr.sql_log_count
            with aftersales_control():
                recoveries._record_received(quantities, {}, precision)
            counts.append(self.env.cr.sql_log_count - before)
            recoveries.invalidate_cache()
            for index, rec in enumerate(recoveries):
                whole = index % 2 == 0
                self.assertEqual(rec.state,
                                 'received' if whole else 'to_return')
                self.assertEqual(rec.received_qty, 2 if whole else 1)
                notes = rec.message_ids.filtered(
                    lambda m: 'Old part received' in (m.body or ''))
                self.assertEqual(len(notes), 1, rec.message_ids.mapped(
                    'body'))
                self.assertEqual('Status: Received.' in notes.body, whole)
        self.assertEqual(counts[1], counts[2], counts)

    def test_bad_receipts(self):
        repair = self.finished_repair([(self.controller, 2, None)])
        recovery = repair.recovery_ids
        Wh = recovery.sudo(self.users['warehouse'])
        for qty in (0, -1, 3):
            # a UserError: an API client gets the message, not a traceback
            with self.assertRaises(UserError):
                Wh._receive(qty)
        self.assertEqual(recovery.received_qty, 0)
        self.assertFalse(recovery.picking_ids)
        # a technician or finance cannot receive
        for key in ('tech1', 'finance'):
            with self.assertRaises(AccessError):
                recovery.sudo(self.users[key])._receive(1)

    def test_receipt_for_cancelled_repair(self):
        repair = self.create_repair()
        repair.sudo(self.users['tech1']).action_repair_cancel()
        recovery = self.env['aftersales.part.recovery'].create({
            'repair_id': repair.id, 'product_id': self.controller.id,
            'quantity': 1, 'technician_id': self.users['tech1'].id})
        with self.assertRaisesRegex(UserError, 'cancelled'):
            recovery.sudo(self.users['warehouse'])._receive(1)
        self.assertEqual(recovery.state, 'to_return')

    def test_credit_note_failing_halfway_leaves_nothing(self):
        """The recovery is never received without its credit note, nor the
        credit note issued without the receipt."""
        repair = self.finished_repair(
            [(self.serial_part, 1, self.battery_lot)], invoice=True)
        recovery = repair.recovery_ids
        Invoice = type(self.env['account.invoice'])
        refunds_before = self.env['account.invoice'].search_count(
            [('type', '=', 'out_refund')])
        with mock.patch.object(Invoice, 'action_invoice_open',
                               side_effect=UserError('Journal locked')):
            with self.assertRaisesRegex(UserError, 'Journal locked'), \
                    self.env.cr.savepoint():
                recovery.sudo(self.users['warehouse'])._receive(1)
        recovery.invalidate_cache()
        self.assertEqual(recovery.state, 'to_return')
        self.assertEqual(recovery.received_qty, 0)
        self.assertFalse(recovery.picking_ids)
        self.assertEqual(self.env['account.invoice'].search_count(
            [('type', '=', 'out_refund')]), refunds_before)


class TestRecoveryExemption(RecoveryCase):

    def test_finance_exempts_with_reason(self):
        repair = self.finished_repair([(self.controller, 1, None)])
        recovery = repair.recovery_ids
        for key in ('warehouse', 'tech1', 'cs', 'quality', 'technical'):
            with self.assertRaises(AccessError):
                recovery.sudo(self.users[key])._exempt('Too far away')
        with self.assertRaisesRegex(UserError, 'reason'):
            recovery.sudo(self.users['finance'])._exempt('  ')
        wizard = self.env['aftersales.recovery.exempt.wizard'].sudo(
            self.users['finance']).create({
                'recovery_id': recovery.id,
                'reason': 'Customer in Lhasa: freight costs more than the '
                          'part.'})
        wizard.action_exempt()
        self.assertEqual(recovery.state, 'exempt')
        self.assertEqual(recovery.exempt_user_id, self.users['finance'])
        # the deposit is given back as if the part had come back
        self.assertEqual(recovery.repair_line_id.price_unit, 0.0)
        with self.assertRaisesRegex(UserError, 'cannot be exempted'):
            recovery.sudo(self.users['finance'])._exempt('Again')


class TestRecoveryInspection(RecoveryCase):

    def test_reusable_part_goes_back_to_stock(self):
        repair = self.finished_repair([(self.controller, 1, None)])
        recovery = repair.recovery_ids
        with self.assertRaisesRegex(UserError, 'only received'):
            recovery.sudo(self.users['quality'])._inspect('no_fault', True)
        recovery.sudo(self.users['warehouse'])._receive(1)
        stock_before = self.controller.with_context(
            location=self.stock_location.id).qty_available
        with self.assertRaises(AccessError):
            recovery.sudo(self.users['warehouse'])._inspect('no_fault', True)
        self.env['aftersales.recovery.inspect.wizard'].sudo(
            self.users['quality']).create({
                'recovery_id': recovery.id, 'result': 'no_fault',
                'disposition': 'reusable'}).action_inspect()
        self.assertEqual(recovery.state, 'refurbished')
        self.assertEqual(recovery.inspection_result, 'no_fault')
        self.assertEqual(recovery.restock_picking_id.state, 'done')
        self.assertEqual(self.controller.with_context(
            location=self.stock_location.id).qty_available, stock_before + 1)
        self.assertEqual(self.controller.with_context(
            location=self.old_parts.id).qty_available, 0)

    def test_unusable_part_is_scrapped(self):
        repair = self.finished_repair([(self.controller, 1, None)])
        recovery = repair.recovery_ids
        recovery.sudo(self.users['warehouse'])._receive(1)
        recovery.sudo(self.users['technical'])._inspect(
            'fault_confirmed', False, 'Burnt MOSFET')
        self.assertEqual(recovery.state, 'scrapped')
        self.assertEqual(recovery.scrap_id.state, 'done')
        self.assertEqual(recovery.scrap_id.location_id, self.old_parts)
        self.assertTrue(recovery.disposal_date)
        self.assertEqual(recovery.inspection_note, 'Burnt MOSFET')


class TestRecoveryAccessAndList(RecoveryCase):

    def test_technician_sees_own_recoveries(self):
        repair = self.finished_repair([(self.controller, 1, None)])
        recovery = repair.recovery_ids
        Recovery = self.env['aftersales.part.recovery']
        self.assertEqual(Recovery.sudo(self.users['tech1']).search(
            [('id', '=', recovery.id)]), recovery)
        self.assertFalse(Recovery.sudo(self.users['tech2']).search(
            [('id', '=', recovery.id)]))
        for key in ('warehouse', 'finance', 'quality', 'cs', 'manager'):
            self.assertEqual(Recovery.sudo(self.users[key]).search(
                [('id', '=', recovery.id)]), recovery, key)
        with self.assertRaises(AccessError):
            recovery.sudo(self.users['tech1']).write({'removed_serial': 'x'})

    def test_overdue_filter(self):
        repair = self.finished_repair([(self.controller, 1, None)])
        recovery = repair.recovery_ids
        Recovery = self.env['aftersales.part.recovery']
        self.assertNotIn(recovery, Recovery.search([('overdue', '=', True)]))
        recovery.sudo().due_date = '2020-01-01'
        self.assertIn(recovery, Recovery.search([('overdue', '=', True)]))
        self.assertNotIn(recovery,
                         Recovery.search([('overdue', '=', False)]))

    def test_monthly_list_for_finance(self):
        """R45: by the company's day, once a month, the outstanding warranty
        parts per technician; exempt and received parts are not on it."""
        outstanding = self.finished_repair([(self.controller, 2, None)])
        received = self.finished_repair([(self.controller, 1, None)])
        received.recovery_ids.sudo(self.users['warehouse'])._receive(1)
        exempt = self.finished_repair([(self.part, 1, None)])
        self.assertEqual(exempt.recovery_ids.state, 'exempt')
        Recovery = self.env['aftersales.part.recovery']
        today = self.company._aftersales_today()
        self.company.write({'aftersales_recovery_list_date': False,
                            'aftersales_recovery_list_day': 28})
        if today.day < 28:
            self.assertFalse(Recovery._cron_outstanding_list().filtered(
                lambda line: line.company_id == self.company))
        self.company.aftersales_recovery_list_day = min(today.day, 28)
        lists = Recovery._cron_outstanding_list()
        mine = lists.filtered(lambda line: line.company_id == self.company)
        self.assertEqual(len(mine), 1)
        all_outstanding = Recovery.search(
            Recovery._outstanding_domain(self.company))
        self.assertIn(outstanding.recovery_ids, all_outstanding)
        self.assertNotIn(received.recovery_ids, all_outstanding)
        self.assertNotIn(exempt.recovery_ids, all_outstanding)
        self.assertEqual(mine.total_count, len(all_outstanding))
        tech_line = mine.line_ids.filtered(
            lambda line: line.technician_id == self.users['tech1'])
        self.assertEqual(tech_line.count, len(all_outstanding.filtered(
            lambda r: r.technician_id == self.users['tech1'])))
        # Finance is notified with an activity on the list
        activity_users = self.env['mail.activity'].search([
            ('res_model', '=', 'aftersales.recovery.list'),
            ('res_id', '=', mine.id)]).mapped('user_id')
        self.assertIn(self.users['finance'], activity_users)
        # once a month only
        self.assertFalse(Recovery._cron_outstanding_list().filtered(
            lambda line: line.company_id == self.company))
        # the printed list
        html = self.env.ref(
            'aftersales_addon.action_report_recovery_list').render_qweb_html(
                mine.ids)[0].decode()
        self.assertIn(outstanding.recovery_ids.name, html)
        self.assertNotIn(received.recovery_ids.name, html)


# other connections see only committed data: under Odoo's own runner
# (--test-enable) run after the modules are loaded and committed
@at_install(False)
@post_install(True)
class TestConcurrentReceipt(TransactionCase):
    """Two warehouse users receive the same old part at the same moment:
    one succeeds, the other is told (two real database connections)."""

    def test_second_receiver_is_refused(self):
        registry = odoo.registry(get_db_name())
        with registry.cursor() as cr0:
            env0 = api.Environment(cr0, SUPERUSER_ID, {})
            repair = env0.ref('aftersales_addon.demo_repair_4')
            recovery = env0['aftersales.part.recovery'].create({
                'repair_id': repair.id,
                'product_id': repair.operations[0].product_id.id,
                'quantity': 1,
                'technician_id': repair.technician_id.id})
            warehouse_uid = env0.ref('aftersales_addon.user_warehouse').id
            rid = recovery.id
        cr1, cr2 = registry.cursor(), registry.cursor()
        try:
            env1 = api.Environment(cr1, warehouse_uid, {})
            env2 = api.Environment(cr2, warehouse_uid, {})
            env1['aftersales.part.recovery'].browse(rid)._receive(1)
            with self.assertRaisesRegex(UserError, '其他用户正在处理'):
                env2['aftersales.part.recovery'].browse(rid)._receive(1)
            cr1.commit()
            cr2.rollback()
            # the second user, trying again, sees it received
            with self.assertRaisesRegex(UserError, '没有可接收的旧件'):
                env2['aftersales.part.recovery'].browse(rid)._receive(1)
        finally:
            cr1.rollback()
            cr2.rollback()
            cr1.close()
            cr2.close()
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                rec = env['aftersales.part.recovery'].browse(rid)
                cr.execute('UPDATE stock_move SET aftersales_recovery_id '
                           '= NULL WHERE aftersales_recovery_id = %s',
                           (rid,))
                rec.unlink()


class TestOutstandingListFigures(RecoveryCase):
    """R45: the list's totals equal its detail, and the list is a record
    of its day."""

    def test_totals_equal_detail_and_list_is_frozen(self):
        repair = self.finished_repair([(self.controller, 2, None),
                                       (self.serial_part, 1,
                                        self.battery_lot)])
        controller = self.recovery_of(repair, self.controller)
        battery = self.recovery_of(repair, self.serial_part)
        List = self.env['aftersales.recovery.list']
        day = self.company._aftersales_today()
        listed = List._generate(self.company, day)
        mine = listed.item_ids.filtered(lambda i: i.repair_id == repair)
        self.assertEqual(set(mine.mapped('recovery_id')),
                         {controller, battery})
        self.assertEqual(sum(mine.mapped('quantity')), 3.0)
        deposits = 2 * controller.deposit_unit_price + \
            battery.deposit_unit_price
        self.assertGreater(deposits, 0.0)
        self.assertAlmostEqual(sum(mine.mapped('deposit')), deposits, 2)
        line = listed.line_ids.filtered(
            lambda line: line.technician_id == self.users['tech1'])
        tech1_items = listed.item_ids.filtered(
            lambda i: i.technician_id == self.users['tech1'])
        self.assertAlmostEqual(line.quantity,
                               sum(tech1_items.mapped('quantity')))
        self.assertAlmostEqual(line.deposit,
                               sum(tech1_items.mapped('deposit')), 2)
        self.assertEqual(listed.total_count, len(listed.item_ids))
        self.assertAlmostEqual(listed.total_deposit,
                               sum(listed.item_ids.mapped('deposit')), 2)
        # the old battery comes back afterwards: the list keeps its day
        battery.sudo(self.users['warehouse'])._receive(1)
        listed.invalidate_cache()
        self.assertIn(battery, listed.item_ids.mapped('recovery_id'))
        html = self.env.ref(
            'aftersales_addon.action_report_recovery_list').sudo(
                self.users['finance']).render_qweb_html(listed.ids)[0]
        html = html.decode() if isinstance(html, bytes) else html
        self.assertIn(battery.name, html)


class TestOutstandingListQueries(RecoveryCase):
    """Issue 14: the monthly list costs the same number of queries whatever
    the number of technicians and of outstanding recoveries."""

    def test_list_queries_do_not_grow_with_technicians(self):
        repair = self.finished_repair([(self.controller, 1, None)])
        group = self.env.ref('aftersales_addon.group_aftersales_technician')
        technicians = self.env['res.users']
        for i in range(6):
            technicians |= self.env['res.users'].with_context(
                no_reset_password=True).create({
                    'name': 'Tech list %d' % i,
                    'login': 'test_as_list_%d' % i,
                    'groups_id': [(6, 0, [group.id])]})
        Recovery = self.env['aftersales.part.recovery']
        due = fields.Date.to_string(
            self.company._aftersales_today() - timedelta(days=1))
        counts = {}
        made = self.env['aftersales.recovery.list']
        for label, techs, recoveries in (('warm-up', 2, 5), ('2x5', 2, 5),
                                         ('6x25', 6, 25), ('2x25', 2, 25)):
            for i in range(recoveries):
                Recovery.create({
                    'company_id': self.company.id,
                    'repair_id': repair.id,
                    'product_id': self.controller.id,
                    'quantity': 1.0, 'deposit_unit_price': 10.0,
                    'technician_id': technicians[i % techs].id,
                    'due_date': due})
            # the list is due today
            self.company.write({'aftersales_recovery_list_date': False,
                                'aftersales_recovery_list_day': 1})
            Recovery.invalidate_cache()
            before = self.env.cr.sql_log_count
            lists = Recovery._cron_outstanding_list()
            counts[label] = self.env.cr.sql_log_count - before
            mine = lists.filtered(lambda l: l.company_id == self.company)
            self.assertEqual(len(mine), 1)
            self.assertEqual(mine.total_count, len(mine.item_ids))
            self.assertEqual(
                sum(mine.line_ids.filtered(
                    lambda line: line.technician_id in technicians)
                    .mapped('count')),
                Recovery.search_count(
                    [('technician_id', 'in', technicians.ids),
                     ('state', '=', 'to_return')]))
            # Finance has one to-do on this month's list only
            finance = self.env['mail.activity'].search([
                ('res_model', '=', mine._name),
                ('user_id', '=', self.users['finance'].id),
                ('aftersales_key', '=', 'recovery_list')])
            self.assertEqual(finance.mapped('res_id'), mine.ids)
            self.assertEqual(finance.summary,
                             'Outstanding old parts to follow up')
            made |= mine
        # the previous lists' to-dos are marked done in their chatter
        done = made[0].message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref('mail.mt_activities'))
        mine = done.filtered(lambda m: self.users['finance'].name in m.body)
        self.assertEqual(len(mine), 1)
        self.assertIn('Outstanding old parts to follow up', mine.body)
        self.assertEqual(mine.mail_activity_type_id,
                         self.env.ref('mail.mail_activity_data_todo'))
        self.assertEqual(counts['2x5'], counts['6x25'], counts)
        self.assertEqual(counts['2x5'], counts['2x25'], counts)
