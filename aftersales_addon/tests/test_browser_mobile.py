# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A technician's day on a phone and on a tablet (issue 26, R13, R21,
R23), in a real browser: Debian Chromium with Chrome's mobile emulation
(a phone of 375x667 CSS px with an Android phone's user agent, a tablet of
768x1024 with an Android tablet's), driven by Selenium against the server
of test_browser's ``odoo_server`` fixture, as tech1 reading zh_CN.

The path (the whole of it at phone size; at tablet size up to the saved part
lines unless AFTERSALES_FULL_WALK=1): log in -> Odoo opens on his repairs
(kanban cards) -> tap the card of his repair -> edit -> Diagnosis tab: enter
the diagnosis -> Parts tab: add a serial-tracked part (choosing its serial) and
a plain part (the line dialog of the phone layout; the list's own row on the
tablet, where Odoo keeps the list) -> save -> Request Parts -> back to the
order -> attach a photo from the camera (the file input of the Photos field
carries ``capture``) -> save; Finance releases the order and the warehouse
issues the parts (server side, as those users) -> Start Repair -> record the
passed test -> End Repair -> Print Service Report (the PDF arrives in the
browser's download folder).

On every screen: no page wider than the viewport
(``document.documentElement.scrollWidth <= window.innerWidth``), every
element tapped at least 24x24 CSS px (WCAG 2.5.8) and not covered by
something else, no error dialog or error notification. Layout problems
(too wide, too small, covered) are collected and the test fails at the
end with the full list, so one run shows them all; an error or a dead end
stops the walk at once. Screenshots of every step:
<work dir>/screenshots/mobile/<size>/<nn>_<step>.png, with summary.txt
(steps, taps from the login button to the repair form, problems).

Everything the browser does is committed by the server. The repair
order, its request and the spare part's serial are made for each run and
stay in the database (a repair the walk did not finish is cancelled, so
that tech1's list does not fill up).
"""
import base64
import io
import json
import logging
import os
import re
import shutil
import tempfile
import time

import pytest
from selenium.common.exceptions import StaleElementReferenceException

from .test_browser import (  # noqa: F401 (odoo_server: a fixture)
    CHROMEDRIVER, CHROMIUM, WAIT, WebClient, _Env, _tail, _work_dir,
    odoo_server)

_logger = logging.getLogger(__name__)

LANG = 'zh_CN'
# the whole day at tablet size too (by default the tablet walks up to the
# saved part lines, the phone the whole day)
FULL_WALK = os.environ.get('AFTERSALES_FULL_WALK') == '1'
MIN_TARGET = 24  # CSS px, WCAG 2.5.8 (target size, minimum)
# a field the technician types or picks in shows what he chose (a serial,
# a product code): at least this wide
MIN_FIELD_WIDTH = 100  # CSS px

PHONE_UA = ('Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 '
            '(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36')
TABLET_UA = ('Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 '
             '(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36')
DEVICES = {
    'phone': {'width': 375, 'height': 667, 'pixelRatio': 2,
              'userAgent': PHONE_UA},
    'tablet': {'width': 768, 'height': 1024, 'pixelRatio': 2,
               'userAgent': TABLET_UA},
}

UNIT_PRODUCT = 'aftersales_addon.product_scooter_s1'
CUSTOMER = 'aftersales_addon.partner_wang_lei'
SERIAL_PART = 'aftersales_addon.product_battery_pack'
PLAIN_PART = 'aftersales_addon.product_brake_pads'
MY_REPAIRS_ACTION = 'aftersales_addon.mrp_repair_my_action'

# the states in which Odoo's repair workflow (and the addon's) accepts a
# header button of the repair form (Odoo's own ``states`` declarations):
# a technician is not offered a button that can only fail
BUTTON_STATES = {
    'action_send_mail': ('draft',),
    'print_repair_order': ('draft',),
    'action_validate': ('draft',),
    'action_repair_start': ('confirmed', 'ready'),
    'action_repair_cancel_draft': ('cancel',),
    'action_issue_parts': ('confirmed', 'ready', 'under_repair'),
    'action_return_parts': ('confirmed', 'ready', 'under_repair'),
    'action_repair_end': ('under_repair',),
    'action_repair_cancel': ('draft', 'confirmed', 'ready', 'under_repair',
                             '2binvoiced'),
    'action_print_service_report': ('under_repair', '2binvoiced', 'done'),
}

ERROR_TITLES = (
    'Odoo Server Error', 'Odoo Client Error', 'Access Error', 'User Error',
    'Validation Error', 'Warning', 'Missing Record',
    'Odoo 服务器错误', 'Odoo 客户端错误', '访问错误', '用户错误', '验证错误',
    '警告', '丢失记录')


# -- fixtures -------------------------------------------------------------

@pytest.fixture(scope='module')
def tech1_zh():
    """tech1 reads zh_CN (the language installed when missing); his
    language is set back at the end of the module."""
    with _Env(commit=True) as env:
        lang = env['res.lang'].with_context(active_test=False).search(
            [('code', '=', LANG)])
        if not lang or not lang.active:
            env['base.language.install'].create(
                {'lang': LANG}).lang_install()
        tech1 = env['res.users'].search([('login', '=', 'tech1')])
        assert tech1, 'demo user tech1 is missing'
        before = tech1.lang
        tech1.lang = LANG
    yield
    with _Env(commit=True) as env:
        env['res.users'].search([('login', '=', 'tech1')]).lang = before


@pytest.fixture(scope='module', params=['phone', 'tablet'])
def device(request):
    """Headless Chromium emulating a phone or a tablet (Chrome's mobile
    emulation: viewport, pixel ratio, touch, user agent), with a download
    folder of its own."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER)
               if not os.path.exists(path)]
    if missing:
        pytest.skip('browser test needs Chromium and its driver; missing: %s'
                    % ', '.join(missing))
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    name = request.param
    metrics = DEVICES[name]
    profile = tempfile.mkdtemp(prefix='aftersales_chromium_%s_' % name)
    downloads = tempfile.mkdtemp(prefix='aftersales_downloads_%s_' % name)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--disable-quic',
                '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync',
                '--user-data-dir=%s' % profile,
                '--window-size=%d,%d' % (metrics['width'],
                                         metrics['height']),
                '--user-agent=%s' % metrics['userAgent']):
        options.add_argument(arg)
    options.add_experimental_option('mobileEmulation', {
        'deviceMetrics': {'width': metrics['width'],
                          'height': metrics['height'],
                          'pixelRatio': metrics['pixelRatio']},
        'userAgent': metrics['userAgent']})
    options.add_experimental_option('prefs', {
        'download.default_directory': downloads,
        'download.prompt_for_download': False,
        'plugins.always_open_pdf_externally': True})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT * 2)
    try:
        driver.execute_cdp_cmd('Browser.setDownloadBehavior', {
            'behavior': 'allow', 'downloadPath': downloads})
    except Exception as exc:  # older drivers: the preferences above apply
        _logger.info('download folder left to the preferences: %s', exc)
    try:
        yield {'name': name, 'driver': driver, 'downloads': downloads,
               'metrics': metrics}
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


