# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every department does its day's work in the web client, in Chinese
(issue 12), in a real browser (Debian Chromium driven by Selenium, the
server started by test_browser's ``odoo_server`` fixture on a free port).

- The main path of the after-sales service, one step per department, as
  its demo user with the language zh_CN: customer service takes a request
  by the unit's serial and creates the repair order; the technician
  diagnoses, adds a serial-tracked part, confirms and requests the parts;
  Finance releases the order; the warehouse issues the parts; the
  technician ends the repair and prints the service report; the warehouse
  receives the old part; Finance reads the receivables and a statement;
  the technical department overrides a warranty decision.
- Every department's home screen (where its login lands) and every
  After-Sales menu entry it may see: the default view of the entry's
  action, in one browser session per department.

That is the walk run by default (a few minutes). With the environment
variable AFTERSALES_FULL_WALK=1 the walk is exhaustive (much slower):
every view type of every entry's action, the first record's form, and,
per department, the forms of records in the states where the buttons
only some departments may use show (a user sees only what they may do).

On every screen the test fails on an error dialog and on visible English
words outside a short allowlist (browser_walk.ALLOWED_WORDS: codes,
serials, proper names, units). A screen's problems do not stop the walk:
each test collects all of its problems and fails with the full list.
Screenshots of every screen: <work dir>/screenshots/<department>/ and
<work dir>/screenshots/path/<step>/, with a problems.txt in each folder.

The steps of the main path share one repair order (module state). When a
step fails, the next step brings the order to its starting point through
the server, as the department that should have done it, so one run shows
every step that fails, not only the first.

The demo users are switched to zh_CN for this module and switched back at
its end. test_browser.py, which clicks the English label "Create Repair
Order" as cs, runs before this module (pytest collects the files of a
folder in alphabetical order): keep this file's name sorting after it.
Everything the browser does is committed by the server; the database
keeps the requests, orders and transfers this module creates.
"""
import os
import shutil
import subprocess
import tempfile

import pytest

from .test_browser import (  # noqa: F401 (odoo_server, browser: fixtures)
    _Env, _tail, browser, odoo_server)
from . import browser_walk as bw
from .browser_walk import DeptClient, LANG, Problems

# the exhaustive walk (every view, first records' forms, guarded buttons)
FULL_WALK = os.environ.get('AFTERSALES_FULL_WALK') == '1'
full_walk_only = pytest.mark.skipif(
    not FULL_WALK, reason='exhaustive walk: set AFTERSALES_FULL_WALK=1')

# (folder name, login) of the departments' demo users
DEPARTMENTS = [
    ('customer_service', 'cs'),
    ('technician', 'tech1'),
    ('warehouse', 'warehouse'),
    ('purchasing', 'purchasing'),
    ('finance', 'finance'),
    ('technical', 'technical'),
    ('quality', 'quality'),
    ('administration', 'office'),
    ('manager', 'as_manager'),
]
DEMO_LOGINS = [login for _dept, login in DEPARTMENTS] + ['tech2']
DEPT_OF = {login: dept for dept, login in DEPARTMENTS}

# A user sees only what they may do (issue 12): the buttons of an action
# only some departments may run, and those departments (README, Access;
# the manager is in every department but Finance). On every form screen
# the other departments must not see the button.
NOT_FINANCE = {'customer_service', 'technician', 'warehouse', 'purchasing',
               'technical', 'quality', 'administration'}


def _with_manager(*depts):
    depts = set(depts)
    return depts | {'manager'} if depts & NOT_FINANCE else depts


GUARDED_BUTTONS = {
    'mrp.repair': {
        'action_finance_release': _with_manager('finance'),
        'action_repair_invoice_create': _with_manager('finance'),
        'action_override_warranty': _with_manager('technical'),
        'action_recheck_warranty': _with_manager(
            'customer_service', 'technician', 'technical'),
        'action_receive_old_parts': _with_manager('warehouse'),
    },
    'sale.order': {
        'action_finance_release': _with_manager('finance'),
    },
    'stock.picking': {
        'button_validate': _with_manager('warehouse'),
    },
    'aftersales.receivable.statement': {
        'action_confirm': _with_manager('technician') - {'manager'},
        'action_resolve': _with_manager('finance'),
    },
    'aftersales.part.recovery': {
        'action_receive': _with_manager('warehouse'),
        'action_exempt': _with_manager('finance'),
        'action_inspect': _with_manager('quality', 'technical'),
    },
}

UNIT_PRODUCT = 'aftersales_addon.product_scooter_s1'
PART_PRODUCT = 'aftersales_addon.product_battery_pack'

# state shared by the steps of the main path
FLOW = {}


# -- fixtures -----------------------------------------------------------------

@pytest.fixture(scope='module')
def zh_cn_users():
    """zh_CN installed, the demo users reading it; their language is set
    back at the end of the module."""
    with _Env(commit=True) as env:
        lang = env['res.lang'].with_context(active_test=False).search(
            [('code', '=', LANG)])
        if not lang or not lang.active:
            env['base.language.install'].create(
                {'lang': LANG}).lang_install()
        users = env['res.users'].search([('login', 'in', DEMO_LOGINS)])
        missing = set(DEMO_LOGINS) - set(users.mapped('login'))
        assert not missing, 'demo users missing: %s' % ', '.join(
            sorted(missing))
        before = {user.id: user.lang for user in users}
        users.write({'lang': LANG})
    yield
    with _Env(commit=True) as env:
        for uid, lang in before.items():
            env['res.users'].browse(uid).write({'lang': lang})


@pytest.fixture(scope='module')
def server(zh_cn_users, odoo_server):
    """The test server, started once the users read Chinese."""
    return odoo_server


@pytest.fixture(scope='module')
def downloads(browser):
    """The folder Chromium downloads to (the PDF reports)."""
    folder = tempfile.mkdtemp(prefix='aftersales_downloads_')
    params = {'behavior': 'allow', 'downloadPath': folder}
    try:
        browser.execute_cdp_cmd('Browser.setDownloadBehavior', params)
    except Exception:
        browser.execute_cdp_cmd('Page.setDownloadBehavior', params)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# -- one department in the browser --------------------------------------------

class Session(object):
    """A step or a walk as one department's user: logs in, and turns a
    hard failure (dead end, error dialog) into an assertion with the
    screenshot and the server log, followed by the screen problems seen
    so far."""

    def __init__(self, browser, server, folder, title, login):
        shutil.rmtree(folder, ignore_errors=True)  # no picture of a past run
        self.problems = Problems(title)
        self.client = DeptClient(browser, server['url'], folder,
                                 self.problems, dept=DEPT_OF[login],
                                 login=login, guarded=GUARDED_BUTTONS)
        self.login_name = login
        self.server = server
        self.folder = folder

    def __enter__(self):
        return self.client

    def __exit__(self, exc_type, exc, tb):
        report_path = self.problems.save(self.folder)
        if exc_type is None or not issubclass(exc_type, Exception):
            return False
        shot = os.path.join(self.folder, 'FAILED.png')
        try:
            self.client.driver.save_screenshot(shot)
        except Exception as err:
            shot = '(no screenshot: %s)' % err
        log_copy = os.path.join(self.folder, 'server.log')
        try:
            shutil.copyfile(self.server['log'], log_copy)
        except OSError:
            log_copy = '(no server log)'
        with open(report_path, 'a', encoding='utf-8') as out:
            out.write('\nFAILED at "%s": %s\nScreenshot: %s\nServer log: '
                      '%s\n' % (self.client.step, exc, shot, log_copy))
        raise AssertionError(
            '%s failed at "%s": %s\nScreenshot: %s\n%s\nServer log (tail):'
            '\n%s' % (self.problems.title, self.client.step, exc, shot,
                      self.problems.report(),
                      _tail(self.server['log'], 15))) from exc

    def login(self, login=None):
        login = login or self.login_name
        client = self.client
        # a new browser session for the department's user (no logout)
        client.login(login, login)
        client.settle()
        lang = client.driver.execute_script(
            'return odoo.session_info && odoo.session_info.user_context '
            '&& odoo.session_info.user_context.lang;')
        assert lang == LANG, '%s reads the web client in %r, not %s' % (
            login, lang, LANG)

    def check(self):
        """Fail with every problem collected on the screens."""
        if self.problems:
            pytest.fail(self.problems.report(), pytrace=False)


def _session(browser, server, login, *folder):
    return Session(browser, server, bw.screenshots_dir(*folder),
                   '/'.join(folder), login)


# -- the main path: data and what each step leaves ----------------------------

def _user(env, login):
    return bw.user_id(env, login)


def _flow_choices(env):
    """The unit (a GW-S1 in warranty today, one whose customer is known if
    any) and the spare battery (serial in stock, on no repair order) of
    the path."""
    if 'unit_lot' in FLOW:
        return
    unit_product = env.ref(UNIT_PRODUCT)
    part_product = env.ref(PART_PRODUCT)
    units = env['stock.production.lot'].search(
        [('product_id', '=', unit_product.id)], order='id').filtered(
            lambda lot: lot.warranty_state == 'in')
    assert units, 'no GW-S1 serial in warranty in the demo data'
    owners = units._delivered_partners()
    unit = units.filtered(lambda lot: lot.id in owners)[:1] or units[0]
    owner = owners.get(unit.id)
    if not owner:
        # no delivery nor owner recorded: the customer of its last request
        owner = env['helpdesk.ticket'].search(
            [('lot_id', '=', unit.id), ('partner_id', '!=', False)],
            order='id desc', limit=1).partner_id.commercial_partner_id
    assert owner, 'no customer known for the serial %s' % unit.name
    stock = env.ref('stock.stock_location_stock')
    used = env['mrp.repair.line'].search(
        [('lot_id', '!=', False)]).mapped('lot_id')
    quants = env['stock.quant'].search([
        ('product_id', '=', part_product.id),
        ('location_id', 'child_of', stock.id), ('quantity', '>', 0),
        ('reserved_quantity', '=', 0), ('lot_id', 'not in', used.ids)],
        order='id')
    assert quants, 'no free serial of %s in stock' % part_product.name
    FLOW.update({
        'unit_lot': unit.name, 'unit_lot_id': unit.id,
        'unit_product_id': unit_product.id,
        'owner_id': owner.id, 'owner_known': unit.id in owners,
        'part_lot': quants[0].lot_id.name, 'part_lot_id': quants[0].lot_id.id,
        'part_product_id': part_product.id,
        'part_code': part_product.default_code,
    })


def _repair(env):
    return env['mrp.repair'].browse(FLOW.get('repair_id') or []).exists()


def _stage(env):
    """How far the path's repair order went."""
    repair = _repair(env)
    if not repair:
        return 0
    if not repair.operations.filtered(lambda line: line.lot_id) or \
            repair.state == 'draft' or not repair.parts_picking_ids:
        return 1
    if repair.aftersales_to_release:
        return 2
    issues = repair.parts_picking_ids.filtered(
        lambda p: p.picking_type_id == env.ref(
            'aftersales_addon.picking_type_parts_issue'))
    if any(p.state != 'done' for p in issues):
        return 3
    if repair.state not in ('2binvoiced', 'done'):
        return 4
    if repair.recovery_ids.filtered(lambda r: r.state == 'to_return'):
        return 5
    return 6


