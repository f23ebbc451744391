# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Technician receivables: R22 finance release, R50 receivable following
the customer's invoice, R51 monthly statements, R52 deduction and refund on
the payslip, R53 notification and parts-only sales."""
import importlib.util
import random
from datetime import date, timedelta
from unittest.mock import patch

import odoo
from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.module import get_module_resource

from ..models.receivable.aftersales_technician_receivable import \
    AftersalesTechnicianReceivable
from ..tools.early_lock import lock_keys
from .common import AftersalesCase


def days_ago(days):
    return fields.Date.to_string(date.today() - timedelta(days=days))


class ReceivableCase(AftersalesCase):

    @classmethod
    def setUpClass(cls):
        super(ReceivableCase, cls).setUpClass()
        cls.Receivable = cls.env['aftersales.technician.receivable']
        cls.Statement = cls.env['aftersales.receivable.statement']
        # the demo's receivables age too; the tests look at their own
        cls.preexisting = cls.Receivable.search([])
        cls.company = cls.env.user.company_id
        cls.bank = cls.env['account.journal'].search(
            [('type', '=', 'bank'), ('company_id', '=', cls.company.id)],
            limit=1)
        cls.income = cls.env['account.account'].search(
            [('user_type_id', '=', cls.env.ref(
                'account.data_account_type_revenue').id),
             ('company_id', '=', cls.company.id)], limit=1)

    # helpers -----------------------------------------------------------
    def charged_repair(self, qty=2):
        """A confirmed repair whose customer owes qty x 80 for parts."""
        repair = self.env['mrp.repair'].browse(self.create_repair().id)
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=qty))
        repair.sudo(self.users['tech1']).action_validate()
        self.assertGreater(repair.amount_total, 0)
        return repair

    def customer_invoice(self, amount):
        invoice = self.env['account.invoice'].create({
            'partner_id': self.customer.id,
            'type': 'out_invoice',
            'invoice_line_ids': [(0, 0, {
                'name': 'Spare parts', 'product_id': self.part.id,
                'quantity': 1, 'price_unit': amount,
                'account_id': self.income.id})],
        })
        invoice.action_invoice_open()
        return invoice

    def make_receivable(self, amount=100.0, tech='tech1', age=0,
                        invoice=True):
        """A receivable vouched ``age`` days ago, following an open
        invoice of the same amount."""
        # the ledger makes receivables (a vouched release); set one up
        receivable = self.Receivable.sudo().create({
            'employee_id': self.employees[tech].id,
            'partner_id': self.customer.id,
            'origin': 'TEST',
            'amount': amount,
            'date': days_ago(age),
        })
        if invoice:
            receivable.write({'invoice_ids': [
                (4, self.customer_invoice(amount).id)]})
        return self.Receivable.browse(receivable.id)

    def pay(self, receivable, amount):
        invoice = receivable.invoice_ids[:1]
        invoice.pay_and_reconcile(self.bank, pay_amount=amount)
        receivable.invalidate_cache()
        return invoice

    def age(self, days_from_now=0):
        """Run the ageing job on today + ``days_from_now``; the deductions
        of this test's receivables."""
        return self.Receivable._age_receivables(
            today=days_ago(-days_from_now)).filtered(
                lambda m: m.receivable_id not in self.preexisting)

    def own(self, statements):
        """This test's technicians' statements."""
        employees = self.employees['tech1'] | self.employees['tech2']
        return statements.filtered(lambda s: s.employee_id in employees)

    def new_technicians(self, count, prefix='flat'):
        """``count`` new technicians (users with an employee): the first
        reads in Odoo (Inbox) in Chinese, the others by email in
        English."""
        group = self.env.ref('aftersales_addon.group_aftersales_technician')
        employees = self.env['hr.employee']
        for i in range(count):
            user = self.env['res.users'].with_context(
                no_reset_password=True).create({
                    'name': 'Tech %s %d' % (prefix, i),
                    'login': 'test_as_%s_%d' % (prefix, i),
                    'email': 'test_as_%s_%d@example.com' % (prefix, i),
                    'lang': 'zh_CN' if i == 0 else 'en_US',
                    'notification_type': 'inbox' if i == 0 else 'email',
                    'groups_id': [(6, 0, [
                        self.env.ref('base.group_user').id, group.id])]})
            employees |= self.env['hr.employee'].create(
                {'name': user.name, 'user_id': user.id})
        return employees

    def vouch(self, employees, count, age=45, amount=10.0):
        """``count`` receivables vouched ``age`` days ago, spread over
        ``employees`` in turn."""
        for i in range(count):
            self.Receivable.sudo().create({
                'employee_id': employees[i % len(employees)].id,
                'partner_id': self.customer.id, 'amount': amount,
                'date': days_ago(age)})

    def assertLedger(self, receivable, amount, paid, deducted, refunded):
        receivable.invalidate_cache()
        self.assertAlmostEqual(receivable.amount, amount)
        self.assertAlmostEqual(receivable.paid_amount, paid)
        self.assertAlmostEqual(receivable.deducted_amount, deducted)
        self.assertAlmostEqual(receivable.refunded_amount, refunded)
        self.assertAlmostEqual(receivable.balance,
                               amount - paid - deducted + refunded)


