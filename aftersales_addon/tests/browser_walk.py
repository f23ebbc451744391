# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers of the per-department browser tests (test_browser_departments):
the gestures of a user in the Odoo 11 web client (menus, views, buttons
found by the label the user reads, fields, wizards), and the checks made
on every screen: no error dialog, no English word outside a short
allowlist, a screenshot for a person to look at.

Not a test module: pytest collects nothing here.
"""
import json
import os
import re
import time

from lxml import etree

from .test_browser import WAIT, WebClient, _Env, _work_dir

LANG = 'zh_CN'

# Words a Chinese after-sales team reads as they are. Kept SHORT: every
# entry is a proper name, a unit or a code, never an English UI word.
ALLOWED_WORDS = {
    # currencies, units and formats
    'cny', 'rmb', 'usd', 'pdf', 'csv', 'xls', 'xlsx', 'kwh', 'bms',
    # trade abbreviation written as is in Chinese after-sales (开箱即损 DOA)
    'doa',
    # the software and the demo company's brand
    'odoo', 'greenwheel',
    # pinyin of the demo people (proper names)
    'zhang', 'wei', 'chen', 'jun', 'liu', 'yang', 'huang', 'min', 'zhao',
    'hao', 'sun', 'mei', 'zhou', 'ting', 'wang', 'qiang', 'lei',
    # Odoo's own demo repair orders (mrp_repair.mrp_repair_rmrp0..2: an
    # "iPad mini" of Camptocamp and of ASUSTeK's Tang Tsui), listed with
    # the addon's: Odoo's own mrp_repair tests (the host A/B step) need
    # them as they are, in draft; brand and company names
    'ipad', 'camptocamp', 'asustek', 'tang', 'tsui',
}

# a token with a digit, an e-mail or domain, or an upper-case code with
# dashes/slashes (GW-S1, SP-LED-HL, WH/RPI/00001, HT00008) is a code
_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/.@:'&]*")
_CODE_RE = re.compile(r'^[A-Z0-9]+([\-/_][A-Z0-9]+)+$')
_WORD_RE = re.compile(r'[A-Za-z]{3,}')


def english_words(text):
    """The English words of ``text`` that a Chinese user should not read:
    words of 3+ Latin letters that are not codes, serials, e-mails or
    allowed proper names."""
    found = []
    for token in _TOKEN_RE.findall(text or ''):
        token = token.rstrip('.:-/\'&')
        if not token or any(c.isdigit() for c in token) or '@' in token \
                or '.' in token or _CODE_RE.match(token):
            continue
        for word in _WORD_RE.findall(token):
            if word.lower() not in ALLOWED_WORDS:
                found.append(word)
    return found


# visible text of a screen, each piece with where it is; inputs and
# selects give their value, empty inputs their placeholder
_VISIBLE_TEXT_JS = r"""
var roots = arguments[0], out = [], seen = new Set();
function visible(el) {
    if (!el || !el.getClientRects().length) return false;
    var style = window.getComputedStyle(el);
    return style.visibility !== 'hidden' && style.opacity !== '0';
}
function where(el) {
    var c;
    if (el.closest('.modal')) {
        var t = el.closest('.modal').querySelector('.modal-title');
        var pre = 'dialog "' + (t ? t.textContent.trim() : '') + '" ';
    } else {
        var pre = '';
    }
    if (el.closest('#odooAppDrawer')) return pre + 'app drawer';
    if (el.closest('#oe_main_menu_navbar, header')) return pre + 'top menu';
    if (el.closest('.o_sub_menu')) return pre + 'side menu';
    if (el.closest('.o_chatter, .o_mail_thread, .o_mail_activity'))
        return pre + 'chatter';
    if (el.closest('.breadcrumb')) return pre + 'title';
    if (el.closest('.o_searchview, .o_search_options')) return pre + 'search';
    if (el.closest('.o_control_panel')) return pre + 'control panel';
    if ((c = el.closest('.o_statusbar_status'))) return pre + 'status bar';
    if ((c = el.closest('button'))) return pre + 'button';
    if ((c = el.closest('.o_field_widget[name]')))
        return pre + 'field ' + c.getAttribute('name');
    if ((c = el.closest('thead th'))) return pre + 'column header';
    if ((c = el.closest('label, .o_form_label, .o_td_label')))
        return pre + 'label';
    if ((c = el.closest('.nav-tabs'))) return pre + 'tab';
    if ((c = el.closest('.o_group_header, .o_column_title, .o_kanban_header')))
        return pre + 'group';
    if ((c = el.closest('.o_kanban_record'))) return pre + 'kanban card';
    if ((c = el.closest('td'))) return pre + 'cell';
    if ((c = el.closest('.o_pivot, .o_graph, .o_graph_svg_container, svg')))
        return pre + 'chart';
    if ((c = el.closest('.o_notification'))) return pre + 'notification';
    return pre + 'text';
}
function push(el, text) {
    text = (text || '').replace(/\s+/g, ' ').trim();
    if (!text) return;
    var key = where(el) + '\u0001' + text;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([where(el), text]);
}
roots.forEach(function (selector) {
    document.querySelectorAll(selector).forEach(function (root) {
        if (!visible(root)) return;
        var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        var node;
        while ((node = walker.nextNode())) {
            var el = node.parentElement;
            if (!el || el.closest('script, style, .sr-only')) continue;
            if (visible(el)) push(el, node.nodeValue);
        }
        var inputs = root.querySelectorAll('input, textarea, select');
        inputs.forEach(function (el) {
            if (!visible(el) || el.type === 'hidden' || el.type === 'checkbox'
                    || el.type === 'radio') return;
            if (el.tagName === 'SELECT') {
                var opt = el.options[el.selectedIndex];
                push(el, opt ? opt.text : '');
            } else if (el.value) {
                push(el, el.value);
            } else {
                push(el, el.getAttribute('placeholder'));
            }
        });
    });
});
return out;
"""

SCREEN_ROOTS = ['#oe_main_menu_navbar', 'header', '.o_sub_menu',
                '.o_main_content', '.modal', '.o_notification_manager']

ERROR_DIALOG_TITLES = (
    'Odoo Server Error', 'Odoo Client Error', 'Access Error', 'User Error',
    'Validation Error', 'Warning', 'Missing Record',
    'Odoo 服务器错误', 'Odoo 客户端错误', '访问错误', '用户错误', '验证错误',
    '警告', '丢失记录')


# functions every script of DeptClient._js may use: visibility as the
# user sees it (laid out, not hidden), and an element's visible text
_JS_HELPERS = r"""
function isVisible(el) {
    if (!el || !el.getClientRects().length) return false;
    var style = window.getComputedStyle(el);
    return style.visibility !== 'hidden' && style.opacity !== '0';
}
function visibleAll(selector) {
    return Array.prototype.filter.call(
        document.querySelectorAll(selector), isVisible);
}
function textOf(el) { return (el.innerText || '').trim(); }
"""

# seconds between two looks at the browser while waiting
POLL = 0.1

# something is still loading or drawing: a request of the web client (its
# loading indicator), the UI blocked, a graph view whose chart is not drawn
# yet (nvd3 draws after the data came) or a pivot table not rendered
_BUSY_JS = r"""
if (!window.jQuery) return 'no web client yet';
if (jQuery('.oe_wait').length) return 'request';
if (jQuery('.blockUI:visible').length) return 'blocked';
var graph = jQuery('.o_view_manager_content .o_graph:visible');
if (graph.length && !graph.find('svg, .o_view_nocontent, .oe_view_nocontent'
        ).length) return 'graph';
