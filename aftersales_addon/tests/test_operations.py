# Copyright 2026 aftersales_addon developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Operations (issue 24): nothing a user was told is saved is ever lost.

* the PostgreSQL cluster the run command serves from is durable (fsync,
  synchronous_commit, full_page_writes on);
* scripts/aftersales.sh backup / restore give back the same data and
  attachments;
* a session survives a database connection failure (HTTP 503, try again)
  and ends only when its database no longer exists.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from unittest import mock

import psycopg2
from werkzeug.test import Client
from werkzeug.wrappers import BaseResponse

from odoo import http, sql_db
from odoo.exceptions import UserError
from odoo.service import security
from odoo.tests.common import at_install, post_install, TransactionCase
from odoo.tools import config

from .. import http_resilience

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                      'scripts', 'aftersales.sh')
DURABILITY = ('fsync', 'synchronous_commit', 'full_page_writes')
OFF = ('off', 'false', 'no', '0', 'of', 'fa', 'n', 'f')


# other connections see only committed data: under Odoo's own runner
# (--test-enable) run after the modules are loaded and committed
@at_install(False)
@post_install(True)
class TestDurableCluster(TransactionCase):
    """The cluster keeps PostgreSQL's durable settings. The test command may
    start it with fsync etc. off as options of its own postmaster (source
    "command line"): then the configuration files, which are what the run
    command's start uses, are checked instead of the running values."""

    def _run_values(self):
        """{name: (value the run command's start gives, how it is known)}"""
        cr = self.env.cr
        cr.execute("SELECT name, setting, source, boot_val FROM pg_settings "
                   "WHERE name IN %s", (DURABILITY,))
        running = {name: (setting, source, boot)
                   for name, setting, source, boot in cr.fetchall()}
        # what postgresql.conf and postgresql.auto.conf (and their includes)
        # set, read now from the files: the last line of a name wins
        cr.execute("SELECT name, setting, sourcefile, sourceline "
                   "FROM pg_file_settings WHERE name IN %s AND error IS NULL "
                   "ORDER BY seqno", (DURABILITY,))
        in_files = {name: (setting, '%s:%s' % (f, line))
                    for name, setting, f, line in cr.fetchall()}
        values = {}
        for name in DURABILITY:
            setting, source, boot = running[name]
            if source != 'command line':
                values[name] = (setting, 'running, from %s' % source)
            elif name in in_files:
                values[name] = in_files[name]
            else:
                values[name] = (boot, "PostgreSQL's default")
        return values

    def test_run_cluster_is_durable(self):
        for name, (value, where) in self._run_values().items():
            self.assertNotIn(
                value.lower(), OFF,
                '%s = %s (%s): a PostgreSQL crash or a power cut loses '
                'acknowledged work' % (name, value, where))


def _db_counts(cr, tables):
    """{table: row count}, in one query"""
    cr.execute(' UNION ALL '.join(
        "SELECT '%s', count(*) FROM \"%s\"" % (t, t) for t in tables))
    return dict(cr.fetchall())