class TestFinanceRelease(ReceivableCase):
    """R22 and R53: parts leave only after Finance's release."""

    def test_parts_wait_for_finance_release(self):
        repair = self.charged_repair()
        repair.sudo(self.users['tech1']).action_issue_parts()
        picking = repair.parts_picking_ids
        with self.assertRaisesRegex(UserError, 'released by Finance'):
            picking.sudo(self.users['warehouse']).button_validate()
        self.assertEqual(picking.state, 'assigned')
        receivable = self.release(repair)
        self.assertEqual(repair.finance_release, 'vouched')
        self.assertEqual(repair.vouch_user_id, self.users['tech1'])
        self.assertEqual(receivable.employee_id, self.employees['tech1'])
        self.assertAlmostEqual(receivable.amount, repair.amount_total)
        self.assertEqual(receivable.state, 'open')
        picking.sudo(self.users['warehouse']).button_validate()
        self.assertEqual(picking.state, 'done')

    def test_nothing_to_pay_is_released_as_warranty(self):
        free_part = self.env['product.product'].create({
            'name': 'Free Fuse', 'type': 'product', 'list_price': 0.0})
        self.env['stock.quant']._update_available_quantity(
            free_part, self.stock_location, 5)
        repair = self.create_repair()
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, product=free_part))
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.amount_total, 0.0)
        repair.sudo(self.users['tech1']).action_issue_parts()
        repair.parts_picking_ids.sudo(
            self.users['warehouse']).button_validate()
        self.assertEqual(repair.parts_picking_ids.state, 'done')
        self.assertEqual(repair.finance_release, 'warranty')
        self.assertFalse(repair.receivable_id)

    def test_paid_release_needs_the_customers_payment(self):
        repair = self.charged_repair()
        due = repair.amount_total
        unpaid = self.customer_invoice(due)
        with self.assertRaisesRegex(UserError, 'not paid'):
            self.release(repair, mode='paid', invoice_id=unpaid.id)
        with self.assertRaisesRegex(UserError, 'paid invoice or payment'):
            self.release(repair, mode='paid')
        payment_method = self.env.ref(
            'account.account_payment_method_manual_in')
        small = self.env['account.payment'].create({
            'payment_type': 'inbound', 'partner_type': 'customer',
            'partner_id': self.customer.id, 'amount': due - 10,
            'journal_id': self.bank.id,
            'payment_method_id': payment_method.id})
        small.post()
        with self.assertRaisesRegex(UserError, 'does not cover'):
            self.release(repair, mode='paid', payment_id=small.id)
        unpaid.pay_and_reconcile(self.bank)
        self.assertEqual(unpaid.state, 'paid')
        self.release(repair, mode='paid', invoice_id=unpaid.id)
        self.assertEqual(repair.finance_release, 'paid')
        self.assertEqual(repair.finance_release_ref, unpaid.number)
        self.assertFalse(repair.receivable_id)
        self.issue_parts(repair)
        self.assertEqual(repair.parts_picking_ids.state, 'done')

    def test_order_growing_after_release_is_released_again(self):
        repair = self.charged_repair(qty=1)
        receivable = self.release(repair)
        first = receivable.amount
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=1))
        repair.sudo(self.users['tech1']).action_issue_parts()
        with self.assertRaisesRegex(UserError, 'release it again'):
            repair.parts_picking_ids.sudo(
                self.users['warehouse']).button_validate()
        self.release(repair)
        self.assertEqual(repair.receivable_id, receivable)
        self.assertAlmostEqual(receivable.amount, repair.amount_total)
        self.assertGreater(receivable.amount, first)
        self.assertEqual(receivable.move_ids.mapped('kind'), ['new', 'new'])
        repair.parts_picking_ids.sudo(
            self.users['warehouse']).button_validate()

    def test_vouched_notice_reaches_the_technician_laid_out(self):
        """R50/R53: the technician who vouched is told at once, in his
        language: by email (laid out like Odoo's notification: the View
        button, his Unfollow link, the footer) or in his Inbox. The release
        costs the same queries for an order of 1 or of 4 part lines
        (issue 14: the notice is posted set-based)."""
        counts = []
        for lines in (1, 1, 4):  # the first run warms the caches up
            repair = self.charged_repair(qty=1)
            for _i in range(lines - 1):
                self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
                    self.part_line_vals(repair, qty=1))
            repair.invalidate_cache()
            before = self.env.cr.sql_log_count
            receivable = self.release(repair)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2], counts)
        notice = receivable.message_ids.filtered(
            lambda m: 'You vouched for' in (m.body or ''))
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.partner_ids, self.users['tech1'].partner_id)
        self.assertEqual(notice.author_id, self.users['finance'].partner_id)
        email = self.env['mail.mail'].search(
            [('mail_message_id', '=', notice.id)])
        self.assertEqual(email.recipient_ids,
                         self.users['tech1'].partner_id)
        self.assertIn('You vouched for %s' % repair.name, email.body_html)
        self.assertIn('/mail/view?message_id=%d' % notice.id,
                      email.body_html)
        self.assertIn('View Technician Receivable', email.body_html)
        self.assertIn('/mail/unfollow?model=', email.body_html)
        self.assertIn('Sent by', email.body_html)
        self.assertEqual(email.subject, 'Re: %s' % receivable.name)
        # a technician reading in Odoo (Chinese) finds it in his Inbox
        self.users['tech2'].write({'notification_type': 'inbox',
                                   'lang': 'zh_CN'})
        repair = self.charged_repair(qty=1)
        receivable = self.release(repair, tech='tech2')
        notice = receivable.message_ids.filtered(
            lambda m: m.partner_ids == self.users['tech2'].partner_id)
        self.assertIn('您', notice.body)
        self.assertFalse(self.env['mail.mail'].search(
            [('mail_message_id', '=', notice.id)]))
        self.assertIn(notice.id, [m['id'] for m in self.env[
            'mail.message'].sudo(self.users['tech2']).message_fetch(
                [('needaction', '=', True)])])

    def test_only_finance_releases(self):
        repair = self.charged_repair()
        for key in ('tech1', 'cs', 'warehouse', 'manager'):
            with self.assertRaises(AccessError, msg=key):
                repair.sudo(self.users[key])._aftersales_finance_release(
                    'vouched', vouch_user=self.users['tech1'])
        with self.assertRaises(AccessError):
            repair.sudo(self.users['tech1']).write(
                {'finance_release': 'paid'})
        self.assertFalse(repair.finance_release)

    def test_vouching_needs_a_technician_with_an_employee(self):
        repair = self.charged_repair()
        with self.assertRaisesRegex(UserError, 'not a technician'):
            self.release(repair, tech='cs')
        lonely = self.env['res.users'].with_context(
            no_reset_password=True).create({
                'name': 'No Employee Tech', 'login': 'test_as_noemp',
                'email': 'noemp@example.com',
                'groups_id': [(6, 0, [self.env.ref(
                    'aftersales_addon.group_aftersales_technician').id])]})
        self.users['noemp'] = lonely
        with self.assertRaisesRegex(UserError, 'no employee record'):
            self.release(repair, tech='noemp')
        self.assertFalse(repair.finance_release)
        self.assertFalse(self.Receivable.search(
            [('repair_id', '=', repair.id)]))

    def test_receivable_amount_must_be_positive(self):
        for amount in (0.0, -50.0):
            with self.assertRaises(ValidationError):
                self.make_receivable(amount=amount, invoice=False)

    def test_parts_sale_ships_after_payment_or_vouching(self):
        """R53: a parts-only sale waits for Finance; an ordinary sale
        does not."""
        def sale(parts_sale):
            order = self.env['sale.order'].create({
                'partner_id': self.customer.id,
                'aftersales_parts_sale': parts_sale,
                'order_line': [(0, 0, {
                    'product_id': self.part.id, 'product_uom_qty': 1,
                    'price_unit': 80.0})]})
            order.action_confirm()
            picking = order.picking_ids
            picking.move_lines.write({'quantity_done': 1})
            return order, picking

        ordinary, picking = sale(False)
        picking.button_validate()
        self.assertEqual(picking.state, 'done')

        order, picking = sale(True)
        with self.assertRaisesRegex(UserError, 'released by Finance'):
            picking.button_validate()
        receivable = self.release(order, tech='tech2')
        self.assertEqual(receivable.sale_order_id, order)
        self.assertEqual(receivable.employee_id, self.employees['tech2'])
        self.assertAlmostEqual(receivable.amount, order.amount_total)
        picking.button_validate()
        self.assertEqual(picking.state, 'done')
        # the receivable follows the sale's invoice (R50)
        invoice = self.env['account.invoice'].browse(
            order.action_invoice_create())
        self.assertIn(invoice, receivable.invoice_ids)


