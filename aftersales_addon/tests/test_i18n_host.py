# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Chinese user sees the OCA host module helpdesk_mgmt in Chinese.

helpdesk_mgmt ships no zh_CN; the addon ships it in i18n_extra/zh_CN.po,
which Odoo loads after the addon's i18n/ (ir.translation.load_module_terms)
and whose xml ids name helpdesk_mgmt's records. The tests load what the
modules ship (not what a database happens to hold) and read the request
screens, menus, stages, channels and selection values in zh_CN."""
import json
import os
import re

from lxml import etree

from odoo.tests.common import SavepointCase
from odoo.tools.translate import PoFile, trans_generate

ADDON = os.path.dirname(os.path.dirname(__file__))
EXTRA_PO = os.path.join(ADDON, 'i18n_extra', 'zh_CN.po')
ADDON_PO = os.path.join(ADDON, 'i18n', 'zh_CN.po')
LANG = 'zh_CN'
HOST = 'helpdesk_mgmt'
# terms written the same way in Chinese
SAME = {'ID'}
CJK = re.compile('[\u3400-\u9fff]')
RULE_ID = re.compile('(?<![A-Za-z0-9])R[0-9]{1,3}(?![0-9])')
# labels the web client does not show
HIDDEN_WIDGETS = {'mail_followers', 'mail_thread', 'mail_activity'}


def _chinese(text):
    """Chinese, or nothing to translate (no Latin letter: "-", "%", "/")"""
    text = (text or '').strip()
    return (text in SAME or bool(CJK.search(text))
            or not re.search('[A-Za-z]', text))


def _po_rows(path):
    if not os.path.isfile(path):
        return []
    with open(path, 'rb') as buf:
        # (type, name, res_id, source, translation, comments)
        return list(PoFile(buf))


class TestHostTranslations(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestHostTranslations, cls).setUpClass()
        cls.env['res.lang'].load_lang(LANG)
        # forget the zh_CN the database holds for helpdesk_mgmt's records
        # (typed in, or loaded from an older file): test what is shipped
        cr = cls.env.cr
        cr.execute("""
            DELETE FROM ir_translation t USING ir_model_data d
             WHERE t.lang = %s AND t.type = 'model' AND d.module = %s
               AND d.model = split_part(t.name, ',', 1)
               AND d.res_id = t.res_id""", (LANG, HOST))
        cr.execute("""
            DELETE FROM ir_translation t USING ir_model_fields f
             WHERE t.lang = %s AND t.type = 'model'
               AND t.name IN ('ir.model.fields,field_description',
                              'ir.model.fields,help')
               AND t.res_id = f.id AND f.model LIKE 'helpdesk.%%'""",
                   (LANG,))
        cr.execute("""
            DELETE FROM ir_translation
             WHERE lang = %s AND ((type = 'model'
                                   AND name LIKE 'helpdesk.%%')
                                  OR (type = 'selection'
                                      AND name LIKE 'helpdesk.%%')
                                  OR (type = 'code'
                                      AND name LIKE 'addons/helpdesk_mgmt/%%'))
        """, (LANG,))
        cls.env['ir.module.module'].search([
            ('name', 'in', (HOST, 'aftersales_addon')),
        ])._update_translations(LANG)
        cls.env['ir.translation'].clear_caches()
        cls.zh = cls.env(context=dict(cls.env.context, lang=LANG))
        cls.en = cls.env(context=dict(cls.env.context, lang='en_US'))

    @classmethod
    def tearDownClass(cls):
        env = cls.env
        result = super(TestHostTranslations, cls).tearDownClass()
        # the rollback undid the loaded terms and the activated language:
        # drop what the registry caches remember of them
        env['ir.translation'].clear_caches()
        return result

    def _host_records(self, model, module=HOST):
        ids = self.env['ir.model.data'].search([
            ('module', '=', module), ('model', '=', model)]).mapped('res_id')
        return self.zh[model].with_context(active_test=False).browse(ids)

    def _assert_chinese(self, shown, what):
        """shown: {where: (English, zh_CN)}; fails listing what a zh_CN user
        reads in English"""
        left = sorted('%s: %r -> %r' % (where, en, zh)
                      for where, (en, zh) in shown.items()
                      if not zh or not _chinese(zh))
        self.assertFalse(left, '%s in English for a zh_CN user:\n%s'
                         % (what, '\n'.join(left)))
        # a stale translation (matched by record, not by text) can bring
        # back a rule id the English text no longer has
        rule_ids = sorted('%s: %r' % (where, zh)
                          for where, (en, zh) in shown.items()
                          if RULE_ID.search(zh or ''))
        self.assertFalse(rule_ids, '%s show rule ids to a zh_CN user:\n%s'
                         % (what, '\n'.join(rule_ids)))

    def _compare(self, records, fname):
        return {'%s,%s' % (rec._name, rec.id): (
            rec.with_env(self.en)[fname], rec[fname]) for rec in records}

    def test_menus(self):
        """the Helpdesk menu and every menu under it"""
        menus = self._host_records('ir.ui.menu')
        self.assertTrue(menus)
        shown = self._compare(menus, 'name')
        self._assert_chinese(shown, 'helpdesk_mgmt menus')
        self.assertEqual(
            self.zh.ref('helpdesk_mgmt.helpdesk_ticket_main_menu').name,
            '服务台')

    def test_stages(self):
        stages = self.zh['helpdesk.ticket.stage'].with_context(
            active_test=False).search([])
        self.assertTrue(stages)
        self._assert_chinese(self._compare(stages, 'name'), 'stages')
        self.assertEqual(
            [self.zh.ref('helpdesk_mgmt.helpdesk_ticket_stage_%s' % x).name
             for x in ('new', 'in_progress', 'awaiting', 'done',
                       'cancelled')],
            ['新建', '处理中', '等待中', '已完成', '已取消'])

    def test_channels(self):
        """helpdesk_mgmt's name field is not translatable: the addon must
        make it translatable for the po file's channel names to apply."""
        channels = self.zh['helpdesk.ticket.channel'].with_context(
            active_test=False).search([])
        self.assertTrue(channels)
        self._assert_chinese(self._compare(channels, 'name'), 'channels')

    def test_selection_values(self):
        shown = {}
        en = self.en['helpdesk.ticket'].fields_get(attributes=['selection'])
        zh = self.zh['helpdesk.ticket'].fields_get(attributes=['selection'])
        for fname, desc in zh.items():
            if isinstance(desc.get('selection'), list):
                en_labels = dict(en[fname]['selection'])
                for value, label in desc['selection']:
                    shown['%s=%s' % (fname, value)] = (
                        en_labels[value], label)
        self.assertIn('priority=3', shown)
        self._assert_chinese(shown, 'selection values of helpdesk.ticket')

    def test_field_labels_and_help(self):
        """every field of the helpdesk models (the custom filter, group by
        and export lists show them all) and its tooltip"""
        shown = {}
        models = self.env['ir.model'].search([
            ('model', '=like', 'helpdesk.%')]).mapped('model')
        for model in models:
            en = self.en[model].fields_get(attributes=['string', 'help'])
            zh = self.zh[model].fields_get(attributes=['string', 'help'])
            for fname, desc in zh.items():
                shown['%s.%s' % (model, fname)] = (
                    en[fname]['string'], desc['string'])
                if desc.get('help'):
                    shown['%s.%s (help)' % (model, fname)] = (
                        en[fname]['help'], desc['help'])
        for model in ('res.partner', 'res.users'):
            en = self.en[model].fields_get(attributes=['string'])
            zh = self.zh[model].fields_get(attributes=['string'])
            for fname in zh:
                if fname.startswith('helpdesk_ticket'):
                    shown['%s.%s' % (model, fname)] = (
                        en[fname]['string'], zh[fname]['string'])
        self.assertIn('helpdesk.ticket.user_id', shown)
        self._assert_chinese(shown, 'field labels')

    def _view_texts(self, model, view_type):
        """(English, Chinese) of every label and text of the view a user
        opens: string/placeholder/help attributes, text nodes and the labels
        of the fields shown"""
        def collect(env):
            view = env[model].fields_view_get(view_type=view_type)
            arch = etree.fromstring(view['arch'])
            texts = []
            for node in arch.iter():
                if not isinstance(node.tag, str):
                    continue
                modifiers = json.loads(node.get('modifiers') or '{}')
                if modifiers.get('invisible') is True or \
                        modifiers.get('column_invisible') is True:
                    continue
                for attr in ('string', 'placeholder', 'help', 'sum', 'title',
                             'confirm', 'alt'):
                    if node.get(attr):
                        texts.append(('%s@%s' % (node.tag, attr),
                                      node.get(attr)))
                for text in (node.text, node.tail):
                    if text and text.strip():
                        texts.append(('text', text.strip()))
                if node.tag == 'field' and not node.get('string') and \
                        node.get('widget') not in HIDDEN_WIDGETS and \
                        view_type != 'kanban':
                    desc = view['fields'][node.get('name')]
                    texts.append(('field %s' % node.get('name'),
                                  desc['string']))
                    if desc.get('help'):
                        texts.append(('field %s help' % node.get('name'),
                                      desc['help']))
            return texts
        en, zh = collect(self.en), collect(self.zh)
        self.assertEqual(len(en), len(zh))
        return {'%s %s #%d %s' % (model, view_type, i, where): (e, z)
                for i, ((where, z), (_where, e)) in enumerate(zip(zh, en))}

    def test_ticket_views(self):
        """the request form (with "Assign to me"), list, search (filters and
        group-bys), kanban, pivot and graph; the configuration screens and
        the dashboard"""
        shown = {}
        for view_type in ('form', 'tree', 'search', 'kanban', 'pivot',
                          'graph'):
            shown.update(self._view_texts('helpdesk.ticket', view_type))
        for model in ('helpdesk.ticket.stage', 'helpdesk.ticket.channel',
                      'helpdesk.ticket.category', 'helpdesk.ticket.tag',
                      'helpdesk.ticket.team'):
            for view_type in ('form', 'tree', 'search'):
                shown.update(self._view_texts(model, view_type))
        # the Helpdesk dashboard
        shown.update(self._view_texts('helpdesk.ticket.team', 'kanban'))
        english = {en for en, zh in shown.values()}
        for word in ('Assign to me', 'Unassigned', 'My Tickets',
                     'High Priority', 'Group By', 'Partner', 'Team',
                     'Assigned user', 'Priority', 'Tag', 'Description',
                     'Attachments'):
            self.assertIn(word, english)
        self._assert_chinese(shown, 'texts of the helpdesk views')

    def test_records_a_user_reads(self):
        """actions (breadcrumbs), mail templates, groups and the application
        category of helpdesk_mgmt"""
        shown = {}
        shown.update(self._compare(
            self._host_records('ir.actions.act_window'), 'name'))
        for fname in ('subject', 'body_html'):
            shown.update({'%s %s' % (k, fname): v for k, v in self._compare(
                self._host_records('mail.template'), fname).items()})
        shown.update(self._compare(self._host_records('res.groups'), 'name'))
        shown.update(self._compare(
            self._host_records('ir.module.category'), 'name'))
        shown.update(self._compare(self._host_records('ir.model'), 'name'))
        self._assert_chinese(shown, 'helpdesk_mgmt records')

    def test_po_file_covers_a_fresh_export(self):
        """every term of a fresh export of helpdesk_mgmt (so an upgrade of
        helpdesk_mgmt that adds terms is caught) is translated by the file,
        for the same record, or by the addon's own i18n for that record"""
        extra = _po_rows(EXTRA_PO)
        self.assertTrue(extra, '%s is missing' % EXTRA_PO)

        def key(ttype, name, res_id, src):
            if ttype == 'model':
                rec = self.env.ref(res_id, raise_if_not_found=False)
                return (ttype, name, rec.id if rec else res_id, src)
            if ttype == 'code':
                return (ttype, src)
            return (ttype, name, src)

        translated = {}
        web = set()
        for ttype, name, res_id, src, value, comments in extra:
            translated[key(ttype, name, res_id, src)] = value
            if 'openerp-web' in (comments or ''):
                web.add(src)
        own = {key(t, n, r, s): v for t, n, r, s, v, c in _po_rows(ADDON_PO)
               if t == 'model' and v}
        po_sources = {row[3]: row[4] for row in extra}

        missing, english, no_web = set(), set(), set()
        # rows: (module, type, name, res_id, source, translation, comments)
        for module, ttype, name, res_id, src, _tr, comments in \
                trans_generate(None, [HOST], self.env.cr):
            if module != HOST or not src or not src.strip() or src in SAME:
                continue
            value = po_sources.get(src)
            if not value:
                missing.add(src)
                continue
            if value == src:
                english.add(src)
            k = key(ttype, name, res_id, src)
            if not translated.get(k) and not own.get(k):
                missing.add('%s (%s,%s,%s)' % (src, ttype, name, res_id))
            if 'openerp-web' in ' '.join(comments or ()) and src not in web:
                no_web.add(src)
        self.assertFalse(sorted(missing)[:50], 'helpdesk_mgmt terms missing '
                         'from i18n_extra/zh_CN.po (re-export and translate)')
        self.assertFalse(sorted(english)[:50], 'helpdesk_mgmt terms left '
                         'in English in i18n_extra/zh_CN.po')
        self.assertFalse(sorted(no_web), 'web client terms without their '
                         '"#. openerp-web" comment: the web client would '
                         'not receive them')
