# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Warranty rules (R30-R33, R90, R91): what the customer pays, on every
line, with the reason shown."""
from datetime import date, datetime

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import AftersalesCase

START = date(2023, 1, 10)


def d(text):
    return fields.Date.from_string(text)


class WarrantyCase(AftersalesCase):

    @classmethod
    def setUpClass(cls):
        super(WarrantyCase, cls).setUpClass()
        cls.categ_vehicles = cls.env['product.category'].create(
            {'name': 'Test Vehicles'})
        cls.categ_scooters = cls.env['product.category'].create(
            {'name': 'Test Scooters', 'parent_id': cls.categ_vehicles.id})
        cls.unit_product.categ_id = cls.categ_scooters
        # R14: the test technicians are skilled for these vehicles
        for key in ('tech1', 'tech2'):
            cls.env['aftersales.technician.skill'].create({
                'user_id': cls.users[key].id,
                'categ_id': cls.categ_vehicles.id, 'level': '2'})
        # R30 example: 0-36 months parts and labour free, then parts
        # charged and labour free until month 60
        cls.rule = cls.env['aftersales.warranty.rule'].create({
            'name': 'Scooters 3+2 years',
            'categ_id': cls.categ_scooters.id,
            'tier_ids': [
                (0, 0, {'month_from': 0, 'month_to': 36,
                        'parts_coverage': 'free',
                        'labour_coverage': 'free'}),
                (0, 0, {'month_from': 36, 'month_to': 60,
                        'parts_coverage': 'charged',
                        'labour_coverage': 'free'}),
            ]})
        cls.tier0, cls.tier1 = cls.rule.tier_ids.sorted('month_from')
        cls.unit_lot.warranty_start_manual = START
        cls.company = cls.env.user.company_id
        # a cheap part with no recovery value: exempt from old-part
        # recovery (R41), so under warranty it is simply free
        cls.part.product_tmpl_id.aftersales_no_recovery_value = True

    def status(self, on, lot=None):
        lot = lot or self.unit_lot
        return lot._warranty_status(d(on) if isinstance(on, str) else on)[
            lot.id]

    def repair_with_lines(self, failure_date, parts_qty=2, labour_qty=1):
        repair = self.create_repair()
        repair.sudo(self.users['cs']).failure_date = failure_date
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=parts_qty))
        self.env['mrp.repair.fee'].sudo(self.users['tech1']).create({
            'repair_id': repair.id, 'name': 'Labour',
            'product_id': self.labour.id, 'product_uom_qty': labour_qty,
            'product_uom': self.labour.uom_id.id,
            'price_unit': self.env['mrp.repair.fee']._expected_price(
                repair, self.labour, labour_qty)})
        return repair


class TestWarrantyRules(WarrantyCase):

    def test_tier_boundaries(self):
        """R30: each tier covers from its first day to the day before its
        months complete; after the last tier, out of warranty."""
        cases = [
            ('2023-01-10', 'in', self.tier0),   # the start day
            ('2026-01-08', 'in', self.tier0),   # day before tier 0 ends
            ('2026-01-09', 'in', self.tier0),   # last day of tier 0
            ('2026-01-10', 'in', self.tier1),   # day after: tier 1
            ('2028-01-08', 'in', self.tier1),   # day before the end
            ('2028-01-09', 'in', self.tier1),   # last covered day
            ('2028-01-10', 'out', False),       # day after: out
        ]
        for on, state, tier in cases:
            status = self.status(on)
            self.assertEqual(status['state'], state, on)
            self.assertEqual(status['tier'], tier or self.env[
                'aftersales.warranty.tier'], on)
            self.assertEqual(status['end'], date(2028, 1, 9))
            self.assertEqual(status['rule'], self.rule)

    def test_early_failure_windows(self):
        """R32: dead on arrival within 7 days, quality failure within 15
        days of the start (the day the window ends included)."""
        cases = [
            ('2023-01-16', 'doa'), ('2023-01-17', 'doa'),
            ('2023-01-18', 'quality'), ('2023-01-24', 'quality'),
            ('2023-01-25', 'quality'), ('2023-01-26', False),
        ]
        for on, early in cases:
            self.assertEqual(self.status(on)['early_failure'], early, on)

    def test_early_failure_windows_are_company_settings(self):
        self.company.write({'aftersales_warranty_doa_days': 3,
                            'aftersales_warranty_quality_failure_days': 5})
        self.assertEqual(self.status('2023-01-13')['early_failure'], 'doa')
        self.assertEqual(self.status('2023-01-14')['early_failure'],
                         'quality')
        self.assertEqual(self.status('2023-01-16')['early_failure'], False)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.company.aftersales_warranty_doa_days = -1

    def test_product_rule_beats_category_rule(self):
        product_rule = self.env['aftersales.warranty.rule'].create({
            'name': 'This scooter: 1 year',
            'product_id': self.unit_product.id,
            'tier_ids': [(0, 0, {'month_from': 0, 'month_to': 12})]})
        status = self.status('2024-01-10')
        self.assertEqual(status['rule'], product_rule)
        self.assertEqual(status['state'], 'out')
        self.assertEqual(self.status('2024-01-09')['state'], 'in')

    def test_nearest_category_rule_wins(self):
        parent_rule = self.env['aftersales.warranty.rule'].create({
            'name': 'Vehicles: 1 year',
            'categ_id': self.categ_vehicles.id,
            'tier_ids': [(0, 0, {'month_from': 0, 'month_to': 12})]})
        self.assertEqual(self.status('2024-06-01')['rule'], self.rule)
        self.rule.active = False
        self.assertEqual(self.status('2024-06-01')['rule'], parent_rule)

    def test_start_from_delivery_move(self):
        """R30: the start is the date the serial left the company to the
        customer; the manual start only serves units sold before."""
        lot = self.env['stock.production.lot'].create({
            'name': 'TEST-SCOOTER-DELIVERED', 'product_id':
            self.unit_product.id,
            'warranty_start_manual': '2020-01-01'})
        self.deliver(lot, datetime(2025, 3, 1, 10, 0))
        status = self.status('2025-03-05', lot)
        self.assertEqual(status['start'], date(2025, 3, 1))
        self.assertEqual(status['early_failure'], 'doa')
        self.assertEqual(lot.delivery_date, '2025-03-01')
        # the customer's Warranty button lists the unit
        action = self.customer.action_view_warranty_units()
        self.assertIn(lot.id, action['domain'][0][2])
        self.assertGreaterEqual(self.customer.warranty_unit_count, 1)

    def test_start_from_acceptance_when_recorded(self):
        self.rule.start_event = 'acceptance'
        self.assertEqual(self.status('2024-01-01')['start'], START)
        self.unit_lot.acceptance_date = '2023-03-01'
        self.assertEqual(self.status('2024-01-01')['start'],
                         date(2023, 3, 1))

    def test_unknown_start_is_never_in_warranty(self):
        """R30: without a start date the decision is 'unknown, ask for the
        proof of purchase', never a silent 'in warranty'."""
        self.unit_lot.warranty_start_manual = False
        status = self.status('2024-01-01')
        self.assertEqual(status['state'], 'unknown')
        repair = self.repair_with_lines('2024-01-01')
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_state, 'unknown')
        self.assertEqual(set(repair.operations.mapped('warranty_coverage')),
                         {'charged'})
        self.assertEqual(repair.operations.price_unit, 80.0)
        # proof of purchase found: start entered, decision re-checked
        self.unit_lot.warranty_start_manual = START
        repair.sudo(self.users['cs']).action_recheck_warranty()
        self.assertEqual(repair.warranty_state, 'in')
        self.assertEqual(repair.operations.price_unit, 0.0)

    def test_no_rule_is_out_of_warranty(self):
        self.rule.active = False
        self.assertEqual(self.status('2023-02-01')['state'], 'out')

    def test_ticket_shows_warranty_at_intake(self):
        ticket = self.create_ticket()
        ticket = ticket.sudo(self.users['cs'])
        self.assertEqual(ticket.warranty_rule_id, self.rule)
        self.assertEqual(ticket.warranty_end_date, '2028-01-09')
        today = fields.Date.from_string(fields.Date.today())
        expected = 'in' if today <= date(2028, 1, 9) else 'out'
        self.assertEqual(ticket.warranty_state, expected)
        self.unit_lot.warranty_start_manual = False
        ticket.invalidate_cache()
        self.assertEqual(ticket.warranty_state, 'unknown')

    def test_ticket_form_shows_warranty_when_serial_entered(self):
        """At intake: entering the serial in the form shows the warranty
        (the onchange call the web client makes)."""
        Ticket = self.env['helpdesk.ticket'].sudo(self.users['cs'])
        spec = Ticket._onchange_spec()
        values = {name: False for name in spec if '.' not in name}
        values.update(Ticket.default_get(list(values)))
        values.update({'name': 'Noise', 'partner_id': self.customer.id,
                       'lot_id': self.unit_lot.id})
        result = Ticket.onchange(values, 'lot_id', spec)['value']
        self.assertEqual(result['warranty_rule_id'][0], self.rule.id)
        self.assertEqual(result['warranty_end_date'], '2028-01-09')
        self.assertIn(result['warranty_state'], ('in', 'out'))


