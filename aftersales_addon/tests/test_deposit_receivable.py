# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deposits and receivables agree (R42 x R50-R52): when the old part comes
back and its deposit is credited, the technician who vouched for the order
no longer owes that money, and is never deducted for it."""
from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import UserError

from .test_recovery import RecoveryCase


class TestDepositCreditSettlesReceivable(RecoveryCase):

    def vouched_deposit_repair(self, qty=1):
        """An in-warranty repair whose only parts are deposits (the
        controller must come back), vouched by tech1, invoiced and the
        invoice validated."""
        repair = self.env['mrp.repair'].browse(self.finished_repair(
            [(self.controller, qty, None)], invoice=True).id)
        receivable = repair.receivable_id
        self.assertTrue(receivable, 'the deposit was vouched for')
        self.assertEqual(repair.operations.warranty_coverage, 'deposit')
        self.assertEqual(repair.invoice_id.state, 'open')
        self.assertAlmostEqual(receivable.balance, repair.amount_total)
        return repair, receivable

    def receive(self, repair, quantity):
        recovery = self.recovery_of(repair, self.controller)
        recovery.sudo(self.users['warehouse'])._receive(quantity)
        return recovery

    def test_old_part_back_settles_a_deposits_only_order(self):
        repair, receivable = self.vouched_deposit_repair()
        self.receive(repair, 1)
        refund = self.recovery_of(repair, self.controller).refund_ids
        self.assertEqual(refund.state, 'paid')
        self.assertEqual(repair.invoice_id.state, 'paid')
        receivable.invalidate_cache()
        self.assertAlmostEqual(receivable.balance, 0.0)
        self.assertEqual(receivable.state, 'settled')
        # day 41: nothing is deducted from the technician's salary
        day41 = date.today() + timedelta(
            days=self.company.aftersales_receivable_deduction_days + 1)
        deductions = self.env['aftersales.technician.receivable'] \
            ._age_receivables(today=fields.Date.to_string(day41)).filtered(
                lambda m: m.receivable_id == receivable)
        self.assertFalse(deductions)

    def test_partial_receipt_lowers_the_balance_by_what_came_back(self):
        repair, receivable = self.vouched_deposit_repair(qty=2)
        before = receivable.balance
        unit_deposit = self.recovery_of(
            repair, self.controller).deposit_unit_price
        # the order says what is charged as a deposit and what comes back
        line = repair.operations
        self.assertAlmostEqual(repair.aftersales_deposit_amount,
                               line.price_subtotal)
        self.assertAlmostEqual(repair.aftersales_deposit_open,
                               2 * line.price_unit)
        html = self.env.ref('aftersales_addon.action_report_service') \
            .render_qweb_html(repair.ids)[0]
        html = html.decode() if isinstance(html, bytes) else html
        self.assertIn('Deposit:', html)
        self.receive(repair, 1)
        repair.invalidate_cache()
        self.assertAlmostEqual(repair.aftersales_deposit_open,
                               line.price_unit)
        receivable.invalidate_cache()
        refund = self.recovery_of(repair, self.controller).refund_ids
        self.assertAlmostEqual(before - receivable.balance,
                               refund.amount_total)
        self.assertGreater(refund.amount_total, unit_deposit - 0.01)
        self.assertGreater(receivable.balance, 0.0)


class TestCancelledOrders(RecoveryCase):
    """R21/R22/R50: a cancelled order ships nothing and costs the
    technician nothing."""

    def released_request(self):
        repair = self.env['mrp.repair'].browse(self.create_repair().id)
        repair.sudo(self.users['cs']).failure_date = '2030-01-01'
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=2))
        repair.sudo(self.users['tech1']).action_validate()
        repair.sudo(self.users['tech1']).action_issue_parts()
        receivable = self.release(repair)
        return repair, receivable

    def test_cancelling_closes_transfer_and_receivable(self):
        repair, receivable = self.released_request()
        picking = repair.parts_picking_ids
        self.assertNotEqual(picking.state, 'done')
        repair.sudo(self.users['cs']).action_repair_cancel()
        self.assertEqual(picking.state, 'cancel')
        receivable.invalidate_cache()
        self.assertAlmostEqual(receivable.balance, 0.0)
        self.assertEqual(receivable.state, 'settled')
        entry = receivable.move_ids.filtered(lambda m: m.kind == 'cancel')
        self.assertTrue(entry)
        self.assertIn(repair.name, entry.note)
        # nothing to deduct on day 41
        day41 = date.today() + timedelta(
            days=self.company.aftersales_receivable_deduction_days + 1)
        self.assertFalse(self.env['aftersales.technician.receivable']
                         ._age_receivables(
                             today=fields.Date.to_string(day41)).filtered(
                                 lambda m: m.receivable_id == receivable))
        # and a cancelled order is not released again
        with self.assertRaises(UserError):
            self.release(repair)
        self.assertFalse(repair.sudo(self.users['finance']).can_be_released)


class TestToRelease(RecoveryCase):
    """R22/R53: Finance sees what waits for it; the warehouse sees the
    release state; an order that grew is released again from the form."""

    def test_to_release_list_and_growing_order(self):
        repair = self.env['mrp.repair'].browse(self.create_repair().id)
        repair.sudo(self.users['cs']).failure_date = '2030-01-01'
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=1))
        repair.sudo(self.users['tech1']).action_validate()
        repair.sudo(self.users['tech1']).action_issue_parts()
        Repair = self.env['mrp.repair'].sudo(self.users['finance'])
        waiting = Repair.search([('aftersales_to_release', '=', True)])
        self.assertIn(repair, waiting)
        picking = repair.parts_picking_ids
        self.assertEqual(picking.sudo(self.users['warehouse'])
                         .aftersales_release_state, 'to_release')
        self.release(repair)
        self.assertNotIn(repair, Repair.search(
            [('aftersales_to_release', '=', True)]))
        self.assertEqual(picking.sudo(self.users['warehouse'])
                         .aftersales_release_state, 'vouched')
        self.assertFalse(repair.sudo(self.users['finance']).can_be_released)
        # a part found during the work: the order grows beyond the release
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, product=self.controller))
        repair.invalidate_cache()
        self.assertTrue(repair.sudo(self.users['finance']).can_be_released)
        self.assertIn(repair, Repair.search(
            [('aftersales_to_release', '=', True)]))
        # nothing waits for a plain repair or a quotation
        self.assertFalse(Repair.search(
            [('aftersales_to_release', '=', True),
             ('state', '=', 'draft')]))
