# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser test of the real web client (R1, R20): customer service turns
the demo repair request into a repair order with the "Create Repair Order"
button, and the technician of the request then finds that order in the
After-Sales > Repair Orders list.

The test starts its own Odoo server (another process, on a free loopback
port) against the database pytest uses and drives headless Chromium with
Selenium. Everything the browser does is committed by that server, so the
test does not use the Odoo test transaction: it reads the database through
new cursors, and removes the repair order it created at the end so that
the demo request can be used again.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests.common import get_db_name

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
# the first request compiles the assets: slow on a busy machine
SERVER_START_TIMEOUT = 180
WAIT = 30  # seconds, for any single step in the browser

TICKET_XMLID = 'aftersales_addon.demo_ticket_browser'
TICKET_NAME = '滑板车无法开机'

# <repo>/aftersales_addon/tests/test_browser.py -> <repo>
REPO_DIR = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _work_dir():
    """<repo>/.work: next to the Odoo config file if there is one (that is
    where the run script keeps it), else next to this addon."""
    rc = os.environ.get('ODOO_RC') or odoo.tools.config.rcfile
    if rc and os.path.basename(os.path.dirname(os.path.abspath(rc))) \
            == '.work':
        return os.path.dirname(os.path.abspath(rc))
    return os.path.join(REPO_DIR, '.work')


def _odoo_rc():
    rc = os.environ.get('ODOO_RC') or odoo.tools.config.rcfile
    return os.path.abspath(rc) if rc else None


def _free_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def _tail(path, lines=40):
    try:
        with open(path, encoding='utf-8', errors='replace') as log:
            return ''.join(log.readlines()[-lines:])
    except OSError:
        return '(no server log)'


def _db_name():
    return get_db_name()  # odoo.tools.config['db_name']


class _Env(object):
    """An environment on a NEW cursor of the test database: the browser's
    changes are committed by another process, so the pytest process has
    to read them in a transaction of its own."""

    def __init__(self, commit=False):
        self.commit = commit

    def __enter__(self):
        self.cr = odoo.registry(_db_name()).cursor()
        return api.Environment(self.cr, SUPERUSER_ID, {})

    def __exit__(self, exc_type, exc, tb):
        try:
            if self.commit and exc_type is None:
                # the browser's server works in its own transactions
                self.cr.commit()  # pylint: disable=invalid-commit
            else:
                self.cr.rollback()
        finally:
            self.cr.close()


@pytest.fixture(scope='module')
def odoo_server():
    """An Odoo server in a subprocess, on free loopback ports, serving only
    the test database; yields its base URL and the path of its log."""
    work_dir = _work_dir()
    db = _db_name()
    odoo_bin = os.path.join(work_dir, 'bin', 'odoo')
    if not os.path.exists(odoo_bin):
        odoo_bin = shutil.which('odoo') or odoo_bin
    rc = _odoo_rc()
    http_port, longpolling_port = _free_port(), _free_port()
    while longpolling_port == http_port:
        longpolling_port = _free_port()
    cmd = [sys.executable, odoo_bin]
    if rc:
        cmd += ['-c', rc]
    cmd += ['--http-port=%d' % http_port,
            '--longpolling-port=%d' % longpolling_port,
            '--http-interface=127.0.0.1', '-d', db,
            '--db-filter=^%s$' % re.escape(db),
            '--workers=0', '--max-cron-threads=0']
    env = dict(os.environ)
    # the web assets are compiled with lessc
    node_bin = os.path.join(work_dir, 'node', 'node_modules', '.bin')
    env['PATH'] = os.pathsep.join([node_bin, env.get('PATH', '')])
    log_dir = tempfile.mkdtemp(prefix='aftersales_browser_server_')
    log_path = os.path.join(log_dir, 'odoo.log')
    log = open(log_path, 'wb')
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                            env=env, cwd=work_dir, start_new_session=True)
    base_url = 'http://127.0.0.1:%d' % http_port
    try:
        deadline = time.time() + SERVER_START_TIMEOUT
        last_error = None
        while True:
            if proc.poll() is not None:
                pytest.fail('The Odoo server exited with code %s before '
                            'answering; its log:\n%s'
                            % (proc.returncode, _tail(log_path)))
            try:
                # one request at a time, waited for: the first one compiles
                # the assets, and requests given up on pile up compilations
                with urllib.request.urlopen(base_url + '/web/login',
                                            timeout=SERVER_START_TIMEOUT) \
                        as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError) as exc:
                last_error = exc  # not up yet: try again until the deadline
            if time.time() > deadline:
                pytest.fail('The Odoo server did not answer /web/login '
                            'within %ss (%s); its log:\n%s'
                            % (SERVER_START_TIMEOUT, last_error,
                               _tail(log_path)))
            time.sleep(1)
        yield {'url': base_url, 'log': log_path}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        shutil.rmtree(log_dir, ignore_errors=True)


