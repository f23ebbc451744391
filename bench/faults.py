#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""PostgreSQL crashes under load (issue 24): acknowledged writes lost and
users logged out.

Run on demand, never in CI (as root, like scripts/aftersales.sh):

    /work/main/.work/venv/bin/python bench/faults.py --restarts 5

It starts its own throwaway PostgreSQL 15 cluster (in a temporary
directory, its own socket and port, PostgreSQL's durable defaults; with
``--relaxed``: fsync, synchronous_commit, full_page_writes off, as the
project's cluster had before issue 24), restores into it a copy of
``--source-db`` (aftersales_lead2) of the project's cluster (pg_dump -Fc |
pg_restore, filestore copied) and starts an Odoo server on it (threaded,
``--workers 0``; the addons of this repository, or ``--addons-root``: e.g.
a checkout without the session patch, to compare).

``--users`` (20) JSON-RPC clients, each with its own web session (logins
cs, as_manager, admin in turn), create service requests
(``helpdesk.ticket.create`` through /web/dataset/call_kw, as the web client
does) in a loop with ``--think`` seconds (0.2) between calls, and record
every id the server answered (acknowledged). An error is retried; an HTTP
503 (database temporarily unavailable) is retried after a pause; "session
expired" counts a logout, and the client logs in again.

``--warmup`` seconds after every user has logged in, the cluster is
restarted ``--restarts`` times with ``pg_ctl -m immediate restart`` (what a
power cut or an out-of-memory kill of the postmaster does), every
``--interval`` seconds. After the last
restart the load goes on for ``--tail`` seconds. Then it counts:

* acknowledged writes missing from the database;
* users logged out during the run (a call answered "session expired"), and
  sessions no longer valid at the end (/web/session/get_session_info);
* calls answered, failed (by error), answered 503.