class TestReceivableFollowsInvoice(ReceivableCase):
    """R50 / R53."""

    def test_repair_invoice_payments_settle_the_receivable(self):
        repair = self.charged_repair()
        receivable = self.release(repair)
        self.issue_parts(repair)
        repair.sudo(self.users['finance']).action_invoice_create()
        invoice = repair.invoice_id
        self.assertIn(invoice, receivable.invoice_ids)
        invoice.action_invoice_open()
        total = receivable.amount
        # partial payment
        invoice.pay_and_reconcile(self.bank, pay_amount=50.0)
        receivable.invalidate_cache()
        self.assertLedger(receivable, total, 50.0, 0.0, 0.0)
        self.assertEqual(receivable.state, 'open')
        # R53: the technician is told at once, within the hours setting
        activity = self.env['mail.activity'].search([
            ('res_model', '=', receivable._name),
            ('res_id', '=', receivable.id),
            ('user_id', '=', self.users['tech1'].id)])
        self.assertEqual(len(activity), 1)
        self.assertLessEqual(
            activity.date_deadline, fields.Date.to_string(
                date.today() + timedelta(days=1)))
        # the rest
        invoice.pay_and_reconcile(self.bank)
        receivable.invalidate_cache()
        self.assertLedger(receivable, total, total, 0.0, 0.0)
        self.assertEqual(receivable.state, 'settled')
        self.assertEqual(receivable.age_bucket, 'settled')

    def test_unreconciled_payment_reopens_the_receivable(self):
        receivable = self.make_receivable(100.0)
        invoice = self.pay(receivable, 100.0)
        self.assertEqual(receivable.state, 'settled')
        invoice.payment_move_line_ids.remove_move_reconcile()
        receivable.invalidate_cache()
        self.assertLedger(receivable, 100.0, 0.0, 0.0, 0.0)
        self.assertEqual(receivable.state, 'open')
        self.assertEqual(receivable.move_ids.mapped('kind'),
                         ['new', 'payment', 'payment'])

    def test_payment_larger_than_the_receivable(self):
        receivable = self.make_receivable(100.0)
        self.pay(receivable, 150.0)
        self.assertLedger(receivable, 100.0, 100.0, 0.0, 0.0)
        self.assertEqual(receivable.state, 'settled')
        self.assertFalse(receivable.move_ids.filtered(
            lambda m: m.kind == 'refund'))

    def test_invoice_lowered_by_deposit_credit_settles(self):
        """A credit note reconciled with the invoice (e.g. an old part's
        deposit given back) lowers what the customer owes: the receivable
        settles when the rest is paid."""
        receivable = self.make_receivable(100.0)
        invoice = receivable.invoice_ids
        refund = invoice.refund(description='Deposit back')
        refund.invoice_line_ids.write({'price_unit': 30.0})
        refund.compute_taxes()
        refund.action_invoice_open()
        credit = refund.move_id.line_ids.filtered(
            lambda line: line.account_id == invoice.account_id)
        invoice.assign_outstanding_credit(credit.id)
        receivable.invalidate_cache()
        self.assertLedger(receivable, 100.0, 30.0, 0.0, 0.0)
        self.pay(receivable, 70.0)
        self.assertLedger(receivable, 100.0, 100.0, 0.0, 0.0)
        self.assertEqual(receivable.state, 'settled')

    def test_draft_invoice_pays_nothing(self):
        receivable = self.make_receivable(100.0, invoice=False)
        draft = self.env['account.invoice'].create({
            'partner_id': self.customer.id, 'type': 'out_invoice',
            'invoice_line_ids': [(0, 0, {
                'name': 'Parts', 'quantity': 1, 'price_unit': 100.0,
                'account_id': self.income.id})]})
        receivable.write({'invoice_ids': [(4, draft.id)]})
        self.assertEqual(receivable.paid_amount, 0.0)
        self.assertEqual(receivable.state, 'open')

    def test_followed_invoice_cannot_be_deleted(self):
        repair = self.charged_repair()
        receivable = self.release(repair)
        self.issue_parts(repair)
        repair.sudo(self.users['finance']).action_invoice_create()
        invoice = repair.invoice_id
        self.assertEqual(invoice.state, 'draft')
        with self.assertRaisesRegex(UserError, 'cannot be deleted'):
            invoice.unlink()
        self.assertTrue(invoice.exists())
        self.assertIn(invoice, receivable.invoice_ids)

    def test_receivable_cannot_be_deleted(self):
        receivable = self.make_receivable(100.0, invoice=False)
        with self.assertRaises(UserError):
            receivable.unlink()


