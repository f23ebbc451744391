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

``--restart odoo``: Odoo restarts instead (issue 24: "a restart under load
always comes up serving"). On the project's cluster, a copy of
``--source-db`` (``createdb -T`` + filestore; ``--db``) is served by the
prefork server as ``scripts/aftersales.sh run`` starts it (its options from
``scripts/aftersales.sh server-args``: workers, cron worker, limits,
long polling on ``--http-port`` + 1, ``--load``), on ``--http-port``, and
restarted ``--restarts`` times under the same load: stopped as
``scripts/aftersales.sh stop`` stops it (its ``stop_odoo``: SIGTERM, then
SIGKILL to its process tree after 15 s; ``--stop kill-master``: SIGKILL to
the master alone, what the script did when a stop took longer than 15 s,
or an out-of-memory kill of the master) and started again at once. Per
start: seconds to stop, processes of the old server left, seconds until
it serves ``/web/login``, seconds until the first acknowledged write and
whether the start is **broken** (never serves, or no write acknowledged in
the second half of its time while calls failed: "Model ... does not exist
in registry" and the like until the next restart). Then the calls by
outcome (acknowledged, 503, HTTP 500, connection refused...), the
acknowledged writes missing, the users logged out. The database is dropped
at the end unless ``--keep``.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flow  # noqa: E402  (the bench helpers: .work, databases)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = flow.WORK
SCRIPT = os.path.join(ROOT, 'scripts', 'aftersales.sh')
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
    p.add_argument('--workers', type=int, default=None,
                   help='0: threaded (default when PostgreSQL restarts); '
                        'with --restart odoo: run\'s default')
    p.add_argument('--restart', choices=('postgres', 'odoo'),
                   default='postgres', help='what is restarted')
    p.add_argument('--db', default='aftersales_bench_faults_odoo',
                   help='--restart odoo: the copy served')
    p.add_argument('--stop', choices=('script', 'kill-master'),
                   default='script',
                   help="--restart odoo: the script's stop_odoo, or "
                        "SIGKILL to the master only")
    p.add_argument('--up-timeout', type=float, default=120.0,
                   help='--restart odoo: seconds a start may take')
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
        self.events = []                 # (time, outcome) of every call
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
            self.events.append((time.time(), key))

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
            except requests.ConnectionError as e:
                # refused: nothing listens; aborted: taken by a server
                # that stopped before answering (not acknowledged)
                self.count('connection refused' if 'refused' in str(e)
                           else 'connection aborted, no answer')
                time.sleep(0.5)
                continue
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
                self.count('acknowledged')
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
                message = (error.get('data') or {}).get('message') or ''
                if 'does not exist in registry' in message:
                    kind = 'model not in registry'
                self.count('error %s' % kind.split('.')[-1])
                time.sleep(0.5)

    def valid_sessions(self):
        valid = 0
        for session in self.sessions.values():
            try:
                r = self._call(session, '/web/session/get_session_info', {})
            except requests.RequestException:
                continue
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


# ----------------------------------------------------------------------
# --restart odoo: the prefork server of `run`, restarted under load
# ----------------------------------------------------------------------
def session_processes(sid):
    """Pids of the processes of session ``sid`` still running (zombies
    left out): the server's master, workers, cron worker, long polling,
    report converters."""
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except (IOError, OSError, IndexError):
            continue
        if fields[0] != 'Z' and int(fields[3]) == sid:
            pids.append(int(entry))
    return pids


class OdooServer:
    """The prefork server with `run`'s options, on its own port and
    database; each start in a session of its own (to count what is left
    of it after a stop)."""

    def __init__(self, args, db, base):
        self.args, self.db = args, db
        self.pidfile = os.path.join(base, 'odoo.pid')
        self.logfile = os.path.join(base, 'odoo.log')
        env = dict(os.environ, AFTERSALES_LONGPOLLING_PORT=str(
            args.http_port + 1))
        if args.workers is not None:
            env['AFTERSALES_WORKERS'] = str(args.workers)
        self.server_args = subprocess.check_output(
            ['bash', SCRIPT, 'server-args'], env=env,
            universal_newlines=True).split()
        self.cmd = [flow.ODOO_BIN, '-c', args.conf, '-d', db,
                    '--db-filter=^%s$' % db, '--http-interface=127.0.0.1',
                    '--http-port=%d' % args.http_port,
                    '--pidfile=%s' % self.pidfile,
                    '--logfile=%s' % self.logfile,
                    '--log-level=info'] + self.server_args
        self.proc = None
        self.sids = []

    def start(self):
        env = flow._pg_env()
        # lessc (web assets), as run puts it on the PATH
        node = os.path.join(os.path.dirname(os.path.realpath(
            os.path.join(WORK, 'venv'))), 'node', 'node_modules', '.bin')
        env['PATH'] = node + os.pathsep + env.get('PATH', '')
        self.proc = subprocess.Popen(
            self.cmd, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        self.sids.append(self.proc.pid)
        with open(self.pidfile, 'w') as f:
            f.write('%d\n' % self.proc.pid)
        # reaped as soon as it ends, as run's shell does
        threading.Thread(target=self.proc.wait, daemon=True).start()
        return self.proc.pid

    def wait_serving(self, timeout):
        """Seconds until /web/login answers 200, None if it never does
        (or the master exited)."""
        url = 'http://127.0.0.1:%d/web/login' % self.args.http_port
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None:
                return None
            try:
                if requests.get(url, timeout=10).status_code == 200:
                    return time.time() - t0
            except requests.RequestException:
                pass
            time.sleep(0.2)
        return None

    def stop(self):
        """Stop as the script does (or SIGKILL the master alone); returns
        the seconds it took and the pids of its session left running."""
        t0 = time.time()
        sid = self.proc.pid
        if self.args.stop == 'script':
            subprocess.run(
                ['bash', '-c', 'source "$1"; ODOO_PIDFILE="$2"; stop_odoo',
                 'bash', SCRIPT, self.pidfile], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, check=True)
        else:
            try:
                os.kill(sid, 9)
            except ProcessLookupError:
                pass
        deadline = time.time() + 5
        while self.proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        return time.time() - t0, session_processes(sid)

    def kill_all(self):
        """The bench's own cleanup: whatever of its sessions is left."""
        for sid in self.sids:
            for pid in session_processes(sid):
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass


def copy_db(source, db):
    import odoo
    if flow.db_exists(db):
        flow.dropdb(db)
    target = odoo.tools.config.filestore(db)
    shutil.rmtree(target, ignore_errors=True)
    flow.createdb_from(source, db)
    if os.path.isdir(odoo.tools.config.filestore(source)):
        shutil.copytree(odoo.tools.config.filestore(source), target)


def drop_db(db):
    import odoo
    flow.dropdb(db)
    shutil.rmtree(odoo.tools.config.filestore(db), ignore_errors=True)


def start_verdict(events, serving_at, stopped_at):
    """(broken, acknowledged, failed, seconds to the first write
    acknowledged, failures by kind) of one start, from the calls made while
    it was meant to serve: broken when it never served, or when no write
    was acknowledged in the second half of its time."""
    if serving_at is None:
        return True, 0, 0, None, collections.Counter(['never served'])
    window = [(t, k) for t, k in events if serving_at <= t < stopped_at]
    acks = [t for t, k in window if k == 'acknowledged']
    failed = collections.Counter(
        k for t, k in window if k not in ('acknowledged', 'login retried'))
    half = serving_at + (stopped_at - serving_at) / 2.0
    broken = not any(t >= half for t in acks)
    return (broken, len(acks), sum(failed.values()),
            (acks[0] - serving_at) if acks else None, failed)


def print_start(i, start):
    """One row of the restart table."""
    broken, acked, failed, first, kinds = start['verdict']
    up = start['up']
    print('%4d %7.1f %5d %7s %8s %6d %6d %7s  %s' % (
        i, start['stop_s'], start['left'],
        '%.1f' % up if up is not None else 'never',
        '%.1f' % first if first is not None else '-', acked, failed,
        'BROKEN' if broken else 'ok', ', '.join(
            '%s x%d' % kv for kv in kinds.most_common(4))), flush=True)


def main_odoo(args):
    flow.load_config(args.conf)
    base = tempfile.mkdtemp(prefix='aftersales_faults_odoo_')
    server = load = None
    try:
        t0 = time.time()
        copy_db(args.source_db, args.db)
        print('copy of %s as %s in %.1f s (project cluster)' % (
            args.source_db, args.db, time.time() - t0))
        server = OdooServer(args, args.db, base)
        print('server: %s' % ' '.join(server.server_args))
        server.start()
        up = server.wait_serving(args.up_timeout)
        if up is None:
            raise SystemExit('the first start did not serve, see %s' %
                             server.logfile)
        print('serving after %.1f s; stop: %s' % (up, args.stop))
        load = Load('http://127.0.0.1:%d' % args.http_port, args.db,
                    args.think)
        threads = [threading.Thread(target=load.user,
                                    args=(i, LOGINS[i % len(LOGINS)]))
                   for i in range(args.users)]
        for t in threads:
            t.start()
        t1 = time.time()
        while len(load.sessions) < args.users and time.time() - t1 < 180:
            time.sleep(0.5)
        print('%d users logged in after %.1f s' % (len(load.sessions),
                                                   time.time() - t1))
        time.sleep(args.warmup)
        print('\n%4s %7s %5s %7s %8s %6s %6s %7s  %s' % (
            'run', 'stop s', 'left', 'up s', '1st ack', 'acked', 'failed',
            'start', 'failures while it served'))
        starts = []
        for i in range(args.restarts):
            time.sleep(args.interval)
            stopped_at = time.time()
            stop_s, left = server.stop()
            if starts:
                starts[-1]['verdict'] = start_verdict(
                    load.events, starts[-1]['serving_at'], stopped_at)
                print_start(i, starts[-1])
            server.start()
            t_start = time.time()
            up = server.wait_serving(args.up_timeout)
            starts.append({'stop_s': stop_s, 'left': len(left), 'up': up,
                           'serving_at': t_start + up if up is not None
                           else None})
            if up is None:
                # the next stop and start are measured from a clean state
                server.kill_all()
        time.sleep(args.interval)
        starts[-1]['verdict'] = start_verdict(
            load.events, starts[-1]['serving_at'], time.time())
        print_start(args.restarts, starts[-1])
        time.sleep(args.tail)
        load.stop.set()
        for t in threads:
            t.join(90)
        valid = load.valid_sessions()
        found = dict(flow.query(
            'SELECT id, name FROM helpdesk_ticket WHERE id = ANY(%s)',
            (list(load.acked),), db=args.db))
        missing = [i for i, name in load.acked.items()
                   if found.get(i) != name]
        broken = sum(1 for st in starts if st['verdict'][0])
        ups = sorted(st['up'] for st in starts
                     if st['up'] is not None) or [0.0]
        stops = sorted(st['stop_s'] for st in starts)
        print('\n%d Odoo restarts under load: %d users, %s, stop: %s' % (
            args.restarts, args.users, ' '.join(
                a for a in server.server_args
                if a.startswith(('--workers', '--max-cron'))), args.stop))
        print('  %-42s %6d of %d' % ('broken starts', broken, len(starts)))
        print('  %-42s %.1f / %.1f / %.1f' % (
            'start to serving, s (min / median / max)', ups[0],
            ups[len(ups) // 2], ups[-1]))
        print('  %-42s %.1f / %.1f' % (
            'stop, s (median / max)', stops[len(stops) // 2], stops[-1]))
        print('  %-42s %6d' % ('processes left by the stops (total)',
                               sum(st['left'] for st in starts)))
        for key, value in sorted(load.counts.items()):
            print('  %-42s %6d' % (key, value))
        print('  %-42s %6d' % ('acknowledged writes missing', len(missing)))
        print('  %-42s %6d' % ('users logged out during the run',
                               len(load.logged_out)))
        print('  %-42s %6d of %d' % ('sessions valid at the end', valid,
                                     len(load.sessions)))
        print('  (load average: %s; server log %s)' % (', '.join(
            '%.2f' % x for x in os.getloadavg()), server.logfile))
        return 1 if missing or broken else 0
    finally:
        if load:
            load.stop.set()
        if server and server.proc:
            if server.proc.poll() is None:
                server.stop()
            server.kill_all()
        if args.keep:
            print('kept: database %s, %s' % (args.db, base))
        else:
            try:
                drop_db(args.db)
            except Exception as e:  # pylint: disable=broad-except
                print('could not drop %s: %s' % (args.db, e))
            shutil.rmtree(base, ignore_errors=True)


def main():
    args = parse_args()
    if args.restart == 'odoo':
        return main_odoo(args)
    if args.workers is None:
        args.workers = 0
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
