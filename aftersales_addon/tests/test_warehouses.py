# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every warehouse has its own parts issue, parts return and old parts
receipt types, sequences and locations (R21, R24, R43; issue 13), made by
the warehouse's own hooks: a repair order issues its parts from its
warehouse, unused parts and old parts come back to the warehouse the part
was issued from."""
from odoo.tests.common import at_install, post_install

from .test_recovery import RecoveryCase

KINDS = {
    'aftersales_parts_issue_type_id': ('issue', 'RPI'),
    'aftersales_parts_return_type_id': ('return', 'RPR'),
    'aftersales_old_parts_type_id': ('old_parts', 'OLD'),
}


class WarehouseCase(RecoveryCase):

    @classmethod
    def setUpClass(cls):
        super(WarehouseCase, cls).setUpClass()
        cls.main = cls.env.ref('stock.warehouse0')
        # a service centre of the same company, made after install
        cls.wh2 = cls.env['stock.warehouse'].create(
            {'name': 'Chengdu Service Centre', 'code': 'CDU'})
        cls.stock2 = cls.wh2.lot_stock_id
        cls.battery_lot2 = cls.env['stock.production.lot'].create(
            {'name': 'TEST-BAT-CDU-1', 'product_id': cls.serial_part.id})
        Quant = cls.env['stock.quant']
        Quant._update_available_quantity(cls.part, cls.stock2, 5)
        Quant._update_available_quantity(
            cls.serial_part, cls.stock2, 1, lot_id=cls.battery_lot2)

    def assert_own_records(self, warehouse):
        """``warehouse`` has its own types of each kind, numbered after its
        code, and its own Parts at Repair and Old Parts locations."""
        parts = warehouse.aftersales_parts_location_id
        old_parts = warehouse.aftersales_old_parts_location_id
        for location in (parts, old_parts):
            self.assertEqual(location.usage, 'internal')
            self.assertEqual(location.location_id,
                             warehouse.view_location_id)
            self.assertEqual(location.company_id, warehouse.company_id)
        self.assertNotEqual(parts, old_parts)
        for field, (kind, code) in KINDS.items():
            picking_type = warehouse[field]
            self.assertEqual(picking_type.aftersales_parts_kind, kind)
            self.assertEqual(picking_type.warehouse_id, warehouse)
            self.assertEqual(picking_type.sequence_id.prefix,
                             '%s/%s/' % (warehouse.code, code))
        issue = warehouse.aftersales_parts_issue_type_id
        back = warehouse.aftersales_parts_return_type_id
        self.assertEqual(issue.default_location_src_id,
                         warehouse.lot_stock_id)
        self.assertEqual(issue.default_location_dest_id, parts)
        self.assertEqual(back.default_location_src_id, parts)
        self.assertEqual(back.default_location_dest_id,
                         warehouse.lot_stock_id)
        self.assertEqual(
            warehouse.aftersales_old_parts_type_id.default_location_dest_id,
            old_parts)

    def types_of(self, warehouse):
        return self.env['stock.picking.type'].with_context(
            active_test=False).search([
                ('warehouse_id', '=', warehouse.id),
                ('aftersales_parts_kind', '!=', False)])

    def repair_at(self, warehouse, lines, failure_date='2025-06-01'):
        """A repair order of a unit brought to ``warehouse``, confirmed,
        with part ``lines`` [(product, qty, lot)]."""
        stock = warehouse.lot_stock_id
        self.env['stock.quant']._update_available_quantity(
            self.unit_product, stock, 1, lot_id=self.unit_lot)
        repair = self.create_repair()
        repair.write({'location_id': stock.id, 'location_dest_id': stock.id})
        repair.sudo(self.users['cs']).failure_date = failure_date
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        for product, qty, lot in lines:
            Line.create(self.part_line_vals(repair, product, qty, lot))
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.state, 'confirmed')
        return repair

    def qty(self, product, location, lot=None):
        return self.env['stock.quant']._get_available_quantity(
            product, location, lot_id=lot, strict=True)


class TestWarehouseRecords(WarehouseCase):

    def test_new_warehouse_gets_its_own(self):
        """A warehouse made after install gets its parts issue and return
        and old parts types, sequences and locations from its own hooks."""
        self.assert_own_records(self.wh2)
        self.assertEqual(len(self.types_of(self.wh2)), 3)
        for field in KINDS:
            self.assertNotEqual(self.wh2[field], self.main[field])
            self.assertNotEqual(self.wh2[field].sequence_id,
                                self.main[field].sequence_id)
        self.assertEqual(self.wh2.aftersales_parts_location_id.display_name,
                         'CDU/Parts at Repair')

    def test_main_warehouse_keeps_its_records(self):
        """The main warehouse adopted the records it had (external ids),
        so its transfers keep their type and numbering."""
        ref = self.env.ref
        self.assertEqual(self.main.aftersales_parts_issue_type_id,
                         ref('aftersales_addon.picking_type_parts_issue'))
        self.assertEqual(self.main.aftersales_parts_return_type_id,
                         ref('aftersales_addon.picking_type_parts_return'))
        self.assertEqual(
            self.main.aftersales_parts_location_id,
            ref('aftersales_addon.stock_location_parts_at_repair'))
        self.assertEqual(
            self.main.aftersales_parts_issue_type_id.aftersales_parts_kind,
            'issue')
        self.assertEqual(
            self.main.aftersales_parts_return_type_id.aftersales_parts_kind,
            'return')
        self.assertEqual(self.main.aftersales_parts_issue_type_id
                         .sequence_id.prefix, 'WH/RPI/')
        self.assertEqual(len(self.types_of(self.main)), 3)

    def test_every_existing_warehouse_has_its_own(self):
        """Every warehouse there was at install (the demo's of the other
        company too) has its own types, none shared."""
        warehouses = self.env['stock.warehouse'].with_context(
            active_test=False).search([])
        for field in KINDS:
            types = warehouses.mapped(field)
            self.assertEqual(len(types), len(warehouses), field)
        for warehouse in warehouses - self.main:
            self.assert_own_records(warehouse)

    def test_warehouses_from_before_get_theirs(self):
        """What the migration to 11.0.1.6.1 does: warehouses made before
        get their own records, the main warehouse adopts the records of the
        data file instead of getting new ones."""
        old = self.env['stock.warehouse'].create(
            {'name': 'Wuhan Depot', 'code': 'WUH'})
        links = {'aftersales_parts_location_id': False,
                 'aftersales_parts_issue_type_id': False,
                 'aftersales_parts_return_type_id': False}
        issue_type = self.main.aftersales_parts_issue_type_id
        return_type = self.main.aftersales_parts_return_type_id
        old_parts_type = self.main.aftersales_old_parts_type_id
        (old | self.main).write(links)
        self.types_of(old).unlink()
        (issue_type | return_type | old_parts_type).write(
            {'aftersales_parts_kind': False})
        types_before = self.env['stock.picking.type'].search_count([])
        Warehouse = self.env['stock.warehouse']
        Warehouse._aftersales_ensure_all_repair_parts()
        Warehouse._aftersales_ensure_all_old_parts()
        self.assertEqual(self.main.aftersales_parts_issue_type_id,
                         issue_type)
        self.assertEqual(self.main.aftersales_parts_return_type_id,
                         return_type)
        self.assertEqual(issue_type.aftersales_parts_kind, 'issue')
        self.assertEqual(return_type.aftersales_parts_kind, 'return')
        self.assertEqual(old_parts_type.aftersales_parts_kind, 'old_parts')
        self.assertEqual(
            self.main.aftersales_parts_location_id,
            self.env.ref('aftersales_addon.stock_location_parts_at_repair'))
        self.assert_own_records(old)
        # new types for the old warehouse only (its issue, return and old
        # parts receipt), none for the main one
        self.assertEqual(
            self.env['stock.picking.type'].search_count([]),
            types_before + 3)
        # running it again changes nothing
        Warehouse._aftersales_ensure_all_repair_parts()
        Warehouse._aftersales_ensure_all_old_parts()
        self.assertEqual(
            self.env['stock.picking.type'].search_count([]),
            types_before + 3)


# stock.location.get_warehouse() reads parent_left, which Odoo 11 leaves
# unset for locations made while modules load (registry._init defers the
# parent store): under Odoo's own runner (--test-enable) this class runs
# after loading, as a user's warehouse made from the form would be.
@at_install(False)
@post_install(True)
class TestRepairAtWarehouse(WarehouseCase):

    def test_repair_issues_from_its_warehouse_and_old_part_comes_back(self):
        """A repair at the service centre issues its parts from there and
        its old part comes back there; the main warehouse is untouched."""
        main_stock = self.main.lot_stock_id
        main_pads = self.qty(self.part, main_stock)
        main_batteries = self.qty(self.serial_part, main_stock,
                                  self.battery_lot)
        main_pickings = self.env['stock.picking'].search_count(
            [('picking_type_id.warehouse_id', '=', self.main.id)])
        repair = self.repair_at(self.wh2, [
            (self.serial_part, 1, self.battery_lot2), (self.part, 2, None)])
        self.assertEqual(repair._aftersales_warehouse(), self.wh2)
        pickings = self.issue_parts(repair)
        self.assertEqual(pickings.picking_type_id,
                         self.wh2.aftersales_parts_issue_type_id)
        self.assertTrue(pickings.name.startswith('CDU/RPI/'), pickings.name)
        self.assertEqual(pickings.state, 'done')
        self.assertEqual(pickings.location_id, self.stock2)
        parts_location = self.wh2.aftersales_parts_location_id
        self.assertEqual(pickings.location_dest_id, parts_location)
        self.assertEqual(self.qty(self.part, self.stock2), 3)
        self.assertEqual(self.qty(self.part, parts_location), 2)
        self.assertEqual(
            set(repair.operations.mapped('location_id')), {parts_location})
        # the parts issued from the service centre count as issued
        self.assertEqual(repair.operations.mapped('qty_issued'), [1.0, 2.0])
        tech = repair.sudo(self.users['tech1'])
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()
        self.assertEqual(self.qty(self.part, parts_location), 0)
        battery = self.recovery_of(repair, self.serial_part)
        self.assertEqual(battery.state, 'to_return')
        receipt = battery.sudo(self.users['warehouse'])._receive(1)
        self.assertEqual(receipt.picking_type_id,
                         self.wh2.aftersales_old_parts_type_id)
        self.assertTrue(receipt.name.startswith('CDU/OLD/'), receipt.name)
        old_parts2 = self.wh2.aftersales_old_parts_location_id
        self.assertEqual(receipt.location_dest_id, old_parts2)
        self.assertEqual(self.serial_part.with_context(
            location=old_parts2.id).qty_available, 1)
        # the main warehouse: no transfer, same stock, no old part
        self.assertEqual(self.env['stock.picking'].search_count(
            [('picking_type_id.warehouse_id', '=', self.main.id)]),
            main_pickings)
        self.assertEqual(self.qty(self.part, main_stock), main_pads)
        self.assertEqual(self.qty(self.serial_part, main_stock,
                                  self.battery_lot), main_batteries)
        self.assertEqual(self.serial_part.with_context(
            location=self.old_parts.id).qty_available, 0)

    def test_unused_parts_go_back_where_they_came_from(self):
        """R24: unused parts return to the warehouse they were issued from,
        even when the order has moved since."""
        repair = self.repair_at(self.wh2, [(self.part, 2, None)])
        self.issue_parts(repair)
        # the unit is taken to the main warehouse after the issue
        repair.write({'location_id': self.main.lot_stock_id.id,
                      'location_dest_id': self.main.lot_stock_id.id})
        self.assertEqual(repair._aftersales_warehouse(), self.main)
        wizard = self.env['aftersales.repair.return.wizard'].sudo(
            self.users['tech1']).with_context(
                default_repair_id=repair.id).create({})
        wizard.line_ids.quantity = 1
        action = wizard.action_return()
        picking = self.env['stock.picking'].browse(action['res_id'])
        self.assertEqual(picking.picking_type_id,
                         self.wh2.aftersales_parts_return_type_id)
        self.assertTrue(picking.name.startswith('CDU/RPR/'), picking.name)
        self.assertEqual(picking.location_id,
                         self.wh2.aftersales_parts_location_id)
        self.assertEqual(picking.location_dest_id, self.stock2)
        picking.sudo(self.users['warehouse']).button_validate()
        line = repair.operations
        self.assertEqual(line.product_uom_qty, 1)
        self.assertEqual(line.qty_issued, 1)
        self.assertEqual(self.qty(self.part, self.stock2), 4)

    def test_order_at_the_customer_uses_the_first_warehouse(self):
        """An order repairing the unit at the customer's issues from the
        company's first warehouse, as before."""
        repair = self.create_repair()
        self.assertEqual(repair.location_id.usage, 'customer')
        first = self.env['stock.warehouse'].search(
            [('company_id', '=', repair.company_id.id)], limit=1)
        self.assertEqual(repair._aftersales_warehouse(), first)
        self.assertEqual(repair._parts_picking_type('issue'),
                         first.aftersales_parts_issue_type_id)