# -- the data of one run ----------------------------------------------------

def _labels(env, user):
    """What tech1 reads (zh_CN) on the repair form's buttons."""
    from lxml import etree
    arch = env['mrp.repair'].sudo(user).with_context(
        lang=LANG).fields_view_get(view_type='form')['arch']
    doc = etree.fromstring(arch)

    def button(name):
        labels = [b.get('string') for b in
                  doc.xpath('//header/button[@name=$n]', n=name)
                  if b.get('string')]
        assert labels, 'no button %s on the repair form' % name
        return labels[0]
    labels = {key: button(name) for key, name in (
        ('request_parts', 'action_issue_parts'),
        ('start', 'action_repair_start'),
        ('end', 'action_repair_end'),
        ('print', 'action_print_service_report'))}
    # the states in which each header button (by its label) can be used
    labels['states'] = [
        (b.get('string'), BUTTON_STATES.get(b.get('name')))
        for b in doc.xpath('//header/button') if b.get('string')]
    return labels


def _prepare_repair(size):
    """A repair request of Wang Lei's scooter (out of warranty: the parts
    are charged, so Finance releases the order), its repair order for
    tech1 confirmed by him, a battery serial in stock for the walk."""
    stamp = time.strftime('%m%d%H%M%S')
    with _Env(commit=True) as env:
        tech1 = env['res.users'].search([('login', '=', 'tech1')])
        cs = env['res.users'].search([('login', '=', 'cs')])
        assert tech1 and cs, 'demo users tech1 and cs are needed'
        unit = env.ref(UNIT_PRODUCT)
        customer = env.ref(CUSTOMER)
        serial_part = env.ref(SERIAL_PART)
        plain_part = env.ref(PLAIN_PART)
        stock = env.ref('stock.stock_location_stock')
        Lot = env['stock.production.lot']
        unit_lot = Lot.create({
            'name': 'GWS1-MOB-%s-%s' % (size.upper(), stamp),
            'product_id': unit.id,
            # sold six years ago: out of warranty, the parts are charged
            'warranty_start_manual': '2019-01-15'})
        part_lot = Lot.create({
            'name': 'BAT-MOB-%s-%s' % (size.upper(), stamp),
            'product_id': serial_part.id})
        env['stock.quant']._update_available_quantity(
            serial_part, stock, 1, lot_id=part_lot)
        if plain_part.with_context(location=stock.id).qty_available < 1:
            env['stock.quant']._update_available_quantity(
                plain_part, stock, 10)
        ticket = env['helpdesk.ticket'].sudo(cs).create({
            'name': '手机测试 %s %s：滑板车无法开机' % (size, stamp),
            'partner_id': customer.id,
            'request_type': 'repair',
            'urgency': 'urgent',
            'channel_id': env.ref(
                'helpdesk_mgmt.helpdesk_ticket_channel_phone').id,
            'product_id': unit.id,
            'lot_id': unit_lot.id,
            'fault_symptom': '淋雨后无法开机，仪表盘不亮。',
            'technician_id': tech1.id,
        })
        ticket.action_create_repair()
        repair = ticket.repair_ids
        assert len(repair) == 1, repair
        repair.sudo(tech1).action_validate()
        assert repair.state == 'confirmed', repair.state
        assert repair.technician_id == tech1
        return {
            'repair_id': repair.id,
            'repair_name': repair.name,
            'ticket_id': ticket.id,
            'customer': customer.name,
            'serial_part_code': serial_part.default_code,
            'serial_part_id': serial_part.id,
            'part_lot': part_lot.name,
            'part_lot_id': part_lot.id,
            'plain_part_code': plain_part.default_code,
            'plain_part_id': plain_part.id,
            'action_id': env.ref(MY_REPAIRS_ACTION).id,
            'tech1_id': tech1.id,
            'labels': _labels(env, tech1),
            'diagnosis': '第 7 串电芯电压 3.1 V，电池组无法均衡；'
                         '刹车片磨损。（%s）' % size,
        }