def _server_step_1(env):
    """Customer service: the request of the unit and its repair order."""
    cs = _user(env, 'cs')
    ticket = env['helpdesk.ticket'].sudo(cs).create({
        'name': '电动滑板车无法开机（服务端补建）',
        'request_type': 'repair',
        'lot_id': FLOW['unit_lot_id'],
        'product_id': FLOW['unit_product_id'],
        'partner_id': FLOW['owner_id'],
        'technician_id': _user(env, 'tech1').id,
        'fault_symptom': '按下电源键无反应。',
    })
    ticket.action_create_repair()
    FLOW['ticket_id'] = ticket.id
    FLOW['repair_id'] = ticket.repair_ids[:1].id


def _server_step_2(env):
    """Technician: diagnosis, the serial-tracked part, confirm, request."""
    tech = _user(env, 'tech1')
    repair = _repair(env).sudo(tech)
    repair.write({'fault_category': 'electrical',
                  'diagnosis': '电池组电芯损坏。', 'repair_plan': '更换电池组。'})
    if not repair.operations.filtered(lambda line: line.lot_id):
        part = env['product.product'].browse(FLOW['part_product_id'])
        line = env['mrp.repair.line'].sudo(tech).new({
            'repair_id': repair.id, 'type': 'add', 'product_id': part.id,
            'product_uom_qty': 1, 'product_uom': part.uom_id.id})
        line.onchange_operation_type()
        line.onchange_product_id()
        values = line._convert_to_write(line._cache)
        values.update({'repair_id': repair.id, 'lot_id': FLOW['part_lot_id'],
                       'product_uom_qty': 1, 'product_uom': part.uom_id.id,
                       'name': part.name})
        env['mrp.repair.line'].sudo(tech).create(values)
    if repair.state == 'draft':
        repair.action_validate()
    if not repair.parts_picking_ids:
        repair.action_issue_parts()


