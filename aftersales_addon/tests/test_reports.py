# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The printed documents read right for the people they are for (issue 12):
the service report in the customer's language, the outstanding old parts
list and the technician's statement in the language of the user they are
for; Odoo's external layout (company name and address), amounts in the
company's currency, addresses on separate lines, the signatures kept with
the totals, no rule ids in the printed text.

The PDF test runs wkhtmltopdf for real: a small HTTP server in this process
gives it the report's style sheets (committed asset bundles of the test
database), and the PDF of the service report and a PNG of its first page
are written under ``.work/screenshots`` for a person to look at."""
import base64
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from unittest import mock

import lxml.html

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.module import get_module_path
from odoo.tests.common import at_install, get_db_name, post_install
from odoo.tools.safe_eval import safe_eval

from .test_recovery import RecoveryCase
from .test_request_solutions import received_carry_in

# the modules whose zh_CN terms the reports print (layout, country names,
# units of measure, the addon's labels)
ZH_MODULES = ['base', 'web', 'product', 'mrp_repair', 'aftersales_addon']
RULE_ID = re.compile(r'\bR\d+\b')
AVOID_BREAK = re.compile(r'page-break-inside\s*:\s*avoid')

# <repo>/aftersales_addon/tests/test_reports.py -> <repo>
REPO_DIR = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _work_dir():
    """<repo>/.work: next to the Odoo config file when it lives there."""
    rc = os.environ.get('ODOO_RC') or odoo.tools.config.rcfile
    if rc and os.path.basename(os.path.dirname(os.path.abspath(rc))) \
            == '.work':
        return os.path.dirname(os.path.abspath(rc))
    return os.path.join(REPO_DIR, '.work')


def _with_lessc():
    """PATH with the lessc the run script installs: the report's style
    sheets are compiled from LESS."""
    node_bin = os.path.join(_work_dir(), 'node', 'node_modules', '.bin')
    return os.pathsep.join([node_bin, os.environ.get('PATH', '')])


def _text(node):
    """The text a reader sees: no scripts, no styles, spaces collapsed."""
    node = lxml.html.fromstring(lxml.html.tostring(node))
    for bad in node.xpath('//script|//style'):
        bad.drop_tree()
    return re.sub(r'\s+', ' ', node.text_content()).strip()


def _lines(node):
    """The lines of an element, as printed: split at <br/> and blocks."""
    html = lxml.html.tostring(node, encoding='unicode')
    html = re.sub(r'<br\s*/?>|</div>|</p>|</li>', '\n', html)
    text = lxml.html.fromstring('<div>%s</div>' % html).text_content()
    return [re.sub(r'\s+', ' ', line).strip()
            for line in text.split('\n') if line.strip()]


class ReportCase(RecoveryCase):

    @classmethod
    def setUpClass(cls):
        super(ReportCase, cls).setUpClass()
        cls._path = os.environ.get('PATH', '')
        os.environ['PATH'] = _with_lessc()
        # Chinese as the demo has it (the demo installs zh_CN): the terms of
        # a module are loaded only when the database has none yet (reading
        # the .po files costs seconds per test class)
        Translation = cls.env['ir.translation']
        missing = [module for module in ZH_MODULES if not Translation.search(
            [('lang', '=', 'zh_CN'), ('module', '=', module)], limit=1)]
        if missing:
            Translation.load_module_terms(missing, ['zh_CN'])
        china = cls.env.ref('base.cn')
        cny = cls.env.ref('base.CNY')
        cny.active = True
        cls.company.partner_id.write({
            'name': 'GreenWheel Mobility Co., Ltd.',
            'street': '1 Wensan Road', 'street2': 'Xihu District',
            'city': 'Hangzhou', 'zip': '310012', 'country_id': china.id,
            'phone': '+86 571 8888 0000'})
        # the company reckons in yuan (the demo's journal items forbid
        # res.company.write: set the column, this is only what is printed)
        cls.env.cr.execute(
            'UPDATE res_company SET currency_id = %s WHERE id = %s',
            (cny.id, cls.company.id))
        cls.company.invalidate_cache()
        cls.env['product.pricelist'].search([]).write(
            {'currency_id': cny.id})
        cls.customer.write({
            'lang': 'zh_CN', 'street': '88 Jiangnan Road',
            'street2': 'Beilun District', 'city': 'Ningbo', 'zip': '315800',
            'country_id': china.id, 'phone': '+86 574 8686 1234'})
        cls.report_service = cls.env.ref(
            'aftersales_addon.action_report_service')
        cls.report_list = cls.env.ref(
            'aftersales_addon.action_report_recovery_list')
        cls.report_statement = cls.env.ref(
            'aftersales_addon.action_report_receivable_statement')

    @classmethod
    def tearDownClass(cls):
        os.environ['PATH'] = cls._path
        return super(ReportCase, cls).tearDownClass()

    # helpers -----------------------------------------------------------
    def finished_repair_with_labour(self, parts=None):
        """A repair under warranty, finished (to be signed): a part that is
        a deposit until its old part comes back, a free part, labour."""
        repair = self.create_repair()
        repair.sudo(self.users['cs']).failure_date = '2025-06-01'
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        for product, qty in parts or [(self.controller, 1), (self.part, 2)]:
            Line.create(self.part_line_vals(repair, product, qty))
        self.env['mrp.repair.fee'].sudo(self.users['tech1']).create({
            'repair_id': repair.id, 'name': 'Replace the controller',
            'product_id': self.labour.id, 'product_uom_qty': 1.5,
            'product_uom': self.labour.uom_id.id,
            'price_unit': self.env['mrp.repair.fee']._expected_price(
                repair, self.labour, 1.5)})
        tech = repair.sudo(self.users['tech1'])
        tech.write({'fault_category': 'electrical',
                    'diagnosis': 'Controller burnt.',
                    'repair_plan': 'Replace the controller.'})
        tech.action_validate()
        self.issue_parts(repair)
        tech.action_repair_start()
        tech.test_result = 'passed'
        tech.action_repair_end()
        repair = self.env['mrp.repair'].browse(repair.id)
        self.assertIn(repair.state, ('2binvoiced', 'done'))
        self.assertTrue(repair.aftersales_deposit_amount)
        return repair

    def render(self, report, records, user='finance'):
        html = report.sudo(self.users[user]).render_qweb_html(
            records.ids)[0]
        html = html.decode() if isinstance(html, bytes) else html
        return lxml.html.fromstring(html)

    def page(self, tree):
        pages = tree.xpath('//div[contains(concat(" ", normalize-space('
                           '@class), " "), " page ")]')
        self.assertEqual(len(pages), 1)
        return pages[0]

    def assertLetterhead(self, tree):
        """The company's logo, name and address head the document, in its
        body (wkhtmltopdf without the patched Qt drops Odoo's separate
        header pages)."""
        headers = tree.xpath(
            '//div[contains(@class, "article")]'
            '//div[contains(@class, "aftersales_letterhead")]')
        self.assertTrue(headers, 'no letterhead in the document')
        header = _text(headers[0])
        for value in ('GreenWheel Mobility Co., Ltd.', '1 Wensan Road',
                      'Hangzhou', '310012'):
            self.assertIn(value, header)

    def assertNoRuleIds(self, tree):
        text = _text(tree)
        self.assertFalse(RULE_ID.findall(text), 'rule ids printed')

    def assertYuan(self, text, amount):
        """``amount`` printed in yuan, never in dollars."""
        self.assertRegex(text, r'¥\s*%s' % re.escape(
            '{:,.2f}'.format(amount)))
        self.assertNotIn('$', text)

    def assertLabels(self, text, present, absent):
        for label in present:
            self.assertIn(label, text)
        for label in absent:
            self.assertNotIn(label, text)


class TestServiceReport(ReportCase):

    ZH = ['服务报告', '客户', '保修', '判定结果', '保修期内', '免费保修',
          '更换备件', '单价', '小计', '工时', '押金', '已收押金',
          '尚未退还押金', '合计', '客户签字', '维修技师签字', '日期']
    EN = ['Service Report', 'Customer signature', 'Technician signature',
          'Replaced Parts', 'Unit Price', 'Subtotal', 'In warranty',
          'Free warranty', 'Untaxed Amount', 'Deposit Charged',
          'Deposit Still Held', 'Fault and Work Done', 'Date:']

    def test_chinese_customer_reads_chinese(self):
        repair = self.finished_repair_with_labour()
        # printed by an English-speaking user: the customer's language wins
        tree = self.render(self.report_service, repair, user='tech1')
        text = _text(self.page(tree))
        self.assertLabels(text, self.ZH, self.EN)
        # selection values too (Odoo 11 prints them in the printer's
        # language unless the template reads them in the customer's)
        self.assertIn('电气', text)  # fault category
        self.assertIn('通过', text)  # test result
        self.assertNotIn('Electrical', text)
        self.assertLetterhead(tree)
        self.assertNoRuleIds(tree)
        self.assertYuan(text, repair.amount_total)
        self.assertYuan(text, repair.aftersales_deposit_amount)

    def test_english_customer_reads_english(self):
        repair = self.finished_repair_with_labour()
        self.customer.lang = 'en_US'
        self.users['tech1'].lang = 'zh_CN'
        tree = self.render(self.report_service, repair, user='tech1')
        text = _text(self.page(tree))
        self.assertLabels(text, self.EN + ['Electrical', 'Passed'],
                          self.ZH)
        self.assertIn('Deposit:', text)
        self.assertLetterhead(tree)
        self.assertNoRuleIds(tree)
        self.assertYuan(text, repair.amount_total)

    def test_customer_address_on_separate_lines(self):
        repair = self.finished_repair_with_labour()
        for lang in ('zh_CN', 'en_US'):
            self.customer.lang = lang
            tree = self.render(self.report_service, repair)
            blocks = self.page(tree).xpath(
                './/div[@name="customer"]//address')
            self.assertEqual(len(blocks), 1, 'contact widget expected')
            lines = _lines(blocks[0])
            self.assertIn('Test Customer Ltd', lines[0])
            street = [line for line in lines if '88 Jiangnan Road' in line]
            self.assertTrue(street, lines)
            # street and city are not run together ("Ningbo88 Jiangnan"):
            # Odoo 11's address format of China (base.cn) has no line
            # breaks nor spaces, the addon's data gives it lines
            self.assertNotIn('Ningbo', street[0],
                             'street and city on one line: %s' % lines)
            self.assertTrue([line for line in lines if 'Ningbo' in line],
                            lines)
            self.assertTrue([line for line in lines
                             if '+86 574 8686 1234' in line], lines)

    def test_signature_kept_with_the_totals(self):
        repair = self.finished_repair_with_labour()
        tree = self.render(self.report_service, repair)
        page = self.page(tree)
        signature = page.xpath(
            './/*[contains(normalize-space(.), "客户签字")]'
            '[not(.//*[contains(normalize-space(.), "客户签字")])]')
        self.assertEqual(len(signature), 1)
        keeper = [node for node in signature[0].iterancestors()
                  if AVOID_BREAK.search(node.get('style') or '')]
        self.assertTrue(keeper, 'signature not in a page-break-inside: '
                                'avoid block')
        self.assertEqual(keeper[0].tag, 'div')
        # the last table of the report (the totals) is in the same block
        last_table = page.xpath('.//table')[-1]
        path = tree.getroottree().getpath
        self.assertIn(path(keeper[0]), [
            path(node) for node in last_table.iterancestors()])
        self.assertIn('合计', _text(last_table))

    def test_not_finished_is_not_to_be_signed(self):
        repair = self.create_repair()
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair, qty=1))
        repair.sudo(self.users['tech1']).action_validate()
        text = _text(self.page(self.render(self.report_service, repair)))
        self.assertIn('维修尚未完成：本报告暂不可签字。', text)
        self.assertNotIn('客户签字', text)


class TestGoodsReceipt(ReportCase):
    """R13: the goods receipt a customer takes home with a unit brought in
    for repair, in the customer's language."""

    ZH = ['送修收货单', '客户', '收货日期', '收货人', '承诺交付日期',
          '随机附件', '外观状况', '客户签字', '收货人签字',
          '请妥善保管本收货单']
    EN = ['Goods Receipt', 'Received On', 'Promised For', 'Accessories',
          'Visible Condition', 'Customer signature',
          'Received by (signature)']

    def setUp(self):
        super(TestGoodsReceipt, self).setUp()
        self.report_receipt = self.env.ref(
            'aftersales_addon.action_report_goods_receipt')

    def test_receipt_in_the_customers_language(self):
        ticket = received_carry_in(self)
        # customer service prints it in English: the customer reads Chinese
        self.users['cs'].lang = 'en_US'
        tree = self.render(self.report_receipt, ticket, user='cs')
        text = _text(self.page(tree))
        self.assertLabels(text, self.ZH, self.EN)
        for value in (ticket.number, 'TEST-SCOOTER-0001', 'Test E-Scooter',
                      'Charger, two keys', 'Scratch on the left side panel',
                      ticket.aftersales_promised_date[:4]):
            self.assertIn(value, text)
        self.assertIn(str(self.company._aftersales_local_date(
            ticket.aftersales_unit_received_date)), text)
        self.assertLetterhead(tree)
        self.assertNoRuleIds(tree)
        self.customer.lang = 'en_US'
        self.users['cs'].lang = 'zh_CN'
        text = _text(self.page(self.render(self.report_receipt, ticket,
                                           user='cs')))
        self.assertLabels(text, self.EN, ['送修收货单', '外观状况'])

    def test_no_receipt_before_the_unit_arrives(self):
        ticket = self.create_ticket()
        with self.assertRaisesRegex(Exception, 'not been received'):
            ticket.sudo(self.users['cs']).action_print_goods_receipt()
        text = _text(self.page(self.render(self.report_receipt, ticket,
                                           user='cs')))
        self.assertIn('设备尚未收到：本收货单无效。', text)

    def test_file_named_in_the_readers_language(self):
        ticket = received_carry_in(self)
        for lang, title in (('zh_CN', '送修收货单'),
                            ('en_US', 'Goods Receipt')):
            self.users['cs'].lang = lang
            record = ticket.sudo(self.users['cs']).with_context(lang=lang)
            self.assertEqual(safe_eval(
                self.report_receipt.sudo(self.users['cs']).with_context(
                    lang=lang).print_report_name,
                {'object': record, 'time': time}),
                '%s - %s' % (title, ticket.number))


