# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""R12: the deadline chain of service requests, on a working calendar of
Monday to Friday, 08:00-12:00 and 13:00-17:00, with Monday 9 March 2026 a
public holiday (the company's time zone is UTC in the suite).

Counted in working hours from Friday 6 March 09:00, 12 hours end on
Tuesday 10 March at 14:00: Friday gives 7, the weekend and the holiday
none, Tuesday the last 5."""
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import AftersalesCase

NOW = 'odoo.addons.aftersales_addon.models.common.res_company._utcnow'
FRIDAY_0900 = datetime(2026, 3, 6, 9, 0)
TUESDAY_1400 = datetime(2026, 3, 10, 14, 0)
MONDAY_0800 = datetime(2026, 3, 2, 8, 0)


def at(moment):
    return patch(NOW, return_value=moment)


def dt(value):
    return fields.Datetime.from_string(value)


class TestRequestDeadlines(AftersalesCase):

    @classmethod
    def setUpClass(cls):
        super(TestRequestDeadlines, cls).setUpClass()
        cls.company = cls.env.user.company_id
        attendances = []
        for day in range(5):
            attendances += [
                (0, 0, {'name': 'Morning', 'dayofweek': str(day),
                        'hour_from': 8, 'hour_to': 12}),
                (0, 0, {'name': 'Afternoon', 'dayofweek': str(day),
                        'hour_from': 13, 'hour_to': 17})]
        cls.calendar = cls.env['resource.calendar'].create({
            'name': 'Test week with a holiday',
            'attendance_ids': [(5, 0, 0)] + attendances})
        cls.env['resource.calendar.leaves'].create({
            'name': 'Public holiday', 'calendar_id': cls.calendar.id,
            'date_from': '2026-03-09 00:00:00',
            'date_to': '2026-03-09 23:59:59'})
        cls.company.resource_calendar_id = cls.calendar
        cls.company.write({
            'aftersales_request_to_service_hours': 12,
            'aftersales_request_to_technician_hours': 12,
            'aftersales_request_contact_hours': 12,
            'aftersales_request_plan_hours': 24,
            'aftersales_request_arrival_hours': 24,
            'aftersales_request_answer_hours': 12,
            'aftersales_request_radius_km': 100,
            'aftersales_request_city_hours': 6,
            'aftersales_request_suburb_hours': 7,
        })
        cls.waiting_stage = cls.env.ref(
            'aftersales_addon.helpdesk_ticket_stage_waiting_customer')
        cls.open_stage = cls.env.ref(
            'helpdesk_mgmt.helpdesk_ticket_stage_in_progress')
        cls.Step = cls.env['aftersales.request.step']
        cls.sales = cls.env.ref(
            'aftersales_addon.helpdesk_ticket_channel_sales')
        cls.users['sales'] = cls.env['res.users'].with_context(
            no_reset_password=True).create({
                'name': 'Test salesperson', 'login': 'test_as_sales',
                'groups_id': [(6, 0, [
                    cls.env.ref('base.group_user').id,
                    cls.env.ref('helpdesk_mgmt.group_helpdesk_user').id,
                    cls.env.ref('sales_team.group_sale_salesman').id])]})

    # helpers -----------------------------------------------------------
    def new_request(self, received, user='cs', **vals):
        """A request received at ``received``, recorded then, without a
        technician unless given."""
        vals.setdefault('technician_id', False)
        with at(received):
            return self.create_ticket(
                user=user, received_date=fields.Datetime.to_string(received),
                **vals)

    def forwarded_request(self, moment, **vals):
        """A request received and forwarded to tech1 at ``moment``."""
        ticket = self.new_request(moment, **vals)
        with at(moment):
            ticket.sudo(self.users['cs']).write(
                {'technician_id': self.users['tech1'].id})
        return ticket

    def step(self, ticket, code):
        return ticket.sudo().aftersales_step_ids.filtered(
            lambda s: s.code == code)

    def manager_todos(self, ticket):
        return self.env['mail.activity'].search([
            ('res_model', '=', 'helpdesk.ticket'),
            ('res_id', '=', ticket.id),
            ('user_id', '=', self.users['manager'].id)])

    # the calendar ------------------------------------------------------
    def test_working_hours_skip_weekend_and_holiday(self):
        """Twelve working hours from Friday 09:00 end on Tuesday 14:00;
        work that fills a period ends at its end (17:00), not the next
        morning."""
        company = self.company
        self.assertEqual(
            company._aftersales_add_working_hours(FRIDAY_0900, 12),
            TUESDAY_1400)
        self.assertEqual(
            company._aftersales_add_working_hours(FRIDAY_0900, 7),
            datetime(2026, 3, 6, 17, 0))
        working = company._aftersales_working_time(FRIDAY_0900)
        self.assertEqual(working.hours_between(FRIDAY_0900, TUESDAY_1400),
                         12.0)
        # a request received at night starts counting the next morning
        self.assertEqual(company._aftersales_add_working_hours(
            datetime(2026, 3, 5, 20, 0), 1), datetime(2026, 3, 6, 9, 0))

    def test_local_calendar_of_the_company(self):
        """The working hours are the company's local hours: in Shanghai
        (UTC+8) 08:00 local is 00:00 UTC."""
        self.company.partner_id.tz = 'Asia/Shanghai'
        self.assertEqual(self.company._aftersales_add_working_hours(
            datetime(2026, 3, 2, 0, 0), 4), datetime(2026, 3, 2, 4, 0))
        self.assertEqual(self.company._aftersales_add_working_hours(
            datetime(2026, 3, 2, 0, 0), 5), datetime(2026, 3, 2, 6, 0))

    # forwarding to a technician -----------------------------------------
    def test_forward_to_technician_just_in_time(self):
        ticket = self.new_request(FRIDAY_0900)
        step = self.step(ticket, 'to_technician')
        self.assertEqual(dt(step.deadline), TUESDAY_1400)
        self.assertEqual(step.state, 'open')
        with at(TUESDAY_1400):
            ticket.sudo(self.users['cs']).write(
                {'technician_id': self.users['tech1'].id})
        self.assertEqual(step.state, 'done')
        self.assertEqual(dt(step.done_on), TUESDAY_1400)
        self.assertEqual(step.done_by, self.users['cs'])
        self.assertFalse(step.breached)
        self.assertFalse(ticket.aftersales_breached)
        self.assertFalse(self.manager_todos(ticket))
        # the technician's steps start their clocks now
        self.assertEqual(
            set(ticket.aftersales_step_ids.mapped('code')),
            {'to_technician', 'contact', 'plan', 'arrival'})
        self.assertEqual(dt(self.step(ticket, 'contact').start),
                         TUESDAY_1400)

    def test_forward_to_technician_one_minute_late(self):
        ticket = self.new_request(FRIDAY_0900)
        with at(datetime(2026, 3, 10, 14, 1)):
            ticket.sudo(self.users['cs']).write(
                {'technician_id': self.users['tech1'].id})
        step = self.step(ticket, 'to_technician')
        self.assertTrue(step.breached)
        self.assertTrue(ticket.aftersales_breached)
        todos = self.manager_todos(ticket)
        self.assertEqual(len(todos), 1)
        self.assertIn(ticket.number, todos.summary)
        # a new technician later is no new forwarding
        with at(datetime(2026, 3, 11, 9, 0)):
            ticket.sudo(self.users['cs']).write(
                {'technician_id': self.users['tech2'].id})
        self.assertEqual(dt(step.done_on), datetime(2026, 3, 10, 14, 1))
        self.assertEqual(len(self.manager_todos(ticket)), 1)

    def test_report_through_sales(self):
        """A report that reached sales is forwarded to customer service
        (the salesperson's button), then to a technician; customer
        service recording a report from sales has it at once."""
        sales = self.sales
        salesperson = self.users['sales']
        ticket = self.new_request(FRIDAY_0900, user='sales',
                                  channel_id=sales.id)
        to_service = self.step(ticket, 'to_service')
        self.assertEqual(to_service.state, 'open')
        self.assertEqual(dt(to_service.deadline), TUESDAY_1400)
        self.assertFalse(self.step(ticket, 'to_technician'))
        self.assertTrue(ticket.sudo(salesperson).can_forward_to_service)
        # the technician cannot be reached before customer service has it
        with self.assertRaises(UserError):
            ticket.sudo(self.users['manager'])._aftersales_step_done(
                'contact')
        with at(datetime(2026, 3, 10, 14, 1)):
            ticket.sudo(salesperson).action_forward_to_service()
        self.assertTrue(to_service.breached)
        self.assertEqual(to_service.done_by, salesperson)
        to_technician = self.step(ticket, 'to_technician')
        self.assertEqual(dt(to_technician.start),
                         datetime(2026, 3, 10, 14, 1))
        with self.assertRaises(UserError):
            ticket.sudo(salesperson).action_forward_to_service()
        # a department that only reads requests forwards nothing
        other = self.new_request(FRIDAY_0900, user='sales',
                                 channel_id=sales.id)
        with self.assertRaises(AccessError):
            other.sudo(self.users['warehouse']).action_forward_to_service()
        self.assertEqual(self.step(other, 'to_service').state, 'open')
        # customer service records another one: it has it now
        other = self.new_request(FRIDAY_0900, channel_id=sales.id)
        self.assertEqual(self.step(other, 'to_service').state, 'done')
        self.assertEqual(self.step(other, 'to_service').done_by,
                         self.users['cs'])
        # a request from another channel has no such step
        phone = self.new_request(FRIDAY_0900)
        with self.assertRaises(UserError):
            phone.sudo(self.users['cs']).action_forward_to_service()

    def test_each_step_just_in_time_and_one_minute_late(self):
        """A report from sales through every step, each met exactly at
        its deadline: nothing missed; the same one minute after each
        deadline: every step missed, one to-do for the manager each."""
        minute = timedelta(minutes=1)
        for late in (False, True):
            ticket = self.new_request(FRIDAY_0900, user='sales',
                                      channel_id=self.sales.id)
            actions = [
                ('to_service', 'sales',
                 lambda t: t.action_forward_to_service()),
                ('to_technician', 'cs', lambda t: t.write(
                    {'technician_id': self.users['tech1'].id})),
                ('contact', 'tech1',
                 lambda t: t.action_customer_contacted()),
                ('plan', 'tech1',
                 lambda t: t._aftersales_step_done('plan')),
                ('arrival', 'tech1', lambda t: t.action_arrived()),
            ]
            for code, user, action in actions:
                step = self.step(ticket, code)
                moment = dt(step.deadline) + (minute if late else
                                              timedelta())
                with at(moment):
                    action(ticket.sudo(self.users[user]))
                self.assertEqual(step.state, 'done', code)
                self.assertEqual(dt(step.done_on), moment, code)
                self.assertEqual(step.done_by, self.users[user], code)
                self.assertEqual(step.breached, late, code)
            self.assertEqual(ticket.aftersales_breached, late)
            self.assertEqual(len(self.manager_todos(ticket)),
                             5 if late else 0)
            # the deadlines run on the working calendar: the first is
            # Tuesday 14:00, 12 working hours after Friday 09:00
            self.assertEqual(dt(self.step(ticket, 'to_service').deadline),
                             TUESDAY_1400)

    # the technician's steps ---------------------------------------------
    def test_technician_steps_boundaries(self):
        """Forwarded Monday 08:00: contact within 12 h (Tuesday 12:00),
        plan within 24 h (Wednesday 17:00), arrival within 24 h (no zone,
        no position: on site within the radius)."""
        ticket = self.forwarded_request(MONDAY_0800)
        contact = self.step(ticket, 'contact')
        plan = self.step(ticket, 'plan')
        arrival = self.step(ticket, 'arrival')
        self.assertEqual(dt(contact.deadline), datetime(2026, 3, 3, 12, 0))
        self.assertEqual(dt(plan.deadline), datetime(2026, 3, 4, 17, 0))
        self.assertEqual(arrival.arrival_rule, 'onsite')
        self.assertEqual(dt(arrival.deadline), datetime(2026, 3, 4, 17, 0))
        tech = ticket.sudo(self.users['tech1'])
        self.assertTrue(tech.can_mark_contacted)
        self.assertFalse(tech.can_mark_arrived)
        with at(datetime(2026, 3, 3, 12, 0)):
            tech.action_customer_contacted()
        self.assertEqual(contact.state, 'done')
        self.assertFalse(contact.breached)
        self.assertEqual(contact.done_by, self.users['tech1'])
        with at(datetime(2026, 3, 4, 17, 0)):
            tech.action_arrived()
        self.assertFalse(arrival.breached)
        with at(datetime(2026, 3, 4, 17, 1)):
            tech._aftersales_step_done('plan')
        self.assertTrue(plan.breached)
        self.assertFalse(contact.breached or arrival.breached)
        self.assertTrue(ticket.aftersales_breached)
        self.assertEqual(len(self.manager_todos(ticket)), 1)

    def test_stamp_twice_or_out_of_order(self):
        ticket = self.forwarded_request(MONDAY_0800)
        tech = ticket.sudo(self.users['tech1'])
        plan = self.step(ticket, 'plan')
        with at(datetime(2026, 3, 2, 9, 0)):
            with self.assertRaises(UserError) as error:
                tech._aftersales_step_done('plan')
        self.assertIn(ticket.number, str(error.exception.name))
        # nothing written
        self.assertEqual(plan.state, 'open')
        self.assertFalse(plan.done_on)
        with at(datetime(2026, 3, 2, 9, 0)):
            with self.assertRaises(UserError):
                tech.action_arrived()
            tech.action_customer_contacted()
            with self.assertRaises(UserError) as error:
                tech.action_customer_contacted()
        self.assertIn('2026-03-02', error.exception.name)
        contact = self.step(ticket, 'contact')
        self.assertEqual(dt(contact.done_on), datetime(2026, 3, 2, 9, 0))
        with self.assertRaises(UserError):
            tech._aftersales_step_done('no_such_step')

    def test_technician_stamps_only_his_own_requests(self):
        ticket = self.forwarded_request(MONDAY_0800)
        with at(datetime(2026, 3, 2, 9, 0)):
            for user in ('tech2', 'cs', 'warehouse'):
                with self.assertRaises(AccessError, msg=user):
                    ticket.sudo(self.users[user]).action_customer_contacted()
            self.assertFalse(
                ticket.sudo(self.users['tech2']).can_mark_contacted)
            # the manager may record it for the technician
            ticket.sudo(self.users['manager']).action_customer_contacted()
        self.assertEqual(self.step(ticket, 'contact').done_by,
                         self.users['manager'])
        # the technician reads the deadlines of his requests only
        theirs = self.new_request(MONDAY_0800,
                                  technician_id=self.users['tech2'].id)
        Step = self.Step.sudo(self.users['tech1'])
        seen = Step.search([('ticket_id', 'in', (ticket + theirs).ids)])
        self.assertEqual(seen.mapped('ticket_id'), ticket)
        self.assertEqual(
            Step.search_count([('ticket_id', '=', theirs.id)]), 0)
        Manager = self.Step.sudo(self.users['manager'])
        self.assertEqual(
            Manager.search([('ticket_id', 'in', (ticket + theirs).ids)])
            .mapped('ticket_id'), ticket + theirs)

    def test_nobody_writes_a_deadline_by_hand(self):
        ticket = self.forwarded_request(MONDAY_0800)
        contact = self.step(ticket, 'contact')
        for user in ('cs', 'tech1', 'manager'):
            with self.assertRaises(AccessError, msg=user):
                contact.sudo(self.users[user]).write(
                    {'deadline': '2030-01-01 00:00:00'})
            with self.assertRaises(AccessError, msg=user):
                self.Step.sudo(self.users[user]).create({
                    'ticket_id': ticket.id, 'code': 'to_service',
                    'start': '2026-03-02 08:00:00',
                    'deadline': '2030-01-01 00:00:00'})
            with self.assertRaises(AccessError, msg=user):
                ticket.sudo(self.users[user]).write(
                    {'aftersales_breached': True})
        with self.assertRaises(AccessError):
            self.create_ticket(aftersales_breached=True)
        self.assertEqual(dt(contact.deadline), datetime(2026, 3, 3, 12, 0))

    # the customer's place -----------------------------------------------
    def test_arrival_rule_from_distance_and_zone(self):
        """The company in Hangzhou: a customer in Shanghai (about 165 km)
        gets an answer within 12 h; one in the suburbs of Hangzhou a visit
        within 7 h, in the city within 6 h."""
        self.company.partner_id.write({
            'aftersales_latitude': 30.274085,
            'aftersales_longitude': 120.155070})
        Partner = self.env['res.partner']
        far = Partner.create({
            'name': 'Shanghai customer', 'aftersales_latitude': 31.230416,
            'aftersales_longitude': 121.473701,
            'aftersales_service_zone': 'city'})
        suburb = Partner.create({
            'name': 'Suburb customer', 'aftersales_latitude': 30.42,
            'aftersales_longitude': 120.30,
            'aftersales_service_zone': 'suburb'})
        city = Partner.create({
            'name': 'City customer', 'aftersales_service_zone': 'city'})
        expected = {
            far: ('answer', datetime(2026, 3, 3, 12, 0)),
            suburb: ('suburb', datetime(2026, 3, 2, 16, 0)),
            city: ('city', datetime(2026, 3, 2, 15, 0)),
        }
        for partner, (rule, deadline) in expected.items():
            ticket = self.forwarded_request(MONDAY_0800,
                                            partner_id=partner.id)
            arrival = self.step(ticket, 'arrival')
            self.assertEqual(arrival.arrival_rule, rule, partner.name)
            self.assertEqual(dt(arrival.deadline), deadline, partner.name)
            self.assertEqual(ticket.aftersales_arrival_rule, rule)
        # the radius is the company's setting
        self.company.aftersales_request_radius_km = 200
        ticket = self.forwarded_request(MONDAY_0800, partner_id=far.id)
        self.assertEqual(self.step(ticket, 'arrival').arrival_rule, 'city')

    # waiting for the customer -----------------------------------------
    def test_waiting_for_customer_stops_the_clock(self):
        """Forwarded Monday 08:00 (contact due Tuesday 12:00), waiting for
        the customer from Monday 10:00 to Thursday 08:00: the check does
        not flag it meanwhile, and the 10 working hours left then run from
        Thursday 08:00 (due Friday 10:00)."""
        ticket = self.forwarded_request(MONDAY_0800)
        contact = self.step(ticket, 'contact')
        with at(datetime(2026, 3, 2, 10, 0)):
            ticket.sudo(self.users['cs']).write(
                {'stage_id': self.waiting_stage.id})
        self.assertEqual(dt(contact.paused_since), datetime(2026, 3, 2, 10))
        flagged = self.Step._aftersales_flag_breaches(
            now=datetime(2026, 3, 4, 12, 0))
        self.assertNotIn(contact, flagged)
        self.assertFalse(contact.breached)
        with at(datetime(2026, 3, 5, 8, 0)):
            ticket.sudo(self.users['cs']).write(
                {'stage_id': self.open_stage.id})
        self.assertFalse(contact.paused_since)
        self.assertEqual(dt(contact.deadline), datetime(2026, 3, 6, 10, 0))
        self.assertFalse(self.Step._aftersales_flag_breaches(
            now=datetime(2026, 3, 6, 10, 0)) & contact)
        self.assertEqual(self.Step._aftersales_flag_breaches(
            now=datetime(2026, 3, 6, 10, 1)) & contact, contact)

    def test_contact_while_waiting_is_on_time(self):
        ticket = self.forwarded_request(MONDAY_0800)
        with at(datetime(2026, 3, 2, 10, 0)):
            ticket.sudo(self.users['cs']).write(
                {'stage_id': self.waiting_stage.id})
        with at(datetime(2026, 3, 5, 8, 0)):
            ticket.sudo(self.users['tech1']).action_customer_contacted()
        contact = self.step(ticket, 'contact')
        self.assertEqual(contact.state, 'done')
        self.assertFalse(contact.breached)

    # the scheduled check ----------------------------------------------
    def test_check_flags_once_and_twice_run_flags_nothing(self):
        ticket = self.forwarded_request(MONDAY_0800)
        contact = self.step(ticket, 'contact')
        self.assertFalse(self.Step._aftersales_flag_breaches(
            now=datetime(2026, 3, 3, 12, 0)) & contact)
        first = self.Step._aftersales_flag_breaches(
            now=datetime(2026, 3, 3, 12, 1))
        self.assertIn(contact, first)
        self.assertTrue(contact.breached)
        self.assertTrue(ticket.aftersales_breached)
        self.assertEqual(len(self.manager_todos(ticket)), 1)
        second = self.Step._aftersales_flag_breaches(
            now=datetime(2026, 3, 3, 12, 2))
        self.assertFalse(second & contact)
        self.assertEqual(len(self.manager_todos(ticket)), 1)
        # met late afterwards: still one breach, one to-do
        with at(datetime(2026, 3, 3, 15, 0)):
            ticket.sudo(self.users['tech1']).action_customer_contacted()
        self.assertTrue(contact.breached)
        self.assertEqual(contact.state, 'done')
        self.assertEqual(len(self.manager_todos(ticket)), 1)
        # the cron runs it from the scheduled action
        cron = self.env.ref(
            'aftersales_addon.cron_request_deadline_breaches')
        self.assertEqual(cron.model_id.model, 'aftersales.request.step')
        self.assertTrue(self.Step._cron_flag_breaches())

    def count_queries(self, function, *args, **kwargs):
        self.Step.invalidate_cache()
        self.env['helpdesk.ticket'].invalidate_cache()
        before = self.cr.sql_log_count
        function(*args, **kwargs)
        return self.cr.sql_log_count - before

    def test_check_is_set_based(self):
        """The check's statements do not grow with the requests it
        flags: the same number for 2 requests as for 8."""
        for _i in range(2):
            self.forwarded_request(MONDAY_0800)
        # a first run warms the caches (and flags what was left behind)
        self.forwarded_request(datetime(2026, 2, 23, 8, 0))
        self.Step._aftersales_flag_breaches(now=MONDAY_0800)
        few = self.count_queries(self.Step._aftersales_flag_breaches,
                                 now=datetime(2026, 3, 3, 20, 0))
        for _i in range(8):
            self.forwarded_request(datetime(2026, 3, 4, 8, 0))
        many = self.count_queries(self.Step._aftersales_flag_breaches,
                                  now=datetime(2026, 3, 5, 20, 0))
        self.assertGreater(few, 1)
        self.assertEqual(few, many)
        nothing = self.count_queries(self.Step._aftersales_flag_breaches,
                                     now=datetime(2026, 3, 5, 20, 0))
        self.assertEqual(nothing, 1)

    def test_closed_request_needs_no_more_steps(self):
        ticket = self.forwarded_request(MONDAY_0800)
        done = self.env.ref('helpdesk_mgmt.helpdesk_ticket_stage_done')
        with at(datetime(2026, 3, 2, 9, 0)):
            ticket.sudo(self.users['cs']).write({'stage_id': done.id})
        self.assertEqual(
            set(ticket.aftersales_step_ids.mapped('state')),
            {'done', 'cancelled'})
        flagged = self.Step._aftersales_flag_breaches(
            now=datetime(2026, 4, 1, 8, 0))
        self.assertFalse(flagged & ticket.aftersales_step_ids)
        with self.assertRaises(UserError):
            ticket.sudo(self.users['tech1']).action_customer_contacted()

    # counting ------------------------------------------------------------
    def test_breaches_counted_per_technician_and_month(self):
        team = self.env['helpdesk.ticket.team'].create(
            {'name': 'Test team East'})
        mine = self.forwarded_request(MONDAY_0800, team_id=team.id)
        theirs = self.new_request(MONDAY_0800,
                                  technician_id=self.users['tech2'].id)
        self.Step._aftersales_flag_breaches(now=datetime(2026, 3, 5, 20, 0))
        by_team = self.Step.sudo(self.users['manager']).read_group(
            [('breached', '=', True),
             ('ticket_id', 'in', (mine + theirs).ids)],
            ['team_id'], ['team_id'])
        self.assertEqual(
            {(g['team_id'] and g['team_id'][0]): g['team_id_count']
             for g in by_team}, {team.id: 3, False: 3})
        groups = self.Step.sudo(self.users['manager']).read_group(
            [('breached', '=', True),
             ('ticket_id', 'in', (mine + theirs).ids)],
            ['technician_id', 'deadline'], ['technician_id', 'deadline:month'],
            lazy=False)
        counts = {(g['technician_id'][0], g['deadline:month']):
                  g['__count'] for g in groups}
        # contact, plan and arrival of each request, all due in March
        self.assertEqual(
            sorted(counts.values()), [3, 3], counts)
        self.assertEqual(
            {key[0] for key in counts},
            {self.users['tech1'].id, self.users['tech2'].id})
        # the requests' "Breached" filter
        Ticket = self.env['helpdesk.ticket'].sudo(self.users['cs'])
        self.assertEqual(
            Ticket.search([('aftersales_breached', '=', True),
                           ('id', 'in', (mine + theirs).ids)]),
            mine + theirs)

    # settings --------------------------------------------------------------
    def settings(self, user, **values):
        form = self.env['aftersales.settings'].sudo(self.users[user]).create(
            {})
        form.write(values)
        return form.execute()

    def test_settings_refuse_bad_deadlines(self):
        for values in ({'aftersales_request_contact_hours': 0},
                       {'aftersales_request_plan_hours': -4},
                       {'aftersales_request_radius_km': 0},
                       {'aftersales_request_contact_hours': 30},
                       {'aftersales_request_city_hours': 8},
                       {'aftersales_request_suburb_hours': 30}):
            with self.assertRaises(ValidationError, msg=str(values)), \
                    self.cr.savepoint():
                self.settings('manager', **values)
        self.assertEqual(self.company.aftersales_request_contact_hours, 12)
        self.settings('manager', aftersales_request_contact_hours=10)
        self.assertEqual(self.company.aftersales_request_contact_hours, 10)
        with self.assertRaises(AccessError):
            self.settings('finance', aftersales_request_contact_hours=8)
        # the new setting counts for the clocks started from now on
        ticket = self.forwarded_request(MONDAY_0800)
        self.assertEqual(dt(self.step(ticket, 'contact').deadline),
                         datetime(2026, 3, 3, 10, 0))