class TestAgeing(ReceivableCase):
    """R52: deduction after 40 days, refund when the customer pays later."""

    def test_deducted_after_forty_days_not_before(self):
        receivable = self.make_receivable(100.0, age=0)
        self.assertFalse(self.age(days_from_now=40))
        self.assertEqual(receivable.balance, 100.0)
        deductions = self.age(days_from_now=41)
        self.assertEqual(deductions.receivable_id, receivable)
        self.assertEqual(deductions.amount, 100.0)
        self.assertEqual(deductions.state, 'pending')
        self.assertLedger(receivable, 100.0, 0.0, 100.0, 0.0)
        self.assertEqual(receivable.state, 'deducted')
        self.assertEqual(receivable.age_bucket, 'deducted')

    def test_period_is_a_company_setting(self):
        self.company.write({'aftersales_receivable_warning_days': 5,
                            'aftersales_receivable_deduction_days': 10})
        receivable = self.make_receivable(100.0, age=11)
        self.assertEqual(self.age().receivable_id, receivable)

    def test_ageing_buckets(self):
        young = self.make_receivable(10.0, age=30)
        warning = self.make_receivable(10.0, age=31)
        edge = self.make_receivable(10.0, age=40)
        self.Receivable._update_states(today=days_ago(0))
        young.invalidate_cache()
        self.assertEqual(young.age_bucket, 'current')
        self.assertEqual(warning.age_bucket, 'warning')
        self.assertEqual(edge.age_bucket, 'warning')
        self.assertFalse(edge.overdue)
        self.Receivable._update_states(today=days_ago(-1))
        edge.invalidate_cache()
        self.assertEqual(edge.age_bucket, 'overdue')
        self.assertIn(warning, self.Receivable.search(
            [('age_bucket', '=', 'warning')]))
        old = self.make_receivable(10.0, age=41)
        self.assertIn(old, self.Receivable.search([('overdue', '=', True)]))
        self.assertNotIn(edge, self.Receivable.search(
            [('overdue', '=', True)]))

    def test_running_twice_deducts_nothing_twice(self):
        receivable = self.make_receivable(100.0, age=45)
        self.assertEqual(len(self.age()), 1)
        self.assertFalse(self.age())
        self.assertFalse(self.age(days_from_now=30))
        self.assertLedger(receivable, 100.0, 0.0, 100.0, 0.0)

    def test_interrupted_job_completes_on_rerun(self):
        first = self.make_receivable(100.0, age=45)
        second = self.make_receivable(60.0, tech='tech2', age=50)
        with patch.object(AftersalesTechnicianReceivable,
                          '_notify_deductions',
                          side_effect=RuntimeError('worker killed')):
            with self.assertRaises(RuntimeError):
                with self.env.cr.savepoint():
                    self.age()
        self.Receivable.invalidate_cache()
        self.assertLedger(first, 100.0, 0.0, 0.0, 0.0)
        deductions = self.age()
        self.assertEqual(len(deductions), 2)
        self.assertLedger(first, 100.0, 0.0, 100.0, 0.0)
        self.assertLedger(second, 60.0, 0.0, 60.0, 0.0)

    def test_partial_payment_before_deduction(self):
        receivable = self.make_receivable(100.0, age=45)
        self.pay(receivable, 30.0)
        self.assertEqual(self.age().amount, 70.0)
        self.assertLedger(receivable, 100.0, 30.0, 70.0, 0.0)

    def test_customer_pays_after_deduction_refund_scheduled(self):
        receivable = self.make_receivable(100.0, age=45)
        self.age()
        self.pay(receivable, 40.0)
        refund = receivable.move_ids.filtered(lambda m: m.kind == 'refund')
        self.assertEqual(refund.amount, 40.0)
        self.assertEqual(refund.state, 'pending')
        self.assertEqual(refund.refund_method, 'payslip')
        company = self.env.user.company_id
        self.assertEqual(refund.due_date, fields.Date.to_string(
            company._aftersales_add_working_days(
                company._aftersales_today(), 2)))
        self.assertLedger(receivable, 100.0, 40.0, 100.0, 40.0)
        self.assertEqual(receivable.state, 'deducted')
        # Finance gets the refund to do, due within the working days
        self.assertTrue(self.env['mail.activity'].search([
            ('res_model', '=', receivable._name),
            ('res_id', '=', receivable.id),
            ('user_id', '=', self.users['finance'].id),
            ('date_deadline', '=', refund.due_date)]))
        self.pay(receivable, 60.0)
        self.assertLedger(receivable, 100.0, 100.0, 100.0, 100.0)
        self.assertEqual(receivable.state, 'settled')
        self.assertFalse(self.age())

    def test_ageing_queries_do_not_grow_with_receivables(self):
        """The daily job is set-based: as many queries for 10 overdue
        receivables as for 1."""
        counts = []
        for n in (1, 1, 10):  # the first run warms the caches up
            for _i in range(n):
                self.make_receivable(10.0, age=45, invoice=False)
            self.Receivable.invalidate_cache()
            before = self.env.cr.sql_log_count
            deductions = self.age()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(deductions), n)
        self.assertEqual(counts[1], counts[2], counts)

    def test_ageing_queries_do_not_grow_with_technicians(self):
        """Issue 14: the daily job costs the same number of queries for 2
        technicians as for 6, for 5 overdue receivables as for 25: the
        deduction notices are posted set-based, not one message_post per
        technician."""
        technicians = self.new_technicians(6)
        counts = {}
        # the first run warms the caches up (and deducts the demo's)
        for label, techs, receivables in (('warm-up', 2, 5), ('2x5', 2, 5),
                                          ('6x25', 6, 25), ('2x25', 2, 25),
                                          ('6x6', 6, 6)):
            self.vouch(technicians[:techs], receivables)
            self.Receivable.invalidate_cache()
            before = self.env.cr.sql_log_count
            deductions = self.Receivable._age_receivables(
                today=days_ago(0))
            counts[label] = self.env.cr.sql_log_count - before
            self.assertEqual(len(deductions.filtered(
                lambda m: m.employee_id in technicians)), receivables)
        self.assertEqual(counts['2x5'], counts['6x25'], counts)
        self.assertEqual(counts['2x5'], counts['2x25'], counts)
        self.assertEqual(counts['2x5'], counts['6x6'], counts)

    def test_deduction_notice_reaches_each_technician(self):
        """R52: each technician is told, in his language, what goes on his
        next payslip: in his Inbox when he reads in Odoo, by email
        otherwise; whoever follows his employee record for discussions
        (e.g. his manager) is told too. The message is on the employee's
        chatter, one per technician."""
        inbox, by_email = self.new_technicians(2, prefix='notice')
        manager = self.users['manager'].partner_id
        inbox.message_subscribe(
            partner_ids=manager.ids,
            subtype_ids=self.env.ref('mail.mt_comment').ids)
        self.vouch(inbox, 2, amount=30.0)
        self.vouch(by_email, 1, amount=12.5)
        self.assertEqual(len(self.age()), 3)
        Message = self.env['mail.message']
        Notification = self.env['mail.notification']
        mine = Message.search([('model', '=', 'hr.employee'),
                               ('res_id', '=', inbox.id)], limit=1)
        self.assertIn('2 笔应收款超过扣款期限仍未收回，合计 60.00', mine.body)
        self.assertEqual(mine.partner_ids, inbox.user_id.partner_id)
        self.assertEqual(mine.subtype_id, self.env.ref('mail.mt_comment'))
        self.assertIn(mine, inbox.message_ids)
        unread = Notification.search([('mail_message_id', '=', mine.id),
                                      ('is_read', '=', False)])
        self.assertEqual(unread.mapped('res_partner_id'),
                         inbox.user_id.partner_id)
        # the manager following the employee reads it by email
        self.assertIn(manager, Notification.search([
            ('mail_message_id', '=', mine.id)]).mapped('res_partner_id'))
        # the inbox shows it to the technician
        self.assertIn(mine.id, [m['id'] for m in Message.sudo(
            inbox.user_id).message_fetch([('needaction', '=', True)])])
        theirs = Message.search([('model', '=', 'hr.employee'),
                                 ('res_id', '=', by_email.id)], limit=1)
        self.assertIn('1 receivable(s) unpaid after the deduction period, '
                      'total 12.50', theirs.body)
        email = self.env['mail.mail'].search(
            [('mail_message_id', '=', theirs.id)])
        self.assertEqual(email.recipient_ids, by_email.user_id.partner_id)
        self.assertEqual(email.state, 'outgoing')
        self.assertIn('total 12.50', email.body_html)
        self.assertTrue(email.subject)
        # one message per technician, whatever the number of receivables
        self.assertFalse(self.age())
        self.assertEqual(Message.search_count([
            ('model', '=', 'hr.employee'),
            ('res_id', 'in', (inbox | by_email).ids),
            ('body', 'ilike', '12.50')]), 1)

    def test_working_days_follow_the_company_calendar(self):
        """R52's working days are the company's working calendar: its
        week, and its public holidays (leaves of no employee)."""
        company = self.env.user.company_id
        self.assertTrue(company.resource_calendar_id.attendance_ids)
        friday = date(2026, 11, 20)
        self.assertEqual(company._aftersales_add_working_days(friday, 2),
                         date(2026, 11, 24))
        self.assertEqual(company._aftersales_add_working_days(
            date(2026, 11, 23), 2), date(2026, 11, 25))
        # a public holiday on Monday 23 November
        self.env['resource.calendar.leaves'].create({
            'name': 'Holiday', 'calendar_id': company.resource_calendar_id.id,
            'date_from': '2026-11-22 16:00:00',
            'date_to': '2026-11-23 15:59:59'})
        self.assertEqual(company._aftersales_add_working_days(friday, 2),
                         date(2026, 11, 25))
        # a calendar without working hours: Monday to Friday, holidays kept
        company.resource_calendar_id.attendance_ids.unlink()
        self.assertEqual(company._aftersales_add_working_days(friday, 2),
                         date(2026, 11, 25))
        self.assertEqual(company._aftersales_add_working_days(
            date(2026, 11, 26), 1), date(2026, 11, 27))

    def test_refund_of_a_receivable_never_deducted_is_refused(self):
        receivable = self.make_receivable(100.0, age=5)
        self.pay(receivable, 100.0)
        with self.assertRaisesRegex(UserError, 'Nothing was deducted'):
            receivable.sudo(self.users['finance']).action_schedule_refund()
        self.assertFalse(receivable.move_ids.filtered(
            lambda m: m.kind == 'refund'))