Everything is removed at the end (``--keep`` keeps the directory).
"""
import argparse
import collections
import configparser
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import psycopg2
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, '.work')
PGBIN = '/usr/lib/postgresql/15/bin'
LOGINS = ('cs', 'as_manager', 'admin')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--restarts', type=int, default=5)
    p.add_argument('--users', type=int, default=20)
    p.add_argument('--interval', type=float, default=8.0,
                   help='seconds of load between restarts')
    p.add_argument('--warmup', type=float, default=5.0)
    p.add_argument('--tail', type=float, default=8.0)
    p.add_argument('--think', type=float, default=0.2)
    p.add_argument('--source-db', default='aftersales_lead2')
    p.add_argument('--conf', default=os.path.join(WORK, 'odoo.conf'),
                   help="the project's odoo.conf (source database, "
                        "addons path)")
    p.add_argument('--addons-root', default=None,
                   help='serve the addon from this checkout instead')
    p.add_argument('--pg-port', type=int, default=54415)
    p.add_argument('--http-port', type=int, default=8182)
    p.add_argument('--workers', type=int, default=0)
    p.add_argument('--relaxed', action='store_true',
                   help='fsync, synchronous_commit, full_page_writes off')
    p.add_argument('--keep', action='store_true')
    return p.parse_args()


def as_postgres(*cmd, **kw):
    return subprocess.run(('runuser', '-u', 'postgres', '--') + cmd,
                          check=True, **kw)


class Cluster:
    """A throwaway PostgreSQL cluster, socket only, trust logins."""

    def __init__(self, base, port, relaxed):
        self.data = os.path.join(base, 'pgdata')
        self.sock = os.path.join(base, 'pgsock')
        self.log = os.path.join(base, 'postgresql.log')
        self.port = port
        for d in (self.sock, self.data):
            os.makedirs(d, 0o700)
            shutil.chown(d, 'postgres')
        open(self.log, 'w').close()
        shutil.chown(self.log, 'postgres')
        as_postgres(PGBIN + '/initdb', '-D', self.data, '-U', 'odoo',
                    '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8',
                    stdout=subprocess.DEVNULL)
        conf = ["listen_addresses = ''",
                "unix_socket_directories = '%s'" % self.sock,
                'port = %d' % port, 'shared_buffers = 128MB',
                'max_connections = 100']
        if relaxed:
            conf += ['fsync = off', 'synchronous_commit = off',
                     'full_page_writes = off']
        as_postgres('sh', '-c', 'cat >> %s/postgresql.conf' % self.data,
                    input='\n'.join(conf + ['']).encode())

    def pg_ctl(self, *args):
        t0 = time.time()
        as_postgres(PGBIN + '/pg_ctl', '-D', self.data, '-l', self.log,
                    '-w', '-t', '120', *args, stdout=subprocess.DEVNULL)
        return time.time() - t0

    def env(self):
        return dict(os.environ, PGHOST=self.sock, PGPORT=str(self.port),
                    PGUSER='odoo')

    def connect(self, db):
        return psycopg2.connect(dbname=db, host=self.sock, port=self.port,
                                user='odoo')

    def settings(self):
        conn = self.connect('postgres')
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT name, setting FROM pg_settings WHERE name "
                           "IN ('fsync', 'synchronous_commit', "
                           "'full_page_writes') ORDER BY name")
                return ', '.join('%s=%s' % r for r in cr.fetchall())
        finally:
            conn.close()


def copy_source(args, project, cluster, data_dir, db):
    """pg_dump -Fc of the source database | pg_restore into the cluster;
    its filestore copied."""
    src = dict(os.environ, PGHOST=project['db_host'],
               PGPORT=project['db_port'], PGUSER=project['db_user'],
               PGPASSWORD=project['db_password'])
    subprocess.run([PGBIN + '/createdb', db], env=cluster.env(), check=True)
    dump = subprocess.Popen([PGBIN + '/pg_dump', '-Fc', args.source_db],
                            env=src, stdout=subprocess.PIPE)
    subprocess.run([PGBIN + '/pg_restore', '--no-owner', '-d', db],
                   env=cluster.env(), stdin=dump.stdout, check=True)
    dump.stdout.close()
    if dump.wait():
        raise SystemExit('pg_dump of %s failed' % args.source_db)
    # a checkpoint: the restarts replay the load's WAL, not the restore's
    conn = cluster.connect('postgres')
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute('CHECKPOINT')
    conn.close()
    filestore = os.path.join(project['data_dir'], 'filestore',
                             args.source_db)
    if os.path.isdir(filestore):
        shutil.copytree(filestore, os.path.join(data_dir, 'filestore', db))


class Load:
    """--users JSON-RPC clients creating service requests."""

    def __init__(self, url, db, think):
        self.url, self.db, self.think = url, db, think
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = {}                  # id -> name
        self.counts = collections.Counter()
        self.logged_out = set()          # users logged out at least once
        self.sessions = {}

    def _call(self, session, path, params, timeout=60):
        return session.post(self.url + path, timeout=timeout, json={
            'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params})

    def login(self, user, login):
        while not self.stop.is_set():
            session = requests.Session()
            try:
                r = self._call(session, '/web/session/authenticate', {
                    'db': self.db, 'login': login, 'password': login})
                if r.status_code == 200 and (
                        r.json().get('result') or {}).get('uid'):
                    self.sessions[user] = session
                    return session
            except (requests.RequestException, ValueError):
                pass
            self.count('login retried')
            time.sleep(0.5)
        return None

    def count(self, key):
        with self.lock:
            self.counts[key] += 1

    def user(self, user, login):
        session = self.login(user, login)
        n = 0
        while session and not self.stop.is_set():
            n += 1
            name = 'FAULTS u%02d #%d' % (user, n)
            try:
                r = self._call(
                    session, '/web/dataset/call_kw/helpdesk.ticket/create', {
                        'model': 'helpdesk.ticket', 'method': 'create',
                        'args': [{'name': name,
                                  'description': 'bench/faults.py'}],
                        'kwargs': {'context': {'lang': 'zh_CN'}}})
            except requests.RequestException as e:
                self.count('no answer (%s)' % type(e).__name__)
                time.sleep(0.5)
                continue
            if r.status_code == 503:
                self.count('answered 503 (try again)')
                time.sleep(float(r.headers.get('Retry-After') or 1))
                continue
            if r.status_code != 200:
                self.count('HTTP %d' % r.status_code)
                time.sleep(0.5)
                continue
            body = r.json()
            if 'result' in body:
                with self.lock:
                    self.acked[body['result']] = name
                    self.counts['acknowledged'] += 1
                time.sleep(self.think)
                continue
            error = body.get('error') or {}
            kind = (error.get('data') or {}).get('name') or \
                error.get('message') or 'error'
            if error.get('code') == 100 or 'SessionExpired' in kind:
                self.count('session expired')
                with self.lock:
                    self.logged_out.add(user)
                session = self.login(user, login)
            else:
                self.count('error %s' % kind.split('.')[-1])
                time.sleep(0.5)

    def valid_sessions(self):
        valid = 0
        for session in self.sessions.values():
            r = self._call(session, '/web/session/get_session_info', {})
            if r.status_code == 200 and \
                    (r.json().get('result') or {}).get('uid'):
                valid += 1
        return valid


def wait_http(url, proc, timeout=180):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit('Odoo exited (status %s)' % proc.returncode)
        try:
            if requests.get(url + '/web/login', timeout=10).status_code \
                    == 200:
                return time.time() - t0
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit('Odoo did not answer within %d s' % timeout)


def main():
    args = parse_args()
    project = configparser.ConfigParser()
    project.read(args.conf)
    project = project['options']
    addons_path = project['addons_path']
    if args.addons_root:
        addons_path = ','.join(addons_path.split(',')[:-1] +
                               [os.path.abspath(args.addons_root)])
    base = tempfile.mkdtemp(prefix='aftersales_faults_')
    os.chmod(base, 0o711)
    db = 'faults'
    cluster = odoo = None
    try:
        cluster = Cluster(base, args.pg_port, args.relaxed)
        cluster.pg_ctl('start')
        data_dir = os.path.join(base, 'data')
        os.makedirs(os.path.join(data_dir, 'filestore'))
        t0 = time.time()
        copy_source(args, project, cluster, data_dir, db)
        print('copy of %s restored in %.1f s; PostgreSQL: %s' % (
            args.source_db, time.time() - t0, cluster.settings()))
        conf = os.path.join(base, 'odoo.conf')
        with open(conf, 'w') as f:
            f.write('\n'.join([
                '[options]', 'addons_path = %s' % addons_path,
                'data_dir = %s' % data_dir,
                'admin_passwd = %s' % secrets.token_urlsafe(16),
                'db_host = %s' % cluster.sock,
                'db_port = %d' % args.pg_port, 'db_user = odoo',
                'http_interface = 127.0.0.1',
                'http_port = %d' % args.http_port, 'list_db = False',
                'max_cron_threads = 0', 'workers = %d' % args.workers,
                'logfile = %s' % os.path.join(base, 'odoo.log'),
                'log_level = warn', '']))
        odoo = subprocess.Popen([os.path.join(WORK, 'bin', 'odoo'), '-c',
                                 conf, '-d', db, '--db-filter=^%s$' % db])
        url = 'http://127.0.0.1:%d' % args.http_port
        print('Odoo serving after %.1f s (addons: %s, workers %d)' % (
            wait_http(url, odoo), addons_path.split(',')[-1],
            args.workers))

        load = Load(url, db, args.think)
        threads = [threading.Thread(target=load.user,
                                    args=(i, LOGINS[i % len(LOGINS)]))
                   for i in range(args.users)]
        for t in threads:
            t.start()
        t0 = time.time()
        while len(load.sessions) < args.users and time.time() - t0 < 180:
            time.sleep(0.5)
        print('%d users logged in after %.1f s' % (len(load.sessions),
                                                   time.time() - t0))
        time.sleep(args.warmup)
        downtimes = []
        for i in range(args.restarts):
            time.sleep(args.interval if i else 0)
            before = load.counts['acknowledged']
            downtimes.append(cluster.pg_ctl('-m', 'immediate', 'restart'))
            print('  restart %d: pg_ctl -m immediate restart took %.2f s '
                  '(%d requests acknowledged before it)' % (
                      i + 1, downtimes[-1], before))
        time.sleep(args.tail)
        load.stop.set()
        for t in threads:
            t.join(90)
        valid = load.valid_sessions()

        conn = cluster.connect(db)
        with conn.cursor() as cr:
            cr.execute('SELECT id, name FROM helpdesk_ticket WHERE id = '
                       'ANY(%s)', (list(load.acked),))
            found = dict(cr.fetchall())
        conn.close()
        missing = [i for i, name in load.acked.items()
                   if found.get(i) != name]
        print()
        print('PostgreSQL %s; %d users, %d immediate restarts every %.0f s '
              '(each %.2f-%.2f s)' % (
                  cluster.settings(), args.users, args.restarts,
                  args.interval, min(downtimes or [0]),
                  max(downtimes or [0])))
        for key, value in sorted(load.counts.items()):
            print('  %-40s %6d' % (key, value))
        print('  %-40s %6d' % ('acknowledged writes missing', len(missing)))
        print('  %-40s %6d' % ('users logged out during the run',
                               len(load.logged_out)))
        print('  %-40s %6d of %d' % ('sessions valid at the end', valid,
                                     len(load.sessions)))
        print('  (load average: %s)' % ', '.join(
            '%.2f' % x for x in os.getloadavg()))
        return 1 if missing else 0
    finally:
        if odoo and odoo.poll() is None:
            odoo.terminate()
            try:
                odoo.wait(30)
            except subprocess.TimeoutExpired:
                odoo.kill()
        if cluster:
            try:
                cluster.pg_ctl('-m', 'fast', 'stop')
            except subprocess.CalledProcessError:
                pass
        if args.keep:
            print('kept: %s' % base)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