var pivot = jQuery('.o_view_manager_content .o_pivot:visible');
if (pivot.length && !pivot.find('table, .o_view_nocontent, '
        + '.oe_view_nocontent').length) return 'pivot';
return '';
"""


def _slug(text):
    return re.sub(r'[^A-Za-z0-9]+', '_', text or '').strip('_')[:60] or 'x'


class Problems(object):
    """Problems of one department or one step, collected so that one run
    shows all of them: errors (dialogs, dead ends) and English text."""

    def __init__(self, title):
        self.title = title
        self.errors = []      # (screen, message)
        self.english = {}     # (where, text) -> {'words', 'screens'}
        self.screens = []     # (screen, screenshot path)
        self.notes = []       # what the reader should know, not a failure
        # (screen, seconds to reach it, to photograph it, to check it)
        self.timings = []

    def error(self, screen, message):
        self.errors.append((screen, message))

    def add_english(self, screen, where, text, words):
        entry = self.english.setdefault(
            (where, text), {'words': words, 'screens': []})
        if screen not in entry['screens']:
            entry['screens'].append(screen)

    def __bool__(self):
        return bool(self.errors or self.english)

    def report(self):
        lines = ['%s: %d error(s), %d English text(s) on %d screen(s)' % (
            self.title, len(self.errors), len(self.english),
            len(self.screens))]
        for note in self.notes:
            lines.append('  NOTE: %s' % note)
        for screen, message in self.errors:
            lines.append('  ERROR on %s: %s' % (screen, message))
        for (where, text), entry in sorted(
                self.english.items(), key=lambda kv: kv[1]['screens'][0]):
            screens = entry['screens']
            lines.append('  ENGLISH %s: "%s" [%s] on %s%s' % (
                where, text[:120], ', '.join(sorted(set(entry['words']))),
                screens[0], ' (+%d more screens)' % (len(screens) - 1)
                if len(screens) > 1 else ''))
        return '\n'.join(lines)

    def save(self, folder):
        os.makedirs(folder, exist_ok=True)
        english = [{'where': where, 'text': text, 'words': entry['words'],
                    'screens': entry['screens']}
                   for (where, text), entry in self.english.items()]
        with open(os.path.join(folder, 'problems.json'), 'w',
                  encoding='utf-8') as out:
            json.dump({'title': self.title, 'notes': self.notes,
                       'errors': self.errors, 'screens': self.screens,
                       'english': english},
                      out, ensure_ascii=False, indent=1)
        path = os.path.join(folder, 'problems.txt')
        with open(path, 'w', encoding='utf-8') as out:
            out.write(self.report() + '\n\nScreens:\n')
            for screen, shot in self.screens:
                out.write('  %s: %s\n' % (screen, shot))
            out.write('\nSeconds per screen (reach, screenshot, checks):\n')
            for screen, reach, shot, checks in self.timings:
                out.write('  %s: %.1f %.1f %.1f\n' % (screen, reach, shot,
                                                      checks))
        return path


class DeptClient(WebClient):
    """The web client as one department's user, screen by screen: every
    screen is checked (error dialog, English) and photographed."""

    def __init__(self, driver, base_url, folder, problems, dept=None,
                 login=None, guarded=None):
        super(DeptClient, self).__init__(driver, base_url)
        self.folder = folder
        self.problems = problems
        self.count = 0
        self.dept, self.login_name = dept, login
        # {model: {button name: departments that may use it}}
        self.guarded = guarded or {}
        self._labels = {}
        self._last_screen = time.time()
        os.makedirs(folder, exist_ok=True)
        # look often: most waits end within a few tenths of a second
        from selenium.webdriver.support.ui import WebDriverWait
        self._wait = lambda timeout=WAIT: WebDriverWait(
            driver, timeout, poll_frequency=POLL)

    # -- session --------------------------------------------------------------
    def login(self, login, password):
        """Log in as ``login`` with the login form, starting a new browser
        session: the previous user's session cookie is dropped instead of
        logging out (two page loads instead of four)."""
        if self.driver.current_url.startswith(self.base_url):
            self.driver.delete_all_cookies()
        return super(DeptClient, self).login(login, password)

    # -- waiting --------------------------------------------------------------
    # Each look at the page is ONE script run in the browser: a WebDriver
    # call per element (find, is_displayed, text) costs a round trip, and
    # the waits below look many times a second.
    def _js(self, script, *args):
        return self.driver.execute_script(_JS_HELPERS + script, *args)

    def error_dialog(self):
        """The text of a visible error dialog (warning, access error,
        server error), not of a wizard."""
        return self._js("""
            var titles = arguments[0];
            var modals = visibleAll('.modal');
            for (var i = 0; i < modals.length; i++) {
                var m = modals[i];
                var t = m.querySelector('.modal-title');
                if (m.querySelector('.o_dialog_warning, .o_dialog_error')
                        || (t && titles.indexOf(t.textContent.trim()) >= 0))
                    return textOf(m).slice(0, 800);
            }
            return null;""", list(ERROR_DIALOG_TITLES))

    def any_dialog(self):
        return self._js("""
            var m = visibleAll('.modal')[0];
            return m ? textOf(m).slice(0, 800) : null;""")

    def error_notification(self):
        return self._js("""
            var n = visibleAll('.o_notification.o_error')[0];
            return n ? textOf(n).slice(0, 500) : null;""")

    def settle(self, step='the web client to finish loading'):
        """Odoo's own signals that the screen is done: no request of the
        web client in flight (its loading indicator, web.Loading, sets
        .oe_wait on the web client; the long-polling bus does not), no
        blocked UI, and the charts of a graph view drawn; three looks in a
        row (POLL seconds apart), so that a request started by the answer
        of another one is waited for too."""
        calm = [0]

        def quiet(driver):
            busy = driver.execute_script(_BUSY_JS)
            calm[0] = 0 if busy else calm[0] + 1
            return calm[0] >= 3
        self.until(quiet, step)

    def wait(self, condition, step, timeout=WAIT):
        """until() that also fails on an error notification."""
        from selenium.common.exceptions import (
            StaleElementReferenceException)

        def cond(driver):
            note = self.error_notification()
            if note:
                raise AssertionError(
                    'While waiting for %s the web client shows an error '
                    'notification: %r' % (step, note))
            try:
                return condition(driver)
            except StaleElementReferenceException:
                return False  # re-rendered meanwhile: look again
        return self.until(cond, step, timeout=timeout)

    def expect(self, condition, step, timeout=WAIT):
        """Wait for ``condition``; when it does not come, record the
        problem (with a screenshot) and go on: False."""
        try:
            return self.wait(condition, step, timeout=timeout)
        except AssertionError as exc:
            self.count += 1
            screen = '%02d_%s' % (self.count, _slug('missing ' + step))
            path = os.path.join(self.folder, '%s.png' % screen)
            try:
                self.driver.save_screenshot(path)
            except Exception:
                path = '(no screenshot)'
            self.problems.screens.append((screen, path))
            self.problems.error(screen, '%s (screenshot %s)' % (exc, path))
            return False

    def click(self, el):
        """Click like a user; a tooltip or an animation over the element
        (the mouse stays where the last click was) is waited out, the
        mouse moved away, then the click is made again."""
        from selenium.common.exceptions import (
            ElementClickInterceptedException, ElementNotInteractableException)
        for attempt in range(5):
            try:
                el.click()
                break
            except (ElementClickInterceptedException,
                    ElementNotInteractableException):
                if attempt == 4:
                    raise
                self._mouse_away()
                time.sleep(0.2)  # a tooltip fading out: look again
        self._mouse_away()  # no tooltip of this button over the next one
        return el

    def _mouse_away(self):
        """The mouse over the screen's title, where no tooltip opens."""
        from selenium.webdriver.common.action_chains import ActionChains
        spot = self.first_visible('.o_control_panel .breadcrumb') or \
            self.first_visible('.o_control_panel')
        if spot:
            try:
                ActionChains(self.driver).move_to_element(spot).perform()
            except Exception:
                return  # the title re-rendered meanwhile: no tooltip there

    def first_visible(self, selector, root=None):
        """The first visible element matching ``selector`` (under the
        element ``root``), or None."""
        return self._js("""
            var els = arguments[1] ? arguments[1].querySelectorAll(
                arguments[0]) : document.querySelectorAll(arguments[0]);
            for (var i = 0; i < els.length; i++)
                if (isVisible(els[i])) return els[i];
            return null;""", selector, root)

    def first_displayed(self, selector):
        """first_visible() by WebDriver's own test of visibility (slower:
        a round trip per element), for elements that are laid out but
        shown or hidden by a transform, as the app drawer's."""
        for el in self.driver.find_elements(*self.css(selector)):
            try:
                if el.is_displayed():
                    return el
            except Exception:
                continue
        return None

    def wait_visible(self, selector, step, timeout=WAIT):
        return self.wait(lambda d: self.first_visible(selector), step,
                         timeout=timeout)

    # -- one screen -----------------------------------------------------------
    def check_screen(self, name, dialog_ok=False):
        """Settle, photograph and check the screen: error dialogs (any
        dialog unless dialog_ok), error notifications, English text."""
        self.settle('screen %s to load' % name)
        reached = time.time()
        self.count += 1
        screen = '%02d_%s' % (self.count, _slug(name))
        path = os.path.join(self.folder, '%s.png' % screen)
        try:
            self.driver.save_screenshot(path)
        except Exception as exc:
            path = '(no screenshot: %s)' % exc
        shot_done = time.time()
        self.problems.screens.append((screen, path))
        dialog = self.error_dialog() or (
            None if dialog_ok else self.any_dialog())
        if dialog:
            self.problems.error(screen, 'dialog: %r (screenshot %s)'
                                % (dialog, path))
        note = self.error_notification()
        if note:
            self.problems.error(screen, 'error notification: %r' % note)
        for where, text in self.driver.execute_script(
                _VISIBLE_TEXT_JS, SCREEN_ROOTS):
            words = english_words(text)
            if words:
                self.problems.add_english(screen, where, text, words)
        if not self.any_dialog() and self.view_type() == 'form':
            self.check_buttons(screen)
        now = time.time()
        # how long the user waited for the screen, and the checks took
        self.problems.timings.append(
            (screen, reached - self._last_screen, shot_done - reached,
             now - shot_done))
        self._last_screen = now
        return screen, path

    def check_buttons(self, screen):
        """A user sees only what they may do: the guarded buttons of the
        form's model are not shown to the other departments."""
        model = self.url_state().get('model')
        guarded = self.guarded.get(model)
        if not guarded or not self.dept:
            return
        if model not in self._labels:
            self._labels[model] = {
                name: button_labels(self.login_name, model, name)
                for name in guarded}
        shown = self.header_labels()
        for name, allowed in sorted(guarded.items()):
            if self.dept in allowed:
                continue
            for label in self._labels[model][name]:
                if label in shown:
                    self.problems.error(screen, 'the button "%s" (%s.%s) is '
                                        'shown to %s, who may not use it '
                                        '(only %s)' % (
                                            label, model, name, self.dept,
                                            ', '.join(sorted(allowed))))

    # -- menus ----------------------------------------------------------------
    # Odoo's own top menu and side menu, or OCA web_responsive's app drawer
    # and the app's sections in the top bar (dropdowns)
    def open_app(self, xmlid='aftersales_addon.menu_aftersales_root',
                 check_drawer=False):
        root = 'a[data-menu-xmlid="%s"]' % xmlid

        opened = [0]  # when the drawer or the "more" menu was opened

        def app_menu(driver):
            el = self.first_displayed('#oe_main_menu_navbar ' + root) or \
                self.first_displayed('#odooAppDrawer ' + root)
            if el:
                return el
            if time.time() - opened[0] < 3:
                return False  # opening (an animation): no second click
            toggle = self.first_displayed('.app-drawer-toggle')
            more = self.first_displayed(
                '#menu_more_container > a.dropdown-toggle')
            if toggle:
                self.click(toggle)
                opened[0] = time.time()
            elif more and driver.find_elements(
                    *self.css('#menu_more ' + root)):
                self.click(more)
                opened[0] = time.time()
            return False
        link = self.wait(app_menu, 'the After-Sales app in the top menu or '
                                   'the app drawer')
        if check_drawer and self.first_displayed('#odooAppDrawer ' + root):
            self.check_screen('apps')
        menu_id = link.get_attribute('data-menu')
        self.click(link)
        self.wait(lambda d: self.first_visible(
            '.o_sub_menu .oe_secondary_menu[data-menu-parent="%s"]'
            % menu_id), 'the menu of the After-Sales app')
        self.settle()
        self.app_menu_id = menu_id

    def _menu_links(self):
        return self._js("""
            var menu = visibleAll('.o_sub_menu .oe_secondary_menu')[0];
            return menu ? Array.prototype.slice.call(
                menu.querySelectorAll('a.oe_menu_leaf')) : [];""")

    def check_menu_labels(self):
        """English in the labels of the app's menu, hidden dropdown
        entries included."""
        menus = [el for el in self.driver.find_elements(*self.css(
            '.o_sub_menu .oe_secondary_menu')) if el.is_displayed()]
        for el in menus[0].find_elements(*self.css('a')) if menus else []:
            text = ' '.join((el.get_attribute('textContent') or '').split())
            words = english_words(text)
            if words:
                self.problems.add_english('menu', 'menu entry', text, words)

    def side_menu_leaves(self):
        """(xmlid, label, action model, action id) of the entries of the
        app's menu (side menu, or top bar sections), in their order."""
        return [tuple(leaf) for leaf in self._js("""
            var menu = visibleAll('.o_sub_menu .oe_secondary_menu')[0];
            if (!menu) return [];
            return Array.prototype.map.call(
                menu.querySelectorAll('a.oe_menu_leaf'), function (a) {
                    return [a.dataset.menuXmlid,
                            (a.dataset.menuName || a.textContent).trim(),
                            a.dataset.actionModel, a.dataset.actionId];
                });""")]

    def click_menu(self, xmlid, step=None):
        """Click an entry of the app's menu (opening its section's dropdown
        first when there is one) and wait for its action."""
        step = step or 'the menu entry %s' % xmlid

        def link(driver):
            found = self._js("""
                var menu = visibleAll('.o_sub_menu .oe_secondary_menu')[0];
                var a = menu && menu.querySelector(
                    'a.oe_menu_leaf[data-menu-xmlid="' + arguments[0] + '"]');
                if (!a) return null;
                if (isVisible(a)) return [a, null];
                // in a closed dropdown of the top bar: its toggle
                var li = a.parentElement.closest('li.dropdown, li');
                var sel = ':scope > a.dropdown-toggle';
                while (li && !li.querySelector(sel))
                    li = li.parentElement && li.parentElement.closest('li');
                var toggle = li && li.querySelector(sel);
                return [null, toggle && isVisible(toggle) ? toggle : null];
                """, xmlid)
            if not found:
                return False
            if found[0]:
                return found[0]
            if found[1]:
                self.click(found[1])
            return False
        el = self.wait(link, step)
        action_id = el.get_attribute('data-action-id')
        model = el.get_attribute('data-action-model')
        self.click(el)
        if model == 'ir.actions.act_window':
            self.wait(lambda d: self.url_state().get('action') == action_id
                      and self.view_type() is not None,
                      'the screen of menu %s' % xmlid)
        else:
            self.settle()
        # (the action's view is shown: check_screen() waits for the rest)

    # -- views ----------------------------------------------------------------
    # the views of the current action (not those inside a form): the
    # renderer is the view manager's child or grandchild
    VIEW_SELECTORS = [
        (vtype, ', '.join(
            '.o_view_manager_content > %s, '
            '.o_view_manager_content > div > %s' % (cls, cls)
            for cls in classes.split()))
        for vtype, classes in (
            ('form', '.o_form_view'),
            ('list', '.o_list_view .table-responsive>.o_list_view'),
            ('kanban', '.o_kanban_view'),
            ('pivot', '.o_pivot'),
            ('graph', '.o_graph .o_graph_svg_container'),
            ('calendar', '.o_calendar_view .o_calendar_container'))]
    NO_CONTENT = ('.o_view_manager_content .oe_view_nocontent, '
                  '.o_view_manager_content .o_view_nocontent')

    def view_type(self):
        return self._js("""
            var selectors = arguments[0];
            for (var i = 0; i < selectors.length; i++)
                if (visibleAll(selectors[i][1]).length)
                    return selectors[i][0];
            if (visibleAll(arguments[1]).length) {
                // an empty list or kanban shows the action's help instead
                var m = /[#&]view_type=([a-z]+)/.exec(location.hash);
                return m ? m[1] : 'empty';
            }
            return null;""", self.VIEW_SELECTORS, self.NO_CONTENT)

    def switch_buttons(self):
        return self._js("""
            return visibleAll('.o_control_panel .o_cp_switch_buttons button'
                ).map(function (b) { return b.dataset.viewType; });""")

    def switch_view(self, vtype):
        self.click(self.wait_visible(
            '.o_control_panel .o_cp_switch_buttons button[data-view-type='
            '"%s"]' % vtype, 'the %s view button' % vtype))
        self.wait(lambda d: self.view_type() == vtype
                  and self.url_state().get('view_type') == vtype,
                  'the %s view' % vtype)
        self.settle()

    def open_first_record(self):
        """Open the form of the first record of a list or kanban view;
        False when the view has none."""
        vtype = self.view_type()
        if vtype == 'list':
            row = self.first_visible('.o_list_view tbody tr.o_data_row')
            if not row:
                group = self.first_visible(
                    '.o_list_view tbody tr.o_group_header')
                if not group:
                    return False
                self.click(group)
                self.settle()
                row = self.first_visible('.o_list_view tbody tr.o_data_row')
                if not row:
                    return False
            cells = [c for c in row.find_elements(
                *self.css('td.o_data_cell')) if c.is_displayed()]
            self.click(cells[0] if cells else row)
            if self.first_visible('.o_list_view tr.o_selected_row') or \
                    self.first_visible('.o_list_view.o_editable_list'):
                # an editable list: the row is edited in place, no form
                self.settle()
                self.check_screen('%s_row_edit' % (
                    self.url_state().get('model') or 'list'))
                discard = self.first_visible(
                    '.o_control_panel .o_list_button_discard')
                if discard:
                    self.click(discard)
                    self.settle()
                return False
        elif vtype == 'kanban':
            card = self.first_visible(
                '.o_kanban_view .o_kanban_record:not(.o_kanban_ghost)')
            if not card:
                return False
            title = self.first_visible(
                '.o_kanban_record_title, strong, .oe_kanban_details', card)
            self.click(title or card)
        else:
            return False
        self.wait(lambda d: self.view_type() == 'form'
                  and self.url_state().get('id', '').isdigit(),
                  'the form of the first record')
        self.settle()
        return True

    def find_cell(self, text, step, exact=True):
        """The first cell of the list row showing ``text`` (a cell equal
        to it, or containing it when not exact), opening the groups of a
        grouped list one by one until it shows."""
        tried = set()

        def cell(driver):
            found = self._js("""
                var text = arguments[0], exact = arguments[1];
                var rows = visibleAll('.o_list_view tbody tr.o_data_row');
                for (var i = 0; i < rows.length; i++) {
                    var cells = rows[i].querySelectorAll('td.o_data_cell');
                    var hit = exact ? Array.prototype.some.call(cells,
                        function (c) { return textOf(c) === text; })
                        : textOf(rows[i]).indexOf(text) >= 0;
                    if (hit) return [cells[0] || rows[i], null, null];
                }
                var groups = visibleAll(
                    '.o_list_view tbody tr.o_group_header:not(.o_group_open)');
                return groups.length ? [null, groups.map(textOf), groups]
                                     : null;
                """, text, exact)
            if not found:
                return False
            if found[0]:
                return found[0]
            for label, group in zip(found[1], found[2]):
                if label not in tried:
                    tried.add(label)
                    self.click(group)
                    break
            return False
        return self.wait(cell, step)

    def open_row(self, text, step, exact=True):
        """Open the form of the list row showing ``text``."""
        self.click(self.find_cell(text, step, exact=exact))
        self.wait(lambda d: self.view_type() == 'form'
                  and self.url_state().get('id', '').isdigit(),
                  'the form opened from ' + step)
        self.settle()
        return int(self.url_state()['id'])

    def back(self):
        """Back to the previous screen through the breadcrumb."""
        links = [el for el in self.driver.find_elements(*self.css(
            '.o_control_panel .breadcrumb li a')) if el.is_displayed()]
        if not links:
            return False
        self.click(links[-1])
        self.wait(lambda d: self.view_type() not in (None, 'form'),
                  'the previous screen')
        self.settle()
        return True

    # -- forms ----------------------------------------------------------------
    def header_button(self, label, step=None):
        """The visible header button the user reads as ``label`` (Odoo 11
        renders header buttons without their name)."""
        def find(driver):
            return self._js("""
                var label = arguments[0];
                return visibleAll('.o_form_view .o_form_statusbar '
                                  + '.o_statusbar_buttons > button').filter(
                    function (b) { return textOf(b) === label; })[0]
                    || false;""", label)
        return self.wait(find, step or 'the "%s" button' % label)

    def open_record(self, model, record_id, step=None):
        """Open a record's form by its address (a full page load)."""
        self.open_hash('model=%s&id=%d&view_type=form' % (model, record_id))
        self.wait(lambda d: self.view_type() == 'form'
                  and self.url_state().get('id') == str(record_id),
                  step or 'the form of %s %d' % (model, record_id))
        self.settle()

    def header_labels(self):
        return self._js("""
            return visibleAll('.o_form_view .o_form_statusbar '
                              + '.o_statusbar_buttons > button').map(
                function (b) { return textOf(b); });""")

    def edit(self):
        self.click(self.wait_visible(
            '.o_form_buttons_view .o_form_button_edit', 'the Edit button'))
        self.wait_visible('.o_form_view.o_form_editable', 'edit mode')

    def save(self, step='saving the record'):
        self.click(self.wait_visible(
            '.o_form_buttons_edit .o_form_button_save', 'the Save button'))
        self.wait(lambda d: self.first_visible('.o_form_view.o_form_readonly')
                  and self.url_state().get('id', '').isdigit(), step)
        self.settle()

    def tab(self, label):
        """Open the notebook page the user reads as ``label``."""
        def find(driver):
            return self._js("""
                var label = arguments[0];
                return visibleAll('.o_form_view .o_notebook > ul.nav-tabs '
                                  + '> li > a').filter(
                    function (a) { return textOf(a) === label; })[0]
                    || false;""", label)
        self.click(self.wait(find, 'the "%s" tab' % label))
        self.settle()

    def field(self, name, scope='.o_form_view'):
        return self.wait_visible('%s .o_field_widget[name="%s"]'
                                 % (scope, name), 'the field %s' % name)

    def field_text(self, name, scope='.o_form_view'):
        el = self.field(name, scope)
        inputs = el.find_elements(*self.css('input'))
        if el.tag_name in ('input', 'textarea'):
            return el.get_attribute('value') or ''
        if inputs:
            return inputs[0].get_attribute('value') or ''
        return el.text.strip()

    def set_text(self, name, value, scope='.o_form_view'):
        el = self.field(name, scope)
        if el.tag_name not in ('input', 'textarea'):
            el = el.find_element(*self.css('input, textarea'))
        el.clear()
        el.send_keys(value)

    def set_select(self, name, value, scope='.o_form_view'):
        from selenium.webdriver.support.ui import Select
        el = self.field(name, scope)
        if el.tag_name != 'select':
            el = el.find_element(*self.css('select'))
        Select(el).select_by_value('"%s"' % value)

    def set_radio(self, name, value, scope='.o_form_view'):
        el = self.field(name, scope)
        self.click(el.find_element(
            *self.css('input[data-value="%s"]' % value)))

    def set_checkbox(self, name, checked, scope='.o_form_view'):
        el = self.field(name, scope)
        box = el.find_element(*self.css('input[type=checkbox]'))
        if box.is_selected() != checked:
            # the input is hidden behind Odoo's styled checkbox
            self.driver.execute_script('arguments[0].click();', box)

    def set_many2one(self, name, search, choice=None, scope='.o_form_view'):
        """Type ``search`` in a many2one and pick the entry ``choice``
        (default: the entry equal to ``search``); never "Create"."""
        choice = choice or search
        el = self.field(name, scope)
        box = el.find_element(*self.css('input'))
        box.clear()
        box.send_keys(search)

        def entry(driver):
            for ul in driver.find_elements(*self.css('ul.ui-autocomplete')):
                if not ul.is_displayed():
                    continue
                for a in ul.find_elements(*self.css('li a')):
                    if a.text.strip() == choice:
                        return a
            return False
        self.click(self.wait(entry, 'the entry "%s" offered by the field %s'
                             % (choice, name)))
        self.settle()