# other connections see only committed data: under Odoo's own runner
# (--test-enable) run after the modules are loaded and committed
@at_install(False)
@post_install(True)
class TestBackupRestore(TransactionCase):
    """backup, then restore into a new database: the same rows for every
    model of the addon and the same bytes for attachments of the filestore.
    The backup is of the test database's committed state (what another
    connection, pg_dump's, sees), the test itself writes nothing."""

    def _script(self, *args, **env):
        environ = dict(os.environ, **env)
        proc = subprocess.run(['bash', SCRIPT] + list(args), env=environ,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True)
        return proc.returncode, proc.stdout

    def _addon_tables(self):
        self.env.cr.execute("""
            SELECT m.model FROM ir_model m
              JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id
             WHERE d.module = 'aftersales_addon'""")
        models = [m for m, in self.env.cr.fetchall()] + [
            'helpdesk.ticket', 'mrp.repair', 'ir.attachment']
        tables = sorted({self.env[m]._table for m in models
                         if m in self.env and self.env[m]._auto
                         and not self.env[m]._abstract})
        self.assertGreater(len(tables), 20)
        return tables

    def _drop(self, db):
        subprocess.run(['dropdb', '--if-exists', '--force', db],
                       env=self._pg_env(), check=False)
        shutil.rmtree(config.filestore(db), ignore_errors=True)

    def _pg_env(self):
        _, info = sql_db.connection_info_for('postgres')
        env = dict(os.environ)
        for key, var in (('host', 'PGHOST'), ('port', 'PGPORT'),
                         ('user', 'PGUSER'), ('password', 'PGPASSWORD')):
            if info.get(key):
                env[var] = str(info[key])
        return env

    def test_backup_restore_same_data(self):
        db = self.env.cr.dbname
        new = (db[:40] + '_restored')
        self._drop(new)
        self.addCleanup(self._drop, new)
        backups = tempfile.mkdtemp(prefix='aftersales_backups_')
        self.addCleanup(shutil.rmtree, backups, True)

        rc, out = self._script('backup', db, AFTERSALES_BACKUP_DIR=backups,
                               AFTERSALES_BACKUP_KEEP='0')
        self.assertEqual(rc, 0, out)
        archives = [f for f in os.listdir(backups) if f.endswith('.tar.gz')]
        self.assertEqual(len(archives), 1, out)
        archive = os.path.join(backups, archives[0])
        self.assertEqual(os.stat(archive).st_mode & 0o077, 0,
                         'the archive holds password hashes: owner only')

        # an existing database is not overwritten without --force
        rc, out = self._script('restore', archive, db)
        self.assertNotEqual(rc, 0)
        self.assertIn('not overwritten', out)

        rc, out = self._script('restore', archive, new)
        self.assertEqual(rc, 0, out)

        tables = self._addon_tables()
        _, info = sql_db.connection_info_for(new)
        conn = psycopg2.connect(**info)
        try:
            with conn.cursor() as rcr:
                restored = _db_counts(rcr, tables)
                rcr.execute("SELECT id, store_fname, checksum FROM "
                            "ir_attachment WHERE store_fname IS NOT NULL "
                            "ORDER BY id")
                restored_files = rcr.fetchall()
        finally:
            conn.close()
        self.assertEqual(restored, _db_counts(self.env.cr, tables))

        self.env.cr.execute("SELECT id, store_fname, checksum FROM "
                            "ir_attachment WHERE store_fname IS NOT NULL "
                            "ORDER BY id")
        self.assertEqual(restored_files, self.env.cr.fetchall())
        self.assertTrue(restored_files, 'no attachment in the filestore')
        Attachment = self.env['ir.attachment']
        for att_id, fname, checksum in restored_files[:50]:
            with open(os.path.join(config.filestore(new), fname), 'rb') as f:
                data = f.read()
            self.assertEqual(hashlib.sha1(data).hexdigest(), checksum)
            self.assertEqual(
                data, base64.b64decode(Attachment._file_read(fname)),
                'attachment %s reads other bytes after the restore' % att_id)