def _server_step_3(env):
    """Finance: release the order, vouched by its technician."""
    finance = _user(env, 'finance')
    wizard = env['aftersales.finance.release.wizard'].sudo(finance).create({
        'res_model': 'mrp.repair', 'res_id': FLOW['repair_id'],
        'mode': 'vouched', 'vouch_user_id': _user(env, 'tech1').id})
    wizard.action_release()


def _server_step_4(env):
    """Warehouse: validate the parts issue."""
    warehouse = _user(env, 'warehouse')
    for picking in _repair(env).parts_picking_ids.filtered(
            lambda p: p.state not in ('done', 'cancel')):
        picking.sudo(warehouse).button_validate()


def _server_step_5(env):
    """Technician: start, passed test, end."""
    repair = _repair(env).sudo(_user(env, 'tech1'))
    if repair.state in ('confirmed', 'ready'):
        repair.action_repair_start()
    repair.write({'test_result': 'passed'})
    repair.action_repair_end()


SERVER_STEPS = [_server_step_1, _server_step_2, _server_step_3,
                _server_step_4, _server_step_5]


def _reach(stage):
    """Bring the path's repair order to ``stage`` through the server when
    the browser steps before did not (each missing step done as its
    department), so that this step can still be tried."""
    with _Env(commit=True) as env:
        _flow_choices(env)
    done = []
    while True:
        with _Env() as env:
            now = _stage(env)
        if now >= stage:
            break
        with _Env(commit=True) as env:
            try:
                # as the department's web client would: in its language
                SERVER_STEPS[now](env(context=dict(env.context, lang=LANG)))
            except Exception as exc:
                pytest.fail('Could not prepare this step: the server step '
                            '"%s" failed after %s: %s'
                            % (SERVER_STEPS[now].__doc__.strip(),
                               done or 'nothing', exc))
        done.append(now + 1)
        with _Env() as env:
            assert _stage(env) > now, (
                'the server step %d did not bring the order further' % now)
    if done:
        FLOW.setdefault('prepared', []).extend(done)
    return ['step %d of the path was done through the server (its browser '
            'step failed): %s' % (n, SERVER_STEPS[n - 1].__doc__.strip())
            for n in done]


