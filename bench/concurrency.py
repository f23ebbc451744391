#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""People working side by side (issue 24): failed calls, serialization
retries and p95 with 4, 8 and 16 clients.

Run on demand, never in CI:

    /work/main/.work/venv/bin/python bench/concurrency.py --clients 4,8,16

It copies ``--source-db`` (aftersales_lead2) into its own database
(``createdb -T`` + filestore copy), adds a fixture (a customer, a serial
unit whose category has a warranty rule, ``--parts`` spare parts received
from a supplier by a done receipt, so every part has a FIFO candidate
move) and starts an Odoo server on it (prefork ``--workers`` 4, no cron,
loopback ``--http-port``). For each N of ``--clients`` it prepares, as the
superuser and committed, ``--ops`` repair orders per client at the stage
its operation needs (as ``bench/flow.py`` does: request -> repair order
with ``--lines`` part lines drawn from the shared parts, confirmed, in
warranty so every part line is a deposit), then N JSON-RPC clients, each
with its own web session as the department user, do at the same time:

* ``release`` (finance): the Finance release wizard, vouched by the
  order's technician (create + action_release);
* ``issue`` (warehouse): validates the parts issue transfer;
* ``end`` (tech1 / tech2, the order's technician): ends the repair;
* ``receive`` (warehouse): the Receive Old Parts wizard of an invoiced
  order (create + action_receive: transfer into Old Parts + credit note).

Client i does operation i mod 4; the orders alternate between tech1 and
tech2 and their part lines overlap. It prints per N the calls, the failed
calls (first error of each kind), the serialization retries in the
server log (Odoo logs each retry at INFO "... retry n/5"), the failed
statements Odoo logged ("bad query", by statement) and the statements seen
waiting for a lock in pg_stat_activity during the run, p50/p95/max.

Every server is stopped and the database dropped at the end (``--keep``
keeps it and the log).
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flow  # noqa: E402  (the bench helpers: databases, fixture)

KINDS = ('release', 'end', 'issue', 'receive')
# writers that do not move parts (--kinds): an accountant validating a
# customer invoice on the journal whose numbering the receipts' credit
# notes also take
OTHER_KINDS = ('validate',)
TECHNICIANS = ('tech1', 'tech2')
# the project cluster's server log (beside its socket directory, which a
# worktree's .work links to): it logs the statement of each error
PG_LOG = os.path.join(os.path.dirname(os.path.realpath(
    flow.PG_ENV['PGHOST'])), 'postgresql.log')


def filestore(dbname):
    """The database's filestore, under the configuration's data_dir."""
    import odoo
    return odoo.tools.config.filestore(dbname)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--clients', default='4,8,16')
    p.add_argument('--kinds', default=','.join(KINDS),
                   help='operations, client i doing kind i mod their '
                        'number: %s' % ', '.join(KINDS + OTHER_KINDS))
    p.add_argument('--ops', type=int, default=6,
                   help='operations per client and round (6)')
    p.add_argument('--lines', type=int, default=2,
                   help='part lines per repair order (2)')
    p.add_argument('--parts', type=int, default=3,
                   help='spare parts shared by all orders (3)')
    p.add_argument('--source-db', default='aftersales_lead2')
    p.add_argument('--db', default=os.environ.get(
        'AFTERSALES_BENCH_CONCURRENCY_DB') or 'aftersales_bench_concurrency')
    p.add_argument('--conf', default=flow.ODOO_CONF,
                   help='Odoo configuration loading this checkout')
    p.add_argument('--http-port', type=int, default=8183)
    p.add_argument('--workers', type=int, default=4)
    p.add_argument('--keep', action='store_true',
                   help='keep the database and the server log')
    args = p.parse_args(argv)
    args.clients = [int(x) for x in args.clients.split(',') if x.strip()]
    args.kinds = tuple(k.strip() for k in args.kinds.split(',') if k.strip())
    unknown = set(args.kinds) - set(KINDS + OTHER_KINDS)
    if unknown:
        p.error('unknown --kinds: %s' % ', '.join(sorted(unknown)))
    return args


# ----------------------------------------------------------------------
# Database and fixture (in this process, committed)
# ----------------------------------------------------------------------
def copy_db(args):
    if flow.db_exists(args.db):
        flow.dropdb(args.db)
    shutil.rmtree(filestore(args.db), ignore_errors=True)
    flow.createdb_from(args.source_db, args.db)
    source = filestore(args.source_db)
    if not os.path.isdir(source):
        sys.exit('No filestore %s for %s' % (source, args.source_db))
    shutil.copytree(source, filestore(args.db))


def drop_db(args):
    import odoo
    odoo.sql_db.close_db(args.db)
    flow.dropdb(args.db)
    shutil.rmtree(filestore(args.db), ignore_errors=True)


def make_fixture(env, args):
    """Customer, serial unit with a warranty rule, parts received from a
    supplier (a done receipt each: their FIFO candidate), the users."""
    ref = env.ref
    uom = ref('product.product_uom_unit')
    Product = env['product.product']
    stock = ref('stock.stock_location_stock')
    supplier = ref('stock.stock_location_suppliers')
    data = {
        'customer': env['res.partner'].create({
            'name': 'Concurrency Bench Customer', 'customer': True}),
        'unit': Product.create({
            'name': 'Concurrency Bench Scooter', 'type': 'product',
            'tracking': 'serial', 'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 9000.0}),
        'stock_location': stock,
        'pricelist': env['product.pricelist'].search([], limit=1),
        'channel': ref('helpdesk_mgmt.helpdesk_ticket_channel_phone'),
        'parts': Product.browse(),
        'lot_seq': 0,
        'users': {login: env['res.users'].search([('login', '=', login)])
                  for login in ('finance', 'warehouse') + TECHNICIANS},
    }
    data['customer_location'] = data['customer'].property_stock_customer
    categ = env['product.category'].create({'name': 'Concurrency Bench'})
    data['unit'].categ_id = categ
    flow.create_warranty_rule(env, categ)
    data['delivered_months_ago'] = 12
    data['warranty_rule'] = True
    for i in range(args.parts):
        part = Product.create({
            'name': 'Concurrency Part %02d' % i, 'type': 'product',
            'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 80.0 + i, 'standard_price': 30.0 + i,
            'aftersales_no_recovery_value': False})
        move = env['stock.move'].create({
            'name': 'Receipt of %s' % part.name, 'product_id': part.id,
            'product_uom': uom.id, 'product_uom_qty': 100000.0,
            'location_id': supplier.id, 'location_dest_id': stock.id})
        move._action_confirm()
        move._action_assign()
        move.move_line_ids.write({'qty_done': 100000.0})
        move._action_done()
        data['parts'] |= part
    warehouse = env['stock.warehouse'].search(
        [('company_id', '=', env.user.company_id.id)], limit=1)
    warehouse._aftersales_ensure_old_parts()
    return data


def prepare_order(env, data, technician, index, lines):
    """A confirmed repair order in warranty (deposit lines) of
    ``technician``, made from a request as the flow bench does."""
    lot = flow.new_lot(env, data)
    ticket = env['helpdesk.ticket'].create({
        'name': 'Concurrency bench', 'partner_id': data['customer'].id,
        'request_type': 'repair', 'urgency': 'important',
        'channel_id': data['channel'].id, 'product_id': data['unit'].id,
        'lot_id': lot.id, 'fault_symptom': 'No power.',
        'technician_id': technician.id})
    ticket.action_create_repair()
    repair = ticket.repair_ids
    parts = data['parts']
    for k in range(lines):
        part = parts[(index + k) % len(parts)]
        env['mrp.repair.line'].create({
            'repair_id': repair.id, 'type': 'add', 'product_id': part.id,
            'name': part.name, 'product_uom_qty': 1.0,
            'product_uom': part.uom_id.id,
            'price_unit': data['pricelist'].get_product_price(
                part, 1.0, data['customer']),
            'location_id': data['stock_location'].id,
            'location_dest_id': env.ref(
                'stock.location_production').id})
    repair.action_validate()
    return repair


def draft_invoice(env, data, index):
    """A draft customer invoice of one spare part (the accountant's
    work), on the customer invoice journal the repairs use."""
    part = data['parts'][index % len(data['parts'])]
    journal = env['account.journal'].search(
        [('type', '=', 'sale'),
         ('company_id', '=', env.user.company_id.id)], limit=1)
    account = part.property_account_income_id or \
        part.categ_id.property_account_income_categ_id or \
        journal.default_credit_account_id
    invoice = env['account.invoice'].create({
        'partner_id': data['customer'].id, 'type': 'out_invoice',
        'journal_id': journal.id,
        'invoice_line_ids': [(0, 0, {
            'product_id': part.id, 'name': part.name, 'quantity': 1.0,
            'price_unit': part.list_price, 'account_id': account.id})]})
    return {'invoice': invoice.id}


def advance(env, data, repair, kind):
    """Bring ``repair`` to the stage where ``kind`` is the next step."""
    if kind == 'release':
        return {'repair': repair.id}
    wizard = env['aftersales.finance.release.wizard'].with_context(
        default_res_model='mrp.repair', default_res_id=repair.id).create({
            'mode': 'vouched', 'vouch_user_id': repair.technician_id.id})
    wizard.action_release()
    repair.action_issue_parts()
    pickings = repair.parts_picking_ids.filtered(
        lambda p: p.state not in ('done', 'cancel'))
    if kind == 'issue':
        return {'repair': repair.id, 'pickings': pickings.ids}
    for picking in pickings:
        picking.button_validate()
    repair.action_repair_start()
    repair.write({'test_result': 'passed'})
    if kind == 'end':
        return {'repair': repair.id}
    repair.action_repair_end()
    repair.action_repair_invoice_create()
    repair.invoice_id.action_invoice_open()
    return {'repair': repair.id}


def prepare_round(dbname, data_ids, n_clients, args):
    """Orders of every client of the round, committed; returns the
    clients: (login, kind, [targets])."""
    import odoo
    registry = odoo.registry(dbname)
    clients = []
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        data = restore_fixture(env, data_ids)
        kinds = args.kinds
        for i in range(n_clients):
            kind = kinds[i % len(kinds)]
            targets = []
            for j in range(args.ops):
                if kind == 'validate':
                    targets.append(draft_invoice(env, data, i + j))
                    continue
                tech = data['users'][TECHNICIANS[(i // len(kinds) + j) % 2]]
                if kind == 'end':  # an end client is one technician
                    tech = data['users'][TECHNICIANS[(i // len(kinds)) % 2]]
                repair = prepare_order(env, data, tech, i * args.ops + j,
                                       args.lines)
                target = advance(env, data, repair, kind)
                target['tech'] = tech.id
                targets.append(target)
                env.cache.invalidate()
            login = {'release': 'finance', 'issue': 'warehouse',
                     'receive': 'warehouse', 'validate': 'finance'}.get(
                         kind) or TECHNICIANS[(i // len(kinds)) % 2]
            clients.append((login, kind, targets))
        data_ids['lot_seq'] = data['lot_seq']
        cr.commit()
    return clients


def fixture_ids(data):
    out = {}
    for key, value in data.items():
        if key == 'users':
            out[key] = {k: v.id for k, v in value.items()}
        elif hasattr(value, '_name'):
            out[key] = (value._name, value.ids)
        else:
            out[key] = value
    return out


def restore_fixture(env, ids):
    data = {}
    for key, value in ids.items():
        if key == 'users':
            data[key] = {k: env['res.users'].browse(v)
                         for k, v in value.items()}
        elif isinstance(value, tuple):
            data[key] = env[value[0]].browse(value[1])
        else:
            data[key] = value
    return data


def setup(args):
    import odoo
    registry = odoo.registry(args.db)
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        data = make_fixture(env, args)
        cr.commit()
        return fixture_ids(data)


# ----------------------------------------------------------------------
# Server
# ----------------------------------------------------------------------
def start_server(args, logfile):
    cmd = [flow.ODOO_BIN, '-c', args.conf, '-d', args.db,
           '--db-filter', '^%s$' % re.escape(args.db),
           '--workers', str(args.workers), '--max-cron-threads', '0',
           '--http-interface', '127.0.0.1',
           '--http-port', str(args.http_port),
           '--longpolling-port', str(args.http_port + 1),
           '--limit-time-real', '600', '--limit-time-cpu', '600',
           '--logfile', logfile, '--log-level', 'info']
    proc = subprocess.Popen(cmd, env=flow._pg_env(),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = 'http://127.0.0.1:%d/web/login' % args.http_port
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit('Odoo exited (%s), see %s' % (proc.returncode, logfile))
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(1)
    stop_server(proc)
    sys.exit('Odoo did not answer on %s' % url)


def stop_server(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------
# Clients
# ----------------------------------------------------------------------
class Client(threading.Thread):
    def __init__(self, url, db, login, kind, targets, start_event):
        super(Client, self).__init__(daemon=True)
        self.url, self.db, self.login = url, db, login
        self.kind, self.targets = kind, targets
        self.start_event = start_event
        self.session = requests.Session()
        self.times = []
        self.errors = []  # (call, message)

    def rpc(self, path, params):
        payload = {'jsonrpc': '2.0', 'method': 'call', 'params': params,
                   'id': 1}
        response = self.session.post(self.url + path, json=payload,
                                     timeout=900)
        try:
            return response.json()
        except ValueError:  # an HTTP error page (500, 503): a failed call
            return {'error': {'message': 'HTTP %d, not a JSON-RPC answer'
                                         % response.status_code}}

    def authenticate(self):
        res = self.rpc('/web/session/authenticate', {
            'db': self.db, 'login': self.login, 'password': self.login})
        if not res.get('result', {}).get('uid'):
            raise RuntimeError('%s cannot log in: %s' % (self.login, res))

    def call(self, name, model, method, args, kwargs=None, button=False):
        kwargs = dict(kwargs or {})
        if button:  # as the web client: the context is the last argument
            path = '/web/dataset/call_button'
            params = {'model': model, 'method': method,
                      'args': args + [kwargs.get('context', {})]}
        else:
            path = '/web/dataset/call_kw/%s/%s' % (model, method)
            params = {'model': model, 'method': method, 'args': args,
                      'kwargs': kwargs}
        t0 = time.perf_counter()
        res = self.rpc(path, params)
        self.times.append(time.perf_counter() - t0)
        if 'error' in res:
            data = res['error'].get('data') or {}
            message = (data.get('message') or res['error'].get('message')
                       or '').strip().splitlines()
            self.errors.append((name, '%s: %s' % (
                data.get('name', 'error'), message[0] if message else '')))
            return None
        return res.get('result')

    def run(self):
        self.start_event.wait()
        for target in self.targets:
            getattr(self, 'do_' + self.kind)(target)

    def do_release(self, target):
        context = {'default_res_model': 'mrp.repair',
                   'default_res_id': target['repair']}
        wizard = self.call('release: wizard', 'aftersales.finance.release'
                           '.wizard', 'create',
                           [{'mode': 'vouched',
                             'vouch_user_id': target['tech']}],
                           {'context': context})
        if wizard:
            self.call('release: action_release',
                      'aftersales.finance.release.wizard', 'action_release',
                      [[wizard]], {'context': context}, button=True)

    def do_issue(self, target):
        self.call('issue: button_validate', 'stock.picking',
                  'button_validate', [target['pickings']], button=True)

    def do_end(self, target):
        self.call('end: action_repair_end', 'mrp.repair',
                  'action_repair_end', [[target['repair']]], button=True)

    def do_validate(self, target):
        self.call('validate: action_invoice_open', 'account.invoice',
                  'action_invoice_open', [[target['invoice']]], button=True)

    def do_receive(self, target):
        context = {'default_repair_id': target['repair']}
        wizard = self.call('receive: wizard', 'aftersales.recovery.receive'
                           '.wizard', 'create', [{}], {'context': context})
        if wizard:
            self.call('receive: action_receive',
                      'aftersales.recovery.receive.wizard', 'action_receive',
                      [[wizard]], {'context': context}, button=True)


class LockSampler(threading.Thread):
    """Statements of the bench database waiting for a lock, sampled."""

    def __init__(self, db):
        super(LockSampler, self).__init__(daemon=True)
        self.db = db
        self.stop = threading.Event()
        self.seen = collections.Counter()
        self.pids = set()

    def run(self):
        import psycopg2
        conn = psycopg2.connect(dbname=self.db, host=flow.PG_ENV['PGHOST'],
                                port=flow.PG_ENV['PGPORT'],
                                user=flow.PG_ENV['PGUSER'],
                                passfile=flow.PG_ENV['PGPASSFILE'])
        conn.autocommit = True
        with conn.cursor() as cr:
            while not self.stop.is_set():
                cr.execute("""
                    SELECT regexp_replace(left(query, 90), '\\s+', ' ', 'g')
                      FROM pg_stat_activity
                     WHERE datname = %s AND wait_event_type = 'Lock'
                """, (self.db,))
                for (query,) in cr.fetchall():
                    self.seen[query] += 1
                cr.execute('SELECT pid FROM pg_stat_activity '
                           'WHERE datname = %s', (self.db,))
                self.pids.update(pid for (pid,) in cr.fetchall())
                time.sleep(0.1)
        conn.close()


def log_figures(logfile, offset):
    """Retries and failed statements logged since ``offset``."""
    retries = 0
    bad = collections.Counter()
    with open(logfile, errors='replace') as log:
        log.seek(offset)
        text = log.read()
    for line in text.splitlines():
        if re.search(r'(SerializationFailure|could not serialize|'
                     r'LockNotAvailable|DeadlockDetected|'
                     r'serialization_failure|lock_not_available).*retry',
                     line, re.I) or re.search(r', retry \d+/\d+ in', line):
            retries += 1
    for match in re.finditer(r'bad query: (.*?)\nERROR: (.*?)\n', text,
                             re.S):
        query = re.sub(r'\s+', ' ', match.group(1))[:90]
        bad['%s -- %s' % (query, match.group(2)[:40])] += 1
    return retries, bad


def pg_log_size():
    return os.path.getsize(PG_LOG) if os.path.exists(PG_LOG) else 0


def pg_log_failures(offset, pids):
    """Statements that failed on a concurrency error in the bench
    database's sessions (``pids``), from the PostgreSQL server log (which
    logs the statement of every error): {statement: count}."""
    failed = collections.Counter()
    if not os.path.exists(PG_LOG):
        return failed
    with open(PG_LOG, errors='replace') as log:
        log.seek(offset)
        lines = log.read().splitlines()
    pending = {}
    for line in lines:
        match = re.search(r'\[(\d+)\] (ERROR|STATEMENT): +(.*)', line)
        if not match or int(match.group(1)) not in pids:
            continue
        pid, kind, text = int(match.group(1)), match.group(2), \
            match.group(3)
        if kind == 'ERROR':
            if re.search(r'could not serialize|deadlock detected|'
                         r'could not obtain lock', text):
                pending[pid] = text[:40]
        elif pid in pending:
            statement = re.sub(r'\b\d+\b', 'N', text)[:100]
            failed['%s -- %s' % (statement, pending.pop(pid))] += 1
    return failed


def percentile(values, pct):
    values = sorted(values)
    if not values:
        return 0.0
    k = max(0, min(len(values) - 1, int(round(pct / 100.0 * len(values)
                                              + 0.5)) - 1))
    return values[k]


def run_round(args, clients, logfile):
    url = 'http://127.0.0.1:%d' % args.http_port
    start = threading.Event()
    threads = [Client(url, args.db, login, kind, targets, start)
               for login, kind, targets in clients]
    for thread in threads:
        thread.authenticate()
    offset = os.path.getsize(logfile)
    pg_offset = pg_log_size()
    sampler = LockSampler(args.db)
    sampler.start()
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    time.sleep(0.5)
    retries, bad = log_figures(logfile, offset)
    bad.update(pg_log_failures(pg_offset, sampler.pids))
    times = [t for thread in threads for t in thread.times]
    errors = [e for thread in threads for e in thread.errors]
    roles = collections.Counter('%s %s' % (c[1], c[0]) for c in clients)
    print('\n== %d clients (%s) ==' % (len(clients), ', '.join(
        '%d x %s' % (count, role) for role, count in sorted(roles.items()))))
    print('  calls %d, failed %d, serialization retries in the log %d, '
          'wall %.1f s' % (len(times), len(errors), retries, wall))
    print('  latency p50 %.2f s, p95 %.2f s, max %.2f s' % (
        percentile(times, 50), percentile(times, 95),
        max(times) if times else 0.0))
    firsts = collections.OrderedDict()
    for name, message in errors:
        firsts.setdefault(message[:160], [name, 0])[1] += 1
    for message, (name, count) in firsts.items():
        print('  FAILED x%d (%s): %s' % (count, name, message))
    for query, count in bad.most_common(8):
        print('  failed statement x%d: %s' % (count, query))
    for query, count in sampler.seen.most_common(6):
        print('  waiting on a lock (%d samples): %s' % (count, query))
    return len(times), len(errors), retries, percentile(times, 95)


def main(argv=None):
    args = parse_args(argv)
    flow.load_config(args.conf)
    print('Concurrency bench on %s (copy of %s): clients %s doing %s, %d '
          'operations each, %d part lines per order over %d shared parts, '
          'prefork %d workers' % (
              args.db, args.source_db, ','.join(map(str, args.clients)),
              ','.join(args.kinds), args.ops, args.lines, args.parts,
              args.workers), flush=True)
    copy_db(args)
    tmp = tempfile.mkdtemp(prefix='aftersales-concurrency-')
    logfile = os.path.join(tmp, 'odoo.log')
    open(logfile, 'w').close()
    server = None
    summary = []
    try:
        t0 = time.perf_counter()
        ids = setup(args)
        print('(fixture in %.1f s)' % (time.perf_counter() - t0), flush=True)
        server = start_server(args, logfile)
        for n in args.clients:
            t0 = time.perf_counter()
            clients = prepare_round(args.db, ids, n, args)
            print('(%d orders prepared in %.1f s)' % (
                n * args.ops, time.perf_counter() - t0), flush=True)
            summary.append((n,) + run_round(args, clients, logfile))
            sys.stdout.flush()
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            print('\nKept database %s and log %s' % (args.db, logfile))
        else:
            drop_db(args)
            shutil.rmtree(tmp, ignore_errors=True)
    print('\n%8s %7s %7s %8s %7s' % ('clients', 'calls', 'failed',
                                     'retries', 'p95 s'))
    for n, calls, failed, retries, p95 in summary:
        print('%8d %7d %7d %8d %7.2f' % (n, calls, failed, retries, p95))
    print('load average: %s' % ' '.join(
        '%.2f' % x for x in os.getloadavg()))


if __name__ == '__main__':
    main()
