# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""R14: dispatch by skill and workload, urgent first.

A hand-built case: five technicians of the company with known skills,
open work and positions; customer service opens the dispatch wizard as
the web client does and reads the suggestions in order. Then what each
department may and may not do."""
from odoo.exceptions import AccessError, UserError

from .common import AftersalesCase

DISPATCH_FIELDS = ['ticket_id', 'categ_id', 'line_ids', 'technician_id',
                   'skill_level', 'warning', 'can_force', 'force']


class TestRequestDispatch(AftersalesCase):

    @classmethod
    def setUpClass(cls):
        super(TestRequestDispatch, cls).setUpClass()
        env = cls.env
        Category = env['product.category']
        cls.vehicles = Category.create({'name': 'Test Vehicles'})
        cls.scooters = Category.create({'name': 'Test Scooters',
                                        'parent_id': cls.vehicles.id})
        cls.bikes = Category.create({'name': 'Test Bikes'})
        uom = env.ref('product.product_uom_unit')
        cls.scooter = env['product.product'].create({
            'name': 'Test Dispatch Scooter', 'type': 'product',
            'categ_id': cls.scooters.id, 'uom_id': uom.id,
            'uom_po_id': uom.id})
        cls.bike = env['product.product'].create({
            'name': 'Test Dispatch Bike', 'type': 'product',
            'categ_id': cls.bikes.id, 'uom_id': uom.id,
            'uom_po_id': uom.id})
        # no position on the company: a technician without his own has
        # none (unknown distance)
        env.user.company_id.partner_id.write({
            'aftersales_latitude': 0.0, 'aftersales_longitude': 0.0})
        cls.customer.write({'aftersales_latitude': 30.274085,
                            'aftersales_longitude': 120.155070})
        technician = env.ref('aftersales_addon.group_aftersales_technician')
        Users = env['res.users'].with_context(no_reset_password=True)
        cls.techs = {}
        for key in ('a', 'b', 'c', 'd', 'e'):
            cls.techs[key] = Users.create({
                'name': 'Dispatch Tech %s' % key.upper(),
                'login': 'test_dispatch_%s' % key,
                'groups_id': [(6, 0, [env.ref('base.group_user').id,
                                      technician.id])]})
        # B works about 9 km from the customer; A has no position
        cls.techs['b'].partner_id.write({
            'aftersales_latitude': 30.35, 'aftersales_longitude': 120.12})
        Skill = env['aftersales.technician.skill']
        # A: expert for all vehicles (the parent category)
        Skill.create({'user_id': cls.techs['a'].id,
                      'categ_id': cls.vehicles.id, 'level': '3'})
        for key in ('b', 'c'):
            Skill.create({'user_id': cls.techs[key].id,
                          'categ_id': cls.scooters.id, 'level': '3'})
        Skill.create({'user_id': cls.techs['d'].id,
                      'categ_id': cls.scooters.id, 'level': '1'})
        # E repairs bikes only
        Skill.create({'user_id': cls.techs['e'].id,
                      'categ_id': cls.bikes.id, 'level': '3'})
        # open work: A two normal requests (load 2); B one urgent request
        # (load 2 with the default weight); C nothing; D one repair order
        # whose request no longer counts
        for key, urgency in (('a', 'normal'), ('a', 'normal'),
                             ('b', 'urgent')):
            cls._open_ticket(cls.techs[key], urgency)
        ticket_d = cls._open_ticket(cls.techs['d'], 'normal')
        ticket_d.sudo(cls.users['cs']).action_create_repair()
        # a closed request is no work
        closed = env['helpdesk.ticket.stage'].search(
            [('closed', '=', True)], limit=1)
        cls._open_ticket(cls.techs['c'], 'urgent').write(
            {'stage_id': closed.id})

    @classmethod
    def _open_ticket(cls, technician, urgency, product=None):
        # the work given to the technicians before the case (the
        # superuser's data, like a migration)
        return cls.env['helpdesk.ticket'].create({
            'name': 'Work of %s' % technician.name,
            'partner_id': cls.customer.id, 'request_type': 'repair',
            'urgency': urgency,
            'product_id': (product or cls.scooter).id,
            'technician_id': technician.id})

    def new_request(self, product=None, urgency='normal', **vals):
        values = dict({'name': 'Scooter makes a noise',
                       'partner_id': self.customer.id,
                       'request_type': 'repair', 'urgency': urgency,
                       'product_id': (product or self.scooter).id,
                       'technician_id': False}, **vals)
        return self.env['helpdesk.ticket'].sudo(
            self.users['cs']).create(values)

    def open_wizard(self, ticket, user='cs'):
        """The Dispatch button: the action, then the form's defaults and
        onchange as the web client asks for them, then the save."""
        action = ticket.sudo(self.users[user]).action_dispatch()
        Wizard = self.env[action['res_model']].sudo(
            self.users[user]).with_context(action['context'])
        values = Wizard.default_get(DISPATCH_FIELDS)
        result = Wizard.onchange(values, [], {
            name: '1' for name in DISPATCH_FIELDS})
        values.update(result.get('value', {}))
        return Wizard.create(values)

    def mine(self, wizard):
        """The suggestions of the technicians of this case, in order."""
        ours = set(user.id for user in self.techs.values())
        return wizard.line_ids.filtered(lambda l: l.user_id.id in ours)

    # ------------------------------------------------------------------
    def test_suggestions_by_skill_then_workload_then_distance(self):
        ticket = self.new_request()
        wizard = self.open_wizard(ticket)
        lines = self.mine(wizard)
        t = self.techs
        # C: expert, free; B and A: experts loaded 2, B is nearer (A's
        # distance is unknown: last among equals); D: basic; E: no skill
        self.assertEqual(lines.mapped('user_id'),
                         t['c'] | t['b'] | t['a'] | t['d'] | t['e'])
        self.assertEqual([int(x) for x in lines.mapped('skill_level')],
                         [3, 3, 3, 1, 0])
        by_user = {line.user_id: line for line in lines}
        self.assertEqual(by_user[t['b']].urgent_count, 1)
        self.assertEqual(by_user[t['b']].workload, 2.0)
        self.assertEqual(by_user[t['a']].open_request_count, 2)
        self.assertEqual(by_user[t['a']].workload, 2.0)
        self.assertEqual(by_user[t['c']].workload, 0.0)
        self.assertEqual((by_user[t['d']].open_request_count,
                          by_user[t['d']].open_repair_count), (0, 1))
        self.assertTrue(by_user[t['b']].distance_known)
        self.assertAlmostEqual(by_user[t['b']].distance_km, 9.3, delta=1)
        self.assertFalse(by_user[t['a']].distance_known)
        # the best suggestion is proposed
        self.assertEqual(wizard.technician_id, t['c'])
        self.assertFalse(wizard.warning)

    def test_urgent_weight_is_the_company_setting(self):
        """With an urgent job weighing 3, B (one urgent) is more loaded
        than A (two normal)."""
        settings = self.env['aftersales.settings'].sudo(
            self.users['manager']).create({
                'aftersales_request_urgent_weight': 3.0})
        settings.execute()
        lines = self.mine(self.open_wizard(self.new_request()))
        t = self.techs
        self.assertEqual(lines.mapped('user_id')[:3], t['c'] | t['a'] | t['b'])
        self.assertEqual(lines.filtered(
            lambda l: l.user_id == t['b']).workload, 3.0)
        # the setting belongs to the manager
        with self.assertRaises(AccessError):
            self.env['aftersales.settings'].sudo(self.users['cs']).create({
                'aftersales_request_urgent_weight': 1.0}).execute()

    def test_customer_service_dispatches(self):
        ticket = self.new_request()
        wizard = self.open_wizard(ticket)
        line = wizard.line_ids.filtered(
            lambda l: l.user_id == self.techs['a'])
        line.action_choose()
        self.assertEqual(ticket.technician_id, self.techs['a'])
        self.assertIn(self.techs['a'].partner_id,
                      ticket.message_follower_ids.mapped('partner_id'))
        # the technician now has this request on his board
        load = self.env['aftersales.technician.load'].search(
            [('user_id', '=', self.techs['a'].id)])
        self.assertEqual(load.open_request_count, 3)

    def test_no_skill_refused_to_customer_service(self):
        ticket = self.new_request()
        wizard = self.open_wizard(ticket)
        wizard.technician_id = self.techs['e']
        self.assertEqual(wizard.skill_level, '0')
        self.assertIn('Dispatch Tech E', wizard.warning)
        with self.assertRaises(UserError):
            wizard.action_dispatch()
        # the manager's checkbox is checked on the server, by group
        wizard.force = True
        with self.assertRaises(AccessError):
            wizard.action_dispatch()
        self.assertFalse(ticket.technician_id)
        self.assertFalse(wizard.can_force)

    def test_manager_forces_no_skill_with_a_trace(self):
        ticket = self.new_request()
        wizard = self.open_wizard(ticket, user='manager')
        self.assertTrue(wizard.can_force)
        wizard.technician_id = self.techs['e']
        self.assertTrue(wizard.warning)
        with self.assertRaises(UserError):
            wizard.action_dispatch()
        wizard.force = True
        messages = ticket.message_ids
        wizard.action_dispatch()
        self.assertEqual(ticket.technician_id, self.techs['e'])
        note = ticket.message_ids - messages
        self.assertTrue(any('Dispatch Tech E' in (m.body or '')
                            for m in note))

    def test_non_technician_refused_even_to_the_manager(self):
        ticket = self.new_request()
        wizard = self.open_wizard(ticket, user='manager')
        wizard.technician_id = self.users['finance']
        self.assertTrue(wizard.warning)
        wizard.force = True
        with self.assertRaises(UserError):
            wizard.action_dispatch()
        self.assertFalse(ticket.technician_id)

    def test_direct_writes_follow_the_same_rules(self):
        """Over RPC, writing the technician is a dispatch: the same checks,
        no forcing; a request created with a technician without the skill
        is not kept."""
        ticket = self.new_request()
        as_cs = ticket.sudo(self.users['cs'])
        with self.assertRaises(UserError):
            as_cs.write({'technician_id': self.techs['e'].id})
        with self.assertRaises(UserError):
            as_cs.write({'technician_id': self.users['warehouse'].id})
        as_cs.write({'technician_id': self.techs['b'].id})
        self.assertEqual(ticket.technician_id, self.techs['b'])
        before = self.env['helpdesk.ticket'].search_count([])
        with self.assertRaises(UserError):
            self.new_request(technician_id=self.techs['e'].id)
        self.assertEqual(self.env['helpdesk.ticket'].search_count([]),
                         before)
        # a bike goes to E
        bike = self.new_request(product=self.bike,
                                technician_id=self.techs['e'].id)
        self.assertEqual(bike.technician_id, self.techs['e'])

    def test_who_dispatches(self):
        ticket = self.new_request()
        for key in ('tech1', 'warehouse', 'finance', 'technical'):
            self.assertFalse(ticket.sudo(self.users[key]).can_dispatch,
                             key)
        self.assertTrue(ticket.sudo(self.users['cs']).can_dispatch)
        self.assertTrue(ticket.sudo(self.users['manager']).can_dispatch)
        with self.assertRaises(AccessError):
            ticket.sudo(self.users['tech1']).action_dispatch()
        Wizard = self.env['aftersales.dispatch.wizard'].sudo(
            self.users['technical']).with_context(
                default_ticket_id=ticket.id)
        with self.assertRaises(AccessError):
            Wizard.default_get(DISPATCH_FIELDS)
        with self.assertRaises(AccessError):
            ticket.sudo(self.users['technical'])._aftersales_dispatch(
                self.techs['c'])
        # nor by writing the field (RPC): a technician may not hand a
        # request over to a colleague
        for key in ('tech1', 'technical'):
            with self.assertRaises(AccessError, msg=key):
                ticket.sudo(self.users[key]).write(
                    {'technician_id': self.techs['c'].id})
        self.assertFalse(ticket.technician_id)

    def test_technician_sees_only_his_own(self):
        """A technician reads the requests dispatched to him, not another
        technician's; his own line of the board and his own skills."""
        tech1, tech2 = self.users['tech1'], self.users['tech2']
        mine = self.new_request(product=self.unit_product,
                                technician_id=tech1.id,
                                user_id=self.users['cs'].id)
        theirs = self.new_request(product=self.unit_product,
                                  technician_id=tech2.id,
                                  user_id=self.users['cs'].id)
        Ticket = self.env['helpdesk.ticket'].sudo(tech1)
        found = Ticket.search([('id', 'in', (mine | theirs).ids)])
        self.assertEqual(found, mine)
        with self.assertRaises(AccessError):
            theirs.sudo(tech1).read(['name'])
        loads = self.env['aftersales.technician.load'].sudo(tech1).search([])
        self.assertEqual(loads.mapped('user_id'), tech1)
        self.assertEqual(loads.open_request_count, 1)
        skills = self.env['aftersales.technician.skill'].sudo(tech1).search(
            [])
        self.assertEqual(skills.mapped('user_id'), tech1)
        with self.assertRaises(AccessError):
            skills.sudo(tech1).write({'level': '3'})
        # customer service reads every line of the board
        cs_loads = self.env['aftersales.technician.load'].sudo(
            self.users['cs']).search([])
        self.assertLessEqual(tech1 | tech2 | self.techs['a'],
                             cs_loads.mapped('user_id'))

    def test_skills_kept_by_manager_and_technical_department(self):
        Skill = self.env['aftersales.technician.skill']
        for key in ('technical', 'manager'):
            skill = Skill.sudo(self.users[key]).create({
                'user_id': self.techs['e'].id, 'categ_id': (
                    self.scooters if key == 'technical'
                    else self.vehicles).id, 'level': '2'})
            skill.write({'level': '3'})
        for key in ('cs', 'tech1', 'warehouse', 'finance'):
            with self.assertRaises(AccessError, msg=key):
                Skill.sudo(self.users[key]).create({
                    'user_id': self.techs['e'].id,
                    'categ_id': self.vehicles.id, 'level': '1'})
        # only technicians have skills
        from odoo.exceptions import ValidationError
        with self.assertRaises(ValidationError):
            Skill.sudo(self.users['manager']).create({
                'user_id': self.users['finance'].id,
                'categ_id': self.vehicles.id, 'level': '1'})

    def test_queues_urgent_first_then_oldest(self):
        normal_old = self.new_request(received_date='2026-01-01 08:00:00')
        urgent_new = self.new_request(urgency='urgent',
                                      received_date='2026-01-03 08:00:00')
        important = self.new_request(urgency='important',
                                     received_date='2026-01-02 08:00:00')
        urgent_old = self.new_request(urgency='urgent',
                                      received_date='2026-01-02 08:00:00')
        normal_new = self.new_request(received_date='2026-01-04 08:00:00')
        ids = (normal_old | urgent_new | important | urgent_old |
               normal_new).ids
        queue = self.env['helpdesk.ticket'].sudo(self.users['cs']).search(
            [('id', 'in', ids)])
        self.assertEqual(queue.ids, [urgent_old.id, urgent_new.id,
                                     important.id, normal_old.id,
                                     normal_new.id])
        # a request made urgent moves up
        normal_new.sudo(self.users['cs']).urgency = 'urgent'
        queue = self.env['helpdesk.ticket'].search([('id', 'in', ids)])
        self.assertEqual(queue.ids[:3], [urgent_old.id, urgent_new.id,
                                         normal_new.id])

    def test_queues_then_nearest_deadline(self):
        """Same urgency: the request whose next step is due first comes
        first, even when it came in later; a request waiting for the
        customer has no running deadline and comes last."""
        older = self.new_request(received_date='2026-01-05 08:00:00')
        newer = self.new_request(received_date='2026-01-06 08:00:00')
        later = self.new_request(received_date='2026-01-07 08:00:00')
        ids = (older | newer | later).ids
        Tickets = self.env['helpdesk.ticket'].sudo(self.users['cs'])
        self.assertEqual(Tickets.search([('id', 'in', ids)]).ids, ids)
        # the older one is dispatched today: its next step (contacting the
        # customer) is due after today, later than the others' forwarding
        older.sudo(self.users['cs']).technician_id = self.techs['c']
        self.assertGreater(older.aftersales_next_deadline,
                           newer.aftersales_next_deadline)
        self.assertEqual(Tickets.search([('id', 'in', ids)]).ids,
                         [newer.id, later.id, older.id])
        # waiting for the customer: no clock runs, last in its urgency
        newer.sudo(self.users['cs']).stage_id = self.env.ref(
            'aftersales_addon.helpdesk_ticket_stage_waiting_customer')
        self.assertFalse(newer.aftersales_next_deadline)
        self.assertEqual(Tickets.search([('id', 'in', ids)]).ids,
                         [later.id, older.id, newer.id])

    def test_suggestions_cost_the_same_for_more_technicians(self):
        """One query for every technician's workload, one for the skills:
        no query per technician."""
        ticket = self.new_request().sudo(self.users['cs'])

        def count():
            ticket.invalidate_cache()
            self.env['res.users'].invalidate_cache()
            self.env['res.partner'].invalidate_cache()
            before = self.cr.sql_log_count
            ticket._aftersales_dispatch_suggestions()
            return self.cr.sql_log_count - before

        count()     # the access rules' caches filled
        few = count()
        technician = self.env.ref(
            'aftersales_addon.group_aftersales_technician')
        for i in range(6):
            user = self.env['res.users'].with_context(
                no_reset_password=True).create({
                    'name': 'Extra Tech %d' % i,
                    'login': 'test_dispatch_extra_%d' % i,
                    'groups_id': [(6, 0, [technician.id])]})
            user.partner_id.write({'aftersales_latitude': 30.0 + i,
                                   'aftersales_longitude': 120.0})
            self.env['aftersales.technician.skill'].create({
                'user_id': user.id, 'categ_id': self.scooters.id,
                'level': '2'})
            self._open_ticket(user, 'urgent')
        self.assertEqual(count(), few)