def _repair_name():
    with _Env() as env:
        return _repair(env).name


# -- the main path, step by step ----------------------------------------------

def test_path_1_customer_service_takes_request_by_serial(server, browser):
    """Customer service records the request by the unit's serial alone:
    product and customer fill themselves; then Create Repair Order."""
    with _Env(commit=True) as env:
        _flow_choices(env)
        tech1_name = _user(env, 'tech1').name
        env = env(context=dict(env.context, lang=LANG))
        unit = env['product.product'].browse(FLOW['unit_product_id'])
        unit_code, unit_name = unit.default_code, unit.display_name
        owner_name = env['res.partner'].browse(FLOW['owner_id']).display_name
    create_repair = bw.button_labels('cs', 'helpdesk.ticket',
                                     'action_create_repair')
    assert create_repair, 'no Create Repair Order button for cs'
    session = _session(browser, server, 'cs', 'path', '1_customer_service')
    with session as client:
        session.login('cs')
        client.open_app()
        client.click_menu('aftersales_addon.menu_aftersales_requests')
        client.check_screen('requests')
        add = client.wait_visible('.o_control_panel .o-kanban-button-new, '
                                  '.o_control_panel .o_list_button_add',
                                  'the Create button of the requests')
        client.click(add)
        client.wait_visible('.o_form_view.o_form_editable',
                            'a new request form')
        client.settle()
        client.check_screen('new_request')
        client.set_text('name', '电动滑板车无法开机')
        client.set_many2one('lot_id', FLOW['unit_lot'])
        if not client.expect(lambda d: client.field_text('product_id'),
                             'the product filled from the serial %s'
                             % FLOW['unit_lot']):
            client.set_many2one('product_id', unit_code, unit_name)
        if not client.expect(lambda d: client.field_text('partner_id'),
                             'the customer filled from the serial %s (the '
                             'customer it was delivered to%s)' % (
                                 FLOW['unit_lot'], '' if FLOW['owner_known']
                                 else '; the demo records no delivery nor '
                                 'owner of this unit')):
            client.set_many2one('partner_id', owner_name[:4], owner_name)
        client.set_many2one('technician_id', tech1_name[:4], tech1_name)
        client.set_text('fault_symptom', '按下电源键无反应，仪表不亮。')
        client.check_screen('request_filled')
        client.save('the saved request')
        ticket_id = int(client.url_state()['id'])
        FLOW['ticket_id'] = ticket_id
        client.check_screen('request_saved')
        client.click(client.header_button(create_repair[0]))
        client.wait(lambda d: client.url_state().get('model') == 'mrp.repair'
                    and client.url_state().get('id', '').isdigit()
                    and client.view_type() == 'form',
                    'the new repair order')
        repair_id = int(client.url_state()['id'])
        client.check_screen('repair_created')
        with _Env() as env:
            ticket = env['helpdesk.ticket'].browse(ticket_id)
            repair = env['mrp.repair'].browse(repair_id)
            assert ticket.lot_id.id == FLOW['unit_lot_id'], ticket.lot_id
            assert ticket.product_id.id == FLOW['unit_product_id'], \
                ticket.product_id
            assert ticket.partner_id.id == FLOW['owner_id'], \
                ticket.partner_id
            assert repair.ticket_id == ticket, repair.ticket_id
            assert repair.lot_id.id == FLOW['unit_lot_id'], repair.lot_id
            assert repair.technician_id.login == 'tech1', \
                repair.technician_id.login
        FLOW['repair_id'] = repair_id
    session.check()


