# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every user-facing string of the addon ships with its zh_CN translation."""
import os

from odoo.tests.common import TransactionCase
from odoo.tools.translate import PoFile, trans_generate

I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'i18n')


def _po_terms(filename):
    with open(os.path.join(I18N, filename), 'rb') as buf:
        # PoFile yields (type, name, res_id, source, translation, comments)
        return {row[3]: row[4] for row in PoFile(buf)}


class TestTranslations(TransactionCase):

    def _current_terms(self):
        # rows: (module, type, name, res_id, source, translation, comments)
        return {row[4] for row in trans_generate(
            None, ['aftersales_addon'], self.cr)
            if row[0] == 'aftersales_addon' and row[4] and row[4].strip()}

    def test_every_string_has_a_zh_cn_translation(self):
        current = self._current_terms()
        zh = _po_terms('zh_CN.po')
        missing = sorted(src for src in current if not zh.get(src))
        self.assertFalse(missing, 'Strings without a zh_CN translation '
                         '(re-export the .pot and translate):\n%s'
                         % '\n'.join(missing[:50]))

    def test_pot_is_up_to_date(self):
        current = self._current_terms()
        pot = set(_po_terms('aftersales_addon.pot'))
        self.assertFalse(sorted(current - pot)[:50],
                         'aftersales_addon.pot misses these strings')

    def test_no_rule_ids_in_what_users_read(self):
        """Rule ids (R22, R33...) stay in code, docstrings and tests: no
        label, help, message or printed text shows one, in any language."""
        import re
        rule_id = re.compile(r'\bR\d{2}\b')
        current = self._current_terms()
        zh = _po_terms('zh_CN.po')
        shown = sorted(src for src in current if rule_id.search(src)) + \
            sorted(text for text in zh.values() if rule_id.search(text or ''))
        self.assertFalse(shown, 'Rule ids in user-facing text:\n%s'
                         % '\n'.join(shown[:30]))
