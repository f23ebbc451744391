# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The slice a customer-service agent, a technician, the warehouse and
finance walk through: request -> repair -> parts -> done -> invoice."""
from odoo.exceptions import AccessError, UserError

from .common import AftersalesCase


class TestRepairFlow(AftersalesCase):

    def test_ticket_records_request_fields(self):
        """R10/R11: the request keeps channel, type, urgency, unit, symptom."""
        ticket = self.create_ticket()
        self.assertEqual(ticket.channel_id.name, 'Phone')
        self.assertEqual(ticket.request_type, 'repair')
        self.assertEqual(ticket.urgency, 'important')
        self.assertEqual(ticket.lot_id, self.unit_lot)
        self.assertTrue(ticket.received_date)
        sales = self.env.ref('aftersales_addon.helpdesk_ticket_channel_sales')
        ticket.sudo(self.users['cs']).channel_id = sales
        self.assertEqual(ticket.channel_id, sales)

    def test_ticket_form_serial_sets_product(self):
        """Entering the serial on the request fills in its product (the
        onchange call the web client makes; Odoo 11 has no test Form)."""
        Ticket = self.env['helpdesk.ticket'].sudo(self.users['cs'])
        spec = Ticket._onchange_spec()
        # the web client sends every field of the form
        values = {name: False for name in spec if '.' not in name}
        values.update(Ticket.default_get(list(values)))
        values.update({'name': 'Brakes squeak',
                       'partner_id': self.customer.id,
                       'lot_id': self.unit_lot.id})
        result = Ticket.onchange(values, 'lot_id', spec)
        self.assertEqual(result['value']['product_id'][0],
                         self.unit_product.id)

    def test_create_repair_from_ticket_links_both_ways(self):
        """R20: the repair order is created from the request, linked both
        ways, assigned to the request's technician, with the symptom."""
        ticket = self.create_ticket()
        action = ticket.sudo(self.users['cs']).action_create_repair()
        repair = ticket.repair_ids
        self.assertEqual(len(repair), 1)
        self.assertEqual(action['res_id'], repair.id)
        self.assertEqual(repair.ticket_id, ticket)
        self.assertEqual(ticket.repair_count, 1)
        self.assertEqual(repair.technician_id, self.users['tech1'])
        self.assertEqual(repair.lot_id, self.unit_lot)
        self.assertEqual(repair.partner_id, self.customer)
        self.assertEqual(repair.fault_symptom, ticket.fault_symptom)
        self.assertEqual(repair.invoice_method, 'after_repair')
        # the request is now being worked on
        self.assertFalse(ticket.stage_id.unattended)
        self.assertFalse(ticket.stage_id.closed)
        # the technician got a to-do on the order
        activity = self.env['mail.activity'].search([
            ('res_model', '=', 'mrp.repair'), ('res_id', '=', repair.id)])
        self.assertEqual(activity.user_id, self.users['tech1'])
        view = ticket.sudo(self.users['cs']).action_view_repairs()
        self.assertEqual(view['res_id'], repair.id)

    def test_full_slice_to_invoice(self):
        """Request -> repair -> parts issued -> test -> done -> invoice, each
        step by the department that does it."""
        repair = self.create_repair()
        tech = repair.sudo(self.users['tech1'])
        tech.write({
            'fault_category': 'electrical',
            'diagnosis': 'Brake switch shorted, battery cell dead.',
            'repair_plan': 'Replace brake pads and the battery pack.',
        })
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=3))
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, self.serial_part, 1,
                                self.battery_lot))
        self.env['mrp.repair.fee'].sudo(self.users['tech1']).create({
            'repair_id': repair.id, 'name': 'Labour',
            'product_id': self.labour.id, 'product_uom_qty': 2,
            'product_uom': self.labour.uom_id.id,
            'price_unit': self.pricelist.get_product_price(
                self.labour, 2, self.customer),
        })
        tech.action_validate()
        self.assertEqual(repair.state, 'confirmed')

        # R21: parts leave the warehouse against the repair order
        pickings = self.issue_parts(repair)
        self.assertEqual(len(pickings), 1)
        self.assertEqual(pickings.state, 'done')
        self.assertEqual(pickings.origin, repair.name)
        self.assertEqual(pickings.aftersales_repair_id, repair)
        self.assertEqual(
            pickings.move_line_ids.filtered(
                lambda line: line.product_id == self.serial_part).lot_id,
            self.battery_lot)
        for line in repair.operations:
            self.assertEqual(line.qty_issued, line.product_uom_qty)
            self.assertEqual(line.qty_to_issue, 0)

        # R24: one brake pad was not used and goes back to stock
        wizard = self.env['aftersales.repair.return.wizard'].sudo(
            self.users['tech1']).with_context(
                default_repair_id=repair.id).create({})
        pad_line = wizard.line_ids.filtered(
            lambda line: line.product_id == self.part)
        pad_line.quantity = 1
        wizard.action_return()
        back = repair.parts_picking_ids.filtered(
            lambda p: p.state != 'done')
        self.assertEqual(back.origin, repair.name)
        back.sudo(self.users['warehouse']).button_validate()
        pad = repair.operations.filtered(
            lambda line: line.product_id == self.part)
        self.assertEqual(pad.product_uom_qty, 2)
        self.assertEqual(pad.qty_issued, 2)
        self.assertEqual(self.part.with_context(
            location=self.stock_location.id).qty_available, 18)

        tech.action_repair_start()
        self.assertTrue(repair.date_start)
        tech.write({'test_result': 'passed',
                    'test_notes': 'Rode 5 km, brakes and power fine.'})
        tech.action_repair_end()
        self.assertEqual(repair.state, '2binvoiced')
        self.assertTrue(repair.date_end)
        # the parts were consumed from where they were issued to
        self.assertEqual(self.part.with_context(
            location=self.repair_location.id).qty_available, 0)

        repair.sudo(self.users['finance']).action_repair_invoice_create()
        self.assertEqual(repair.state, 'done')
        invoice = repair.invoice_id
        expected = 2 * 80.0 + 2400.0 + 2 * 120.0
        self.assertAlmostEqual(invoice.amount_untaxed, expected, places=2)
        self.assertAlmostEqual(repair.amount_untaxed, expected, places=2)

    def test_service_report_lists_parts_and_signature_after_work(self):
        """R23: the report lists replaced parts with quantity and reason;
        the signature block appears only once the work is finished."""
        repair = self.create_repair()
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=2))
        repair.sudo(self.users['tech1']).action_validate()
        report = self.env.ref('aftersales_addon.action_report_service')
        html = report.sudo(self.users['tech1']).render_qweb_html(
            repair.ids)[0].decode()
        self.assertIn('Test Brake Pad', html)
        self.assertIn('Worn out', html)
        self.assertIn('not to be signed yet', html)
        self.assertNotIn('Customer signature', html)
        self.issue_parts(repair)
        tech = repair.sudo(self.users['tech1'])
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()
        html = report.sudo(self.users['tech1']).render_qweb_html(
            repair.ids)[0].decode()
        self.assertIn('Customer signature', html)
        self.assertNotIn('not to be signed yet', html)

    def test_repair_from_request_is_one_chatter_entry_and_flat(self):
        """Issue 14: creating the repair order moves the request to its
        working stage and says so in ONE chatter entry (the note and the
        tracked stage); the technician follows the new order. The creation
        costs the same queries for every request."""
        counts = []
        for _i in range(3):  # the first run warms the caches up
            ticket = self.create_ticket()
            cs = ticket.sudo(self.users['cs']).with_context(
                tracking_disable=False, mail_notrack=False,
                mail_create_nolog=False)
            old_stage = ticket.stage_id
            before_messages = ticket.message_ids
            ticket.invalidate_cache()
            before = self.env.cr.sql_log_count
            cs.action_create_repair()
            counts.append(self.env.cr.sql_log_count - before)
            repair = ticket.repair_ids
            entries = ticket.message_ids - before_messages
            self.assertEqual(len(entries), 1, entries.mapped('body'))
            self.assertIn('Repair order %s created.' % repair.name,
                          entries.body)
            tracked = entries.sudo().tracking_value_ids
            self.assertEqual(tracked.mapped('field'), ['stage_id'])
            self.assertEqual(tracked.old_value_char, old_stage.name)
            self.assertEqual(tracked.new_value_char, ticket.stage_id.name)
            self.assertIn(self.users['tech1'].partner_id,
                          repair.message_partner_ids)
        self.assertEqual(counts[1], counts[2], counts)

    def test_end_leaves_no_empty_quant_at_repair(self):
        """Issue 14: the parts consumed from Parts at Repair leave no empty
        quant behind (removed once, at the end of the repair), and the
        stock of the other parts there is untouched."""
        repair = self.create_repair()
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=2))
        repair.sudo(self.users['tech1']).action_validate()
        self.issue_parts(repair)
        Quant = self.env['stock.quant']
        # another part waiting at the repair location stays there
        other = self.labour.copy({'type': 'product'})
        Quant._update_available_quantity(other, self.repair_location, 3)
        self.assertEqual(Quant._get_available_quantity(
            self.part, self.repair_location), 2)
        tech = repair.sudo(self.users['tech1'])
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()
        self.assertEqual(repair.state, '2binvoiced')  # invoiced after repair
        quants = Quant.search([('location_id', '=', self.repair_location.id)])
        self.assertFalse(quants.filtered(lambda q: not q.quantity))
        self.assertFalse(quants.filtered(lambda q: q.product_id == self.part))
        self.assertEqual(Quant._get_available_quantity(
            other, self.repair_location), 3)