@pytest.fixture(scope='module')
def browser():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER)
               if not os.path.exists(path)]
    if missing:
        pytest.skip('browser test needs Chromium and its driver; missing: %s'
                    % ', '.join(missing))
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix='aftersales_chromium_')
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--disable-quic',
                '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync',
                '--user-data-dir=%s' % profile,
                '--window-size=1400,1000'):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT * 2)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class WebClient(object):
    """The few gestures of a user in the Odoo 11 web client."""

    def __init__(self, driver, base_url):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
        self.By, self.EC = By, EC
        self.driver = driver
        self.base_url = base_url
        self.step = 'start'
        self._wait = lambda timeout=WAIT: WebDriverWait(driver, timeout)

    def until(self, condition, step, timeout=WAIT):
        """Wait for condition; fail with the step and any error dialog the
        web client shows instead."""
        from selenium.common.exceptions import TimeoutException
        self.step = step

        def condition_or_dialog(driver):
            # no dialog is expected in this test: an error dialog (UserError,
            # access error, traceback) fails the step at once
            dialog = self.error_dialog()
            if dialog:
                raise AssertionError(
                    'While waiting for %s the web client shows a dialog: %r '
                    '(URL %s)' % (step, dialog, driver.current_url))
            return condition(driver)
        try:
            return self._wait(timeout).until(condition_or_dialog)
        except TimeoutException:
            dialog = self.error_dialog()
            raise AssertionError(
                'Timed out after %ss waiting for: %s%s (URL %s)' % (
                    timeout, step,
                    '; the web client shows: %r' % dialog if dialog else '',
                    self.driver.current_url))

    def settle(self, step):
        """No request of the web client in flight, no blocked UI, three
        looks in a row: a menu clicked while the previous action still
        loads can be overtaken by it on a busy machine."""
        calm = [0]

        def quiet(driver):
            busy = driver.execute_script(
                "if (!window.jQuery) return 'no web client yet';"
                "return jQuery('.oe_wait').length + "
                "jQuery('.blockUI:visible').length;")
            calm[0] = 0 if busy else calm[0] + 1
            return calm[0] >= 3
        self.until(quiet, step)

    def error_dialog(self):
        By = self.By
        for el in self.driver.find_elements(By.CSS_SELECTOR, '.modal'):
            try:
                if el.is_displayed():
                    return el.text.strip()[:500]
            except Exception:  # stale element
                continue
        return None

    def css(self, selector):
        return (self.By.CSS_SELECTOR, selector)

    def visible(self, selector):
        return self.EC.visibility_of_element_located(self.css(selector))

    def login(self, login, password):
        By = self.By
        self.driver.get(self.base_url + '/web/login')
        self.until(self.visible('form.oe_login_form input#login'),
                   'the login form')
        self.driver.find_element(By.ID, 'login').send_keys(login)
        self.driver.find_element(By.ID, 'password').send_keys(password)
        self.driver.find_element(
            By.CSS_SELECTOR, 'form.oe_login_form button[type=submit]').click()

        def logged_in_or_refused(driver):
            if driver.find_elements(By.CSS_SELECTOR,
                                    'form.oe_login_form .alert-danger'):
                return 'refused'
            if '/web/login' not in driver.current_url and \
                    driver.find_elements(By.CSS_SELECTOR,
                                         '.o_web_client .o_main_content'):
                return 'in'
            return False
        result = self.until(logged_in_or_refused,
                            'the web client after logging in as %s' % login)
        assert result == 'in', (
            'Logging in as %s/%s was refused (demo user missing or wrong '
            'password?)' % (login, password))

    def logout(self):
        self.driver.get(self.base_url + '/web/session/logout')
        self.until(self.visible('form.oe_login_form input#login'),
                   'the login page after logging out')

    def open_hash(self, fragment):
        """Open a web client state; a full page load, so that the client
        does not depend on the previous page."""
        self.driver.get('about:blank')
        self.driver.get('%s/web#%s' % (self.base_url, fragment))

    def url_state(self):
        fragment = urllib.parse.urlparse(self.driver.current_url).fragment
        return {key: values[-1] for key, values
                in urllib.parse.parse_qs(fragment).items()}

    def breadcrumb(self):
        """The current breadcrumb; '' while the web client replaces it."""
        from selenium.common.exceptions import (
            StaleElementReferenceException)
        els = self.driver.find_elements(
            self.By.CSS_SELECTOR, '.o_control_panel .breadcrumb li.active')
        try:
            return els[-1].text.strip() if els else ''
        except StaleElementReferenceException:
            return ''


def _screenshot(driver, name):
    folder = os.path.join(_work_dir(), 'screenshots')
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, '%s.png' % name)
    try:
        driver.save_screenshot(path)
    except Exception as exc:  # the browser itself may be gone
        return '(no screenshot: %s)' % exc
    return path