class TestPayslip(ReceivableCase):
    """R52: the deduction and the refund are inputs of the next payslip."""

    def payslip(self, tech='tech1'):
        today = date.today()
        slip = self.env['hr.payslip'].create({
            'employee_id': self.employees[tech].id,
            'contract_id': self.contracts[tech].id,
            'struct_id': self.env.ref('hr_payroll.structure_base').id,
            'date_from': fields.Date.to_string(today.replace(day=1)),
            'date_to': fields.Date.to_string(
                (today.replace(day=28) + timedelta(days=4)).replace(day=1)
                - timedelta(days=1)),
        })
        slip.compute_sheet()
        return slip

    def line(self, slip, code):
        return slip.line_ids.filtered(lambda line: line.code == code)

    def test_deduction_and_refund_on_payslips(self):
        receivable = self.make_receivable(300.0, age=45)
        self.make_receivable(50.0, age=10)  # not due: not deducted
        self.age()
        slip = self.payslip()
        deduction_input = slip.input_line_ids.filtered(
            lambda i: i.code == 'ASRECDED')
        self.assertEqual(deduction_input.amount, 300.0)
        self.assertEqual(self.line(slip, 'ASRECDED').total, -300.0)
        self.assertEqual(self.line(slip, 'NET').total, 6000.0 - 300.0)
        slip.action_payslip_done()
        deduction = receivable.move_ids.filtered(
            lambda m: m.kind == 'deduction')
        self.assertEqual(deduction.state, 'done')
        self.assertEqual(deduction.payslip_id, slip)
        # the customer pays afterwards: refunded on the next payslip
        self.pay(receivable, 120.0)
        slip2 = self.payslip()
        self.assertFalse(self.line(slip2, 'ASRECDED'))
        self.assertEqual(self.line(slip2, 'ASRECREF').total, 120.0)
        self.assertEqual(self.line(slip2, 'NET').total, 6000.0 + 120.0)
        slip2.action_payslip_done()
        refund = receivable.move_ids.filtered(lambda m: m.kind == 'refund')
        self.assertEqual((refund.state, refund.payslip_id),
                         ('done', slip2))
        self.assertLedger(receivable, 300.0, 120.0, 300.0, 120.0)

    def test_other_technicians_payslip_untouched(self):
        self.make_receivable(300.0, age=45)
        self.age()
        slip = self.payslip(tech='tech2')
        self.assertFalse(self.line(slip, 'ASRECDED'))
        self.assertEqual(self.line(slip, 'NET').total, 6000.0)

    def test_cancelled_payslip_hands_deduction_to_next(self):
        receivable = self.make_receivable(80.0, age=45)
        self.age()
        slip = self.payslip()
        slip.action_payslip_cancel()
        deduction = receivable.move_ids.filtered(
            lambda m: m.kind == 'deduction')
        self.assertFalse(deduction.payslip_id)
        slip2 = self.payslip()
        self.assertEqual(self.line(slip2, 'ASRECDED').total, -80.0)

    def test_refund_paid_directly(self):
        receivable = self.make_receivable(100.0, age=45)
        self.age()
        self.pay(receivable, 100.0)
        refund = receivable.move_ids.filtered(lambda m: m.kind == 'refund')
        wizard = self.env['aftersales.receivable.refund.wizard'].sudo(
            self.users['finance']).create({
                'move_id': refund.id, 'journal_id': self.bank.id})
        wizard.action_pay()
        self.assertEqual(refund.state, 'done')
        self.assertEqual(refund.payment_id.state, 'posted')
        self.assertEqual(refund.payment_id.amount, 100.0)
        self.assertEqual(refund.payment_id.partner_id,
                         self.users['tech1'].partner_id)
        # not paid twice: the next payslip carries no refund
        slip = self.payslip()
        self.assertFalse(self.line(slip, 'ASRECREF'))
        with self.assertRaises(UserError):
            wizard.action_pay()


