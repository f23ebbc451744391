# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The server configuration the project ships (scripts/aftersales.sh writes
.work/odoo.conf, which the run and test commands use) is safe: the database
list and the database manager's functions are disabled, and the master
password is not Odoo's default 'admin'."""
import os

from odoo.tests.common import TransactionCase
from odoo.tools import config


class TestServerConfig(TransactionCase):

    def test_database_list_disabled(self):
        self.assertIs(config['list_db'], False,
                      'odoo.conf must set list_db = False')

    def test_master_password_is_not_default(self):
        self.assertTrue(config['admin_passwd'],
                        'odoo.conf must set admin_passwd')
        self.assertFalse(config.verify_admin_password('admin'),
                         "the master password must not be Odoo's default "
                         "'admin'")

    def test_master_password_is_hashed(self):
        # The generated password is in .work/master_password, odoo.conf
        # holds only its passlib pbkdf2_sha512 hash.
        self.assertTrue(config['admin_passwd'].startswith('$pbkdf2-sha512$'),
                        'admin_passwd must be a pbkdf2_sha512 hash')
        rc = config.rcfile
        secret = os.path.join(os.path.dirname(os.path.abspath(rc)),
                              'master_password') if rc else None
        if not secret or not os.path.isfile(secret):
            self.skipTest('no master_password file next to %s' % rc)
        with open(secret) as f:
            password = f.read().strip()
        self.assertTrue(config.verify_admin_password(password))
