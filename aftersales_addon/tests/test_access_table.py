# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""R1: the README's access table is what the server does.

The test reads the table under "## Access (R1)" of the repository's
README.md and, for every row (a model, named in backquotes) and every
department, checks each of read / write / create / delete on a sample
record of that row, acting as the department's user: the model's access
rights *and* its record rules must allow exactly the letters of the cell.
A cell "RW own" holds for the technician's own record; another
technician's record of the same row must then be out of reach. Text in
parentheses is commentary. So the documentation cannot drift from what the
server does."""
import os
import re
from datetime import date

from odoo.exceptions import AccessError

from .test_recovery import RecoveryCase

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'README.md')
COLUMNS = {
    'Customer Service': 'cs', 'Technician': 'tech1', 'Warehouse':
    'warehouse', 'Purchasing': 'purchasing', 'Finance': 'finance',
    'Technical': 'technical', 'Quality': 'quality', 'Administration':
    'office', 'Manager': 'manager',
}
OPERATIONS = (('R', 'read'), ('W', 'write'), ('C', 'create'),
              ('D', 'unlink'))


def read_access_table(path=README):
    """[(label, model, {user key: (letters, own)})] from the README."""
    with open(path, encoding='utf-8') as readme:
        text = readme.read()
    section = text.split('## Access (R1)', 1)[1].split('\n## ', 1)[0]
    rows = [line for line in section.splitlines()
            if line.startswith('|')]
    header = [cell.strip() for cell in rows[0].strip('|').split('|')]
    table = []
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        match = re.search(r'`([a-z_.]+)`', cells[0])
        if not match:
            continue
        rights = {}
        for name, cell in zip(header[1:], cells[1:]):
            if name not in COLUMNS:
                continue
            bare = re.sub(r'\(.*?\)', '', cell).strip()
            letters = re.match(r'[RWCD]*', bare).group(0)
            rights[COLUMNS[name]] = (letters, 'own' in bare.split())
        table.append((cells[0], match.group(1), rights))
    return table


def allowed(record, operation):
    """Whether the record's user may ``operation`` it: access rights and
    record rules (create rules are checked on a record of the same kind,
    as Odoo does on the record it creates)."""
    if not record.check_access_rights(operation, raise_exception=False):
        return False
    try:
        record.check_access_rule(operation)
    except AccessError:
        return False
    return True


class TestAccessTable(RecoveryCase):

    @classmethod
    def setUpClass(cls):
        super(TestAccessTable, cls).setUpClass()
        cls.table = read_access_table()

    def samples(self):
        """One record per model of the table: (tech1's, tech2's)."""
        mine = self.finished_repair([(self.serial_part, 1,
                                      self.battery_lot)],
                                    failure_date='2025-06-01')
        theirs = self.create_repair(self.create_ticket(
            technician_id=self.users['tech2'].id))
        self.env['mrp.repair.line'].sudo(self.users['tech2']).create(
            self.part_line_vals(theirs))
        self.env['mrp.repair.fee'].create({
            'repair_id': mine.id, 'name': 'Labour',
            'product_id': self.labour.id, 'product_uom_qty': 1,
            'product_uom': self.labour.uom_id.id, 'price_unit': 0.0})
        self.env['mrp.repair.fee'].create({
            'repair_id': theirs.id, 'name': 'Labour',
            'product_id': self.labour.id, 'product_uom_qty': 1,
            'product_uom': self.labour.uom_id.id, 'price_unit': 0.0})
        charged = self.create_repair()
        charged.sudo(self.users['cs']).failure_date = '2030-01-01'
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(charged))
        charged.sudo(self.users['tech1']).action_validate()
        receivable = self.release(charged)
        charged2 = self.create_repair(self.create_ticket(
            technician_id=self.users['tech2'].id))
        charged2.sudo(self.users['cs']).failure_date = '2030-01-01'
        self.env['mrp.repair.line'].sudo(self.users['tech2']).create(
            self.part_line_vals(charged2))
        charged2.sudo(self.users['tech2']).action_validate()
        receivable2 = self.release(charged2, tech='tech2')
        Statement = self.env['aftersales.receivable.statement'].sudo()
        statements = Statement._generate(
            self.env.user.company_id, '2000-01-01', '2100-12-31')
        statement = statements.filtered(
            lambda s: s.employee_id == self.employees['tech1'])
        statement2 = statements.filtered(
            lambda s: s.employee_id == self.employees['tech2'])
        recovery = mine.recovery_ids[:1]
        # the system records another technician's obligation
        recovery2 = self.env['aftersales.part.recovery'].sudo().create({
            'repair_id': theirs.id, 'product_id': self.part.id,
            'quantity': 1, 'technician_id': self.users['tech2'].id,
            'partner_id': self.customer.id})
        lists = self.env['aftersales.recovery.list'].sudo()._generate(
            self.env.user.company_id, date(2100, 12, 31))
        charged.sudo(self.users['finance']).action_invoice_create()
        invoice = charged.invoice_id
        payment = self.env['account.payment'].create({
            'payment_type': 'inbound', 'partner_type': 'customer',
            'partner_id': self.customer.id, 'amount': 1.0,
            'journal_id': self.env['account.journal'].search(
                [('type', '=', 'bank')], limit=1).id,
            'payment_method_id': self.env.ref(
                'account.account_payment_method_manual_in').id})
        sale = self.env['sale.order'].create({
            'partner_id': self.customer.id, 'aftersales_parts_sale': True,
            'user_id': self.users['cs'].id,
            'order_line': [(0, 0, {'product_id': self.part.id,
                                   'product_uom_qty': 1,
                                   'price_unit': 80.0})]})
        payslip = self.env['hr.payslip'].create({
            'employee_id': self.employees['tech1'].id,
            'contract_id': self.contracts['tech1'].id,
            'struct_id': self.contracts['tech1'].struct_id.id,
            'name': 'Payslip tech1'})
        receivable._aftersales_schedule_activity(
            self.users['finance'], 'Follow the customer')
        activity = self.env['mail.activity'].search(
            [('res_model', '=', receivable._name),
             ('res_id', '=', receivable.id)], limit=1)
        ticket = mine.ticket_id
        ticket2 = theirs.ticket_id
        Skill = self.env['aftersales.technician.skill']
        Load = self.env['aftersales.technician.load']
        return {
            'helpdesk.ticket': (ticket, ticket2),
            'aftersales.request.step': (ticket.aftersales_step_ids[:1],
                                        ticket2.aftersales_step_ids[:1]),
            'mrp.repair': (mine, theirs),
            'mrp.repair.line': (mine.operations[:1], theirs.operations[:1]),
            'mrp.repair.fee': (mine.fees_lines[:1], theirs.fees_lines[:1]),
            'stock.picking': (mine.parts_picking_ids[:1], None),
            'stock.move': (mine.parts_picking_ids[:1].move_lines[:1], None),
            'stock.production.lot': (self.battery_lot, None),
            'aftersales.warranty.rule': (self.rule, None),
            'aftersales.warranty.tier': (self.tier0, None),
            'aftersales.part.recovery': (recovery, recovery2),
            'aftersales.recovery.list': (lists[:1], None),
            'aftersales.recovery.list.line': (lists[:1].line_ids[:1], None),
            'aftersales.recovery.list.item': (lists[:1].item_ids[:1], None),
            'aftersales.technician.receivable': (receivable, receivable2),
            'aftersales.receivable.move': (receivable.move_ids[:1],
                                           receivable2.move_ids[:1]),
            'aftersales.receivable.statement': (statement, statement2),
            'aftersales.receivable.statement.line': (
                statement.line_ids[:1], statement2.line_ids[:1]),
            'sale.order': (sale, None),
            'account.invoice': (invoice, None),
            'account.invoice.line': (invoice.invoice_line_ids[:1], None),
            'account.payment': (payment, None),
            'hr.payslip': (payslip, None),
            'mail.activity': (activity, None),
            'aftersales.technician.skill': (
                Skill.search([('user_id', '=', self.users['tech1'].id)],
                             limit=1),
                Skill.search([('user_id', '=', self.users['tech2'].id)],
                             limit=1)),
            'aftersales.technician.load': (
                Load.search([('user_id', '=', self.users['tech1'].id)]),
                Load.search([('user_id', '=', self.users['tech2'].id)])),
        }

    def test_table_is_complete(self):
        """Every model of the addon has a row, and every row names each
        department."""
        models = {model for _label, model, _rights in self.table}
        own = self.env['ir.model'].search(
            [('model', '=like', 'aftersales.%'), ('transient', '=', False)])
        abstract = {name for name in own.mapped('model')
                    if self.env[name]._abstract}
        missing = set(own.mapped('model')) - abstract - models
        self.assertFalse(missing, 'models without a row in the README')
        for label, _model, rights in self.table:
            self.assertEqual(set(rights), set(COLUMNS.values()), label)

    def test_every_cell_is_what_the_server_does(self):
        samples = self.samples()
        errors = []
        for label, model, rights in self.table:
            self.assertIn(model, samples, 'no sample for %s' % label)
            mine, theirs = samples[model]
            self.assertTrue(mine, 'empty sample for %s' % label)
            for key, (letters, own) in rights.items():
                user = self.users[key]
                record = mine.sudo(user)
                for letter, operation in OPERATIONS:
                    expected = letter in letters
                    if allowed(record, operation) != expected:
                        errors.append('%s / %s: %s %s' % (
                            label, key, operation,
                            'refused' if expected else 'allowed'))
                if own:
                    self.assertTrue(theirs, 'no other record for %s'
                                    % label)
                    if allowed(theirs.sudo(user), 'read'):
                        errors.append('%s / %s: reads another '
                                      'technician\'s record' % (label, key))
        self.assertFalse(errors, '\n'.join(errors))
