# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""R25: a loaner unit lent while the customer's unit is repaired.

Loaner units live in each warehouse's Loaner Units location; Lend Loaner
on a repair order makes a delivery the warehouse validates; the unit is
due back when the repair ends, overdue loaners are listed and get a to-do;
Take Loaner Back makes the receipt. One loaner per order, a unit lent
once at a time."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError

from .common import AftersalesCase


class TestRepairLoaners(AftersalesCase):

    @classmethod
    def setUpClass(cls):
        super(TestRepairLoaners, cls).setUpClass()
        cls.loaner_location = cls.warehouse.aftersales_loaner_location_id
        uom = cls.env.ref('product.product_uom_unit')
        cls.loaner_product = cls.env['product.product'].create({
            'name': 'Test Loaner Scooter', 'type': 'product',
            'tracking': 'serial', 'uom_id': uom.id, 'uom_po_id': uom.id})
        Lot = cls.env['stock.production.lot']
        cls.loan1 = Lot.create({'name': 'TEST-LOAN-01',
                                'product_id': cls.loaner_product.id})
        cls.loan2 = Lot.create({'name': 'TEST-LOAN-02',
                                'product_id': cls.loaner_product.id})
        cls.elsewhere = Lot.create({'name': 'TEST-LOAN-STOCK',
                                    'product_id': cls.loaner_product.id})
        Quant = cls.env['stock.quant']
        for lot in (cls.loan1, cls.loan2):
            Quant._update_available_quantity(
                cls.loaner_product, cls.loaner_location, 1, lot_id=lot)
        # a unit in the ordinary stock is no loaner
        Quant._update_available_quantity(
            cls.loaner_product, cls.stock_location, 1, lot_id=cls.elsewhere)

    def lend(self, repair, lot, user='cs'):
        """Lend Loaner as the web client does: the action, the wizard's
        defaults and onchange (the units offered), the save, the button."""
        action = repair.sudo(self.users[user]).action_lend_loaner()
        Wizard = self.env[action['res_model']].sudo(
            self.users[user]).with_context(action['context'])
        fields_list = ['repair_id', 'location_id', 'available_count',
                       'lot_id']
        values = Wizard.default_get(fields_list)
        result = Wizard.onchange(values, 'repair_id',
                                 {name: '1' for name in fields_list})
        offered = self.env['stock.production.lot'].search(
            result['domain']['lot_id'])
        values['lot_id'] = lot.id
        Wizard.create(values).action_lend()
        return offered

    def quant_location(self, lot):
        return self.env['stock.quant'].search(
            [('lot_id', '=', lot.id), ('quantity', '>', 0)]).location_id

    def end_repair(self, repair):
        repair.sudo(self.users['cs']).failure_date = '2030-01-01'
        tech = repair.sudo(self.users['tech1'])
        tech.action_validate()
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()

    # ------------------------------------------------------------------
    def test_every_warehouse_keeps_loaners_apart(self):
        warehouses = self.env['stock.warehouse'].with_context(
            active_test=False).search([])
        for warehouse in warehouses:
            location = warehouse.aftersales_loaner_location_id
            self.assertEqual(location.usage, 'internal', warehouse.name)
            self.assertEqual(location.location_id,
                             warehouse.view_location_id)
        new = self.env['stock.warehouse'].create({
            'name': 'Test Loaner Warehouse', 'code': 'TLW'})
        self.assertTrue(new.aftersales_loaner_location_id)
        self.assertNotEqual(new.aftersales_loaner_location_id,
                            self.loaner_location)

    def test_migration_gives_existing_warehouses_their_location(self):
        """11.0.1.8.0: a warehouse made before the loaners gets its
        location by the migration, once; a warehouse that has one keeps
        it."""
        import importlib.util
        import os
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                            'migrations', '11.0.1.8.0',
                            'post-desk-dispatch.py')
        spec = importlib.util.spec_from_file_location('post_desk', path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        old = self.env['stock.warehouse'].create(
            {'name': 'Test Old Depot', 'code': 'TOD'})
        old.aftersales_loaner_location_id = False
        locations = self.env['stock.location'].search_count([])
        migration.migrate(self.cr, '11.0.1.7.0')
        self.assertEqual(old.aftersales_loaner_location_id.location_id,
                         old.view_location_id)
        self.assertEqual(self.warehouse.aftersales_loaner_location_id,
                         self.loaner_location)
        self.assertEqual(self.env['stock.location'].search_count([]),
                         locations + 1)
        migration.migrate(self.cr, '11.0.1.7.0')
        self.assertEqual(self.env['stock.location'].search_count([]),
                         locations + 1)

    def test_lend_hand_over_return(self):
        repair = self.create_repair()
        offered = self.lend(repair, self.loan1)
        # only the units kept in the loaner location are offered
        self.assertIn(self.loan1, offered)
        self.assertIn(self.loan2, offered)
        self.assertNotIn(self.elsewhere, offered)
        self.assertEqual(repair.loaner_state, 'to_lend')
        self.assertEqual(repair.loaner_lot_id, self.loan1)
        self.assertEqual(repair.loaner_user_id, self.users['cs'])
        picking = repair.loaner_picking_id
        self.assertEqual(picking.aftersales_loaner_repair_id, repair)
        self.assertEqual(picking.location_id, self.loaner_location)
        self.assertEqual(picking.origin, repair.name)
        self.assertEqual(picking.move_line_ids.lot_id, self.loan1)
        # customer service does not hand it over: the warehouse does
        with self.assertRaises(AccessError):
            picking.sudo(self.users['cs']).button_validate()
        picking.sudo(self.users['warehouse']).button_validate()
        self.assertEqual(picking.state, 'done')
        self.assertEqual(repair.loaner_state, 'out')
        self.assertEqual(self.quant_location(self.loan1).usage, 'customer')
        # the unit is not offered again while it is out
        other = self.create_repair(self.create_ticket())
        self.assertNotIn(self.loan1, self.lend(other, self.loan2))
        # the customer brings it back
        self.assertTrue(repair.sudo(self.users['cs']).can_return_loaner)
        repair.sudo(self.users['cs']).action_return_loaner()
        back = repair.loaner_return_picking_id
        self.assertEqual(back.location_dest_id, self.loaner_location)
        self.assertEqual(repair.loaner_state, 'out')
        with self.assertRaises(UserError):
            repair.sudo(self.users['cs']).action_return_loaner()
        back.sudo(self.users['warehouse']).button_validate()
        self.assertEqual(repair.loaner_state, 'returned')
        self.assertEqual(self.quant_location(self.loan1),
                         self.loaner_location)

    def test_second_loaner_on_the_same_order_refused(self):
        repair = self.create_repair()
        self.lend(repair, self.loan1)
        pickings = self.env['stock.picking'].search_count([])
        with self.assertRaises(UserError):
            self.lend(repair, self.loan2)
        repair.loaner_picking_id.sudo(
            self.users['warehouse']).button_validate()
        with self.assertRaises(UserError):
            self.lend(repair, self.loan2)
        # nothing half-written
        self.assertEqual(self.env['stock.picking'].search_count([]),
                         pickings)
        self.assertEqual(repair.loaner_lot_id, self.loan1)
        self.assertFalse(repair.sudo(self.users['cs']).can_lend_loaner)

    def test_unit_already_out_refused(self):
        first = self.create_repair()
        second = self.create_repair(self.create_ticket())
        self.lend(first, self.loan1)
        # promised to the first order: not lent twice
        with self.assertRaises(UserError):
            second.sudo(self.users['cs'])._aftersales_lend_loaner(
                self.loan1)
        first.loaner_picking_id.sudo(
            self.users['warehouse']).button_validate()
        with self.assertRaises(UserError):
            second.sudo(self.users['cs'])._aftersales_lend_loaner(
                self.loan1)
        # a unit outside the loaner location is no loaner
        with self.assertRaises(UserError):
            second.sudo(self.users['cs'])._aftersales_lend_loaner(
                self.elsewhere)
        self.assertEqual(second.loaner_state, 'none')
        self.assertFalse(second.loaner_picking_id)

    def test_due_when_the_repair_ends_then_overdue(self):
        company = self.env.user.company_id
        company.aftersales_request_loaner_grace_days = 2
        repair = self.create_repair()
        self.lend(repair, self.loan1)
        repair.loaner_picking_id.sudo(
            self.users['warehouse']).button_validate()
        self.assertFalse(repair.loaner_due_date)
        self.end_repair(repair)
        today = company._aftersales_today()
        self.assertEqual(repair.loaner_due_date, fields.Date.to_string(
            today + timedelta(days=2)))
        Repair = self.env['mrp.repair'].sudo(self.users['cs'])
        self.assertNotIn(repair, Repair.search(
            [('loaner_overdue', '=', True)]))
        # three days later it is still out: overdue, a to-do for the
        # person who lent it, once
        repair.sudo().write({'loaner_due_date': fields.Date.to_string(
            today - timedelta(days=1))})
        self.assertIn(repair, Repair.search([('loaner_overdue', '=', True)]))
        self.assertTrue(repair.loaner_overdue)
        Repair.sudo()._cron_loaner_overdue()
        Repair.sudo()._cron_loaner_overdue()
        todos = self.env['mail.activity'].search([
            ('res_model', '=', 'mrp.repair'), ('res_id', '=', repair.id),
            ('aftersales_key', '=', 'loaner_overdue')])
        self.assertEqual(todos.user_id, self.users['cs'])
        self.assertEqual(len(todos), 1)
        self.assertIn(self.loan1.name, todos.summary)
        # back: the to-do is closed and nothing is overdue
        repair.sudo(self.users['cs']).action_return_loaner()
        repair.loaner_return_picking_id.sudo(
            self.users['warehouse']).button_validate()
        self.assertFalse(todos.exists())
        self.assertNotIn(repair, Repair.search(
            [('loaner_overdue', '=', True)]))

    def test_no_loaner_after_the_work_ended(self):
        repair = self.create_repair()
        self.end_repair(repair)
        self.assertFalse(repair.sudo(self.users['cs']).can_lend_loaner)
        with self.assertRaises(UserError):
            repair.sudo(self.users['cs'])._aftersales_lend_loaner(
                self.loan1)

    def test_cancelled_order_drops_the_pending_loaner(self):
        repair = self.create_repair()
        self.lend(repair, self.loan1)
        picking = repair.loaner_picking_id
        repair.sudo(self.users['cs']).action_repair_cancel()
        self.assertEqual(picking.state, 'cancel')
        self.assertEqual(repair.loaner_state, 'none')
        # the unit may be lent again
        other = self.create_repair(self.create_ticket())
        self.lend(other, self.loan1)
        self.assertEqual(other.loaner_lot_id, self.loan1)

    def test_departments(self):
        repair = self.create_repair()   # tech1's
        for key in ('finance', 'purchasing', 'quality', 'office',
                    'technical'):
            self.assertFalse(repair.sudo(self.users[key]).can_lend_loaner,
                             key)
            with self.assertRaises(AccessError, msg=key):
                repair.sudo(self.users[key])._aftersales_lend_loaner(
                    self.loan1)
        # another technician does not reach tech1's order
        with self.assertRaises(AccessError):
            repair.sudo(self.users['tech2'])._aftersales_lend_loaner(
                self.loan1)
        # the technician of the order lends it on site
        self.assertTrue(repair.sudo(self.users['tech1']).can_lend_loaner)
        self.lend(repair, self.loan1, user='tech1')
        self.assertEqual(repair.loaner_user_id, self.users['tech1'])

    def test_loaner_fields_are_written_by_the_actions_only(self):
        repair = self.create_repair()
        for vals in ({'loaner_lot_id': self.loan1.id},
                     {'loaner_due_date': '2030-01-01'}):
            with self.assertRaises(AccessError):
                repair.sudo(self.users['cs']).write(vals)
        self.lend(repair, self.loan1)
        picking = repair.loaner_picking_id
        with self.assertRaises(AccessError):
            picking.sudo(self.users['cs']).write(
                {'aftersales_loaner_repair_id': False})
        with self.assertRaises(AccessError):
            picking.sudo(self.users['cs']).write(
                {'location_id': self.stock_location.id})
        with self.assertRaises(AccessError):
            self.env['stock.picking'].sudo(self.users['cs']).with_context(
                default_aftersales_loaner_repair_id=repair.id).create({
                    'picking_type_id': self.warehouse.out_type_id.id,
                    'location_id': self.loaner_location.id,
                    'location_dest_id': self.env.ref(
                        'stock.stock_location_customers').id})