def _photo(folder):
    """A camera-sized JPEG (2400x1800): the server reduces it on upload."""
    from PIL import Image, ImageDraw
    image = Image.new('RGB', (2400, 1800), (40, 120, 90))
    draw = ImageDraw.Draw(image)
    for i in range(0, 2400, 200):
        draw.rectangle([i, 0, i + 100, 1800], fill=(200, 180, 40))
    path = os.path.join(folder, 'scooter_on_site.jpg')
    image.save(path, 'JPEG', quality=80)
    return path


# -- the walk ---------------------------------------------------------------

# what makes the page wider than the viewport: the deepest visible
# elements reaching past its right edge, and elements scrolling sideways
_WIDTH_JS = r"""
var vw = window.innerWidth, de = document.documentElement;
function visible(el) {
    if (!el.getClientRects().length) return false;
    var s = window.getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none';
}
function describe(el) {
    var d = el.tagName.toLowerCase();
    if (el.id) d += '#' + el.id;
    var cls = (typeof el.className === 'string' ? el.className : '')
        .trim().split(/\s+/).filter(Boolean).slice(0, 4);
    if (cls.length) d += '.' + cls.join('.');
    var name = el.getAttribute('name') || el.getAttribute('data-menu-xmlid');
    if (name) d += '[' + name + ']';
    var text = (el.innerText || el.value || '').replace(/\s+/g, ' ').trim();
    if (text) d += ' "' + text.slice(0, 30) + '"';
    return d;
}
var out = {scrollWidth: de.scrollWidth, innerWidth: vw, culprits: [],
           scrollers: []};
if (de.scrollWidth > vw) {
    var found = [];
    document.querySelectorAll('body *').forEach(function (el) {
        if (!visible(el)) return;
        var r = el.getBoundingClientRect();
        if (r.width && r.right > vw + 1) found.push([el, r]);
    });
    found.forEach(function (pair) {
        var el = pair[0];
        var deeper = found.some(function (other) {
            return other[0] !== el && el.contains(other[0]);
        });
        if (!deeper) out.culprits.push(
            describe(el) + ' (right edge ' + Math.round(pair[1].right) +
            ' px)');
    });
    out.culprits = out.culprits.slice(0, 8);
}
// the content area of the web client and of dialogs scroll by themselves:
// content wider than them is sideways scrolling too
document.querySelectorAll('.o_content, .modal-body').forEach(function (sc) {
    if (!visible(sc) || sc.scrollWidth <= sc.clientWidth + 1) return;
    var edge = sc.getBoundingClientRect().left + sc.clientWidth;
    var found = [];
    sc.querySelectorAll('*').forEach(function (el) {
        if (!visible(el)) return;
        var r = el.getBoundingClientRect();
        if (r.width && r.right > edge + 1) found.push([el, r]);
    });
    var culprits = [];
    found.forEach(function (pair) {
        var el = pair[0];
        if (!found.some(function (o) {
                return o[0] !== el && el.contains(o[0]); }))
            culprits.push(describe(el) + ' (right edge ' +
                          Math.round(pair[1].right) + ' px)');
    });
    out.scrollers.push({area: sc.classList.contains('modal-body') ?
                        'the dialog' : 'the content area',
                        scrollWidth: sc.scrollWidth, width: sc.clientWidth,
                        culprits: culprits.slice(0, 5)});
});
return out;
"""

_RECT_JS = r"""
var el = arguments[0];
el.scrollIntoView({block: 'center', inline: 'nearest'});
var r = el.getBoundingClientRect();
var x = r.left + r.width / 2, y = r.top + r.height / 2;
var top = document.elementFromPoint(x, y);
var covered = top && top !== el && !el.contains(top) && !top.contains(el);
function describe(node) {
    if (!node) return '';
    var d = node.tagName.toLowerCase();
    var cls = (typeof node.className === 'string' ? node.className : '')
        .trim().split(/\s+/).filter(Boolean).slice(0, 3);
    if (cls.length) d += '.' + cls.join('.');
    var text = (node.innerText || '').replace(/\s+/g, ' ').trim();
    if (text) d += ' "' + text.slice(0, 40) + '"';
    return d;
}
return {width: r.width, height: r.height, left: r.left, right: r.right,
        innerWidth: window.innerWidth,
        covered: covered ? describe(top) : null};
"""


def _slug(text):
    return re.sub(r'[^A-Za-z0-9]+', '_', text).strip('_')[:50] or 'x'