class TestStatements(ReceivableCase):
    """R51: monthly statement per technician, confirmed or disputed."""

    def test_statement_figures_and_identity(self):
        today = date.today()
        first = today.replace(day=1)
        prev_to = first - timedelta(days=1)
        prev_from = prev_to.replace(day=1)
        old = self.make_receivable(200.0, age=(today - prev_from).days + 10)
        new = self.make_receivable(90.0, age=(today - prev_from).days - 3)
        other = self.make_receivable(40.0, tech='tech2', age=(
            today - prev_from).days - 1)
        # a payment today is outside last month
        self.pay(new, 20.0)
        statements = self.own(self.Statement._generate(
            self.company, fields.Date.to_string(prev_from),
            fields.Date.to_string(prev_to)))
        mine = statements.filtered(
            lambda s: s.employee_id == self.employees['tech1'])
        self.assertEqual(len(statements), 2)
        self.assertEqual(mine.opening, 200.0)
        self.assertEqual(mine.new_amount, 90.0)
        self.assertEqual(mine.paid, 0.0)
        self.assertEqual(mine.closing, 290.0)
        self.assertEqual(mine.line_ids.mapped('receivable_id'), old | new)
        line_old = mine.line_ids.filtered(
            lambda line: line.receivable_id == old)
        self.assertEqual(line_old.age_days, (prev_to - fields.Date.from_string(
            old.date)).days)
        theirs = statements - mine
        self.assertEqual(theirs.line_ids.receivable_id, other)
        # again for the same period: nothing new
        self.assertFalse(self.own(self.Statement._generate(
            self.company, fields.Date.to_string(prev_from),
            fields.Date.to_string(prev_to))))
        # current month: the payment appears; closing = opening + ... (R51)
        current = self.Statement._generate(
            self.company, fields.Date.to_string(first),
            fields.Date.to_string(today))
        mine_now = current.filtered(
            lambda s: s.employee_id == self.employees['tech1'])
        self.assertEqual(mine_now.opening, mine.closing)
        self.assertEqual(mine_now.paid, 20.0)
        self.assertEqual(mine_now.closing, 270.0)

    def test_statement_queries_do_not_grow_with_receivables(self):
        """R51 statements: one technician with 1 or 10 receivables costs
        the same number of queries."""
        prev_to = date.today().replace(day=1) - timedelta(days=1)
        period = (fields.Date.to_string(prev_to.replace(day=1)),
                  fields.Date.to_string(prev_to))
        counts = []
        for n in (1, 1, 10):
            user = self.env['res.users'].with_context(
                no_reset_password=True).create({
                    'name': 'Tech %s' % len(counts),
                    'login': 'test_as_techq%s' % len(counts),
                    'groups_id': [(6, 0, [self.env.ref(
                        'aftersales_addon.group_aftersales_technician').id])]})
            employee = self.env['hr.employee'].create(
                {'name': user.name, 'user_id': user.id})
            for _i in range(n):
                self.Receivable.create({
                    'employee_id': employee.id,
                    'partner_id': self.customer.id, 'amount': 10.0,
                    'date': fields.Date.to_string(prev_to)})
            self.Receivable.invalidate_cache()
            before = self.env.cr.sql_log_count
            statements = self.Statement._generate(self.company, *period)
            counts.append(self.env.cr.sql_log_count - before)
            mine = statements.filtered(lambda s: s.employee_id == employee)
            self.assertEqual(len(mine.line_ids), n)
            self.assertEqual(mine.closing, 10.0 * n)
        self.assertEqual(counts[1], counts[2], counts)

    def test_statement_queries_do_not_grow_with_technicians(self):
        """Issue 14: the monthly statements cost the same number of queries
        for 2 technicians as for 6, for 5 receivables as for 25: the
        statements and the technicians' to-dos are written set-based."""
        prev_to = date.today().replace(day=1) - timedelta(days=1)
        age = (date.today() - prev_to).days
        counts = {}
        for label, techs, receivables in (('warm-up', 2, 5), ('2x5', 2, 5),
                                          ('6x25', 6, 25), ('2x25', 2, 25)):
            technicians = self.new_technicians(techs, prefix=label)
            self.vouch(technicians, receivables, age=age)
            self.Receivable.invalidate_cache()
            before = self.env.cr.sql_log_count
            statements = self.Statement._generate(
                self.company, fields.Date.to_string(prev_to.replace(day=1)),
                fields.Date.to_string(prev_to))
            counts[label] = self.env.cr.sql_log_count - before
            mine = statements.filtered(
                lambda s: s.employee_id in technicians)
            self.assertEqual(len(mine), techs)
            self.assertEqual(len(mine.mapped('line_ids')), receivables)
            self.assertAlmostEqual(sum(mine.mapped('closing')),
                                   10.0 * receivables)
        self.assertEqual(counts['2x5'], counts['6x25'], counts)
        self.assertEqual(counts['2x5'], counts['2x25'], counts)

    def test_statement_to_do_in_the_technicians_language(self):
        """R51: each technician gets one to-do on his own statement, in his
        language, and follows the statement (as an Odoo activity makes
        him)."""
        chinese, english = self.new_technicians(2, prefix='stmt')
        prev_to = date.today().replace(day=1) - timedelta(days=1)
        self.vouch(chinese | english, 2,
                   age=(date.today() - prev_to).days)
        statements = self.Statement._generate(
            self.company, fields.Date.to_string(prev_to.replace(day=1)),
            fields.Date.to_string(prev_to))
        for employee, summary in ((chinese, '请确认您的应收款对账单'),
                                  (english,
                                   'Confirm your receivable statement')):
            statement = statements.filtered(
                lambda s: s.employee_id == employee)
            self.assertEqual(statement.name, '%s %s' % (
                employee.name, prev_to.strftime('%Y-%m')))
            self.assertEqual(statement.user_id, employee.user_id)
            activity = self.env['mail.activity'].search([
                ('res_model', '=', statement._name),
                ('res_id', '=', statement.id)])
            self.assertEqual(activity.user_id, employee.user_id)
            self.assertEqual(activity.summary, summary)
            self.assertEqual(activity.res_name, statement.name)
            self.assertEqual(activity.aftersales_key, 'statement_confirm')
            self.assertEqual(statement.activity_user_id, employee.user_id)
            self.assertIn(employee.user_id.partner_id,
                          statement.message_partner_ids)
            # his to-do is closed when he confirms
            statement.sudo(employee.user_id).action_confirm()
            self.assertFalse(activity.exists())

    def test_cron_makes_statements_once_by_the_day(self):
        self.make_receivable(100.0, age=60)
        self.company.aftersales_receivable_statement_date = False
        self.assertFalse(self.Statement._cron_monthly_statements(
            today='2026-11-04'))
        made = self.Statement._cron_monthly_statements(today='2026-11-05')
        self.assertTrue(made)
        self.assertEqual(set(made.mapped('date_to')), {'2026-10-31'})
        self.assertFalse(self.Statement._cron_monthly_statements(
            today='2026-11-20'))
        # the day is a setting
        self.company.aftersales_receivable_statement_day = 3
        self.assertTrue(self.Statement._cron_monthly_statements(
            today='2026-12-03'))

    def test_technician_confirms_or_disputes(self):
        self.make_receivable(100.0, age=60)
        self.make_receivable(30.0, tech='tech2', age=60)
        today = date.today()
        prev_to = today.replace(day=1) - timedelta(days=1)
        statements = self.Statement._generate(
            self.company, fields.Date.to_string(prev_to.replace(day=1)),
            fields.Date.to_string(prev_to))
        mine = statements.filtered(
            lambda s: s.employee_id == self.employees['tech1'])
        # the technician has a to-do to confirm it
        self.assertTrue(self.env['mail.activity'].search([
            ('res_model', '=', mine._name), ('res_id', '=', mine.id),
            ('user_id', '=', self.users['tech1'].id)]))
        with self.assertRaises(AccessError):
            mine.sudo(self.users['tech2']).action_confirm()
        line = mine.line_ids.sudo(self.users['tech1'])
        with self.assertRaises(UserError):
            line.action_dispute('  ')
        wizard = self.env['aftersales.statement.dispute.wizard'].sudo(
            self.users['tech1']).create({
                'line_id': line.id, 'note': 'The customer paid in cash.'})
        wizard.action_dispute()
        self.assertEqual(mine.state, 'disputed')
        self.assertEqual(line.dispute_note, 'The customer paid in cash.')
        self.assertTrue(self.env['mail.activity'].search([
            ('res_model', '=', mine._name), ('res_id', '=', mine.id),
            ('user_id', '=', self.users['finance'].id)]))
        with self.assertRaisesRegex(UserError, 'disputed'):
            mine.sudo(self.users['tech1']).action_confirm()
        with self.assertRaises(AccessError):
            mine.sudo(self.users['tech1']).action_resolve()
        mine.sudo(self.users['finance']).action_resolve()
        mine.sudo(self.users['tech1']).action_confirm()
        self.assertEqual(mine.state, 'confirmed')
        self.assertTrue(mine.confirm_date)

    def test_statement_report(self):
        receivable = self.make_receivable(123.45, age=60)
        today = date.today()
        prev_to = today.replace(day=1) - timedelta(days=1)
        statement = self.Statement._generate(
            self.company, fields.Date.to_string(prev_to.replace(day=1)),
            fields.Date.to_string(prev_to))
        html = self.env.ref(
            'aftersales_addon.action_report_receivable_statement'
        ).render_qweb_html(statement.ids)[0].decode()
        self.assertIn(receivable.name, html)
        self.assertIn('123.45', html)
        self.assertIn('Closing Balance', html)