def test_path_2_technician_diagnoses_adds_serial_part_requests_parts(
        server, browser):
    """The technician records the diagnosis, adds the serial-tracked
    battery with its serial, confirms the order and requests the parts."""
    notes = _reach(1)
    name = _repair_name()
    login = 'tech1'
    diagnosis_tab = bw.page_label(login, 'mrp.repair', "@name='diagnosis'")
    parts_tab = bw.page_label(login, 'mrp.repair',
                              ".//field[@name='operations']")
    confirm = bw.button_labels(login, 'mrp.repair', 'action_validate')
    request_parts = bw.button_labels(login, 'mrp.repair',
                                     'action_issue_parts')
    assert diagnosis_tab and parts_tab and confirm and request_parts, (
        diagnosis_tab, parts_tab, confirm, request_parts)
    session = _session(browser, server, login, 'path', '2_technician')
    session.problems.notes.extend(notes)
    with session as client:
        session.login(login)
        client.open_app()
        client.click_menu('aftersales_addon.menu_aftersales_repairs')
        client.check_screen('repairs')
        if client.view_type() != 'list':
            client.switch_view('list')
        client.open_row(name, 'the row of %s' % name)
        client.check_screen('repair')
        client.edit()
        client.tab(diagnosis_tab)
        client.set_select('fault_category', 'electrical')
        client.set_text('diagnosis', '电池组电芯损坏，无法充电。')
        client.set_text('repair_plan', '更换电池组，测试续航。')
        client.check_screen('diagnosis')
        client.tab(parts_tab)
        client.click(client.wait_visible(
            '.o_field_widget[name=operations] .o_field_x2many_list_row_add a',
            'the "add a line" link of the parts'))
        row = '.o_field_widget[name=operations] tr.o_selected_row'
        client.wait_visible(row, 'a new part line')
        client.set_many2one('product_id', FLOW['part_code'],
                            _part_display(), scope=row)
        client.check_screen('part_line')
        client.wait(lambda d: client.first_visible(
            row + ' .o_field_widget[name=lot_id]'),
            'a serial number column on the part line (the part %s is '
            'tracked by serial)' % FLOW['part_code'])
        client.set_many2one('lot_id', FLOW['part_lot'], scope=row)
        client.check_screen('part_serial')
        client.save('the repair order saved with its part')
        client.check_screen('saved')
        with _Env() as env:
            lines = _repair(env).operations
            assert lines.filtered(
                lambda line: line.lot_id.id == FLOW['part_lot_id']), (
                'the part line with serial %s was not saved: %s' % (
                    FLOW['part_lot'], [(line.product_id.name, line.lot_id.name)
                                       for line in lines]))
        client.click(client.header_button(confirm[0]))
        client.wait(lambda d: request_parts[0] in client.header_labels(),
                    'the confirmed order with its "%s" button'
                    % request_parts[0])
        client.check_screen('confirmed')
        client.click(client.header_button(request_parts[0]))
        client.wait(lambda d: client.url_state().get('model') ==
                    'stock.picking' and client.view_type() == 'form',
                    'the parts issue transfer')
        client.check_screen('parts_issue')
        with _Env() as env:
            repair = _repair(env)
            assert repair.state == 'confirmed', repair.state
            issue = repair.parts_picking_ids
            assert issue, 'no parts transfer'
            assert issue.mapped('move_line_ids.lot_id').ids == \
                [FLOW['part_lot_id']], issue.mapped('move_line_ids.lot_id')
    session.check()


def _part_display():
    with _Env() as env:
        return env['product.product'].with_context(lang=LANG).browse(
            FLOW['part_product_id']).display_name


def test_path_3_finance_releases(server, browser):
    """Finance finds the order in To Release and releases it, vouched by
    the technician (the customer has not paid the battery's deposit)."""
    notes = _reach(2)
    name = _repair_name()
    with _Env() as env:
        assert _repair(env).aftersales_to_release, (
            'the order %s does not wait for Finance (nothing to pay?)' % name)
        tech1_name = _user(env, 'tech1').name
    release = bw.button_labels('finance', 'mrp.repair',
                               'action_finance_release')
    assert release, 'no Finance Release button in the repair form'
    session = _session(browser, server, 'finance', 'path', '3_finance')
    session.problems.notes.extend(notes)
    with session as client:
        session.login('finance')
        client.open_app()
        client.click_menu(
            'aftersales_addon.menu_aftersales_to_release_repairs')
        client.check_screen('to_release')
        client.open_row(name, 'the row of %s in To Release' % name)
        client.check_screen('repair')
        client.click(client.header_button(release[0]))
        client.wait_visible('.modal .o_form_view', 'the release dialog')
        client.settle()
        client.check_screen('release_dialog', dialog_ok=True)
        client.set_radio('mode', 'vouched', scope='.modal')
        client.set_many2one('vouch_user_id', tech1_name[:4], tech1_name,
                            scope='.modal')
        client.check_screen('release_filled', dialog_ok=True)
        client.click(client.wait_visible(
            '.modal footer button[name=action_release], '
            '.modal .modal-footer button[name=action_release]',
            'the Release button'))
        client.wait(lambda d: not client.any_dialog(),
                    'the release dialog to close')
        client.settle()
        client.check_screen('released')
        with _Env() as env:
            repair = _repair(env)
            assert repair.finance_release == 'vouched', \
                repair.finance_release
            assert not repair.aftersales_to_release
    session.check()


def test_path_4_warehouse_issues_parts(server, browser):
    """The warehouse sees the released transfer and validates it."""
    notes = _reach(3)
    with _Env() as env:
        repair = _repair(env)
        issue = repair.parts_picking_ids.filtered(
            lambda p: p.state not in ('done', 'cancel'))
        assert len(issue) == 1, issue
        picking_name, picking_id = issue.name, issue.id
    validate = bw.button_labels('warehouse', 'stock.picking',
                                'button_validate')
    assert validate, 'no Validate button on transfers'
    session = _session(browser, server, 'warehouse', 'path',
                       '4_warehouse_issue')
    session.problems.notes.extend(notes)
    with session as client:
        session.login('warehouse')
        client.open_app()
        client.click_menu('aftersales_addon.menu_aftersales_parts')
        client.check_screen('parts_transfers')
        client.open_row(picking_name, 'the row of %s' % picking_name)
        client.check_screen('transfer')
        shown = client.wait(
            lambda d: [label for label in client.header_labels()
                       if label in validate],
            'the Validate button on %s' % picking_name)
        client.click(client.header_button(shown[0]))
        client.settle()
        client.wait(lambda d: not client.any_dialog()
                    and _picking_state(picking_id) == 'done',
                    'the transfer %s done' % picking_name)
        client.check_screen('transfer_done')
    session.check()