def test_cs_creates_repair_and_technician_sees_it(odoo_server, browser,
                                                  request):
    """R20 + R1 through the real web client: customer service creates the
    repair order of the demo request; its technician (tech1) then sees the
    new order in After-Sales > Repair Orders."""
    # read-only look-ups, in a transaction closed before the browser starts
    with _Env() as env:
        ticket = env.ref(TICKET_XMLID, raise_if_not_found=False)
        assert ticket, ('demo data %s is missing: the database must have '
                        'aftersales_addon installed with demo data'
                        % TICKET_XMLID)
        ticket_id = ticket.id
        assert ticket.name == TICKET_NAME, ticket.name
        assert not ticket.repair_ids, (
            'the demo request %s already has repair order(s) %s: this test '
            'needs the demo request without a repair order'
            % (ticket.number, ', '.join(ticket.repair_ids.mapped('name'))))
        tech1 = env['res.users'].search([('login', '=', 'tech1')])
        assert tech1, 'demo user tech1 is missing'
        tech1_id = tech1.id
        assert ticket.technician_id == tech1, (
            'the demo request should be assigned to tech1, not %r'
            % ticket.technician_id.login)

    client = WebClient(browser, odoo_server['url'])
    try:
        # -- customer service: request -> repair order --------------------
        client.login('cs', 'cs')
        client.open_hash('model=helpdesk.ticket&id=%d&view_type=form'
                         % ticket_id)
        client.until(
            lambda d: any(TICKET_NAME in el.text for el in d.find_elements(
                *client.css('.o_form_view .o_field_widget[name=name]'))),
            'the form of request "%s"' % TICKET_NAME)
        # Odoo 11 renders header buttons without their name: find it by label
        button = client.until(
            client.EC.visibility_of_element_located((
                client.By.XPATH,
                "//div[contains(@class, 'o_form_view')]"
                "//div[contains(@class, 'o_statusbar_buttons')]"
                "/button[normalize-space(.)='创建维修单']")),
            'the "Create Repair Order" button on the request, as cs')
        button.click()

        def repair_form_open(driver):
            state = client.url_state()
            if state.get('model') == 'mrp.repair' and \
                    state.get('id', '').isdigit() and \
                    state.get('view_type') == 'form':
                names = driver.find_elements(
                    *client.css('.o_form_view .o_field_widget[name=name]'))
                name = names and names[0].text.strip()
                crumb = client.breadcrumb()
                if name and crumb == name:
                    return int(state['id']), name
            return False
        repair_id, repair_name = client.until(
            repair_form_open, 'the new repair order form')
        assert repair_name != 'New', repair_name

        # -- the server committed: check the record from a new cursor -----
        with _Env() as env:
            repair = env['mrp.repair'].browse(repair_id).exists()
            assert repair, 'repair order id %s not in the database' % (
                repair_id)
            assert repair.name == repair_name, (repair.name, repair_name)
            assert repair.ticket_id.id == ticket_id, repair.ticket_id
            assert repair.technician_id.id == tech1_id, (
                repair.technician_id.login)
            assert repair.create_uid.login == 'cs', repair.create_uid.login

        # -- the technician finds it through the After-Sales menu ---------
        client.logout()
        client.login('tech1', 'tech1')
        root = 'a[data-menu-xmlid="aftersales_addon.menu_aftersales_root"]'

        def app_menu(driver):
            """The After-Sales entry of the top menu or of OCA
            web_responsive's app drawer (opened by its toggle), or, when the
            menu folded it into "More", that dropdown."""
            for el in driver.find_elements(*client.css(root)):
                if el.is_displayed():
                    return el
            for toggle in driver.find_elements(
                    *client.css('.app-drawer-toggle')):
                if toggle.is_displayed():
                    toggle.click()
                    return False
            more = driver.find_elements(
                *client.css('#menu_more_container > a.dropdown-toggle'))
            if more and more[0].is_displayed() and driver.find_elements(
                    *client.css('#menu_more ' + root)):
                more[0].click()
            return False
        root_el = client.until(
            app_menu, 'the After-Sales app in the top menu, as tech1')
        root_el.click()
        # the app opens its first screen: let it load before the next click
        client.until(
            lambda d: client.url_state().get('action') and client.breadcrumb(),
            'the first screen of the After-Sales app, as tech1')
        client.settle('the first screen of the After-Sales app, as tech1')
        repairs = client.until(
            client.visible(
                '.o_sub_menu a[data-menu-xmlid='
                '"aftersales_addon.menu_aftersales_repairs"]'),
            'the Repair Orders menu entry, as tech1')
        repairs.click()
        client.until(
            lambda d: client.url_state().get('model') == 'mrp.repair' and
            client.breadcrumb() == '维修单' and
            d.find_elements(*client.css('.o_list_view')),
            'the Repair Orders list, as tech1')
        client.until(
            lambda d: any(cell.text.strip() == repair_name for cell in
                          d.find_elements(*client.css(
                              '.o_list_view tbody td.o_data_cell'))),
            'repair order %s in the Repair Orders list of tech1'
            % repair_name)
    except Exception as exc:
        shot = _screenshot(browser, request.node.name)
        raise AssertionError(
            'Browser test failed at step "%s": %s\nScreenshot: %s\n'
            'Server log (tail):\n%s' % (
                client.step, exc, shot, _tail(odoo_server['log'], 25))
        ) from exc
    finally:
        # leave the demo request as it was, so the test can run again
        # (the request had no repair order before the test)
        with _Env(commit=True) as env:
            env['mrp.repair'].search([('ticket_id', '=', ticket_id)]).unlink()