# other connections see only committed data: under Odoo's own runner
# (--test-enable) run after the modules are loaded and committed
@at_install(False)
@post_install(True)
class TestSessionSurvivesDatabaseRestart(TransactionCase):
    """Through Odoo's WSGI application (odoo.http.root) with the session
    cookie of a real session of the session store: a connection failure of
    the database check is retried, then answered 503; the session stays.
    A database that no longer exists ends the session, as in Odoo."""

    def setUp(self):
        super(TestSessionSurvivesDatabaseRestart, self).setUp()
        self.db = self.env.cr.dbname
        # a committed demo user: the request runs on its own cursor
        self.user = self.env['res.users'].search([('login', '=', 'tech1')])
        self.assertTrue(self.user, 'demo user tech1')
        self.store = http.root.session_store
        self.client = Client(http.root, BaseResponse)
        patcher = mock.patch.object(http_resilience, '_sleep')
        self.sleeps = patcher.start()
        self.addCleanup(patcher.stop)

    def _session(self, db):
        session = self.store.new()
        session.db = db
        session.uid = self.user.id
        session.login = self.user.login
        session.context = {'lang': 'en_US', 'uid': self.user.id}
        session.session_token = security.compute_session_token(
            session, self.env)
        self.store.save(session)
        self.addCleanup(self.store.delete, session)
        self.client.set_cookie('localhost', 'session_id', session.sid)
        return session.sid

    def _session_info(self):
        return self.client.post(
            '/web/session/get_session_info', content_type='application/json',
            data=json.dumps({'jsonrpc': '2.0', 'method': 'call',
                             'params': {}, 'id': 1}))

    def _failing_connections(self, failures, error=psycopg2.OperationalError,
                             message='could not connect to server: '
                                     'Connection refused'):
        """Connection.cursor of the test database raises ``error``
        ``failures`` times (as while PostgreSQL restarts), then works."""
        real = sql_db.Connection.cursor
        state = {'left': failures, 'raised': 0}

        def cursor(conn, *args, **kwargs):
            if conn.dbname == self.db and state['left']:
                state['left'] -= 1
                state['raised'] += 1
                raise error(message)
            return real(conn, *args, **kwargs)
        return mock.patch.object(sql_db.Connection, 'cursor', cursor), state

    def _assert_logged_in(self, sid, response):
        self.assertEqual(response.status_code, 200, response.data)
        self.assertEqual(json.loads(response.data.decode())['result']['uid'],
                         self.user.id)
        self.assertEqual(self.store.get(sid).uid, self.user.id)

    def test_patch_loaded(self):
        self.assertTrue(getattr(http.Root.setup_db, 'aftersales_resilient',
                                False), 'post_load of aftersales_addon')

    def test_connection_fails_once_twice(self):
        sid = self._session(self.db)
        for failures in (1, 2):
            patcher, state = self._failing_connections(failures)
            with patcher:
                response = self._session_info()
            self.assertEqual(state['raised'], failures)
            self._assert_logged_in(sid, response)
        self.assertEqual(self.sleeps.call_count, 3)

    def test_one_database_check_per_request(self):
        # the patch makes Odoo's check itself: not a second query
        sid = self._session(self.db)
        execute = sql_db.Cursor.execute
        checks = []

        def counting(cr, query, *args, **kwargs):
            if 'base_registry_signaling' in str(query):
                checks.append(cr.dbname)
            return execute(cr, query, *args, **kwargs)
        with mock.patch.object(sql_db.Cursor, 'execute', counting):
            response = self._session_info()
        self._assert_logged_in(sid, response)
        self.assertEqual(checks, [self.db])

    def test_dead_pooled_connection(self):
        # after a restart, resetting a pooled connection raises a bare
        # DatabaseError, which Odoo's pool does not expect (HTTP 500)
        sid = self._session(self.db)
        patcher, state = self._failing_connections(
            1, psycopg2.DatabaseError,
            'server closed the connection unexpectedly')
        with patcher:
            response = self._session_info()
        self.assertEqual(state['raised'], 1)
        self._assert_logged_in(sid, response)

    def test_connection_keeps_failing_503_session_kept(self):
        sid = self._session(self.db)
        patcher, state = self._failing_connections(1000)
        with patcher:
            response = self._session_info()
        self.assertEqual(response.status_code, 503)
        self.assertIn(b'temporarily unavailable', response.data)
        self.assertEqual(state['raised'], 3)
        session = self.store.get(sid)
        self.assertEqual((session.db, session.uid), (self.db, self.user.id))
        # the database is back: the same session goes on
        self._assert_logged_in(sid, self._session_info())

    def test_dropped_database_ends_session(self):
        gone = self.db[:40] + '_dropped'
        self.env.cr.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (gone,))
        self.assertFalse(self.env.cr.fetchone())
        sid = self._session(gone)
        with mock.patch.dict(config.options, {'dbfilter': '.*'}):
            response = self._session_info()
        self.assertNotEqual(response.status_code, 503)
        self.assertFalse(self.store.get(sid).uid, 'session ended')


class _TestCursor(object):
    """The test's own cursor, lent as a registry cursor (not closed)."""

    def __init__(self, cr):
        self.cr = cr

    def __enter__(self):
        return self.cr

    def __exit__(self, *exc):
        return False


# other connections see only committed data: under Odoo's own runner
# (--test-enable) run after the modules are loaded and committed
@at_install(False)
@post_install(True)
class TestPreforkBus(TransactionCase):
    """The run command serves in prefork mode: without a proxy the web
    client's notification polls reach HTTP workers without a long-polling
    dispatcher; they are answered from the bus table."""

    def poll(self, channels, last):
        from ..controllers import bus
        registry = mock.Mock()
        registry.cursor.return_value = _TestCursor(self.env.cr)
        with mock.patch.object(bus.odoo, 'registry', return_value=registry):
            return bus.TablePoll().poll(self.env.cr.dbname, channels, last,
                                        {})

    def test_waiting_notifications_reach_the_user(self):
        partner = self.env.ref('base.partner_root')
        channel = (self.env.cr.dbname, 'res.partner', partner.id)
        self.env['bus.bus'].sendone(channel, {'type': 'aftersales_test'})
        last = self.env['bus.bus'].search([], order='id desc', limit=1).id
        found = self.poll([channel], last - 1)
        self.assertEqual([n['message'] for n in found],
                         [{'type': 'aftersales_test'}])
        # nothing newer: a quiet refusal (the web client polls again
        # later), neither a traceback nor a worker held waiting
        with self.assertRaises(UserError):
            self.poll([channel], last)

    def test_only_a_worker_without_dispatcher_is_given_the_table(self):
        from odoo.addons.bus.controllers import main as bus_main
        from ..controllers import bus
        real = object()
        with mock.patch.object(bus_main, 'dispatch', real):
            bus.install()
            self.assertIs(bus_main.dispatch, real)
        with mock.patch.object(bus_main, 'dispatch', None):
            bus.install()
            self.assertIsInstance(bus_main.dispatch, bus.TablePoll)