class TestInternalReports(ReportCase):
    """The outstanding old parts list (for Finance) and the technician's
    statement are in the language of the user they are for."""

    def recovery_list(self):
        self.finished_repair_with_labour()
        return self.env['aftersales.recovery.list']._generate(
            self.company, self.company._aftersales_today())

    def statement(self):
        self.finished_repair_with_labour()  # vouched by tech1
        statements = self.env['aftersales.receivable.statement'].sudo() \
            ._generate(self.company, '2000-01-01', '2100-12-31')
        mine = statements.filtered(
            lambda s: s.employee_id == self.employees['tech1'])
        self.assertTrue(mine.line_ids)
        return mine

    def test_recovery_list_in_the_printing_users_language(self):
        listed = self.recovery_list()
        self.assertTrue(listed.total_deposit)
        self.users['finance'].lang = 'zh_CN'
        tree = self.render(self.report_list, listed)
        text = _text(self.page(tree))
        self.assertLabels(
            text, ['旧件尚未交回的保修备件，按维修技师列示。', '维修技师',
                   '明细', '未回收', '回收截止日期', '合计'],
            ['Details', 'Due Date', 'Recoveries', 'Deposits',
             'Warranty parts'])
        self.assertLetterhead(tree)
        self.assertNoRuleIds(tree)
        self.assertYuan(text, listed.total_deposit)
        self.users['finance'].lang = 'en_US'
        text = _text(self.page(self.render(self.report_list, listed)))
        self.assertLabels(text, ['Technician', 'Details', 'Due Date'],
                          ['维修技师', '明细'])

    def test_statement_in_the_technicians_language(self):
        statement = self.statement()
        self.users['tech1'].lang = 'zh_CN'
        self.users['finance'].lang = 'en_US'
        # Finance prints it in English; it is the technician's document
        tree = self.render(self.report_statement, statement)
        text = _text(self.page(tree))
        self.assertLabels(
            text, ['技师应收款对账单', '维修技师：', '期间：', '状态：',
                   '待确认', '期末余额', '签字'],
            ['Technician Receivable Statement', 'Closing Balance',
             'Signature', 'To Confirm'])
        self.assertLetterhead(tree)
        self.assertNoRuleIds(tree)
        self.assertYuan(text, statement.closing)
        # the balances and the signatures stay together
        page = self.page(tree)
        keeper = page.xpath('.//div[contains(@style, "page-break-inside")]')
        self.assertEqual(len(keeper), 1)
        self.assertTrue(AVOID_BREAK.search(keeper[0].get('style')))
        self.assertIn('签字', _text(keeper[0]))
        path = tree.getroottree().getpath
        self.assertEqual(path(page.xpath('.//table')[-1].getparent()),
                         path(keeper[0]))
        self.users['tech1'].lang = 'en_US'
        self.users['finance'].lang = 'zh_CN'
        text = _text(self.page(self.render(self.report_statement,
                                           statement)))
        self.assertLabels(text, ['Technician Receivable Statement',
                                 'Closing Balance', 'To Confirm'],
                          ['技师应收款对账单', '期末余额'])

    def download_name(self, report, record, user):
        """The file name the browser saves: what Odoo's report controller
        computes (/report/download), in the downloading user's session."""
        record = record.sudo(self.users[user]).with_context(
            lang=self.users[user].lang)
        return safe_eval(report.sudo(self.users[user]).print_report_name,
                         {'object': record, 'time': time})

    def test_downloaded_files_named_in_the_readers_language(self):
        """A Chinese reader saves 服务报告 - <order>.pdf, not an English
        file name; an English reader gets the English one."""
        repair = self.finished_repair_with_labour()
        statement = self.statement()
        listed = self.env['aftersales.recovery.list']._generate(
            self.company, self.company._aftersales_today())
        cases = [(self.report_service, repair, 'tech1', '服务报告',
                  'Service Report'),
                 (self.report_statement, statement, 'finance', '应收款对账单',
                  'Receivable Statement'),
                 (self.report_list, listed, 'finance', '未回收旧件',
                  'Outstanding Old Parts')]
        for report, record, user, zh, en in cases:
            self.users[user].lang = 'zh_CN'
            self.assertEqual(self.download_name(report, record, user),
                             '%s - %s' % (zh, record.name))
            self.users[user].lang = 'en_US'
            self.assertEqual(self.download_name(report, record, user),
                             '%s - %s' % (en, record.name))