class MobileWalk(WebClient):
    """tech1's thumb on a small screen: every tap measured, every screen
    checked and photographed, layout problems collected."""

    def __init__(self, driver, base_url, size, folder):
        super(MobileWalk, self).__init__(driver, base_url)
        self.size = size
        self.folder = folder
        self.count = 0
        self.taps = 0
        self.steps = []     # (screenshot, step, result)
        self.problems = []  # (step, problem)
        self.notes = []
        self.targets = []   # (step, what, WxH)
        if os.path.isdir(folder):
            for old in os.listdir(folder):
                if old.endswith('.png'):
                    os.remove(os.path.join(folder, old))
        os.makedirs(folder, exist_ok=True)

    # -- waiting --------------------------------------------------------
    def error_dialog(self):
        """A visible error dialog (server error, warning, access error);
        wizards and the line dialog are not errors."""
        for el in self.driver.find_elements(*self.css('.modal')):
            try:
                if not el.is_displayed():
                    continue
                if el.find_elements(*self.css(
                        '.o_dialog_warning, .o_dialog_error')):
                    return el.text.strip()[:800]
                titles = el.find_elements(*self.css('.modal-title'))
                if titles and titles[0].text.strip() in ERROR_TITLES:
                    return el.text.strip()[:800]
            except Exception:  # stale element
                continue
        return None

    def error_notification(self):
        for el in self.driver.find_elements(
                *self.css('.o_notification.o_error')):
            try:
                if el.is_displayed():
                    return el.text.strip()[:500]
            except Exception:
                continue
        return None

    def wait(self, condition, step, timeout=WAIT):
        """until(), failing at once on an error notification too."""
        def cond(driver):
            note = self.error_notification()
            if note:
                raise AssertionError(
                    'While waiting for %s the web client shows an error '
                    'notification: %r' % (step, note))
            return condition(driver)
        return self.until(cond, step, timeout=timeout)

    def settle(self, step='the web client to finish loading'):
        """No request of the web client in flight and no blocked UI, three
        times in a row."""
        script = ("return window.jQuery ? jQuery('.oe_wait').length + "
                  "jQuery('.blockUI:visible').length : 0;")
        calm = [0]

        def quiet(driver):
            busy = driver.execute_script(script)
            calm[0] = 0 if busy else calm[0] + 1
            return calm[0] >= 3
        self.until(quiet, step)

    def first_visible(self, selector, root=None):
        for el in (root or self.driver).find_elements(*self.css(selector)):
            try:
                if el.is_displayed():
                    return el
            except Exception:
                continue
        return None

    def wait_visible(self, selector, step, timeout=WAIT, root=None):
        return self.wait(lambda d: self.first_visible(selector, root), step,
                         timeout=timeout)

    def dialog(self):
        return self.first_visible('.modal .modal-dialog')

    # -- the checks of a screen -------------------------------------------
    def problem(self, step, message):
        self.problems.append((step, message))

    def check_screen(self, step, dialog_ok=False):
        """Settle, photograph and check the screen: page width, error
        dialogs (any dialog unless dialog_ok), error notifications."""
        outer = self.step
        self.settle('screen "%s" to load' % step)
        self.step = outer
        time.sleep(0.3)  # let widgets draw before the picture
        self.count += 1
        name = '%02d_%s' % (self.count, _slug(step))
        path = os.path.join(self.folder, '%s.png' % name)
        try:
            self.driver.save_screenshot(path)
        except Exception as exc:
            path = '(no screenshot: %s)' % exc
        width = self.driver.execute_script(_WIDTH_JS)
        result = []
        if width['scrollWidth'] > width['innerWidth']:
            message = ('page %d px wide in a %d px viewport (sideways '
                       'scrolling); reaching past the edge: %s' % (
                           width['scrollWidth'], width['innerWidth'],
                           '; '.join(width['culprits']) or '?'))
            self.problem(name, message)
            result.append('TOO WIDE %d px' % width['scrollWidth'])
        for scroller in width['scrollers']:
            self.problem(name, '%s is %d px wide in %d px (sideways '
                         'scrolling); reaching past the edge: %s' % (
                             scroller['area'], scroller['scrollWidth'],
                             scroller['width'],
                             '; '.join(scroller['culprits']) or '?'))
            result.append('%s TOO WIDE' % scroller['area'])
        dialog = self.error_dialog()
        if dialog is None and not dialog_ok and self.dialog():
            dialog = self.dialog().text.strip()[:800]
        if dialog:
            raise AssertionError('The web client shows a dialog at step '
                                 '"%s": %r' % (step, dialog))
        note = self.error_notification()
        if note:
            raise AssertionError('The web client shows an error '
                                 'notification at step "%s": %r'
                                 % (step, note))
        self.steps.append((path, step, ', '.join(result) or 'ok'))
        return path

    # -- taps --------------------------------------------------------------
    def measure(self, el, what, step, field=False):
        """Check the size of a target (without tapping it); a field
        (``field``) is also wide enough to read its value."""
        rect = self.driver.execute_script(_RECT_JS, el)
        size = '%dx%d' % (round(rect['width']), round(rect['height']))
        self.targets.append((step, what, size))
        if rect['width'] < MIN_TARGET or rect['height'] < MIN_TARGET:
            self.problem(step, 'target %s is %s px (under %d px)'
                         % (what, size, MIN_TARGET))
        elif field and rect['width'] < MIN_FIELD_WIDTH:
            self.problem(step, '%s is %s px: too narrow to read what is '
                         'typed or chosen in it (under %d px)'
                         % (what, size, MIN_FIELD_WIDTH))
        if rect['right'] > rect['innerWidth'] + 1 or rect['left'] < -1:
            self.problem(step, 'target %s lies outside the screen (%d..%d '
                         'px of %d px)' % (what, rect['left'], rect['right'],
                                           rect['innerWidth']))
        return rect

    def tap(self, el, what, step=None, field=False):
        """Tap ``el`` as a thumb would: measure it, make sure nothing
        covers it (a notification over Save, say), then click."""
        step = step or self.step
        rect = self.measure(el, what, step, field=field)
        if rect['covered']:
            self.problem(step, 'target %s is covered by %s' % (
                what, rect['covered']))

            def uncovered(driver):
                return not driver.execute_script(_RECT_JS, el)['covered']
            self.wait(uncovered, '%s to be uncovered' % what)
        el.click()
        self.taps += 1

    # -- gestures ----------------------------------------------------------
    def login_as(self, login):
        By = self.By
        self.driver.get(self.base_url + '/web/login')
        self.wait(self.visible('form.oe_login_form input#login'),
                  'the login form')
        self.check_screen('login')
        self.driver.find_element(By.ID, 'login').send_keys(login)
        self.driver.find_element(By.ID, 'password').send_keys(login)
        self.taps = 0
        self.tap(self.driver.find_element(
            By.CSS_SELECTOR, 'form.oe_login_form button[type=submit]'),
            'the login button', 'login')

        def logged_in(driver):
            if driver.find_elements(By.CSS_SELECTOR,
                                    'form.oe_login_form .alert-danger'):
                raise AssertionError('logging in as %s was refused' % login)
            return '/web/login' not in driver.current_url and \
                driver.find_elements(By.CSS_SELECTOR,
                                     '.o_web_client .o_main_content')
        self.wait(logged_in, 'the web client after logging in as %s' % login)

    def header_button(self, label, step):
        """Tap the header button the user reads as ``label``: in the
        status bar, or in the actions menu that OCA web_responsive folds
        them into on small screens (one tap more)."""
        def find(driver):
            for el in driver.find_elements(*self.css(
                    '.o_form_view .o_form_statusbar button')):
                try:
                    if el.is_displayed() and el.text.strip() == label:
                        return el
                except Exception:
                    continue
            return None

        def found_or_toggle(driver):
            el = find(driver)
            if el:
                return el
            menu = self.first_visible(
                '.o_form_view .o_statusbar_buttons_dropdown')
            toggle = menu and self.first_visible('.dropdown-toggle', menu)
            if toggle and 'open' not in (menu.get_attribute('class') or ''):
                self.tap(toggle, 'the actions menu toggle', step)
                self.check_screen(step + ' menu')
            return False
        el = self.wait(found_or_toggle, 'the "%s" button' % label)
        self.check_buttons(step)
        self.tap(el, 'the "%s" button' % label, step)

    def check_buttons(self, step):
        """The header buttons shown are those of the order's state: a
        button of the workflow that cannot be used in this state
        (BUTTON_STATES) is not offered."""
        state = self.repair_state()
        shown = set()
        for el in self.driver.find_elements(*self.css(
                '.o_form_view .o_form_statusbar button')):
            try:
                if el.is_displayed() and not el.find_elements(
                        self.By.XPATH, 'ancestor::*[contains(@class, '
                        '"o_statusbar_status")]'):
                    shown.add(el.text.strip())
            except Exception:
                continue
        for label in sorted(shown):
            declared = [states for text, states in self.button_states
                        if text == label]
            if declared and all(states is not None and state not in states
                                for states in declared):
                self.problem(step, 'the button "%s" is offered on an order '
                             'in state %s; it can be used in states %s '
                             'only' % (label, state, ', '.join(sorted(set(
                                 s for states in declared for s in states)))))

    def tab(self, field, what, step):
        """Open the notebook page holding ``field``."""
        def header(driver):
            for pane in driver.find_elements(*self.css(
                    '.o_form_view .o_notebook .tab-pane')):
                if pane.find_elements(*self.css(
                        '.o_field_widget[name="%s"]' % field)):
                    link = driver.find_elements(*self.css(
                        '.o_form_view .o_notebook > ul.nav-tabs a[href="#%s"]'
                        % pane.get_attribute('id')))
                    if link and link[0].is_displayed():
                        return link[0]
            return False
        self.tap(self.wait(header, 'the tab %s' % what), 'the tab %s' % what,
                 step)
        self.wait_visible('.o_form_view .o_field_widget[name="%s"]' % field,
                          'the field %s on its tab' % field)
        self.settle()

    def many2one(self, field, search, choice, step, scope):
        """Type ``search`` in a many2one and tap the entry containing
        ``choice``."""
        box = self.wait_visible(
            '%s .o_field_widget[name="%s"] input' % (scope, field),
            'the field %s' % field)
        self.tap(box, 'the field %s' % field, step, field=True)
        box.clear()
        box.send_keys(search)

        def entry(driver):
            for ul in driver.find_elements(*self.css('ul.ui-autocomplete')):
                try:
                    if not ul.is_displayed():
                        continue
                    for a in ul.find_elements(*self.css('li a')):
                        if choice in a.text:
                            return a
                except StaleElementReferenceException:
                    return False  # the list is drawn again: look again
            return False
        what = 'the entry "%s" of the field %s' % (choice, field)
        self.wait(entry, what)
        # the search runs as one types: the list may be drawn again
        self.settle()
        self.check_screen('%s %s choices' % (step, field.replace(
            '_id', '')), dialog_ok=True)
        for attempt in range(3):
            try:
                self.tap(self.wait(entry, what), what, step)
                break
            except StaleElementReferenceException:
                if attempt == 2:
                    raise
        self.settle()

    def save_form(self, step):
        self.tap(self.wait_visible(
            '.o_control_panel .o_form_buttons_edit .o_form_button_save',
            'the Save button'), 'the Save button', step)
        self.wait(lambda d: self.first_visible(
            '.o_form_view.o_form_readonly'), 'the saved repair order')
        self.settle()

    def edit_form(self, step):
        self.tap(self.wait_visible(
            '.o_control_panel .o_form_buttons_view .o_form_button_edit',
            'the Edit button'), 'the Edit button', step)
        self.wait_visible('.o_form_view.o_form_editable', 'edit mode')
        self.settle()

    def state_label(self):
        el = self.first_visible(
            '.o_form_view .o_statusbar_status button.btn-primary')
        return el.text.strip() if el else ''

    # -- the parts -----------------------------------------------------------
    def add_part(self, code, lot, step):
        """Add a part line: the line's dialog on a phone (Odoo shows the
        lines as cards there), the list's new row elsewhere."""
        ops = '.o_form_view .o_field_widget[name="operations"]'
        add = self.first_visible(ops + ' .o-kanban-button-new')
        if add:
            self.tap(add, 'the Add button of the parts', step)
            scope = '.modal .o_form_view'
            self.wait_visible(scope + ' .o_field_widget[name="product_id"]',
                              'the part line dialog')
            self.settle()
            self.check_screen(step + ' dialog', dialog_ok=True)
            kind = self.first_visible(
                scope + ' .o_field_widget[name="type"]')
            if not kind:
                self.problem(step, 'the line dialog does not show the type '
                                   'of the line')
            elif not kind.find_elements(*self.css(
                    'input[data-value="add"]:checked')):
                self.problem(step, 'the line dialog does not propose the '
                                   'type "add"')
        else:
            link = self.wait_visible(
                ops + ' .o_field_x2many_list_row_add a',
                'the "Add an item" link of the parts')
            self.tap(link, 'the "Add an item" link of the parts', step)
            scope = ops + ' tr.o_selected_row'
            self.wait_visible(scope + ' .o_field_widget[name="product_id"]',
                              'the new part row')
        self.many2one('product_id', code, code, step, scope)
        if lot:
            self.many2one('lot_id', lot, lot, step, scope)
        self.check_screen(step, dialog_ok=True)
        if add:
            footer = self.wait_visible('.modal .modal-footer .btn-primary',
                                       'the Save button of the dialog')
            self.tap(footer, 'the Save & Close button of the dialog', step)
            self.wait(lambda d: not self.dialog(),
                      'the line dialog to close after saving')
            self.settle()

    def part_count(self):
        ops = '.o_form_view .o_field_widget[name="operations"]'
        return len([el for el in self.driver.find_elements(*self.css(
            ops + ' .o_kanban_record:not(.o_kanban_ghost), '
            + ops + ' tr.o_data_row')) if el.is_displayed()])

    def summary(self):
        lines = ['size: %s' % self.size,
                 'taps from the login button to the repair form: %s'
                 % getattr(self, 'taps_to_form', '?'),
                 'taps of the whole path (login to printed report): %s'
                 % self.taps, '', 'steps:']
        lines += ['  %s  %s  %s' % (os.path.basename(path), step, result)
                  for path, step, result in self.steps]
        lines += ['', 'problems (%d):' % len(self.problems)]
        lines += ['  %s: %s' % p for p in self.problems]
        lines += ['', 'notes:'] + ['  ' + n for n in self.notes]
        lines += ['', 'targets tapped:']
        lines += ['  %s: %s %s' % t for t in self.targets]
        return '\n'.join(lines)


