# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's layout is the map of its pillars (README, "Layout"), and
Odoo's own runner (``--test-enable``) finds the same tests as pytest."""
import ast
import os
import subprocess

from odoo.modules.module import get_module_path, get_test_modules
from odoo.tests.common import TransactionCase

PILLARS = {'common', 'repair', 'request', 'warranty', 'receivable',
           'recovery'}


class TestLayout(TransactionCase):

    def setUp(self):
        super(TestLayout, self).setUp()
        self.root = get_module_path('aftersales_addon')

    def _files(self, folder):
        out = subprocess.run(
            ['git', 'ls-files', '--', folder], cwd=self.root,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        names = out.stdout.decode().split()
        if not names:   # not a git checkout: what is on disk
            names = [os.path.relpath(os.path.join(d, f), self.root)
                     for d, _x, fs in os.walk(os.path.join(self.root, folder))
                     for f in fs]
        return names

    def test_odoo_runner_finds_every_test_module(self):
        """``--test-enable`` runs what pytest runs: every tracked
        tests/test_*.py is imported by tests/__init__.py."""
        found = {mod.__name__.rsplit('.', 1)[1]
                 for mod in get_test_modules('aftersales_addon')}
        files = {os.path.basename(name)[:-3]
                 for name in self._files('tests')
                 if os.path.basename(name).startswith('test_') and
                 name.endswith('.py')}
        self.assertTrue(files)
        self.assertEqual(files - found, set(),
                         'test modules Odoo\'s runner would not run')

    def test_models_and_wizards_live_in_their_pillar(self):
        """No flat model or wizard file: each is in a pillar's folder."""
        for folder in ('models', 'wizards', 'views', 'reports', 'data'):
            for name in self._files(folder):
                parts = name.split('/')
                if parts[-1] == '__init__.py' and len(parts) == 2:
                    continue
                if folder == 'reports' and parts[-1].endswith('.py'):
                    continue    # the report access mixin is shared
                self.assertEqual(len(parts), 3, name)
                self.assertIn(parts[1], PILLARS, name)

    def test_one_model_per_file_central_models_extended_per_pillar(self):
        """One model per file, named after the model (OCA), and a pillar
        extends a central model in a file of its own."""
        for name in self._files('models'):
            if not name.endswith('.py') or name.endswith('__init__.py'):
                continue
            with open(os.path.join(self.root, name)) as f:
                tree = ast.parse(f.read())
            models = []
            for node in tree.body:
                if not isinstance(node, ast.ClassDef):
                    continue
                values = {
                    target.id: stmt.value for stmt in node.body
                    if isinstance(stmt, ast.Assign)
                    for target in stmt.targets
                    if isinstance(target, ast.Name)}
                model = values.get('_name') or values.get('_inherit')
                if isinstance(model, ast.List):
                    model = model.elts[0]
                if isinstance(model, ast.Str):
                    models.append(model.s)
            self.assertEqual(len(set(models)), 1, (name, models))
            self.assertEqual(os.path.basename(name)[:-3],
                             models[0].replace('.', '_'), name)
        pillars_of = {}
        for name in self._files('models'):
            base = os.path.basename(name)[:-3]
            pillars_of.setdefault(base, set()).add(name.split('/')[1])
        self.assertGreaterEqual(
            pillars_of['mrp_repair'],
            {'repair', 'request', 'warranty', 'receivable', 'recovery'})