# ----------------------------------------------------------------------
# PDF through wkhtmltopdf
# ----------------------------------------------------------------------
class _AssetHandler(http.server.BaseHTTPRequestHandler):
    """Serves what a printed report loads: the asset bundles (attachments
    committed in the test database) and the addons' static files."""

    # the test's registry, taken in the test's thread: asking
    # odoo.registry() from this thread would wait for the registry lock
    # that Odoo's own runner (--test-enable) holds while it loads modules
    registry = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split('?', 1)[0]
        body, mimetype = None, 'application/octet-stream'
        if path.startswith('/web/content/'):
            with api.Environment.manage(), \
                    self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                attachment = env['ir.attachment'].search(
                    [('url', '=', path)], limit=1)
                if attachment:
                    body = base64.b64decode(attachment.datas or b'')
                    mimetype = attachment.mimetype or mimetype
        else:
            parts = path.lstrip('/').split('/', 2)
            if len(parts) == 3 and parts[1] == 'static':
                module_path = get_module_path(parts[0])
                if module_path:
                    filename = os.path.realpath(os.path.join(
                        module_path, 'static', parts[2]))
                    if filename.startswith(module_path) and \
                            os.path.isfile(filename):
                        with open(filename, 'rb') as static:
                            body = static.read()
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Type', mimetype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# other connections see only committed data: under Odoo's own runner
# (--test-enable) run after the modules are loaded and committed
@at_install(False)
@post_install(True)
class TestServiceReportPdf(ReportCase):

    @classmethod
    def setUpClass(cls):
        cls.wkhtmltopdf = shutil.which('wkhtmltopdf')
        if cls.wkhtmltopdf:
            # the report's asset bundles, compiled once and committed as
            # the first print of any report does: the asset server reads
            # them from its own cursor. Before the test transaction writes
            # anything (it renames the company: the attachments' foreign
            # key would wait for it)
            path = os.environ.get('PATH', '')
            os.environ['PATH'] = _with_lessc()
            try:
                with odoo.registry(get_db_name()).cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env.ref('aftersales_addon.action_report_service') \
                        .render_qweb_html([])
                    env['ir.ui.view'].render_template(
                        'web.minimal_layout',
                        {'subst': False, 'body': '', 'base_url': ''})
                    # the stylesheets Odoo compiles on the first print, kept as
                    # that print would keep them (wkhtmltopdf fetches them
                    # from another transaction)
                    cr.commit()  # pylint: disable=invalid-commit
            finally:
                os.environ['PATH'] = path
        super(TestServiceReportPdf, cls).setUpClass()
        if not cls.wkhtmltopdf:
            return
        _AssetHandler.registry = odoo.registry(get_db_name())
        cls.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), _AssetHandler)
        cls.server_thread = threading.Thread(
            target=cls.server.serve_forever, daemon=True)
        cls.server_thread.start()

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, 'server', None):
            cls.server.shutdown()
            cls.server.server_close()
        return super(TestServiceReportPdf, cls).tearDownClass()

    def pdf(self, report, records):
        if not self.wkhtmltopdf:
            self.skipTest('wkhtmltopdf is not installed')
        self.env['ir.config_parameter'].sudo().set_param(
            'report.url', 'http://127.0.0.1:%d' % self.server.server_port)
        # under test Odoo returns the HTML unless a report directory is set
        with mock.patch.dict(odoo.tools.config.options,
                             {'test_report_directory': tempfile.gettempdir()}):
            content, kind = report.sudo(self.users['tech1']).render_qweb_pdf(
                records.ids)
        self.assertEqual(kind, 'pdf')
        self.assertTrue(content.startswith(b'%PDF'), content[:200])
        return content

    def pdf_pages(self, filename):
        """The text of each page (pdftotext), when poppler is there."""
        if not shutil.which('pdftotext'):
            return None
        out = subprocess.run(['pdftotext', '-layout', filename, '-'],
                             stdout=subprocess.PIPE, check=True).stdout
        return out.decode('utf-8').split('\f')

    def test_service_report_pdf(self):
        repair = self.finished_repair_with_labour()
        content = self.pdf(self.report_service, repair)
        shots = os.path.join(_work_dir(), 'screenshots')
        os.makedirs(shots, exist_ok=True)
        filename = os.path.join(shots, 'service_report_zh.pdf')
        with open(filename, 'wb') as out:
            out.write(content)
        if shutil.which('pdftoppm'):
            prefix = os.path.join(shots, 'service_report_zh')
            subprocess.run(['pdftoppm', '-png', '-r', '60', '-f', '1',
                            '-l', '1', '-singlefile', filename, prefix],
                           check=True)
            self.assertTrue(os.path.exists(prefix + '.png'))
        pages = self.pdf_pages(filename)
        if pages is not None:
            text = '\n'.join(pages)
            self.assertIn('服务报告', text)
            self.assertIn('¥', text)
            # the page with the signatures also has the totals
            signed = [page for page in pages if '客户签字' in page]
            self.assertEqual(len(signed), 1, 'signature not printed')
            self.assertIn('合计', signed[0])
            self.assertIn('未税金额', signed[0])
            self.assertFalse(RULE_ID.findall(text))

    def test_goods_receipt_pdf(self):
        """R13: the goods receipt prints as a real PDF, in Chinese, with
        the unit's serial."""
        ticket = received_carry_in(self)
        content = self.pdf(self.env.ref(
            'aftersales_addon.action_report_goods_receipt'), ticket)
        shots = os.path.join(_work_dir(), 'screenshots')
        os.makedirs(shots, exist_ok=True)
        filename = os.path.join(shots, 'goods_receipt_zh.pdf')
        with open(filename, 'wb') as out:
            out.write(content)
        pages = self.pdf_pages(filename)
        if pages is not None:
            text = '\n'.join(pages)
            for value in ('送修收货单', 'TEST-SCOOTER-0001', '外观状况',
                          '客户签字', 'GreenWheel Mobility Co., Ltd.'):
                self.assertIn(value, text)
            self.assertFalse(RULE_ID.findall(text))

    def test_pdf_has_the_letterhead(self):
        """The company's name and address are printed on the PDF: Odoo
        prints the layout's header and footer through wkhtmltopdf's
        --header-html/--footer-html, which only a wkhtmltopdf built with
        its patched Qt honours (Debian's package is not)."""
        repair = self.finished_repair_with_labour()
        content = self.pdf(self.report_service, repair)
        with tempfile.NamedTemporaryFile(suffix='.pdf') as out:
            out.write(content)
            out.flush()
            pages = self.pdf_pages(out.name)
        if pages is None:
            self.skipTest('pdftotext is not installed')
        version = subprocess.run(
            [self.wkhtmltopdf, '--extended-help'], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT).stdout.decode('utf-8', 'replace')
        hint = ''
        if 'without\n  the wkhtmltopdf patches' in version or \
                'compiled against a version of QT without' in version:
            hint = (' (%s is built without the patched Qt: it ignores '
                    'headers and footers; install wkhtmltox, the "patched '
                    'qt" build)' % self.wkhtmltopdf)
        self.assertIn('GreenWheel Mobility Co., Ltd.', pages[0],
                      'no letterhead on the PDF' + hint)
        self.assertIn('1 Wensan Road', pages[0], 'no company address' + hint)

    def test_signature_never_alone_on_the_next_page(self):
        """Two to four more parts and the totals end near the foot of page
        1: the break never separates the signatures from the totals
        (without the page-break-inside block, four spares leave the
        signatures alone on page 2 with this layout)."""
        spares = []
        for index in range(4):
            product = self.env['product.product'].create({
                'name': 'Test Spare %02d' % index, 'type': 'product',
                'list_price': 10.0 + index, 'standard_price': 1.0})
            product.product_tmpl_id.aftersales_no_recovery_value = True
            self.env['stock.quant']._update_available_quantity(
                product, self.stock_location, 5)
            spares.append((product, 1))
        self.env['stock.quant']._update_available_quantity(
            self.controller, self.stock_location, 5)
        page_counts = []
        for count in (2, 3, 4):
            repair = self.finished_repair_with_labour(
                parts=[(self.controller, 1)] + spares[:count])
            content = self.pdf(self.report_service, repair)
            with tempfile.NamedTemporaryFile(suffix='.pdf') as out:
                out.write(content)
                out.flush()
                pages = self.pdf_pages(out.name)
            if pages is None:
                self.skipTest('pdftotext is not installed')
            pages = [page for page in pages if page.strip()]
            page_counts.append(len(pages))
            block = {}
            for marker in ('未税金额', '合计', '本人确认上述维修工作已完成',
                           '客户签字', '维修技师签字', '日期'):
                found = [index for index, page in enumerate(pages)
                         if marker in page]
                self.assertEqual(len(found), 1, marker)
                block[marker] = found[0]
            self.assertEqual(len(set(block.values())), 1,
                             'the totals and the signatures are on '
                             'different pages (%d spares): %s'
                             % (count, block))
        self.assertGreater(max(page_counts), 1, page_counts)