# -- the server side: what the user may see, how the views read ---------------

def user_id(env, login):
    user = env['res.users'].search([('login', '=', login)])
    assert user, 'demo user %s is missing' % login
    return user


def visible_menu_leaves(login, root='aftersales_addon.menu_aftersales_root'):
    """{xmlid: (name in zh_CN, action)} of the menu entries with an action
    under ``root`` that ``login`` may see: Odoo's own menu filter, and
    every menu above the entry visible too (the web client shows only
    the branches it can reach)."""
    with _Env() as env:
        user = user_id(env, login)
        root_menu = env.ref(root)
        menus = env['ir.ui.menu'].sudo(user).with_context(lang=LANG).search(
            [('id', 'child_of', root_menu.id)])
        visible = set(menus.ids)

        def reachable(menu):
            while menu and menu != root_menu:
                if menu.id not in visible:
                    return False
                menu = menu.parent_id
            return True
        leaves = menus.filtered(lambda m: m.action and reachable(m))
        xmlids = leaves.get_external_id()
        return {xmlids[m.id]: (m.name, '%s,%s' % (m.action._name,
                                                  m.action.id))
                for m in leaves}


def button_labels(login, model, name, view_type='form', view_xmlid=None):
    """The labels the user reads on the buttons ``name`` of the view."""
    with _Env() as env:
        user = user_id(env, login)
        view_id = env.ref(view_xmlid).id if view_xmlid else None
        arch = env[model].sudo(user).with_context(lang=LANG).fields_view_get(
            view_id=view_id, view_type=view_type)['arch']
    doc = etree.fromstring(arch)
    return [b.get('string') for b in doc.xpath('//button[@name=$n]', n=name)
            if b.get('string')]


