# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared fixture: one user per department (R1), a customer owning a
serial-tracked unit, spare parts in stock and a labour product."""
from odoo import fields
from odoo.tests.common import SavepointCase

GROUPS = {
    'cs': 'group_aftersales_customer_service',
    'tech1': 'group_aftersales_technician',
    'tech2': 'group_aftersales_technician',
    'warehouse': 'group_aftersales_warehouse',
    'purchasing': 'group_aftersales_purchasing',
    'finance': 'group_aftersales_finance',
    'technical': 'group_aftersales_technical',
    'quality': 'group_aftersales_quality',
    'office': 'group_aftersales_administration',
    'manager': 'group_aftersales_manager',
}


class AftersalesCase(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(AftersalesCase, cls).setUpClass()
        cls.env = cls.env(context=dict(
            cls.env.context, tracking_disable=True,
            mail_create_nolog=True, mail_notrack=True))
        # the suite reckons in the machine's dates (UTC); the company's own
        # time zone (Asia/Shanghai in the demo) is tested in test_local_dates
        cls.env.user.company_id.partner_id.tz = 'UTC'
        Users = cls.env['res.users'].with_context(no_reset_password=True)
        cls.users = {}
        for key, group in GROUPS.items():
            cls.users[key] = Users.create({
                'name': 'Test %s' % key,
                'login': 'test_as_%s' % key,
                'email': 'test_as_%s@example.com' % key,
                'groups_id': [(6, 0, [
                    cls.env.ref('base.group_user').id,
                    cls.env.ref('aftersales_addon.%s' % group).id])],
            })
        cls.customer = cls.env['res.partner'].create({
            'name': 'Test Customer Ltd', 'customer': True})
        uom_unit = cls.env.ref('product.product_uom_unit')
        Product = cls.env['product.product']
        cls.unit_product = Product.create({
            'name': 'Test E-Scooter', 'type': 'product', 'tracking': 'serial',
            'uom_id': uom_unit.id, 'uom_po_id': uom_unit.id,
            'list_price': 9000.0})
        cls.unit_lot = cls.env['stock.production.lot'].create({
            'name': 'TEST-SCOOTER-0001', 'product_id': cls.unit_product.id})
        cls.part = Product.create({
            'name': 'Test Brake Pad', 'type': 'product',
            'uom_id': uom_unit.id, 'uom_po_id': uom_unit.id,
            'list_price': 80.0, 'standard_price': 30.0})
        cls.serial_part = Product.create({
            'name': 'Test Battery Pack', 'type': 'product',
            'tracking': 'serial', 'uom_id': uom_unit.id,
            'uom_po_id': uom_unit.id, 'list_price': 2400.0,
            'standard_price': 1500.0})
        cls.labour = Product.create({
            'name': 'Test Labour Hour', 'type': 'service',
            'uom_id': uom_unit.id, 'uom_po_id': uom_unit.id,
            'list_price': 120.0})
        cls.stock_location = cls.env.ref('stock.stock_location_stock')
        cls.battery_lot = cls.env['stock.production.lot'].create({
            'name': 'TEST-BAT-0001', 'product_id': cls.serial_part.id})
        Quant = cls.env['stock.quant']
        Quant._update_available_quantity(cls.part, cls.stock_location, 20)
        Quant._update_available_quantity(
            cls.serial_part, cls.stock_location, 1, lot_id=cls.battery_lot)
        cls.warehouse = cls.env.ref('stock.warehouse0')
        cls.repair_location = cls.warehouse.aftersales_parts_location_id
        cls.production_location = cls.env['stock.location'].search(
            [('usage', '=', 'production')], limit=1)
        cls.pricelist = cls.env['product.pricelist'].search([], limit=1)
        # technicians are employees with a contract (R50, R52)
        cls.employees = {}
        cls.contracts = {}
        structure = cls.env.ref('hr_payroll.structure_base')
        for key in ('tech1', 'tech2'):
            employee = cls.env['hr.employee'].create({
                'name': 'Test %s' % key, 'user_id': cls.users[key].id})
            cls.employees[key] = employee
            cls.contracts[key] = cls.env['hr.contract'].create({
                'name': 'Contract %s' % key, 'employee_id': employee.id,
                'struct_id': structure.id, 'wage': 6000.0,
                'date_start': '2020-01-01', 'state': 'open'})
        # R14: requests are dispatched to technicians skilled for the
        # unit: the test technicians repair every category (a skill for
        # the root category covers its sub-categories)
        for key in ('tech1', 'tech2'):
            cls.env['aftersales.technician.skill'].create({
                'user_id': cls.users[key].id,
                'categ_id': cls.env.ref('product.product_category_all').id,
                'level': '1'})

    # helpers -----------------------------------------------------------
    def as_user(self, key, record):
        return record.sudo(self.users[key])

    def create_ticket(self, user='cs', **vals):
        values = {
            'name': 'Scooter does not start',
            'partner_id': self.customer.id,
            'request_type': 'repair',
            'urgency': 'important',
            'channel_id': self.env.ref(
                'helpdesk_mgmt.helpdesk_ticket_channel_phone').id,
            'product_id': self.unit_product.id,
            'lot_id': self.unit_lot.id,
            'fault_symptom': 'No power when the key is turned.',
            'technician_id': self.users['tech1'].id,
        }
        values.update(vals)
        return self.env['helpdesk.ticket'].sudo(self.users[user]).create(
            values)

    def create_repair(self, ticket=None):
        """Repair order created by customer service from a repair request."""
        ticket = ticket or self.create_ticket()
        ticket.sudo(self.users['cs']).action_create_repair()
        return ticket.repair_ids

    def part_line_vals(self, repair, product=None, qty=1.0, lot=None):
        product = product or self.part
        return {
            'repair_id': repair.id,
            'type': 'add',
            'product_id': product.id,
            'name': product.name,
            'product_uom_qty': qty,
            'product_uom': product.uom_id.id,
            # the price the client's onchange proposes
            'price_unit': self.env['mrp.repair.line']._expected_price(
                repair, product, qty),
            'location_id': self.stock_location.id,
            'location_dest_id': self.production_location.id,
            'lot_id': lot.id if lot else False,
            'replace_reason': 'Worn out',
        }

    def release(self, order, mode='vouched', tech='tech1', **kwargs):
        """Finance releases the order (R22), by default vouched by
        ``tech``."""
        wizard = self.env['aftersales.finance.release.wizard'].sudo(
            self.users['finance']).with_context(
                default_res_model=order._name,
                default_res_id=order.id).create(dict({
                    'mode': mode,
                    'vouch_user_id': self.users[tech].id
                    if mode == 'vouched' else False}, **kwargs))
        wizard.action_release()
        return self.env[order._name].browse(order.id).receivable_id

    def issue_parts(self, repair):
        """Technician requests the parts, Finance releases what the customer
        owes (vouched by the technician, R22), the warehouse validates."""
        repair.sudo(self.users['tech1']).action_issue_parts()
        if repair._aftersales_release_needed() and \
                repair.finance_release_amount < repair.amount_total:
            self.release(repair)
        pickings = repair.parts_picking_ids.filtered(
            lambda p: p.state not in ('done', 'cancel'))
        for picking in pickings:
            picking.sudo(self.users['warehouse']).button_validate()
        return pickings

    def deliver(self, lot, when):
        """Deliver ``lot`` to the customer: a done outgoing move dated
        ``when`` (its warranty starts then, R30)."""
        stock = self.stock_location
        customers = self.env.ref('stock.stock_location_customers')
        self.env['stock.quant']._update_available_quantity(
            lot.product_id, stock, 1, lot_id=lot)
        move = self.env['stock.move'].create({
            'name': 'Delivery %s' % lot.name,
            'product_id': lot.product_id.id,
            'product_uom': lot.product_id.uom_id.id,
            'product_uom_qty': 1,
            'location_id': stock.id,
            'location_dest_id': customers.id,
            'partner_id': self.customer.id,
        })
        move._action_confirm()
        move.write({'move_line_ids': [(0, 0, {
            'product_id': lot.product_id.id, 'lot_id': lot.id,
            'product_uom_id': lot.product_id.uom_id.id, 'qty_done': 1,
            'location_id': stock.id, 'location_dest_id': customers.id})]})
        move._action_done()
        move.move_line_ids.write({'date': fields.Datetime.to_string(when)})
        move.write({'date': fields.Datetime.to_string(when)})
        return move