class TestWarrantyConfigurationErrors(WarrantyCase):

    def assert_refused(self, vals, message):
        count = self.env['aftersales.warranty.rule'].search_count([])
        with self.assertRaisesRegex(ValidationError, message), \
                self.env.cr.savepoint():
            self.env['aftersales.warranty.rule'].sudo(
                self.users['technical']).create(vals)
        self.assertEqual(
            self.env['aftersales.warranty.rule'].search_count([]), count)

    def test_bad_rules(self):
        def tier(month_from, month_to):
            return (0, 0, {'month_from': month_from, 'month_to': month_to})
        product = {'name': 'Battery', 'product_id': self.serial_part.id}
        self.assert_refused(dict(product, tier_ids=[tier(0, 12),
                                                    tier(6, 24)]),
                            'overlap')
        self.assert_refused(dict(product, tier_ids=[tier(0, 12),
                                                    tier(18, 24)]), 'gap')
        self.assert_refused(dict(product, tier_ids=[tier(6, 12)]), 'gap')
        self.assert_refused(dict(product, tier_ids=[tier(-6, 12)]),
                            'not negative')
        self.assert_refused(dict(product, tier_ids=[tier(12, 12)]),
                            'ends after it starts')
        self.assert_refused(dict(product, tier_ids=[]), 'at least one tier')
        self.assert_refused({'name': 'Nothing', 'tier_ids': [tier(0, 12)]},
                            'needs a product or a product category')
        # two equally specific rules
        self.assert_refused({'name': 'Scooters again',
                             'categ_id': self.categ_scooters.id,
                             'tier_ids': [tier(0, 12)]}, 'same')
        self.env['aftersales.warranty.rule'].create(
            dict(product, tier_ids=[tier(0, 12)]))
        self.assert_refused(dict(product, name='Battery 2',
                                 tier_ids=[tier(0, 24)]), 'same')

    def test_only_technical_and_manager_configure_rules(self):
        for key in ('cs', 'tech1', 'finance', 'warehouse'):
            with self.assertRaises(AccessError):
                self.rule.sudo(self.users[key]).write({'name': 'Mine'})
            # everyone reads them
            self.assertTrue(self.rule.sudo(self.users[key]).name)
        self.rule.sudo(self.users['technical']).write({'note': 'Terms'})
        self.rule.sudo(self.users['manager']).write({'note': 'Terms 2'})