def _picking_state(picking_id):
    with _Env() as env:
        return env['stock.picking'].browse(picking_id).state


def test_path_5_technician_ends_and_prints_report(
        server, browser, downloads):
    """The technician starts the work, records a passed test, ends the
    repair and prints the service report (a PDF, in Chinese)."""
    notes = _reach(4)
    name = _repair_name()
    login = 'tech1'
    start = bw.button_labels(login, 'mrp.repair', 'action_repair_start')
    end = bw.button_labels(login, 'mrp.repair', 'action_repair_end')
    report = bw.button_labels(login, 'mrp.repair',
                              'action_print_service_report')
    diagnosis_tab = bw.page_label(login, 'mrp.repair', "@name='diagnosis'")
    assert start and end and report and diagnosis_tab
    for old in os.listdir(downloads):
        os.remove(os.path.join(downloads, old))
    session = _session(browser, server, login, 'path', '5_technician_end')
    session.problems.notes.extend(notes)
    with session as client:
        session.login(login)
        client.open_app()
        client.click_menu('aftersales_addon.menu_aftersales_repairs')
        if client.view_type() != 'list':
            client.switch_view('list')
        client.open_row(name, 'the row of %s' % name)
        client.check_screen('repair')
        if _repair_state() in ('confirmed', 'ready'):
            client.click(client.header_button(start[0]))
            client.wait(lambda d: _repair_state() == 'under_repair',
                        'the repair started')
            client.settle()
            client.check_screen('started')
        client.edit()
        client.tab(diagnosis_tab)
        client.set_select('test_result', 'passed')
        client.set_text('test_notes', '充放电测试正常，续航 45 公里。')
        client.save('the passed test saved')
        client.click(client.header_button(end[0]))
        client.wait(lambda d: _repair_state() in ('2binvoiced', 'done'),
                    'the repair ended')
        client.settle()
        client.check_screen('ended')
        with _Env() as env:
            repair = _repair(env)
            todo = env['mail.activity'].search([
                ('res_model', '=', 'mrp.repair'), ('res_id', '=', repair.id),
                ('user_id', '=', _user(env, login).id)])
            if todo:
                session.problems.error('ended', 'the to-do(s) of the '
                                       'technician on %s stay open after the '
                                       'repair ended: %s' % (
                                           name, todo.mapped('summary')))
        client.click(client.header_button(report[0]))
        client.settle()
        pdf = client.wait(lambda d: _downloaded_pdf(downloads),
                          'the service report PDF downloaded', timeout=120)
        client.check_screen('report_printed')
        shutil.copy(pdf, os.path.join(session.folder, 'service_report.pdf'))
        # the file the technician saves is named in Chinese too
        stem = os.path.splitext(os.path.basename(pdf))[0]
        if bw.english_words(stem) or not stem.startswith('服务报告'):
            session.problems.error('report_printed', 'the service report '
                                   'is saved as %r' % os.path.basename(pdf))
        for line in _pdf_text(pdf).splitlines():
            words = bw.english_words(line)
            if words:
                session.problems.add_english(
                    'service_report.pdf', 'service report PDF',
                    ' '.join(line.split()), words)
    session.check()


def _repair_state():
    with _Env() as env:
        return _repair(env).state


def _downloaded_pdf(folder):
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.endswith('.crdownload') or not os.path.isfile(path):
            continue
        with open(path, 'rb') as pdf:
            if pdf.read(5) == b'%PDF-':
                return path
    return False


def _pdf_text(path):
    try:
        return subprocess.run(['pdftotext', '-layout', path, '-'],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True,
                              timeout=60).stdout.decode('utf-8', 'replace')
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.fail('cannot read the text of the report %s: %s' % (path, exc))


