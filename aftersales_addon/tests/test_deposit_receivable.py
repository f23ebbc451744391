# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deposits and receivables agree (R42 x R50-R52): when the old part comes
back and its deposit is credited, the technician who vouched for the order
no longer owes that money, and is never deducted for it."""
from datetime import date, timedelta

from odoo import fields

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
        self.receive(repair, 1)
        receivable.invalidate_cache()
        refund = self.recovery_of(repair, self.controller).refund_ids
        self.assertAlmostEqual(before - receivable.balance,
                               refund.amount_total)
        self.assertGreater(refund.amount_total, unit_deposit - 0.01)
        self.assertGreater(receivable.balance, 0.0)