def _wait_state(walk, data, states, step):
    """Wait for the order to reach one of ``states`` (the server answered
    the button), then for the client to show it."""
    def reached(driver):
        with _Env() as env:
            return env['mrp.repair'].browse(
                data['repair_id']).state in states
    walk.wait(reached, step)
    walk.wait(lambda d: walk.first_visible('.o_form_view.o_form_readonly'),
              step + ' on the form')
    walk.settle()


def _walk(walk, data, photo, full=True):
    """The technician's path; raises on an error or a dead end. Not
    ``full``: up to the saved part lines (the layouts that differ between
    a phone and a tablet: the home cards, the form, the parts list)."""
    labels = data['labels']
    walk.login_as('tech1')

    # -- his repairs first ----------------------------------------------
    def home(driver):
        state = walk.url_state()
        return state.get('action') == str(data['action_id']) and \
            walk.first_visible('.o_kanban_view .o_kanban_record')
    walk.wait(home, 'his repairs (kanban cards) as the home screen')

    def card(driver):
        for el in driver.find_elements(*walk.css(
                '.o_kanban_view .o_kanban_record')):
            if el.is_displayed() and data['repair_name'] in el.text:
                return el
        return False
    card_el = walk.wait(card, 'the card of %s' % data['repair_name'])
    walk.check_screen('home my repairs')
    # the customer one tap away: a tel: link and the phone's map app
    for selector, scheme, what in (
            ('a[href^="tel:"]', 'tel:', 'the Call link of the card'),
            ('a[href^="geo:"]', 'geo:', 'the Map link of the card')):
        link = walk.first_visible(selector, card_el)
        if not link:
            walk.problem('home my repairs', 'the card has no %s link (%s)'
                         % (scheme, what))
        else:
            walk.measure(link, what, 'home my repairs')
    cards = [el.text for el in walk.driver.find_elements(
        *walk.css('.o_kanban_view .o_kanban_record')) if el.is_displayed()]
    with _Env() as env:
        repairs = env['mrp.repair'].search([
            ('technician_id', '=', data['tech1_id']),
            ('state', 'not in', ('done', 'cancel'))])
        ranks = {r.name: r.urgency_rank for r in repairs}
    shown = [next((rank for name, rank in ranks.items() if name in text),
                  None) for text in cards]
    if None in shown or shown != sorted(shown):
        walk.problem('home my repairs', 'his cards are not his open repairs '
                     'urgent first: %s' % ' | '.join(
                         ' '.join(text.split())[:40] for text in cards))
    # his filters (My Repairs, urgent...) are reachable: the search
    # options toggle (phone) and the Filters button (tablet) are targets
    for selector, what in (
            ('.o_control_panel .o_searchview_more', 'the search options '
             'toggle'),
            ('.o_control_panel .o_search_options .o_filters_menu_button, '
             '.o_control_panel .o_search_options .o_dropdown_toggler_btn',
             'the Filters button')):
        el = walk.first_visible(selector)
        if el:
            walk.measure(el, what, 'home my repairs')
    # tap the card (its heading: the card opens the order; its links call)
    target = walk.first_visible('.o_kanban_record_headings', card_el) or \
        card_el
    walk.measure(card_el, 'the repair card', 'home my repairs')
    walk.tap(target, 'the heading of the repair card', 'home my repairs')
    walk.wait(lambda d: walk.url_state().get('id') == str(
        data['repair_id']) and walk.first_visible(
            '.o_form_view.o_form_readonly'), 'the repair order form')
    walk.taps_to_form = walk.taps
    walk.check_screen('repair form')

    # -- diagnosis -------------------------------------------------------
    walk.edit_form('edit')
    walk.tab('diagnosis', 'Diagnosis', 'diagnosis')
    text = walk.wait_visible('.o_form_view .o_field_widget[name="diagnosis"]',
                             'the diagnosis field')
    walk.tap(text, 'the diagnosis field', 'diagnosis')
    text.clear()
    text.send_keys(data['diagnosis'])
    walk.check_screen('diagnosis entered')

    # -- parts -------------------------------------------------------------
    walk.tab('operations', 'Parts', 'parts')
    walk.check_screen('parts tab')
    before = walk.part_count()
    walk.add_part(data['serial_part_code'], data['part_lot'],
                  'serial part')
    walk.add_part(data['plain_part_code'], None, 'plain part')
    walk.check_screen('parts added')
    walk.save_form('save')
    walk.wait(lambda d: walk.part_count() == before + 2,
              'the two part lines on the saved order')
    walk.check_screen('saved with parts')
    with _Env() as env:
        repair = env['mrp.repair'].browse(data['repair_id'])
        assert repair.diagnosis == data['diagnosis'], repair.diagnosis
        lines = repair.operations
        assert sorted(lines.mapped('product_id').ids) == sorted(
            [data['serial_part_id'], data['plain_part_id']]), \
            lines.mapped('product_id.display_name')
        battery = lines.filtered(
            lambda line: line.product_id.id == data['serial_part_id'])
        assert battery.lot_id.id == data['part_lot_id'], battery.lot_id
        assert set(lines.mapped('type')) == {'add'}, lines.mapped('type')
        assert all(lines.mapped('location_id')) and all(
            lines.mapped('location_dest_id')), 'part lines without locations'
    if not full:
        # the rest of the day uses the same widgets at every width (header
        # buttons, tabs, a file input, a select): walked on the phone, the
        # narrowest; AFTERSALES_FULL_WALK=1 walks it at this size too
        walk.notes.append('walk ended after the parts (the rest is walked '
                          'at phone size; AFTERSALES_FULL_WALK=1 walks it '
                          'here too)')
        return

    # -- request the parts ------------------------------------------------
    walk.header_button(labels['request_parts'], 'request parts')
    walk.wait(lambda d: walk.url_state().get('model') == 'stock.picking' and
              walk.first_visible('.o_form_view'),
              'the parts transfer opened by Request Parts')
    walk.check_screen('parts requested')
    with _Env() as env:
        repair = env['mrp.repair'].browse(data['repair_id'])
        pickings = repair.parts_picking_ids.filtered(
            lambda p: p.state not in ('done', 'cancel'))
        assert pickings, 'Request Parts made no transfer'
    crumbs = [el for el in walk.driver.find_elements(*walk.css(
        '.o_control_panel .breadcrumb li a')) if el.is_displayed()]
    assert crumbs, 'no way back to the repair order (breadcrumb)'
    walk.tap(crumbs[-1], 'the breadcrumb back to the repair order',
             'back to the order')
    walk.wait(lambda d: walk.url_state().get('model') == 'mrp.repair' and
              walk.first_visible('.o_form_view.o_form_readonly'),
              'the repair order again')
    walk.check_screen('back to the order')

    # -- a photo from the camera -----------------------------------------
    walk.edit_form('photo')
    walk.tab('aftersales_photo_ids', 'Diagnosis (photos)', 'photo')
    field = '.o_form_view .o_field_widget[name="aftersales_photo_ids"]'
    button = walk.wait_visible(field + ' .o_attach', 'the Photos button')
    # the button opens the file input: the phone's camera with capture
    walk.measure(button, 'the Photos button', 'photo')
    inputs = walk.driver.find_elements(
        *walk.css(field + ' input[type="file"]'))
    assert inputs, 'the Photos field has no file input'
    capture = inputs[0].get_attribute('capture')
    if not capture:
        walk.problem('photo', 'the file input of the Photos field has no '
                     'capture attribute: the phone opens its files, not '
                     'its camera')
    walk.taps += 1  # the tap on the Photos button, the camera answers
    inputs[0].send_keys(photo)
    walk.wait(lambda d: walk.first_visible(
        field + ' .oe_attachment a.o_image[data-src]'),
        'the uploaded photo in the Photos field')
    walk.check_screen('photo attached')
    # a wrong photo is taken off with the cross of its preview
    cross = walk.first_visible(field + ' .oe_attachment .oe_delete')
    assert cross, 'the uploaded photo has no delete button'
    walk.measure(cross, 'the delete cross of the photo', 'photo attached')
    walk.save_form('photo saved')
    walk.check_screen('photo saved')
    with _Env() as env:
        from PIL import Image
        repair = env['mrp.repair'].browse(data['repair_id'])
        photos = repair.aftersales_photo_ids
        assert len(photos) == 1, photos
        size = Image.open(io.BytesIO(base64.b64decode(photos.datas))).size
        limit = env.user.company_id.aftersales_repair_photo_max_px
        assert max(size) <= limit, (
            'the photo was not reduced on upload: %sx%s' % size)

    # -- Finance releases, the warehouse issues (their own screens) -------
    with _Env(commit=True) as env:
        repair = env['mrp.repair'].browse(data['repair_id'])
        finance = env['res.users'].search([('login', '=', 'finance')])
        warehouse = env['res.users'].search([('login', '=', 'warehouse')])
        assert finance and warehouse, 'demo users finance and warehouse'
        if repair._aftersales_release_needed():
            wizard = env['aftersales.finance.release.wizard'].sudo(
                finance).with_context(
                    default_res_model='mrp.repair',
                    default_res_id=repair.id).create({
                        'mode': 'vouched',
                        'vouch_user_id': data['tech1_id']})
            wizard.action_release()
        for picking in repair.parts_picking_ids.filtered(
                lambda p: p.state not in ('done', 'cancel')):
            picking.sudo(warehouse).button_validate()
            assert picking.state == 'done', picking.state
    walk.driver.refresh()  # the technician pulls the page down
    walk.wait(lambda d: walk.first_visible('.o_form_view.o_form_readonly'),
              'the repair order after the parts were issued')
    walk.check_screen('parts issued')

    # -- the work ----------------------------------------------------------
    walk.header_button(labels['start'], 'start repair')
    _wait_state(walk, data, ('under_repair',), 'the repair under way')
    walk.check_screen('repair started')
    walk.edit_form('test result')
    walk.tab('test_result', 'Diagnosis (test result)', 'test result')
    select = walk.wait_visible(
        '.o_form_view select.o_field_widget[name="test_result"], '
        '.o_form_view .o_field_widget[name="test_result"] select',
        'the test result field')
    walk.tap(select, 'the test result field', 'test result')
    from selenium.webdriver.support.ui import Select
    Select(select).select_by_value('"passed"')
    walk.check_screen('test passed')
    walk.save_form('test result saved')
    walk.header_button(labels['end'], 'end repair')
    _wait_state(walk, data, ('2binvoiced', 'done'), 'the repair ended')
    with _Env() as env:
        repair = env['mrp.repair'].browse(data['repair_id'])
        assert repair.date_end, 'End Repair did not stamp the end'
    walk.check_screen('repair ended')

    # -- the service report ---------------------------------------------
    downloads = walk.downloads
    before = set(os.listdir(downloads))
    walk.header_button(labels['print'], 'print service report')

    def pdf(driver):
        if walk.error_dialog():
            raise AssertionError('printing shows %r' % walk.error_dialog())
        for name in set(os.listdir(downloads)) - before:
            if name.endswith('.pdf'):
                return os.path.join(downloads, name)
        return False
    path = walk.wait(pdf, 'the service report PDF in the downloads',
                     timeout=WAIT * 4)
    walk.settle()
    walk.check_screen('service report printed')
    with open(path, 'rb') as report:
        assert report.read(5) == b'%PDF-', 'the service report is no PDF'
    walk.notes.append('service report downloaded: %s (%d bytes)' % (
        os.path.basename(path), os.path.getsize(path)))