def page_label(login, model, xpath_attr, view_type='form'):
    """The label of a notebook page of the form, found by an attribute
    test such as ``@name='diagnosis'``."""
    with _Env() as env:
        user = user_id(env, login)
        arch = env[model].sudo(user).with_context(lang=LANG).fields_view_get(
            view_type=view_type)['arch']
    doc = etree.fromstring(arch)
    pages = doc.xpath('//page[%s]' % xpath_attr)
    return pages[0].get('string') if pages else None


def screenshots_dir(*parts):
    return os.path.join(_work_dir(), 'screenshots', *parts)


def walk_department(client, login, full=False):
    """Visit every After-Sales menu entry ``login`` may see: its home
    screen (where the login lands), the app's menu, and the default view of
    each entry's action. With ``full``, also the first record's form and
    the action's other views (list, kanban, pivot, graph, calendar).
    Problems go to client.problems; nothing raises for a screen's
    problems, so one run shows them all."""
    problems = client.problems
    expected = visible_menu_leaves(login)
    client.check_screen('home')
    client.open_app(check_drawer=full)
    client.check_screen('app')
    client.check_menu_labels()
    shown = client.side_menu_leaves()
    shown_ids = [leaf[0] for leaf in shown]
    for xmlid in sorted(set(expected) - set(shown_ids)):
        problems.error('side menu', 'the menu entry %s (%s) the user may '
                       'open is not in the side menu'
                       % (xmlid, expected[xmlid][0]))
    for xmlid in sorted(set(shown_ids) - set(expected)):
        problems.error('side menu', 'the side menu shows %s, which the '
                       'server does not give this user' % xmlid)
    for xmlid, _label, action_model, _action_id in shown:
        menu = xmlid.split('.')[-1].replace('menu_aftersales_', '')
        try:
            client.click_menu(xmlid)
            client.check_screen(menu)
            if not full or action_model != 'ir.actions.act_window':
                continue
            _walk_views(client, menu)
        except AssertionError as exc:
            shot = os.path.join(client.folder, 'dead_end_%s.png' % menu)
            try:
                client.driver.save_screenshot(shot)
            except Exception:
                shot = '(no screenshot)'
            problems.error(menu, 'dead end at "%s": %s (screenshot %s)'
                           % (client.step, exc, shot))
            # start again from the app for the next entry
            try:
                client.driver.get(client.base_url + '/web')
                client.wait_visible('.o_web_client .o_main_content',
                                    'the web client')
                client.settle()
                client.open_app()
            except AssertionError as again:
                problems.error(menu, 'cannot reopen the app: %s' % again)
                return


def _walk_views(client, menu):
    """The full walk of one action: the first record's form (from the
    list when there is one: a click on a kanban card may hit a widget),
    then every other view type of the action."""
    default = client.view_type()
    others = [v for v in client.switch_buttons()
              if v not in (default, 'form')]
    if default in ('list', 'kanban'):
        if 'list' in others:
            client.switch_view('list')
            client.check_screen(menu + '_list')
            others.remove('list')
        if client.open_first_record():
            client.check_screen(menu + '_form')
            client.back()
    for vtype in others:
        client.switch_view(vtype)
        client.check_screen('%s_%s' % (menu, vtype))