class TestGovernedOrders(AftersalesCase):
    """Which repair orders the after-sales controls govern (README)."""

    def plain_vals(self):
        return {'product_id': self.part.id,
                'product_uom': self.part.uom_id.id,
                'partner_id': self.customer.id,
                'location_id': self.stock_location.id,
                'location_dest_id': self.stock_location.id}

    def test_orders_of_requests_and_departments_are_governed(self):
        self.assertTrue(self.create_repair().aftersales_governed)
        by_cs = self.env['mrp.repair'].sudo(self.users['cs']).create(
            self.plain_vals())
        self.assertTrue(by_cs.aftersales_governed)
        # nobody sets the flag by hand, either way: an empty value at
        # creation does not escape the controls, a change is refused
        escaped = self.env['mrp.repair'].sudo(self.users['cs']).create(
            dict(self.plain_vals(), aftersales_governed=False))
        self.assertTrue(escaped.aftersales_governed)
        with self.assertRaises(AccessError):
            by_cs.sudo(self.users['manager']).write(
                {'aftersales_governed': False})

    def test_plain_repair_keeps_odoos_flow(self):
        """An order made outside the after-sales departments ends without
        a test result and is not priced by the warranty."""
        repair = self.env['mrp.repair'].create(self.plain_vals())
        self.assertFalse(repair.aftersales_governed)
        repair.action_repair_confirm()
        self.assertFalse(repair.warranty_state)
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertIn(repair.state, ('done', '2binvoiced'))
        self.assertFalse(repair.recovery_ids)

    def test_company_setting_governs_every_order(self):
        self.env.user.company_id.aftersales_repair_govern_all = True
        repair = self.env['mrp.repair'].create(self.plain_vals())
        self.assertTrue(repair.aftersales_governed)
        repair.action_repair_confirm()
        repair.action_repair_start()
        with self.assertRaisesRegex(UserError, 'test result'):
            repair.action_repair_end()