def test_technician_day_on_small_screens(odoo_server, device, tech1_zh):
    """Issue 26: tech1's day at phone and tablet size, in zh_CN."""
    size = device['name']
    folder = os.path.join(_work_dir(), 'screenshots', 'mobile', size)
    data = _prepare_repair(size)
    walk = MobileWalk(device['driver'], odoo_server['url'], size, folder)
    walk.downloads = device['downloads']
    walk.button_states = data['labels']['states']

    def repair_state():
        with _Env() as env:
            return env['mrp.repair'].browse(data['repair_id']).state
    walk.repair_state = repair_state
    photo_dir = tempfile.mkdtemp(prefix='aftersales_photo_')
    failure = None
    try:
        _walk(walk, data, _photo(photo_dir),
              full=size == 'phone' or FULL_WALK)
    except Exception as exc:
        walk.count += 1
        shot = os.path.join(folder, '%02d_FAILED_%s.png' % (
            walk.count, _slug(walk.step)))
        try:
            walk.driver.save_screenshot(shot)
        except Exception:
            shot = '(no screenshot)'
        failure = ('the walk stopped at "%s": %s\nScreenshot: %s'
                   % (walk.step, exc, shot))
        walk.problem('STOPPED', failure)
    finally:
        shutil.rmtree(photo_dir, ignore_errors=True)
        with open(os.path.join(folder, 'summary.txt'), 'w',
                  encoding='utf-8') as out:
            out.write(walk.summary() + '\n')
        with open(os.path.join(folder, 'summary.json'), 'w',
                  encoding='utf-8') as out:
            json.dump({'size': size, 'repair': data['repair_name'],
                       'taps_to_form': getattr(walk, 'taps_to_form', None),
                       'taps': walk.taps,
                       'steps': walk.steps, 'problems': walk.problems,
                       'notes': walk.notes, 'targets': walk.targets},
                      out, ensure_ascii=False, indent=1)
        with _Env(commit=True) as env:
            repair = env['mrp.repair'].browse(data['repair_id'])
            if repair.state not in ('done', '2binvoiced', 'cancel'):
                # an unfinished walk: out of tech1's list of open repairs
                try:
                    repair.action_repair_cancel()
                except Exception as exc:  # noqa: B902 (best effort)
                    walk.notes.append('could not cancel %s: %s'
                                      % (repair.name, exc))
    if failure:
        raise AssertionError('%s (%s)\n%s\nAll problems so far:\n%s\n'
                             'Server log (tail):\n%s' % (
                                 failure.splitlines()[0], size,
                                 failure, walk.summary(),
                                 _tail(odoo_server['log'], 25)))
    if walk.problems:
        pytest.fail(
            'The technician\'s path at %s size has %d problem(s) (layout, '
            'buttons; screenshots in %s):\n%s' % (
                size, len(walk.problems), folder,
                '\n'.join('  %s: %s' % p for p in walk.problems)),
            pytrace=False)
