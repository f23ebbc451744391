# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two companies: each company's after-sales users see only their own
requests, repairs, warranty rules, recoveries, receivables and
statements."""
from odoo.exceptions import AccessError

from .common import GROUPS, AftersalesCase

MODELS = (
    'helpdesk.ticket', 'mrp.repair', 'aftersales.warranty.rule',
    'aftersales.warranty.tier', 'aftersales.part.recovery',
    'aftersales.technician.receivable', 'aftersales.receivable.move',
    'aftersales.receivable.statement',
    'aftersales.receivable.statement.line', 'aftersales.recovery.list',
)


class TestMultiCompany(AftersalesCase):

    @classmethod
    def setUpClass(cls):
        super(TestMultiCompany, cls).setUpClass()
        cls.company_a = cls.env.user.company_id
        cls.company_b = cls.env['res.company'].create(
            {'name': 'Second Service Co.'})
        Users = cls.env['res.users'].with_context(no_reset_password=True)
        cls.users_b = {}
        for key in ('cs', 'tech1', 'finance', 'manager', 'technical'):
            cls.users_b[key] = Users.create({
                'name': 'B %s' % key, 'login': 'b_%s' % key,
                'company_id': cls.company_b.id,
                'company_ids': [(6, 0, [cls.company_b.id])],
                'groups_id': [(6, 0, [
                    cls.env.ref('base.group_user').id,
                    cls.env.ref('aftersales_addon.%s' % GROUPS[key]).id])],
            })

    def _company_a_documents(self):
        """A warranty repair of company A through its whole path: request,
        order, deposit vouched by the technician (a receivable), parts
        issued, ended (an old part to bring back), the technician's
        statement and the monthly list of outstanding old parts."""
        self.env['aftersales.warranty.rule'].create({
            'name': 'A rule', 'product_id': self.unit_product.id,
            'tier_ids': [(0, 0, {'month_from': 0, 'month_to': 24,
                                 'parts_coverage': 'free',
                                 'labour_coverage': 'free'})]})
        today = self.company_a._aftersales_today()
        self.unit_lot.warranty_start_manual = today.replace(
            year=today.year - 1)
        repair = self.create_repair()
        repair.write({'operations': [(0, 0, self.part_line_vals(repair))]})
        repair.sudo(self.users['tech1']).action_validate()
        self.issue_parts(repair)
        tech = repair.sudo(self.users['tech1'])
        tech.write({'test_result': 'passed'})
        tech.action_repair_start()
        tech.action_repair_end()
        self.env['aftersales.receivable.statement']._generate(
            self.company_a, '2000-01-01', '2099-12-31')
        self.env['aftersales.recovery.list']._generate(self.company_a, today)
        return repair

    def test_each_company_sees_its_own(self):
        self._company_a_documents()
        for model in MODELS:
            self.assertTrue(self.env[model].search(
                [('id', '!=', 0)], limit=1),
                'company A has no %s: the test proves nothing' % model)
            for key, user in self.users_b.items():
                try:
                    found = self.env[model].sudo(user).search([])
                except AccessError:
                    continue  # the department does not read this model
                self.assertFalse(
                    found, '%s of company B sees %d %s of company A'
                    % (key, len(found), model))
        # and company A's own users still see theirs
        self.assertTrue(self.env['aftersales.part.recovery'].sudo(
            self.users['manager']).search([]))

    def test_reading_another_companys_repair_is_refused(self):
        repair = self._company_a_documents()
        with self.assertRaises(AccessError):
            repair.sudo(self.users_b['manager']).read(['name'])
        receivable = repair.receivable_id
        self.assertTrue(receivable)
        with self.assertRaises(AccessError):
            receivable.sudo(self.users_b['finance']).read(['balance'])
