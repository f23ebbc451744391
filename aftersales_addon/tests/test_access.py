# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""R1: each department sees and does only its part."""
from odoo.exceptions import AccessError

from .common import AftersalesCase


class TestAccess(AftersalesCase):

    @classmethod
    def setUpClass(cls):
        super(TestAccess, cls).setUpClass()
        cls.repair1 = cls._make_repair(cls, 'tech1')
        cls.repair2 = cls._make_repair(cls, 'tech2')

    def _make_repair(self, tech):
        ticket = self.env['helpdesk.ticket'].sudo(self.users['cs']).create({
            'name': 'Request for %s' % tech,
            'partner_id': self.customer.id,
            'request_type': 'repair',
            'product_id': self.unit_product.id,
            'lot_id': self.unit_lot.id,
            'technician_id': self.users[tech].id,
        })
        ticket.action_create_repair()
        return ticket.repair_ids

    def test_technician_sees_only_own_repairs(self):
        Repair = self.env['mrp.repair'].sudo(self.users['tech1'])
        both = (self.repair1 | self.repair2).ids
        found = Repair.search([('id', 'in', both)])
        self.assertEqual(found, self.repair1)
        Repair2 = self.env['mrp.repair'].sudo(self.users['tech2'])
        found = Repair2.search([('id', 'in', both)])
        self.assertEqual(found, self.repair2)

    def test_technician_cannot_edit_other_technicians_repair(self):
        with self.assertRaises(AccessError):
            self.repair2.sudo(self.users['tech1']).write(
                {'diagnosis': 'Not mine'})
        with self.assertRaises(AccessError):
            self.repair2.sudo(self.users['tech1']).read(['name'])
        self.assertFalse(self.repair2.diagnosis)

    def test_departments_see_all_repairs(self):
        both = self.repair1 | self.repair2
        for key in ('cs', 'warehouse', 'purchasing', 'finance', 'technical',
                    'quality', 'office', 'manager'):
            found = self.env['mrp.repair'].sudo(self.users[key]).search(
                [('id', 'in', both.ids)])
            self.assertEqual(found, both, key)

    def test_customer_service_sees_all_requests(self):
        tickets = (self.repair1 | self.repair2).mapped('ticket_id')
        other = self.env['helpdesk.ticket'].create({
            'name': 'Assigned to someone else',
            'user_id': self.users['manager'].id})
        found = self.env['helpdesk.ticket'].sudo(self.users['cs']).search(
            [('id', 'in', (tickets | other).ids)])
        self.assertEqual(found, tickets | other)

    def test_technician_reads_request_of_own_repair(self):
        ticket = self.repair1.ticket_id
        ticket.user_id = self.users['cs']
        self.assertEqual(
            ticket.sudo(self.users['tech1']).read(['name'])[0]['name'],
            'Request for tech1')
        with self.assertRaises(AccessError):
            self.repair2.ticket_id.write({'user_id': self.users['cs'].id})
            self.repair2.ticket_id.sudo(self.users['tech1']).read(['name'])

    def test_finance_cannot_edit_diagnosis(self):
        repair = self.repair1.sudo(self.users['finance'])
        for field, value in (('diagnosis', 'Finance thinks otherwise'),
                             ('fault_category', 'human'),
                             ('test_result', 'passed')):
            with self.assertRaises(AccessError):
                repair.write({field: value})
        self.assertFalse(self.repair1.diagnosis)
        # the technical department may correct a diagnosis
        self.repair1.sudo(self.users['technical']).write(
            {'diagnosis': 'Controller firmware bug'})
        self.assertEqual(self.repair1.diagnosis, 'Controller firmware bug')

    def test_technician_cannot_change_prices(self):
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        vals = self.part_line_vals(self.repair1)
        line = Line.create(vals)  # price list price: allowed
        self.assertEqual(line.price_unit, 80.0)
        with self.assertRaises(AccessError):
            line.write({'price_unit': 10.0})
        with self.assertRaises(AccessError):
            Line.create(dict(vals, price_unit=1.0))
        with self.assertRaises(AccessError):
            self.env['mrp.repair.fee'].sudo(self.users['tech1']).create({
                'repair_id': self.repair1.id, 'name': 'Labour',
                'product_id': self.labour.id, 'product_uom_qty': 1,
                'product_uom': self.labour.uom_id.id, 'price_unit': 1.0})
        self.assertEqual(line.price_unit, 80.0)
        # Finance sets prices
        line.sudo(self.users['finance']).write({'price_unit': 70.0})
        self.assertEqual(line.price_unit, 70.0)

    def test_only_warehouse_validates_parts_issue(self):
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(self.repair1, qty=2))
        tech_repair = self.repair1.sudo(self.users['tech1'])
        tech_repair.action_validate()
        tech_repair.action_issue_parts()
        picking = self.repair1.parts_picking_ids
        self.assertEqual(picking.origin, self.repair1.name)
        with self.assertRaises(AccessError):
            picking.sudo(self.users['tech1']).button_validate()
        self.assertNotEqual(picking.state, 'done')
        self.release(self.repair1)
        picking.sudo(self.users['warehouse']).button_validate()
        self.assertEqual(picking.state, 'done')

    def test_read_only_departments_cannot_write_repairs(self):
        for key in ('purchasing', 'quality', 'office'):
            with self.assertRaises(AccessError):
                self.repair1.sudo(self.users[key]).write(
                    {'internal_notes': 'x'})
            # but they can read it
            self.assertEqual(
                self.repair1.sudo(self.users[key]).read(['name'])[0]['name'],
                self.repair1.name)

    def test_cs_creates_repairs_technician_not_for_others(self):
        """Customer service creates repair orders from requests; a
        non-technician cannot be assigned a repair order."""
        from odoo.exceptions import UserError
        ticket = self.create_ticket(technician_id=False)
        ticket.sudo(self.users['cs']).action_create_repair()
        with self.assertRaises(UserError):
            ticket.repair_ids.sudo(self.users['cs']).write(
                {'technician_id': self.users['finance'].id})
        ticket.repair_ids.sudo(self.users['cs']).write(
            {'technician_id': self.users['tech2'].id})
        self.assertEqual(ticket.repair_ids.technician_id, self.users['tech2'])