class TestReceivableNumbers(ReceivableCase):
    """Issue 24, R50: receivable references have no gaps."""

    def number(self, receivable):
        return int(receivable.name.rsplit('/', 1)[1])

    def test_rolled_back_creation_leaves_no_gap(self):
        first = self.make_receivable(10.0, invoice=False)
        with self.assertRaises(RuntimeError):
            with self.env.cr.savepoint():
                lost = self.make_receivable(20.0, invoice=False)
                lost_name = lost.name
                raise RuntimeError('the release failed')
        self.Receivable.invalidate_cache()
        self.assertFalse(self.Receivable.search([('name', '=', lost_name)]))
        following = self.make_receivable(30.0, invoice=False)
        self.assertEqual(following.name, lost_name)
        self.assertEqual(self.number(following), self.number(first) + 1)

    def test_vouched_release_locks_the_sequence_first(self):
        """Issue 24: a vouched release locks the receivable sequence (one
        row shared by every vouched release) with the order and the
        technician before any work, so two releases queue instead of the
        second failing on the row and being redone; a paid release does
        not number and does not lock it."""
        sequence = self.env.ref('aftersales_addon.seq_technician_receivable')
        repair = self.charged_repair()
        self.assertIn(sequence, repair._aftersales_release_hot_records(
            'vouched', self.users['tech1']))
        self.assertNotIn(sequence, repair._aftersales_release_hot_records(
            'paid', None))
        other = odoo.sql_db.db_connect(self.env.cr.dbname).cursor()
        other.autocommit(True)
        self.addCleanup(other.close)
        key = lock_keys(sequence)[0]

        def free():
            other.execute('SELECT pg_try_advisory_lock(%s, %s)', key)
            got = other.fetchone()[0]
            if got:
                other.execute('SELECT pg_advisory_unlock(%s, %s)', key)
            return got
        self.assertTrue(free())
        receivable = self.release(repair)
        self.assertTrue(receivable)
        self.assertFalse(free(), 'held by the release until it commits')

    def test_migration_makes_the_sequence_gapless(self):
        """11.0.1.7.0: a database numbering receivables with a standard
        sequence goes on, gapless, after the last number it gave."""
        sequence = self.env.ref('aftersales_addon.seq_technician_receivable')
        sequence.write({'implementation': 'standard', 'number_next': 500})
        burnt = sequence.next_by_id()  # a number a rolled-back release took
        path = get_module_resource('aftersales_addon', 'migrations',
                                   '11.0.1.7.0', 'post-migration.py')
        spec = importlib.util.spec_from_file_location('post_170', path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, '11.0.1.6.1')
        sequence.invalidate_cache()
        self.assertEqual(sequence.implementation, 'no_gap')
        receivable = self.make_receivable(10.0, invoice=False)
        self.assertEqual(self.number(receivable),
                         int(burnt.rsplit('/', 1)[1]) + 1)