class TestWarrantyDecision(WarrantyCase):

    def test_in_warranty_tier0_everything_free(self):
        repair = self.repair_with_lines('2025-06-01')
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_state, 'in')
        self.assertEqual(repair.warranty_rule_id, self.rule)
        self.assertEqual(repair.warranty_tier_id, self.tier0)
        self.assertEqual(repair.warranty_start_date, '2023-01-10')
        self.assertEqual(repair.warranty_end_date, '2028-01-09')
        self.assertEqual(repair.operations.warranty_coverage, 'free')
        self.assertEqual(repair.fees_lines.warranty_coverage, 'free')
        self.assertEqual(repair.amount_untaxed, 0.0)
        self.assertEqual(repair.service_type, 'free_warranty')

    def test_in_warranty_tier1_parts_charged_labour_free(self):
        repair = self.repair_with_lines('2026-01-10', parts_qty=2,
                                        labour_qty=3)
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_tier_id, self.tier1)
        self.assertEqual(repair.operations.warranty_coverage, 'charged')
        self.assertEqual(repair.operations.price_unit, 80.0)
        self.assertEqual(repair.fees_lines.warranty_coverage, 'free')
        self.assertEqual(repair.fees_lines.price_unit, 0.0)
        self.assertEqual(repair.amount_untaxed, 160.0)
        self.assertEqual(repair.service_type, 'paid')
        # the invoice follows the decision, to the cent
        self.issue_parts(repair)
        tech = repair.sudo(self.users['tech1'])
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()
        repair.sudo(self.users['finance']).action_repair_invoice_create()
        self.assertAlmostEqual(repair.invoice_id.amount_untaxed, 160.0, 2)

    def test_out_of_warranty_everything_charged(self):
        repair = self.repair_with_lines('2028-01-10')
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_state, 'out')
        self.assertFalse(repair.warranty_tier_id)
        self.assertEqual(repair.amount_untaxed, 2 * 80.0 + 120.0)

    def test_prices_come_from_company_price_lists(self):
        """R90: charged lines take the company's parts price list and
        labour rates."""
        Pricelist = self.env['product.pricelist']
        parts = Pricelist.create({'name': 'Parts 2026', 'item_ids': [
            (0, 0, {'applied_on': '0_product_variant',
                    'product_id': self.part.id,
                    'compute_price': 'fixed', 'fixed_price': 95.0})]})
        labour = Pricelist.create({'name': 'Labour 2026', 'item_ids': [
            (0, 0, {'applied_on': '0_product_variant',
                    'product_id': self.labour.id,
                    'compute_price': 'fixed', 'fixed_price': 150.0})]})
        self.company.write({'aftersales_repair_parts_pricelist_id': parts.id,
                            'aftersales_repair_labour_pricelist_id':
                            labour.id})
        repair = self.repair_with_lines('2028-02-01', parts_qty=1)
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.operations.price_unit, 95.0)
        self.assertEqual(repair.fees_lines.price_unit, 150.0)

    def test_exclusion_makes_lines_charged(self):
        """R31: human damage recorded at diagnosis: charged."""
        repair = self.repair_with_lines('2025-06-01')
        repair.sudo(self.users['tech1']).write({
            'warranty_exclusion': 'human',
            'warranty_exclusion_note': 'Frame bent, rider fell.'})
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_state, 'excluded')
        self.assertEqual(repair.operations.warranty_coverage, 'charged')
        self.assertEqual(repair.amount_untaxed, 2 * 80.0 + 120.0)

    def test_exclusion_after_confirmation_redecides(self):
        repair = self.repair_with_lines('2025-06-01')
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.amount_untaxed, 0.0)
        repair.sudo(self.users['tech1']).warranty_exclusion = 'modification'
        self.assertEqual(repair.warranty_state, 'excluded')
        self.assertEqual(repair.amount_untaxed, 2 * 80.0 + 120.0)
        # finance may not record an exclusion (diagnosis field, R1)
        with self.assertRaises(AccessError):
            repair.sudo(self.users['finance']).warranty_exclusion = False

    def test_line_added_after_decision_gets_its_coverage(self):
        repair = self.repair_with_lines('2025-06-01')
        repair.sudo(self.users['tech1']).action_validate()
        vals = dict(self.part_line_vals(repair, qty=1), price_unit=80.0)
        # the list price is refused: the warranty makes the part free
        with self.assertRaises(AccessError):
            self.env['mrp.repair.line'].sudo(self.users['tech1']).create(vals)
        line = self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            dict(vals, price_unit=0.0))
        self.assertEqual(line.warranty_coverage, 'free')
        self.assertEqual(line.price_unit, 0.0)

    def test_decision_cannot_be_typed_in(self):
        repair = self.repair_with_lines('2028-06-01')
        repair.sudo(self.users['tech1']).action_validate()
        for key in ('tech1', 'cs', 'finance', 'technical'):
            with self.assertRaises(AccessError):
                repair.sudo(self.users[key]).write({'warranty_state': 'in'})
        self.assertEqual(repair.warranty_state, 'out')

    def test_override_by_technical_department(self):
        """R33: only Technical overrides, with a reason, tracked in the
        chatter; the lines follow the new decision."""
        repair = self.repair_with_lines('2028-06-01')
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_state, 'out')
        Wizard = self.env['aftersales.warranty.override.wizard']
        vals = {'repair_id': repair.id, 'warranty_state': 'in',
                'rule_id': self.rule.id, 'tier_id': self.tier0.id,
                'reason': 'Known battery batch defect, goodwill.'}
        for key in ('tech1', 'cs', 'finance', 'quality'):
            with self.assertRaises(AccessError):
                Wizard.sudo(self.users[key]).create(vals).action_apply()
        self.assertEqual(repair.warranty_state, 'out')
        with self.assertRaisesRegex(UserError, 'reason'):
            Wizard.sudo(self.users['technical']).create(
                dict(vals, reason='  ')).action_apply()
        with self.assertRaisesRegex(UserError, 'tier'):
            Wizard.sudo(self.users['technical']).create(
                dict(vals, tier_id=False)).action_apply()
        Wizard.sudo(self.users['technical']).create(vals).action_apply()
        self.assertEqual(repair.warranty_state, 'in')
        self.assertTrue(repair.warranty_override)
        self.assertEqual(repair.warranty_override_reason, vals['reason'])
        self.assertEqual(repair.amount_untaxed, 0.0)
        self.assertTrue(repair.message_ids.filtered(
            lambda m: 'goodwill' in (m.body or '')))
        # an overridden decision is kept when deciding again
        repair._decide_warranty()
        self.assertEqual(repair.warranty_state, 'in')

    def test_service_types(self):
        """R91: internal, contract, free warranty, paid."""
        internal = self.repair_with_lines('2028-06-01')
        internal.sudo(self.users['cs']).write(
            {'partner_id': self.company.partner_id.id})
        internal.sudo(self.users['tech1']).action_validate()
        self.assertEqual(internal.service_type, 'internal')
        self.customer.aftersales_service_contract = True
        contract = self.repair_with_lines('2028-06-01')
        contract.sudo(self.users['tech1']).action_validate()
        self.assertEqual(contract.service_type, 'contract')

    def test_report_shows_decision(self):
        repair = self.repair_with_lines('2026-01-10')
        repair.sudo(self.users['tech1']).action_validate()
        report = self.env.ref('aftersales_addon.action_report_service')
        html = report.sudo(self.users['tech1']).render_qweb_html(
            repair.ids)[0].decode()
        self.assertIn('In warranty', html)
        self.assertIn('Scooters 3+2 years', html)
        self.assertIn('Charged', html)
        self.assertIn('Free', html)

    def test_decision_queries_do_not_grow_with_lines(self):
        """Deciding the warranty of an order issues the same number of
        queries for 1 and for 10 lines (no query per line)."""
        counts = []
        for n in (1, 1, 10):  # the first run warms the caches up
            repair = self.repair_with_lines('2026-01-10', parts_qty=1)
            for _i in range(n - 1):
                self.env['mrp.repair.line'].create(
                    self.part_line_vals(repair, qty=1))
                self.env['mrp.repair.fee'].create({
                    'repair_id': repair.id, 'name': 'Labour',
                    'product_id': self.labour.id, 'product_uom_qty': 1,
                    'product_uom': self.labour.uom_id.id,
                    'price_unit': 120.0})
            repair.invalidate_cache()
            before = self.env.cr.sql_log_count
            repair._decide_warranty()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(repair.operations), n)
            self.assertEqual(set(repair.operations.mapped('price_unit')),
                             {80.0})
        self.assertEqual(counts[1], counts[2], counts)

    def test_confirmation_records_decision_in_one_tracked_change(self):
        """R33: the confirmation's chatter entry shows the new state and
        the warranty decision together: one tracked change, not two."""
        repair = self.repair_with_lines('2026-01-10')
        before = repair.message_ids
        # the test case disables tracking: confirm as in the web client
        repair.sudo(self.users['tech1']).with_context(
            tracking_disable=False, mail_notrack=False).action_validate()
        self.assertEqual(repair.state, 'confirmed')
        self.assertEqual(repair.warranty_state, 'in')
        self.assertEqual(repair.warranty_tier_id, self.tier1)
        tracked = (repair.message_ids - before).sudo().filtered(
            'tracking_value_ids')
        self.assertEqual(len(tracked), 1, tracked.mapped('body'))
        fields_changed = set(tracked.tracking_value_ids.mapped('field'))
        self.assertTrue({'state', 'warranty_state', 'warranty_tier_id'}
                        <= fields_changed, fields_changed)
        self.assertEqual(tracked.author_id, self.users['tech1'].partner_id)

    def test_confirm_queries_do_not_grow_with_lines(self):
        """Confirming an order (the warranty decision, the prices of its
        lines, Odoo's confirmation) issues the same number of queries for
        1 and for 10 part and labour lines."""
        counts = []
        for n in (1, 1, 10):  # the first run warms the caches up
            repair = self.repair_with_lines('2026-01-10', parts_qty=1)
            for _i in range(n - 1):
                self.env['mrp.repair.line'].create(
                    self.part_line_vals(repair, qty=1))
                self.env['mrp.repair.fee'].create({
                    'repair_id': repair.id, 'name': 'Labour',
                    'product_id': self.labour.id, 'product_uom_qty': 1,
                    'product_uom': self.labour.uom_id.id,
                    'price_unit': 120.0})
            repair.invalidate_cache()
            before = self.env.cr.sql_log_count
            repair.action_repair_confirm()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(repair.state, 'confirmed')
            self.assertEqual(len(repair.operations), n)
            self.assertEqual(set(repair.operations.mapped('state')),
                             {'confirmed'})
            self.assertEqual(set(repair.operations.mapped('price_unit')),
                             {80.0})
            self.assertEqual(set(repair.fees_lines.mapped(
                'warranty_coverage')), {'free'})
        self.assertEqual(counts[1], counts[2], counts)
