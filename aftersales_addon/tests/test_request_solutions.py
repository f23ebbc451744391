# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Solution types of a service request (R13), end to end as the department
that performs them: the technician of the request gives the plan (phone
guidance closes the request, a visit is an appointment in the calendars, a
self-replacement ships the parts to the customer who bears mis-assembly,
a carry-in unit is received by customer service with a goods receipt);
who may not, and bad input that writes nothing."""
import base64
from datetime import datetime, timedelta
from unittest import mock

from odoo import fields
from odoo.exceptions import AccessError, UserError

from .test_recovery import RecoveryCase


def contacted(ticket):
    """The request's technician records that he contacted the customer
    (the plan follows the contact in the deadline chain), once."""
    if ticket.technician_id and \
            ticket._aftersales_waiting_for_contact():
        ticket.sudo(ticket.technician_id).action_customer_contacted()


def give_plan(case, ticket, user, **vals):
    """``user`` opens "Solution Plan" on the request, fills the form and
    gives the plan, as the web client does (after the request's technician
    contacted the customer)."""
    contacted(ticket)
    action = ticket.sudo(case.users[user]).action_solution_plan()
    Wizard = case.env[action['res_model']].sudo(
        case.users[user]).with_context(action['context'])
    defaults = Wizard.default_get(list(Wizard._fields))
    defaults.update(vals)
    wizard = Wizard.create(defaults)
    wizard.action_give_plan()
    return wizard


def receive_wizard(case, ticket, user):
    """``user`` clicks "Receive Unit" on the request."""
    action = ticket.sudo(case.users[user]).action_receive_unit()
    Wizard = case.env[action['res_model']].sudo(
        case.users[user]).with_context(action['context'])
    return Wizard.create(Wizard.default_get(list(Wizard._fields)))


def received_carry_in(case, user='cs', **vals):
    """A carry-in request planned by tech1 and whose unit ``user``
    received (for the report tests too)."""
    ticket = case.create_ticket(**vals)
    give_plan(case, ticket, 'tech1', solution_type='carry_in',
              notes='Bring the scooter to the service centre.')
    wizard = receive_wizard(case, ticket, user)
    wizard.write({'accessories': 'Charger, two keys',
                  'condition': 'Scratch on the left side panel.'})
    wizard.action_receive()
    return ticket


class SolutionCase(RecoveryCase):

    @classmethod
    def setUpClass(cls):
        super(SolutionCase, cls).setUpClass()
        cls.customer.write({
            'street': '88 Jiangnan Road', 'city': 'Ningbo',
            'email': 'customer@example.com'})
        cls.Ticket = cls.env['helpdesk.ticket']

    def give_plan(self, ticket, user, **vals):
        return give_plan(self, ticket, user, **vals)

    def receive_wizard(self, ticket, user):
        return receive_wizard(self, ticket, user)

    def tomorrow_at(self, hour):
        day = datetime.utcnow().date() + timedelta(days=1)
        return fields.Datetime.to_string(
            datetime.combine(day, datetime.min.time()) +
            timedelta(hours=hour))

    def assertNothingPlanned(self, ticket):
        ticket.invalidate_cache()
        self.assertFalse(ticket.aftersales_solution_type)
        self.assertFalse(ticket.aftersales_plan_date)
        self.assertFalse(ticket.aftersales_event_id)
        self.assertFalse(ticket.closed)


class TestPhoneGuidance(SolutionCase):

    def test_phone_guidance_closes_the_request_with_the_notes(self):
        ticket = self.create_ticket()
        steps = []
        Ticket = type(self.env['helpdesk.ticket'])
        original = Ticket._aftersales_step_done

        def record_step(records, code):
            steps.append((records.ids, code, records.env.uid))
            return original(records, code)
        with mock.patch.object(Ticket, '_aftersales_step_done',
                               record_step):
            self.give_plan(ticket, 'tech1', solution_type='phone',
                           notes='Reset the controller: hold the power '
                                 'button for 10 s.')
        self.assertEqual(steps, [
            (ticket.ids, 'contact', self.users['tech1'].id),
            (ticket.ids, 'plan', self.users['tech1'].id)])
        plan_step = ticket.aftersales_step_ids.filtered(
            lambda step: step.code == 'plan')
        self.assertEqual(plan_step.state, 'done')
        self.assertEqual(plan_step.done_by, self.users['tech1'])
        self.assertTrue(ticket.closed)
        self.assertTrue(ticket.closed_date)
        self.assertEqual(ticket.aftersales_solution_type, 'phone')
        self.assertEqual(ticket.aftersales_plan_user_id, self.users['tech1'])
        self.assertIn('hold the power button',
                      ticket.aftersales_plan_notes)
        self.assertFalse(ticket.repair_ids)
        notes = ticket.message_ids.mapped('body')
        self.assertTrue([body for body in notes
                         if 'hold the power button' in body], notes)
        # closed: no second plan
        self.assertFalse(ticket.sudo(self.users['tech1']).can_give_plan)
        with self.assertRaises(AccessError):
            ticket.sudo(self.users['tech1']).action_solution_plan()

    def test_no_plan_before_the_customer_is_contacted(self):
        ticket = self.create_ticket()
        as_tech = ticket.sudo(self.users['tech1'])
        self.assertFalse(as_tech.can_give_plan)
        with self.assertRaisesRegex(UserError, 'contacted'):
            as_tech.action_solution_plan()
        with self.assertRaisesRegex(UserError, 'contacted'):
            as_tech._aftersales_give_plan({
                'solution_type': 'phone', 'notes': 'Reset it.'})
        self.assertNothingPlanned(ticket)
        as_tech.action_customer_contacted()
        self.assertTrue(as_tech.can_give_plan)

    def test_phone_guidance_needs_the_notes(self):
        ticket = self.create_ticket()
        with self.assertRaisesRegex(UserError, 'guidance given'):
            self.give_plan(ticket, 'tech1', solution_type='phone',
                           notes='   ')
        self.assertNothingPlanned(ticket)

    def test_phone_guidance_refused_while_a_repair_is_under_way(self):
        ticket = self.create_ticket()
        repair = self.create_repair(ticket)
        with self.assertRaisesRegex(UserError, repair.name):
            self.give_plan(ticket, 'tech1', solution_type='phone',
                           notes='Told the customer to charge it.')
        self.assertNothingPlanned(ticket)


class TestOnsiteVisit(SolutionCase):

    def test_visit_is_an_appointment_for_technician_and_customer(self):
        ticket = self.create_ticket()
        start = self.tomorrow_at(2)
        self.give_plan(ticket, 'tech1', solution_type='onsite', start=start,
                       duration=1.5, notes='Bring a spare controller.')
        event = ticket.aftersales_event_id
        self.assertTrue(event)
        self.assertEqual(event.start, start)
        self.assertEqual(event.stop, self.tomorrow_at(3.5))
        self.assertEqual(event.user_id, self.users['tech1'])
        self.assertEqual(event.partner_ids, self.users['tech1'].partner_id
                         | self.customer)
        self.assertIn('88 Jiangnan Road', event.location)
        self.assertIn(ticket.number, event.name)
        self.assertEqual((event.res_model, event.res_id),
                         ('helpdesk.ticket', ticket.id))
        self.assertEqual(ticket.aftersales_appointment_start, start)
        self.assertFalse(ticket.closed)
        # the technician sees his appointment in his calendar
        mine = self.env['calendar.event'].sudo(self.users['tech1']).search(
            [('partner_ids', 'in', self.users['tech1'].partner_id.ids)])
        self.assertIn(event, mine)
        # the repair order of the visit is planned at the appointment
        repair = self.create_repair(ticket)
        self.assertEqual(repair.scheduled_date, start)

    def test_a_new_time_moves_the_same_appointment(self):
        ticket = self.create_ticket()
        self.give_plan(ticket, 'tech1', solution_type='onsite',
                       start=self.tomorrow_at(2))
        event = ticket.aftersales_event_id
        repair = self.create_repair(ticket)
        self.give_plan(ticket, 'tech1', solution_type='onsite',
                       start=self.tomorrow_at(6))
        self.assertEqual(ticket.aftersales_event_id, event)
        self.assertEqual(event.start, self.tomorrow_at(6))
        self.assertEqual(repair.scheduled_date, self.tomorrow_at(6))
        # another solution cancels the appointment
        repair.sudo(self.users['tech1']).action_repair_cancel()
        self.give_plan(ticket, 'tech1', solution_type='phone',
                       notes='Solved on the phone after all.')
        self.assertFalse(event.active)

    def test_bad_appointments_are_refused_and_write_nothing(self):
        ticket = self.create_ticket()
        past = fields.Datetime.to_string(
            datetime.utcnow() - timedelta(days=1))
        for vals, message in [
                ({'start': False}, 'day and time of the visit'),
                ({'start': past}, 'in the past'),
                ({'start': self.tomorrow_at(2), 'duration': -1},
                 'cannot be negative'),
                ({'start': self.tomorrow_at(2), 'duration': 0},
                 'end after it starts')]:
            with self.assertRaisesRegex(UserError, message):
                self.give_plan(ticket, 'tech1', solution_type='onsite',
                               **vals)
            self.assertNothingPlanned(ticket)
        self.assertFalse(self.env['calendar.event'].search(
            [('res_model', '=', 'helpdesk.ticket'),
             ('res_id', '=', ticket.id)]))


class TestCarryIn(SolutionCase):

    def test_customer_service_receives_the_unit_and_prints_the_receipt(self):
        ticket = self.create_ticket()
        self.give_plan(ticket, 'tech1', solution_type='carry_in')
        self.assertFalse(ticket.repair_ids)
        self.assertTrue(ticket.sudo(self.users['cs']).can_receive_unit)
        wizard = self.receive_wizard(ticket, 'cs')
        company = self.company
        expected = company._aftersales_add_working_days(
            company._aftersales_today(),
            company.aftersales_request_carry_in_days)
        self.assertEqual(wizard.promised_date,
                         fields.Date.to_string(expected))
        self.assertEqual(wizard.lot_id, self.unit_lot)
        wizard.write({'accessories': 'Charger',
                      'condition': 'Scratch on the left side panel.'})
        action = wizard.action_receive()
        self.assertEqual(action['report_name'],
                         'aftersales_addon.report_goods_receipt')
        self.assertEqual(ticket.aftersales_unit_received_user_id,
                         self.users['cs'])
        self.assertTrue(ticket.aftersales_unit_received_date)
        self.assertEqual(ticket.aftersales_unit_accessories, 'Charger')
        self.assertEqual(ticket.aftersales_promised_date,
                         fields.Date.to_string(expected))
        # the repair order is made with the receipt
        self.assertEqual(len(ticket.repair_ids), 1)
        self.assertEqual(ticket.repair_ids.lot_id, self.unit_lot)
        self.assertFalse(ticket.repair_ids.aftersales_self_replacement)
        # received once
        self.assertFalse(ticket.sudo(self.users['cs']).can_receive_unit)
        with self.assertRaises(UserError):
            ticket.sudo(self.users['cs'])._aftersales_receive_unit(
                'Again', promised_date=expected)

    def test_promised_date_follows_the_company_setting(self):
        ticket = self.create_ticket()
        self.give_plan(ticket, 'tech1', solution_type='carry_in')
        settings = self.env['aftersales.settings'].sudo(
            self.users['manager']).create({
                'aftersales_request_carry_in_days': 2})
        settings.execute()
        self.assertEqual(self.company.aftersales_request_carry_in_days, 2)
        wizard = self.receive_wizard(ticket, 'cs')
        self.assertEqual(wizard.promised_date, fields.Date.to_string(
            self.company._aftersales_add_working_days(
                self.company._aftersales_today(), 2)))
        # the service rules are the manager's
        settings = self.env['aftersales.settings'].sudo(
            self.users['cs']).create({'aftersales_request_carry_in_days': 9})
        with self.assertRaises(AccessError):
            settings.execute()

    def test_bad_receipts_are_refused_and_write_nothing(self):
        ticket = self.create_ticket()
        # not a carry-in yet
        with self.assertRaisesRegex(UserError, 'cannot be received now'):
            ticket.sudo(self.users['cs']).action_receive_unit()
        with self.assertRaisesRegex(UserError, 'not a carry-in'):
            ticket.sudo(self.users['cs'])._aftersales_receive_unit('Fine')
        self.give_plan(ticket, 'tech1', solution_type='carry_in')
        yesterday = self.company._aftersales_today() - timedelta(days=1)
        cs = ticket.sudo(self.users['cs'])
        for args, message in [
                (('  ',), 'visible condition'),
                (('Fine', None, yesterday), 'cannot be before')]:
            with self.assertRaisesRegex(UserError, message):
                cs._aftersales_receive_unit(*args)
            ticket.invalidate_cache()
            self.assertFalse(ticket.aftersales_unit_received_date)
            self.assertFalse(ticket.aftersales_unit_condition)
            self.assertFalse(ticket.repair_ids)

    def test_serial_needed_before_receiving(self):
        ticket = self.create_ticket(lot_id=False)
        with self.assertRaisesRegex(UserError, 'serial number'):
            self.give_plan(ticket, 'tech1', solution_type='carry_in')
        self.assertNothingPlanned(ticket)

    def test_who_receives(self):
        ticket = self.create_ticket()
        self.give_plan(ticket, 'tech1', solution_type='carry_in')
        for user in ('warehouse', 'tech2', 'finance', 'quality'):
            self.assertFalse(ticket.sudo(self.users[user]).can_receive_unit,
                             user)
        with self.assertRaises(AccessError):
            ticket.sudo(self.users['warehouse'])._aftersales_receive_unit(
                'Fine')
        self.assertFalse(ticket.aftersales_unit_received_date)
        # the request's technician may receive it himself
        ticket.sudo(self.users['tech1'])._aftersales_receive_unit('Fine')
        self.assertEqual(ticket.aftersales_unit_received_user_id,
                         self.users['tech1'])


class TestSelfReplacement(SolutionCase):

    def upload(self, user, name=b'fit-the-battery.pdf'):
        """A document uploaded in the plan's form (the web client's
        many2many_binary uploads it unattached, for the wizard)."""
        return self.env['ir.attachment'].sudo(self.users[user]).create({
            'name': name.decode(), 'datas_fname': name.decode(),
            'datas': base64.b64encode(b'%PDF-1.4 assembly notes'),
            'res_model': 'aftersales.solution.plan.wizard', 'res_id': 0})

    def plan_self_replacement(self, ticket, **vals):
        values = dict(
            solution_type='self_replacement',
            notes='Battery pack faulty: ship a new one.',
            assembly_notes='Switch off, unplug the old pack, fit the new '
                           'one until it clicks.',
            attachment_ids=[(6, 0, self.upload('tech1').ids)],
            accepted=True, accepted_by='Mr Wang (workshop head)')
        values.update(vals)
        return self.give_plan(ticket, 'tech1', **values)

    def test_parts_shipped_to_the_customer_owe_their_old_parts(self):
        ticket = self.create_ticket()
        self.plan_self_replacement(ticket)
        # the customer's agreement is recorded, by whom and when
        self.assertTrue(ticket.aftersales_self_replace_accepted)
        self.assertEqual(ticket.aftersales_self_replace_accepted_by,
                         'Mr Wang (workshop head)')
        self.assertEqual(ticket.aftersales_self_replace_accepted_user_id,
                         self.users['tech1'])
        self.assertTrue(ticket.aftersales_self_replace_accepted_date)
        documents = ticket.aftersales_assembly_attachment_ids
        self.assertEqual(documents.mapped('name'), ['fit-the-battery.pdf'])
        self.assertEqual((documents.res_model, documents.res_id),
                         ('helpdesk.ticket', ticket.id))
        # its repair order ships the parts to the customer
        repair = ticket.repair_ids
        self.assertEqual(len(repair), 1)
        self.assertTrue(repair.aftersales_self_replacement)
        repair.sudo(self.users['cs']).failure_date = '2025-06-01'
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        Line.create(self.part_line_vals(repair, self.serial_part, 1,
                                        self.battery_lot))
        Line.create(self.part_line_vals(repair, self.part, 2))
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_state, 'in')
        customers = self.customer.property_stock_customer
        pickings = self.issue_parts(repair)
        self.assertEqual(pickings.location_dest_id, customers)
        self.assertEqual(pickings.state, 'done')
        self.assertEqual(pickings.origin, repair.name)
        self.assertEqual(self.env['stock.quant']._get_available_quantity(
            self.serial_part, customers, lot_id=self.battery_lot,
            strict=True), 1)
        # R40/R46: the warranty battery owes its old part from the
        # shipment on; the cheap pad is exempt
        battery = self.recovery_of(repair, self.serial_part)
        self.assertEqual(battery.state, 'to_return')
        self.assertEqual(battery.partner_id, self.customer)
        self.assertTrue(battery.by_courier)
        self.assertEqual(self.env['aftersales.part.recovery'].search(
            [('by_courier', '=', True), ('repair_id', '=', repair.id)]),
            repair.recovery_ids)
        self.assertEqual(battery.due_date, fields.Date.to_string(
            self.company._aftersales_today() + timedelta(
                days=self.company.aftersales_recovery_due_days)))
        self.assertEqual(self.recovery_of(repair, self.part).state,
                         'exempt')
        # the customer gets the assembly notes with the documents attached
        message = ticket.message_ids.filtered(
            lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(message), 1)
        self.assertIn('fit the new one until it clicks', message.body)
        self.assertIn('Mr Wang', message.body)
        self.assertIn(self.serial_part.name, message.body)
        self.assertIn(battery.due_date, message.body)
        self.assertEqual(message.attachment_ids, documents)
        self.assertEqual(message.author_id,
                         self.users['warehouse'].partner_id)
        # the customer fitted it and reports it works: the order ends,
        # nothing is owed twice
        tech = repair.sudo(self.users['tech1'])
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()
        self.assertEqual(len(repair.recovery_ids), 2)
        self.assertEqual(self.env['stock.quant']._get_available_quantity(
            self.serial_part, customers, lot_id=self.battery_lot,
            strict=True), 0)
        # the old battery comes back by courier, freight collect
        wizard = self.env['aftersales.recovery.receive.wizard'].sudo(
            self.users['warehouse']).with_context(
                default_recovery_id=battery.id).create({
                    'courier': 'SF Express', 'tracking_ref': 'SF123',
                    'freight_collect': True})
        wizard.line_ids.removed_serial = 'OLD-BAT-1'
        receipt = wizard.action_receive()
        self.assertEqual(battery.state, 'received')
        picking = self.env['stock.picking'].browse(receipt['res_id'])
        self.assertEqual(picking.location_id, customers)
        self.assertTrue(picking.aftersales_freight_collect)

    def test_old_parts_of_a_visit_are_not_courier_returns(self):
        repair = self.finished_repair([(self.serial_part, 1,
                                        self.battery_lot)])
        self.assertEqual(repair.recovery_ids.state, 'to_return')
        self.assertFalse(repair.recovery_ids.by_courier)
        self.assertFalse(repair.parts_picking_ids.location_dest_id.usage
                         == 'customer')

    def test_the_customer_must_agree_to_bear_mis_assembly(self):
        ticket = self.create_ticket()
        for vals, message in [
                ({'accepted': False}, 'must agree'),
                ({'accepted_by': ' '}, 'who agreed'),
                ({'assembly_notes': ''}, 'assembly notes')]:
            with self.assertRaisesRegex(UserError, message):
                self.plan_self_replacement(ticket, **vals)
            self.assertNothingPlanned(ticket)
            self.assertFalse(ticket.aftersales_self_replace_accepted)
            self.assertFalse(ticket.repair_ids)
            self.assertFalse(ticket.aftersales_assembly_attachment_ids)

    def test_only_documents_the_technician_may_read_are_sent(self):
        ticket = self.create_ticket()
        secret = self.env['ir.attachment'].create({
            'name': 'payroll.pdf', 'datas': base64.b64encode(b'secret'),
            'res_model': 'hr.payslip', 'res_id': 1})
        with self.assertRaises(AccessError):
            self.plan_self_replacement(
                ticket, attachment_ids=[(6, 0, secret.ids)])
        self.assertNothingPlanned(ticket)

    def test_plan_changes_only_before_the_work_starts(self):
        ticket = self.create_ticket()
        self.plan_self_replacement(ticket)
        repair = ticket.repair_ids
        # a quotation follows the new plan
        self.give_plan(ticket, 'tech1', solution_type='carry_in')
        self.assertFalse(repair.aftersales_self_replacement)
        self.plan_self_replacement(ticket)
        self.assertTrue(repair.aftersales_self_replacement)
        self.assertEqual(ticket.repair_ids, repair)
        # once confirmed, the parts' way is set
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, self.part, 1))
        repair.sudo(self.users['tech1']).action_validate()
        with self.assertRaisesRegex(UserError, 'already under way'):
            self.give_plan(ticket, 'tech1', solution_type='carry_in')
        self.assertEqual(ticket.aftersales_solution_type, 'self_replacement')
        self.assertTrue(repair.aftersales_self_replacement)


class TestSolutionAccess(SolutionCase):

    def test_only_the_requests_technician_or_the_manager_plans(self):
        ticket = self.create_ticket()
        contacted(ticket)
        for user in ('tech2', 'cs', 'warehouse', 'finance', 'technical'):
            self.assertFalse(ticket.sudo(self.users[user]).can_give_plan,
                             user)
        self.assertTrue(ticket.sudo(self.users['tech1']).can_give_plan)
        with self.assertRaises(AccessError):
            ticket.sudo(self.users['tech2']).action_solution_plan()
        # the wizard cannot be used to go around the button
        wizard = self.env['aftersales.solution.plan.wizard'].sudo(
            self.users['tech2']).create({
                'ticket_id': ticket.id, 'solution_type': 'phone',
                'notes': 'Done.'})
        with self.assertRaises(AccessError):
            wizard.action_give_plan()
        self.assertNothingPlanned(ticket)
        self.give_plan(ticket, 'manager', solution_type='carry_in')
        self.assertEqual(ticket.aftersales_plan_user_id,
                         self.users['manager'])

    def test_a_technician_sees_only_his_own_requests(self):
        mine = self.create_ticket(user_id=self.users['cs'].id)
        other = self.create_ticket(user_id=self.users['cs'].id,
                                   technician_id=self.users['tech2'].id)
        found = self.Ticket.sudo(self.users['tech1']).search(
            [('id', 'in', (mine | other).ids)])
        self.assertEqual(found, mine)
        with self.assertRaises(AccessError):
            other.sudo(self.users['tech1']).read(['aftersales_solution_type'])

    def test_plan_and_receipt_are_never_typed_in(self):
        ticket = self.create_ticket()
        forged = [
            {'aftersales_solution_type': 'phone'},
            {'aftersales_self_replace_accepted': True},
            {'aftersales_unit_received_date': fields.Datetime.now()},
            {'aftersales_promised_date': '2030-01-01'},
        ]
        for user in ('tech1', 'cs', 'manager'):
            for vals in forged:
                with self.assertRaises(AccessError):
                    ticket.sudo(self.users[user]).write(vals)
        with self.assertRaises(AccessError):
            self.Ticket.sudo(self.users['cs']).with_context(
                default_aftersales_self_replace_accepted=True).create({
                    'name': 'Forged', 'partner_id': self.customer.id})
        self.assertNothingPlanned(ticket)
        # nor is a repair order made to ship its parts to the customer
        repair = self.create_repair(ticket)
        with self.assertRaises(AccessError):
            repair.sudo(self.users['tech1']).write(
                {'aftersales_self_replacement': True})
        self.assertFalse(repair.aftersales_self_replacement)