def test_path_6_warehouse_receives_old_part(server, browser):
    """The warehouse receives the old battery of the order (its deposit
    goes back to the customer)."""
    notes = _reach(5)
    with _Env() as env:
        recovery = _repair(env).recovery_ids.filtered(
            lambda r: r.state == 'to_return')
        assert len(recovery) == 1, (
            'the order should owe one old part, not %s'
            % recovery.mapped('name'))
        recovery_name, recovery_id = recovery.name, recovery.id
    receive = bw.button_labels('warehouse', 'aftersales.part.recovery',
                               'action_receive')
    assert receive, 'no Receive Old Part button'
    session = _session(browser, server, 'warehouse', 'path',
                       '6_warehouse_old_part')
    session.problems.notes.extend(notes)
    with session as client:
        session.login('warehouse')
        client.open_app()
        client.click_menu('aftersales_addon.menu_aftersales_recoveries')
        client.check_screen('recoveries')
        if client.view_type() != 'list':
            client.switch_view('list')
            client.check_screen('recoveries_list')
        client.open_row(recovery_name, 'the row of %s' % recovery_name)
        client.check_screen('recovery')
        client.click(client.header_button(receive[0]))
        client.wait_visible('.modal .o_form_view', 'the receive dialog')
        client.settle()
        client.set_text('courier', '顺丰速运', scope='.modal')
        client.set_text('tracking_ref', 'SF1234567890', scope='.modal')
        client.set_checkbox('freight_collect', True, scope='.modal')
        client.check_screen('receive_dialog', dialog_ok=True)
        client.click(client.wait_visible(
            '.modal button[name=action_receive]', 'the Receive button'))
        client.wait(lambda d: not client.any_dialog()
                    and _recovery_state(recovery_id) == 'received',
                    'the old part received')
        client.settle()
        client.check_screen('received')
    session.check()


def _recovery_state(recovery_id):
    with _Env() as env:
        return env['aftersales.part.recovery'].browse(recovery_id).state


def test_path_7_finance_reads_receivables_and_statement(server, browser):
    """Finance reads the technicians' receivables (the vouched order's
    among them) and a monthly statement."""
    notes = _reach(3)
    with _Env() as env:
        receivable = _repair(env).receivable_id
        assert receivable, 'the vouched order has no receivable'
        receivable_id, receivable_name = receivable.id, receivable.name
        statements = env['aftersales.receivable.statement'].search([])
    session = _session(browser, server, 'finance', 'path',
                       '7_finance_receivables')
    session.problems.notes.extend(notes)
    with session as client:
        session.login('finance')
        client.open_app()
        client.click_menu('aftersales_addon.menu_aftersales_receivables')
        client.check_screen('receivables')
        if client.view_type() != 'list':
            client.switch_view('list')
        opened = client.open_row(receivable_name, 'the receivable %s of the '
                                 'vouched order in the list'
                                 % receivable_name)
        assert opened == receivable_id, (opened, receivable_id)
        client.check_screen('receivable')
        for vtype in ('pivot', 'graph'):
            client.back()
            if vtype in client.switch_buttons():
                client.switch_view(vtype)
                client.check_screen('receivables_' + vtype)
        client.click_menu('aftersales_addon.menu_aftersales_statements')
        client.check_screen('statements')
        if not statements:
            session.problems.error('statements', 'no statement to read')
        elif not client.open_first_record():
            session.problems.error('statements', 'Finance sees no statement '
                                   '(%d in the database)' % len(statements))
        else:
            client.check_screen('statement')
    session.check()


def test_path_8_technical_department_overrides_decision(server, browser):
    """The technical department overrides the warranty decision of an
    open order: out of warranty instead of in, with a reason."""
    with _Env(commit=True) as env:
        _flow_choices(env)
        # customer service and the technician at work, in their language
        env = env(context=dict(env.context, lang=LANG))
        cs = _user(env, 'cs')
        ticket = env['helpdesk.ticket'].sudo(cs).create({
            'name': '车把松动（改判测试）', 'request_type': 'repair',
            'lot_id': FLOW['unit_lot_id'],
            'product_id': FLOW['unit_product_id'],
            'partner_id': FLOW['owner_id'],
            'technician_id': _user(env, 'tech1').id,
            'fault_symptom': '车把松动。'})
        ticket.action_create_repair()
        repair = ticket.repair_ids.sudo(_user(env, 'tech1'))
        repair.action_validate()
        assert repair.warranty_state == 'in', repair.warranty_state
        override_id, override_name = repair.id, repair.name
    override = bw.button_labels('technical', 'mrp.repair',
                                'action_override_warranty')
    apply_label = bw.button_labels(
        'technical', 'aftersales.warranty.override.wizard', 'action_apply')
    assert override and apply_label
    session = _session(browser, server, 'technical', 'path',
                       '8_technical_override')
    with session as client:
        session.login('technical')
        client.open_app()
        client.click_menu('aftersales_addon.menu_aftersales_repairs')
        if client.view_type() != 'list':
            client.switch_view('list')
        client.open_row(override_name, 'the row of %s' % override_name)
        client.check_screen('repair')
        client.click(client.header_button(override[0]))
        client.wait_visible('.modal .o_form_view', 'the override dialog')
        client.settle()
        client.check_screen('override_dialog', dialog_ok=True)
        client.set_select('warranty_state', 'out', scope='.modal')
        client.set_text('reason', '用户自行改装控制器，经技术部复核不属保修。',
                        scope='.modal')
        client.check_screen('override_filled', dialog_ok=True)
        client.click(client.wait_visible(
            '.modal button[name=action_apply]', 'the Override button'))
        client.wait(lambda d: not client.any_dialog(),
                    'the override dialog to close')
        client.settle()
        client.check_screen('overridden')
        with _Env() as env:
            repair = env['mrp.repair'].browse(override_id)
            assert repair.warranty_override, 'not overridden'
            assert repair.warranty_state == 'out', repair.warranty_state
    session.check()


