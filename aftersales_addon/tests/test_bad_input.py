# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bad input is refused with a clear message and leaves nothing behind."""
from odoo.exceptions import UserError, ValidationError

from .common import AftersalesCase


class TestBadInput(AftersalesCase):

    def test_repair_from_ticket_without_product(self):
        ticket = self.create_ticket(product_id=False, lot_id=False)
        before = self.env['mrp.repair'].search_count([])
        with self.assertRaisesRegex(UserError, 'Set the product'):
            ticket.sudo(self.users['cs']).action_create_repair()
        self.assertEqual(self.env['mrp.repair'].search_count([]), before)
        self.assertFalse(ticket.repair_ids)

    def test_repair_from_serial_ticket_without_serial(self):
        ticket = self.create_ticket(lot_id=False)
        with self.assertRaisesRegex(UserError, 'serial number'):
            ticket.sudo(self.users['cs']).action_create_repair()
        self.assertFalse(ticket.repair_ids)

    def test_repair_from_non_repair_request(self):
        ticket = self.create_ticket(request_type='consultation')
        with self.assertRaisesRegex(UserError, 'Only a repair request'):
            ticket.sudo(self.users['cs']).action_create_repair()
        self.assertFalse(ticket.repair_ids)

    def test_serial_part_without_serial(self):
        repair = self.create_repair()
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        # the savepoint stands for the request's transaction, which Odoo
        # rolls back when the constraint raises
        with self.assertRaisesRegex(ValidationError, 'Serial number'), \
                self.env.cr.savepoint():
            Line.create(self.part_line_vals(repair, self.serial_part, 1))
        repair.invalidate_cache()
        self.assertFalse(repair.operations)

    def test_end_without_test_result(self):
        repair = self.create_repair()
        tech = repair.sudo(self.users['tech1'])
        tech.action_validate()
        tech.action_repair_start()
        with self.assertRaisesRegex(UserError, 'Record the test result'):
            tech.action_repair_end()
        self.assertEqual(repair.state, 'under_repair')
        self.assertFalse(repair.date_end)
        tech.test_result = 'failed'
        with self.assertRaisesRegex(UserError, 'failed'):
            tech.action_repair_end()
        self.assertEqual(repair.state, 'under_repair')

    def test_end_with_parts_not_issued(self):
        repair = self.create_repair()
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=1))
        tech = repair.sudo(self.users['tech1'])
        tech.action_validate()
        tech.action_repair_start()
        tech.test_result = 'passed'
        with self.assertRaisesRegex(UserError, 'not been issued'):
            tech.action_repair_end()
        self.assertEqual(repair.state, 'under_repair')
        self.assertFalse(repair.operations.move_id)

    def test_issue_on_draft_or_twice(self):
        repair = self.create_repair()
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=1))
        tech = repair.sudo(self.users['tech1'])
        with self.assertRaisesRegex(UserError, 'confirmed repair order'):
            tech.action_issue_parts()
        tech.action_validate()
        tech.action_issue_parts()
        with self.assertRaisesRegex(UserError, 'requested already'):
            tech.action_issue_parts()
        self.assertEqual(len(repair.parts_picking_ids), 1)

    def test_return_more_than_issued(self):
        repair = self.create_repair()
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=2))
        tech = repair.sudo(self.users['tech1'])
        tech.action_validate()
        Wizard = self.env['aftersales.repair.return.wizard'].sudo(
            self.users['tech1']).with_context(default_repair_id=repair.id)
        with self.assertRaisesRegex(UserError, 'nothing to return'):
            Wizard.create({})
        self.issue_parts(repair)
        wizard = Wizard.create({})
        with self.assertRaises(ValidationError):
            wizard.line_ids.write({'quantity': 3})
        with self.assertRaisesRegex(UserError, 'at least one part'):
            Wizard.create({}).action_return()
        self.assertEqual(len(repair.parts_picking_ids), 1)

    def test_assign_non_technician(self):
        # R14: the request itself is not dispatched to a non-technician
        count = self.env['helpdesk.ticket'].search_count([])
        with self.assertRaisesRegex(UserError, 'is not a technician'):
            self.create_ticket(technician_id=self.users['cs'].id)
        self.assertEqual(self.env['helpdesk.ticket'].search_count([]),
                         count)
        # nor its repair order, had it one (data older than the rule)
        ticket = self.create_ticket()
        ticket.sudo().write({'technician_id': self.users['cs'].id})
        with self.assertRaisesRegex(UserError, 'not in the Technician group'):
            ticket.sudo(self.users['cs']).action_create_repair()
        self.assertFalse(ticket.repair_ids)

    def test_delete_confirmed_repair(self):
        repair = self.create_repair()
        repair.sudo(self.users['tech1']).action_validate()
        with self.assertRaisesRegex(UserError, 'cancel the order first'):
            repair.sudo(self.users['tech1']).unlink()
        self.assertTrue(repair.exists())