class TestReceivableAccess(ReceivableCase):
    """R1: a technician sees only their own receivables and statements,
    Finance sees all, the After-sales Manager reads all."""

    def test_visibility_per_department(self):
        mine = self.make_receivable(100.0, invoice=False)
        theirs = self.make_receivable(50.0, tech='tech2', invoice=False)
        both = mine | theirs
        Receivable = self.Receivable
        self.assertEqual(Receivable.sudo(self.users['tech1']).search(
            [('id', 'in', both.ids)]), mine)
        self.assertEqual(Receivable.sudo(self.users['tech2']).search(
            [('id', 'in', both.ids)]), theirs)
        for key in ('finance', 'manager'):
            self.assertEqual(Receivable.sudo(self.users[key]).search(
                [('id', 'in', both.ids)]), both, key)
        for key in ('cs', 'warehouse', 'purchasing', 'quality'):
            with self.assertRaises(AccessError, msg=key):
                Receivable.sudo(self.users[key]).search([])
        with self.assertRaises(AccessError):
            theirs.sudo(self.users['tech1']).read(['balance'])
        # history entries follow the same rule
        Move = self.env['aftersales.receivable.move']
        self.assertEqual(Move.sudo(self.users['tech1']).search(
            [('receivable_id', 'in', both.ids)]).mapped('receivable_id'),
            mine)

    def test_manager_reads_but_does_not_write(self):
        receivable = self.make_receivable(100.0, invoice=False)
        as_manager = receivable.sudo(self.users['manager'])
        self.assertEqual(as_manager.balance, 100.0)
        with self.assertRaises(AccessError):
            as_manager.write({'invoice_ids': [(5,)]})
        with self.assertRaises(AccessError):
            self.Receivable.sudo(self.users['manager']).create({
                'employee_id': self.employees['tech1'].id,
                'partner_id': self.customer.id, 'amount': 10.0,
                'date': days_ago(0)})
        with self.assertRaises(AccessError):
            receivable.sudo(self.users['tech1']).write(
                {'invoice_ids': [(5,)]})

    def test_statements_are_private(self):
        self.make_receivable(100.0, age=60)
        prev_to = date.today().replace(day=1) - timedelta(days=1)
        statement = self.Statement._generate(
            self.company, fields.Date.to_string(prev_to.replace(day=1)),
            fields.Date.to_string(prev_to))
        Statement = self.Statement
        self.assertEqual(Statement.sudo(self.users['tech1']).search(
            [('id', '=', statement.id)]), statement)
        self.assertFalse(Statement.sudo(self.users['tech2']).search(
            [('id', '=', statement.id)]))
        self.assertEqual(Statement.sudo(self.users['manager']).search(
            [('id', '=', statement.id)]), statement)
        with self.assertRaises(AccessError):
            statement.sudo(self.users['manager']).write({'name': 'x'})


class TestLedgerIdentity(ReceivableCase):
    """R50-R52: after a random sequence of vouching, payments, ageing and
    refunds, every technician's statements satisfy opening + new - paid -
    deducted + refunded = closing, chain month to month, and end on the sum
    of the receivables' balances."""

    def test_random_events_keep_the_ledger_exact(self):
        rng = random.Random(20261124)
        receivables = self.Receivable
        for _i in range(10):
            receivables |= self.make_receivable(
                amount=float(rng.randint(1, 40) * 10),
                tech=rng.choice(['tech1', 'tech2']),
                age=rng.randint(0, 100))
        for _step in range(25):
            event = rng.choice(['pay', 'pay', 'age', 'unreconcile'])
            receivable = rng.choice(receivables)
            invoice = receivable.invoice_ids
            if event == 'pay' and invoice.residual > 0:
                amount = min(invoice.residual,
                             float(rng.randint(1, 20) * 10))
                self.pay(receivable, amount)
            elif event == 'age':
                self.age()
            elif event == 'unreconcile' and invoice.payment_move_line_ids:
                rng.choice(invoice.payment_move_line_ids) \
                    .remove_move_reconcile()
        receivables.invalidate_cache()
        # every receivable: figures equal the customer's payments
        for receivable in receivables:
            invoice = receivable.invoice_ids
            self.assertAlmostEqual(
                receivable.paid_amount,
                receivable.amount - min(receivable.amount, invoice.residual))
            self.assertGreaterEqual(receivable.deducted_amount,
                                    receivable.refunded_amount)
        # monthly statements from the oldest month to this one
        today = date.today()
        month = (today - timedelta(days=101)).replace(day=1)
        closing = {}
        while month <= today:
            last = (month.replace(day=28) + timedelta(days=4)).replace(
                day=1) - timedelta(days=1)
            statements = self.own(self.Statement._generate(
                self.company, fields.Date.to_string(month),
                fields.Date.to_string(min(last, today))))
            for statement in statements:
                self.assertAlmostEqual(
                    statement.opening + statement.new_amount -
                    statement.paid - statement.deducted +
                    statement.refunded, statement.closing)
                self.assertAlmostEqual(
                    statement.opening,
                    closing.get(statement.employee_id.id, 0.0))
                for line in statement.line_ids:
                    self.assertAlmostEqual(
                        line.opening + line.new_amount - line.paid -
                        line.deducted + line.refunded, line.closing)
                closing[statement.employee_id.id] = statement.closing
            month = last + timedelta(days=1)
        for key in ('tech1', 'tech2'):
            employee = self.employees[key]
            self.assertAlmostEqual(
                closing.get(employee.id, 0.0),
                sum(receivables.filtered(
                    lambda r: r.employee_id == employee).mapped('balance')))