# -- a user sees only what they may do ----------------------------------------

def _guard_samples(env):
    """(model, id, what, button) of records in a state where the guarded
    ``button`` shows for the departments that may use it."""
    samples = []

    def add(model, domain, what, button):
        for record in env[model].search(domain, limit=1, order='id desc'):
            samples.append((model, record.id, what, button))
    add('mrp.repair', [('aftersales_to_release', '=', True)],
        'repair order waiting for Finance', 'action_finance_release')
    add('mrp.repair', [('state', '=', '2binvoiced')],
        'repair order to invoice', 'action_repair_invoice_create')
    add('mrp.repair', [('state', 'in', ('confirmed', 'under_repair')),
                       ('warranty_state', '!=', False),
                       ('warranty_override', '=', False),
                       ('invoiced', '=', False)],
        'open repair order with a warranty decision',
        'action_override_warranty')
    add('mrp.repair', [('state', 'in', ('confirmed', 'under_repair')),
                       ('warranty_state', '!=', False),
                       ('warranty_override', '=', False),
                       ('invoiced', '=', False)],
        'open repair order with a warranty decision',
        'action_recheck_warranty')
    add('mrp.repair', [('recovery_ids.state', '=', 'to_return')],
        'repair order owing old parts', 'action_receive_old_parts')
    add('sale.order', [('aftersales_to_release', '=', True)],
        'parts sale waiting for Finance', 'action_finance_release')
    add('stock.picking', [
        ('picking_type_id', '=', env.ref(
            'aftersales_addon.picking_type_parts_issue').id),
        ('state', '=', 'assigned')],
        'parts issue ready to validate', 'button_validate')
    add('aftersales.receivable.statement', [
        ('state', '=', 'sent'), ('user_id.login', '=', 'tech1')],
        'statement to confirm', 'action_confirm')
    add('aftersales.receivable.statement', [('state', '=', 'disputed')],
        'disputed statement', 'action_resolve')
    add('aftersales.part.recovery', [('state', '=', 'to_return')],
        'old part to return', 'action_receive')
    add('aftersales.part.recovery', [('state', '=', 'to_return')],
        'old part to return', 'action_exempt')
    add('aftersales.part.recovery', [('state', '=', 'received')],
        'old part received', 'action_inspect')
    return samples


def _readable(env, login, model, record_id):
    from odoo.exceptions import AccessError
    record = env[model].sudo(_user(env, login)).browse(record_id)
    try:
        record.check_access_rights('read')
        record.check_access_rule('read')
    except AccessError:
        return False
    return True


@full_walk_only
@pytest.mark.parametrize('dept,login', DEPARTMENTS,
                         ids=[dept for dept, _login in DEPARTMENTS])
def test_department_sees_only_its_buttons(server, browser, dept, login):
    """On the records each department may read, in the states where the
    guarded buttons show, the buttons of another department's action are
    not shown (GUARDED_BUTTONS)."""
    with _Env() as env:
        samples = [sample for sample in _guard_samples(env)
                   if _readable(env, login, sample[0], sample[1])]
    records = []
    for model, rid, what, _button in samples:
        if (model, rid, what) not in records:
            records.append((model, rid, what))
    session = _session(browser, server, login, 'buttons', dept)
    session.problems.notes.append('records opened: %s' % (
        ', '.join('%s (%s %d)' % (what, model, rid)
                  for model, rid, what in records) or 'none'))
    with session as client:
        session.login()
        for model, rid, what in records:
            client.open_record(model, rid, 'the form of the %s' % what)
            screen, _shot = client.check_screen(
                '%s_%d' % (model.replace('.', '_'), rid))
            # the department that may use a button sees it (and so this
            # test reads the buttons it checks)
            shown = client.header_labels()
            for s_model, s_id, _what, button in samples:
                if (s_model, s_id) != (model, rid) or \
                        dept not in GUARDED_BUTTONS[model][button]:
                    continue
                labels = bw.button_labels(login, model, button)
                if not any(label in shown for label in labels):
                    session.problems.error(screen, 'the button %s (%s.%s) '
                                           'is not shown to %s on the %s' % (
                                               labels, model, button, dept,
                                               what))
    session.check()


# -- every screen of every department -----------------------------------------

@pytest.mark.parametrize('dept,login', DEPARTMENTS,
                         ids=[dept for dept, _login in DEPARTMENTS])
def test_department_screens_in_chinese(server, browser, dept, login):
    """The department's home screen and every After-Sales menu entry it
    may open (with AFTERSALES_FULL_WALK=1: every view of the entry's
    action and its first record's form): no error dialog, no English
    outside the allowlist."""
    session = _session(browser, server, login, dept)
    with session as client:
        session.login(login)
        bw.walk_department(client, login, full=FULL_WALK)
    session.check()
