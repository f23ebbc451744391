#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Load bench: Odoo in prefork mode, N simulated users over JSON-RPC.

Run on demand, never in CI:

    PY=/work/main/.work/venv/bin/python
    $PY bench/load.py --users 50 --duration 90
    $PY bench/load.py --users 20 --saturate --duration 45
    $PY bench/load.py --users 50 --nodes 2 --duration 90

What it does:

1. makes its bench database from ``aftersales_lead2`` (``--template``;
   ``createdb -T`` and a copy of the filestore), adds stock of the parts the
   technicians use (as admin, before the clock starts), or uses ``--db``
   as it is (``--reuse``);
2. starts Odoo in prefork mode (``--workers``, ``--limit-time-real``,
   memory limits, ``-d``/``--db-filter`` on the bench database only) on its
   own loopback ports, cron off on the measured node (``--nodes 2``: two
   servers sharing the database and the filestore, one cron thread on node
   1 only), and waits until each serves ``/web/login``;
3. logs in the simulated users (``/web/session/authenticate``, each its
   own ``requests.Session`` and cookie jar), spread over the nodes, and lets
   each do its department's part of the day, one click at a time, with an
   exponential think time between clicks (``--think``, mean 3 s;
   ``--saturate``: none), until ``--duration`` or ``--iterations``:

   * customer service (cs): the request list (search_read), a new request
     (default_get, the serial's onchange, create) and its repair order
     (``action_create_repair``, the form's "Create Repair Order");
   * technicians (tech1, tech2): their repair list and a form (read); on a
     draft order, a part line added as the form does it (the line's
     onchanges, then ``write`` with a one2many command) and the
     confirmation (``action_validate``); on a released order without parts
     transfer, "Request Parts" (``action_issue_parts``);
   * the warehouse: the ready internal transfers, one opened and validated
     (``button_validate``, then the immediate transfer wizard);
   * Finance: the "to release" list, the release wizard (default_get,
     create, ``action_release`` as vouched by the order's technician);
   * the after-sales manager: the repair pivot (``read_group`` by
     technician and state) and the request pivot.

   Simulated users of one login split its documents (document id modulo
   the number of simulated users of that login), so two of them
   never work on the same order: the conflicts measured are the real ones
   (shared parts, sequences, the technician's receivable), not two clicks
   on one button;
4. prints p50/p95/p99/max per call kind, the errors (count and the first
   message of each kind), calls/s and calls/s per CPU core, per node too,
   and the peak memory of the workers; with ``--nodes 2`` it checks that
   the scheduled jobs ran once (each due job of the addon started exactly
   once over both nodes' logs, its next call moved by one interval) and
   that nothing was deducted or stated twice;
5. stops every server it started (also on Ctrl-C or an error) and drops
   its database unless ``--keep``.

Loopback only. The machine is usually shared: the load average
(``os.getloadavg``) is printed before and after, next to the figures.
"""
import argparse
import collections
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import requests

import flow  # bench/flow.py: the .work directory, PostgreSQL

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = flow.WORK
ODOO_BIN = os.path.join(WORK, 'bin', 'odoo')
DEFAULT_CONF = os.environ.get('AFTERSALES_BENCH_CONF') or \
    os.path.join(WORK, 'odoo.conf')
PG_ENV = flow.PG_ENV
# the demo department users (login = password) and how a group of ten
# simulated users is made of them: 2 customer service, 5 technicians,
# 1 warehouse, 1 Finance, 1 manager
ROLE_CYCLE = ['cs', 'tech1', 'tech2', 'warehouse', 'finance',
              'as_manager', 'cs', 'tech1', 'tech2', 'tech1']
ROLE_OF_LOGIN = {'cs': 'cs', 'tech1': 'tech', 'tech2': 'tech',
                 'warehouse': 'warehouse', 'finance': 'finance',
                 'as_manager': 'manager'}
# parts (product.template names of the demo) the technicians add
PART_NAMES = ['Brake Pad Set', 'Headlight LED Module', 'Tyre 10 inch',
              'Charger 48V 3A']
ADDON_CRONS = ['aftersales_addon.cron_age_receivables',
               'aftersales_addon.cron_receivable_statements',
               'aftersales_addon.cron_outstanding_old_parts']


# ----------------------------------------------------------------------
# PostgreSQL and the bench database
# ----------------------------------------------------------------------
_pg_env = flow._pg_env  # pylint: disable=protected-access
psql = flow.psql


def filestore(db, conf):
    data_dir = conf_value(conf, 'data_dir') or os.path.join(
        os.path.expanduser('~'), '.local', 'share', 'Odoo')
    return os.path.join(data_dir, 'filestore', db)


def conf_value(conf, key):
    with open(conf) as f:
        for line in f:
            m = re.match(r'\s*%s\s*=\s*(.*?)\s*$' % re.escape(key), line)
            if m:
                return m.group(1)
    return None


def create_db(template, db, conf):
    for _attempt in range(20):
        proc = subprocess.run(['createdb', '-T', template, db],
                              env=_pg_env(), stderr=subprocess.PIPE,
                              universal_newlines=True)
        if proc.returncode == 0:
            break
        if 'being accessed by other users' not in proc.stderr:
            sys.exit('createdb %s failed: %s' % (db, proc.stderr))
        time.sleep(3)
    else:
        sys.exit('createdb %s: template %s stays busy' % (db, template))
    src, dst = filestore(template, conf), filestore(db, conf)
    if os.path.isdir(src):
        subprocess.check_call(['rm', '-rf', dst])
        subprocess.check_call(['cp', '-a', src, dst])


def drop_db(db, conf):
    subprocess.call(['dropdb', '--if-exists', db], env=_pg_env())
    subprocess.call(['rm', '-rf', filestore(db, conf)])


def check_addon_path(conf):
    """The configuration must load THIS checkout's addon."""
    paths = (conf_value(conf, 'addons_path') or '').split(',')
    if not any(os.path.realpath(p.strip()) == os.path.realpath(ROOT)
               for p in paths):
        sys.exit('%s does not load aftersales_addon from %s (addons_path): '
                 'give --conf or AFTERSALES_BENCH_CONF.' % (conf, ROOT))


# ----------------------------------------------------------------------
# Odoo servers
# ----------------------------------------------------------------------
class Node(object):
    """One prefork Odoo server on loopback."""

    def __init__(self, index, args, db, http_port, cron_threads):
        self.index = index
        self.db = db
        self.port = http_port
        self.url = 'http://127.0.0.1:%d' % http_port
        self.cron_threads = cron_threads
        self.log = os.path.join(WORK, 'bench-load-%s-node%d.log'
                                % (db, index))
        self.cmd = [
            ODOO_BIN, '-c', args.conf, '-d', db,
            '--db-filter=^%s$' % re.escape(db),
            '--http-interface=127.0.0.1', '--http-port=%d' % http_port,
            '--longpolling-port=%d' % (http_port + 1),
            '--workers=%d' % args.workers,
            '--max-cron-threads=%d' % cron_threads,
            '--limit-time-real=%d' % args.limit_time_real,
            '--limit-time-cpu=%d' % args.limit_time_cpu,
            '--limit-memory-soft=%d' % (args.limit_memory_soft << 20),
            '--limit-memory-hard=%d' % (args.limit_memory_hard << 20),
            '--logfile=%s' % self.log, '--log-level=info',
        ]
        self.proc = None
        self.peak_rss = {}       # pid -> bytes, workers and master
        self.peak_vms = {}       # (the memory limits are on virtual size)

    def start(self):
        if os.path.exists(self.log):
            os.unlink(self.log)
        env = dict(os.environ)
        # lessc, as the run script puts it on the PATH (web assets)
        # (a worktree's .work/bin links to the main checkout's .work)
        work = os.path.dirname(os.path.dirname(os.path.realpath(ODOO_BIN)))
        env['PATH'] = os.path.join(work, 'node', 'node_modules', '.bin') + \
            os.pathsep + env.get('PATH', '')
        self.proc = subprocess.Popen(self.cmd, start_new_session=True,
                                     stdin=subprocess.DEVNULL, env=env)

    def wait_ready(self, timeout=240):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('node %d exited (%s); see %s' % (
                    self.index, self.proc.returncode, self.log))
            try:
                r = requests.get(self.url + '/web/login', timeout=30)
                if r.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError('node %d does not serve after %d s; see %s'
                           % (self.index, timeout, self.log))

    def sample_memory(self):
        try:
            import psutil
            master = psutil.Process(self.proc.pid)
            for p in [master] + master.children(recursive=True):
                mem = p.memory_info()
                if mem.rss > self.peak_rss.get(p.pid, 0):
                    self.peak_rss[p.pid] = mem.rss
                if mem.vms > self.peak_vms.get(p.pid, 0):
                    self.peak_vms[p.pid] = mem.vms
        except Exception:   # pylint: disable=broad-except
            pass            # a worker recycled between the listing and read

    def stop(self):
        """SIGTERM to the master (prefork stops its workers gracefully),
        SIGKILL to the whole process group after 30 s."""
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def count_in_log(self, pattern):
        if not os.path.exists(self.log):
            return 0
        with open(self.log, errors='replace') as f:
            return sum(1 for line in f if pattern in line)


# ----------------------------------------------------------------------
# JSON-RPC client
# ----------------------------------------------------------------------
class RpcError(Exception):
    def __init__(self, kind, message):
        super(RpcError, self).__init__(message)
        self.kind = kind
        self.message = message


class Stats(object):
    """Durations and errors per call kind (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times = collections.defaultdict(list)
        self.errors = collections.Counter()
        self.first_error = {}

    def add(self, kind, seconds, error=None):
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                key = (kind, error[:80])
                self.errors[key] += 1
                self.first_error.setdefault(key, error)


class Client(object):
    """One simulated user: its own session (cookie jar) on one node."""

    def __init__(self, node, login, stats, node_stats):
        self.node = node
        self.login = login
        self.http = requests.Session()
        self.stats = (stats, node_stats)
        self.uid = None
        self.context = {}
        self._id = 0

    def _post(self, path, params, kind):
        self._id += 1
        payload = {'jsonrpc': '2.0', 'method': 'call', 'params': params,
                   'id': self._id}
        start = time.perf_counter()
        error = None
        try:
            r = self.http.post(self.node.url + path, json=payload,
                               timeout=300)
            if r.status_code != 200:
                error = 'HTTP %d: %s' % (r.status_code, r.text[:200])
            else:
                body = r.json()
                if body.get('error'):
                    err = body['error']
                    data = err.get('data') or {}
                    text = data.get('message') or err.get('message') or ''
                    error = '%s: %s' % (
                        data.get('name') or err.get('message'),
                        ' / '.join(line.strip() for line in
                                   text.strip().splitlines()
                                   if line.strip())[:300])
        except (requests.RequestException, ValueError) as e:
            error = '%s: %s' % (type(e).__name__, str(e)[:200])
        elapsed = time.perf_counter() - start
        for s in self.stats:
            s.add(kind, elapsed, error)
        if error:
            raise RpcError(kind, error)
        return body.get('result')

    def authenticate(self, db):
        res = self._post('/web/session/authenticate', {
            'db': db, 'login': self.login, 'password': self.login},
            'login')
        if not res or not res.get('uid'):
            raise RpcError('login', 'login %s refused' % self.login)
        self.uid = res['uid']
        self.context = dict(res.get('user_context') or {})
        return res

    def call(self, kind, model, method, *args, **kwargs):
        ctx = dict(self.context)
        ctx.update(kwargs.pop('context', None) or {})
        kwargs['context'] = ctx
        return self._post('/web/dataset/call_kw/%s/%s' % (model, method), {
            'model': model, 'method': method, 'args': list(args),
            'kwargs': kwargs}, kind)


def m2o_id(value):
    if isinstance(value, (list, tuple)):
        return value[0] if value else False
    return value


def onchange_spec(arch, fields):
    """The web client's onchange spec of a view: {field: '1' or ''}."""
    from lxml import etree
    doc = etree.fromstring(arch.encode('utf-8'))
    spec = {}
    for node in doc.iter('field'):
        # fields of the view itself only, not of embedded subviews
        if any(a.tag == 'field' for a in node.iterancestors()):
            continue
        name = node.get('name')
        if name in fields:
            spec[name] = node.get('on_change') or ''
    return spec


# ----------------------------------------------------------------------
# The day's mix
# ----------------------------------------------------------------------
class Shared(object):
    """What every simulated user needs, read once before the clock starts
    (ids of the demo, the onchange specs of the forms)."""


def prepare(node, db, args):
    """As admin (outside the measure): the demo's ids, the views' onchange
    specs, and plenty of stock for the parts the technicians add."""
    admin = Client(node, 'admin', Stats(), Stats())
    admin.authenticate(db)
    sh = Shared()
    products = admin.call('setup', 'product.product', 'search_read',
                          [('name', 'in', PART_NAMES)], ['id', 'name'])
    sh.parts = [p['id'] for p in products]
    if not sh.parts:
        raise RuntimeError('none of the demo parts %s' % PART_NAMES)
    stock = admin.call('setup', 'ir.model.data', 'xmlid_to_res_id',
                       'stock.stock_location_stock')
    for pid in sh.parts:
        wiz = admin.call('setup', 'stock.change.product.qty', 'create', {
            'product_id': pid, 'new_quantity': 100000,
            'location_id': stock})
        admin.call('setup', 'stock.change.product.qty',
                   'change_product_qty', [wiz])
    # units of the demo requests (serial, product, customer) to report on
    sh.units = [
        (t['lot_id'][0], t['product_id'][0], t['partner_id'][0])
        for t in admin.call(
            'setup', 'helpdesk.ticket', 'search_read',
            [('lot_id', '!=', False), ('product_id', '!=', False),
             ('partner_id', '!=', False)],
            ['lot_id', 'product_id', 'partner_id'])]
    sh.technicians = {
        u['login']: u['id'] for u in admin.call(
            'setup', 'res.users', 'search_read',
            [('login', 'in', ['tech1', 'tech2'])], ['login'])}
    sh.channels = admin.call('setup', 'helpdesk.ticket.channel', 'search',
                             [])
    # forms as the web client loads them
    ticket_form = admin.call('setup', 'helpdesk.ticket', 'fields_view_get',
                             view_type='form')
    sh.ticket_fields = sorted(ticket_form['fields'])
    sh.ticket_spec = onchange_spec(ticket_form['arch'],
                                   ticket_form['fields'])
    repair_form = admin.call('setup', 'mrp.repair', 'fields_view_get',
                             view_type='form')
    sh.repair_fields = sorted(
        f for f, d in repair_form['fields'].items()
        if d['type'] not in ('one2many', 'many2many'))
    ops = repair_form['fields']['operations']['views']
    line_view = ops.get('tree') or ops.get('form')
    sh.line_fields = sorted(line_view['fields'])
    # the web client sends every field of the view to onchange (empty ones
    # as False, x2many as []): Odoo returns only the fields it was given
    sh.line_blank = blank_values(line_view['fields'])
    sh.ticket_blank = blank_values(ticket_form['fields'])
    sh.line_spec = onchange_spec(line_view['arch'], line_view['fields'])
    sh.repair_list_fields = ['name', 'product_id', 'partner_id', 'state',
                             'technician_id', 'amount_total',
                             'finance_release', 'parts_picking_count']
    sh.ticket_list_fields = ['number', 'name', 'request_type', 'urgency',
                             'product_id', 'lot_id', 'partner_id',
                             'user_id', 'technician_id', 'stage_id']
    return sh


def blank_values(fields):
    return {name: [] if d['type'] in ('one2many', 'many2many') else False
            for name, d in fields.items()}


def think(args, rng):
    if args.saturate:
        return
    time.sleep(rng.expovariate(1.0 / args.think))


def mine(records, slot):
    """The documents this simulated user works on: id modulo the number
    of simulated users of its login."""
    index, count = slot
    return [r for r in records if r['id'] % count == index]


def do_cs(c, sh, args, rng, slot):
    c.call('request list', 'helpdesk.ticket', 'search_read', [],
           sh.ticket_list_fields, limit=80, order='id desc')
    think(args, rng)
    defaults = c.call('request new (default_get)', 'helpdesk.ticket',
                      'default_get', sh.ticket_fields)
    lot, product, partner = rng.choice(sh.units)
    values = dict(sh.ticket_blank, **defaults)
    values['lot_id'] = lot
    res = c.call('request serial (onchange)', 'helpdesk.ticket',
                 'onchange', [], values, 'lot_id', sh.ticket_spec)
    think(args, rng)
    vals = {
        'name': 'Bench: does not start',
        'description': '<p>Bench request</p>',
        'request_type': 'repair', 'urgency': rng.choice(
            ['urgent', 'important', 'normal']),
        'lot_id': lot,
        'product_id': m2o_id((res.get('value') or {}).get('product_id'))
        or product,
        'partner_id': partner,
        'fault_symptom': 'No power when the key is turned.',
        'technician_id': rng.choice(list(sh.technicians.values())),
        'contact_name': 'Bench', 'contact_phone': '13800000000',
    }
    if sh.channels:
        vals['channel_id'] = rng.choice(sh.channels)
    ticket = c.call('request save (create)', 'helpdesk.ticket', 'create',
                    vals)
    think(args, rng)
    c.call('request -> repair order', 'helpdesk.ticket',
           'action_create_repair', [ticket])


def do_tech(c, sh, args, rng, slot):
    orders = c.call('repair list', 'mrp.repair', 'search_read',
                    [('technician_id', '=', c.uid),
                     ('state', 'not in', ('done', 'cancel'))],
                    sh.repair_list_fields, limit=80, order='id desc')
    think(args, rng)
    own = mine(orders, slot)
    drafts = [o for o in own if o['state'] == 'draft']
    to_issue = [o for o in own if o['state'] == 'confirmed'
                and o['finance_release'] in ('vouched', 'paid', 'warranty')
                and not o['parts_picking_count']]
    if to_issue and rng.random() < 0.5:
        order = rng.choice(to_issue)
        c.call('repair form (read)', 'mrp.repair', 'read', [order['id']],
               sh.repair_fields)
        think(args, rng)
        c.call('request parts (issue)', 'mrp.repair', 'action_issue_parts',
               [order['id']])
        return
    order = rng.choice(drafts or own or [None])
    if not order:
        return
    c.call('repair form (read)', 'mrp.repair', 'read', [order['id']],
           sh.repair_fields)
    think(args, rng)
    if order['state'] != 'draft':
        return
    # a part line as the form adds it: the new row's defaults, the
    # product's onchange, then the order saved with the line
    ctx = {'default_product_uom_qty': 1}
    base = dict(sh.line_blank, type='add', repair_id=order['id'],
                product_uom_qty=1)
    res = c.call('part line new (onchange)', 'mrp.repair.line', 'onchange',
                 [], base, [], sh.line_spec, context=ctx)
    values = dict(base)
    values.update(res.get('value') or {})
    values['product_id'] = rng.choice(sh.parts)
    values['repair_id'] = order['id']
    res = c.call('part line product (onchange)', 'mrp.repair.line',
                 'onchange', [], values, 'product_id', sh.line_spec,
                 context=ctx)
    values.update(res.get('value') or {})
    line = {}
    for k, v in values.items():
        if k in ('repair_id', 'id') or k not in sh.line_fields:
            continue
        if isinstance(v, list) and v and not isinstance(v[0], list) and \
                len(v) == 2 and isinstance(v[1], str):
            v = v[0]                    # many2one as [id, name]
        line[k] = v
    think(args, rng)
    c.call('repair save (write line)', 'mrp.repair', 'write', [order['id']],
           {'operations': [[0, 0, line]]})
    think(args, rng)
    res = c.call('repair confirm', 'mrp.repair', 'action_validate',
                 [order['id']])
    if isinstance(res, dict) and res.get('res_model') and res.get('res_id'):
        # Odoo's "insufficient quantity" question: confirm anyway
        c.call('repair confirm', res['res_model'], 'action_done',
               [res['res_id']])


def do_warehouse(c, sh, args, rng, slot):
    pickings = c.call('transfer list', 'stock.picking', 'search_read',
                      [('state', '=', 'assigned'),
                       ('picking_type_code', '=', 'internal')],
                      ['name', 'origin', 'state', 'scheduled_date'],
                      limit=80, order='id')
    think(args, rng)
    own = mine(pickings, slot)
    if not own:
        return
    picking = own[0]
    c.call('transfer form (read)', 'stock.picking', 'read', [picking['id']],
           ['name', 'origin', 'state', 'move_lines', 'location_id',
            'location_dest_id', 'partner_id'])
    think(args, rng)
    res = c.call('transfer validate', 'stock.picking', 'button_validate',
                 [picking['id']])
    if isinstance(res, dict) and res.get('res_model') == \
            'stock.immediate.transfer':
        c.call('transfer validate (immediate)', 'stock.immediate.transfer',
               'process', [res['res_id']])


def do_finance(c, sh, args, rng, slot):
    orders = c.call('release list', 'mrp.repair', 'search_read',
                    [('aftersales_to_release', '=', True)],
                    sh.repair_list_fields, limit=80, order='id')
    think(args, rng)
    own = [o for o in mine(orders, slot) if o['technician_id']]
    if not own:
        return
    order = own[0]
    ctx = {'default_res_model': 'mrp.repair', 'default_res_id': order['id']}
    fields = ['res_model', 'res_id', 'order_name', 'partner_id',
              'amount_due', 'mode', 'invoice_id', 'payment_id',
              'vouch_user_id']
    defaults = c.call('release wizard (default_get)',
                      'aftersales.finance.release.wizard', 'default_get',
                      fields, context=ctx)
    think(args, rng)
    vals = {k: m2o_id(v) for k, v in defaults.items()}
    vals.update(mode='vouched',
                vouch_user_id=m2o_id(defaults.get('vouch_user_id'))
                or order['technician_id'][0])
    wizard = c.call('release wizard (create)',
                    'aftersales.finance.release.wizard', 'create', vals,
                    context=ctx)
    c.call('release', 'aftersales.finance.release.wizard', 'action_release',
           [wizard], context=ctx)


def do_manager(c, sh, args, rng, slot):
    c.call('repair pivot (read_group)', 'mrp.repair', 'read_group', [],
           ['amount_total', 'technician_id', 'state'],
           ['technician_id', 'state'], lazy=False)
    think(args, rng)
    c.call('request pivot (read_group)', 'helpdesk.ticket', 'read_group',
           [], ['request_type', 'channel_id'],
           ['request_type', 'channel_id'], lazy=False)


def warm_up(nodes, sh, args):
    """Outside the measure: every worker of every node loads the registry
    and the views the mix uses (reads only), from 3 clients per worker."""
    def one(node, login):
        c = Client(node, login, Stats(), Stats())
        try:
            c.authenticate(args.db)
            for _i in range(3):
                c.call('warm', 'helpdesk.ticket', 'search_read', [],
                       sh.ticket_list_fields, limit=80)
                c.call('warm', 'helpdesk.ticket', 'default_get',
                       sh.ticket_fields)
                c.call('warm', 'mrp.repair', 'search_read', [],
                       sh.repair_list_fields, limit=80)
                c.call('warm', 'mrp.repair', 'read_group', [],
                       ['amount_total', 'technician_id', 'state'],
                       ['technician_id', 'state'], lazy=False)
        except RpcError:
            pass
    threads = [threading.Thread(target=one, args=(
        n, ROLE_CYCLE[i % len(ROLE_CYCLE)]), daemon=True)
        for n in nodes for i in range(3 * args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


ACTIONS = {'cs': do_cs, 'tech': do_tech, 'warehouse': do_warehouse,
           'finance': do_finance, 'manager': do_manager}


def user_loop(client, role, sh, args, slot, deadline, seed, counters):
    rng = random.Random(seed)
    # ramp-up: logins spread over the first seconds
    time.sleep(rng.uniform(0, args.ramp))
    try:
        client.authenticate(args.db)
    except RpcError:
        return
    for _i in range(args.iterations):
        if time.time() >= deadline or STOP.is_set():
            return
        think(args, rng)
        try:
            ACTIONS[role](client, sh, args, rng, slot)
        except RpcError:
            pass                        # counted; the user goes on
        counters[role] += 1


STOP = threading.Event()


# ----------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------
def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def print_table(title, stats, elapsed):
    print('\n%s' % title)
    fmt = '  %-32s %7s %8s %8s %8s %8s %6s'
    print(fmt % ('call', 'calls', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms',
                 'errors'))
    errs = collections.Counter()
    for (kind, _msg), n in stats.errors.items():
        errs[kind] += n
    every = []
    for kind in sorted(stats.times):
        t = stats.times[kind]
        if kind != 'login':
            every.extend(t)
        print(fmt % (kind, len(t), '%.0f' % (pct(t, 50) * 1000),
                     '%.0f' % (pct(t, 95) * 1000),
                     '%.0f' % (pct(t, 99) * 1000),
                     '%.0f' % (max(t) * 1000), errs[kind] or ''))
    print(fmt % ('all but login', len(every),
                 '%.0f' % (pct(every, 50) * 1000),
                 '%.0f' % (pct(every, 95) * 1000),
                 '%.0f' % (pct(every, 99) * 1000),
                 '%.0f' % (max(every or [0]) * 1000),
                 sum(n for k, n in errs.items() if k != 'login') or 0))
    rate = len(every) / elapsed if elapsed else 0
    print('  %.1f calls/s over %.0f s (%.1f calls/s per CPU core, %d cores)'
          % (rate, elapsed, rate / (os.cpu_count() or 1),
             os.cpu_count() or 1))
    return every, rate


def print_errors(stats):
    if not stats.errors:
        print('\nerrors: 0')
        return
    print('\nerrors: %d' % sum(stats.errors.values()))
    for key, n in stats.errors.most_common():
        print('  %5d  %-28s %s' % (n, key[0], stats.first_error[key][:240]))


# ----------------------------------------------------------------------
# Checks after a two-node run
# ----------------------------------------------------------------------
def crons_snapshot(db):
    rows = psql(
        "SELECT d.module || '.' || d.name, c.id, c.nextcall, "
        "c.interval_number || ' ' || c.interval_type, c.cron_name "
        "FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron' "
        "AND d.res_id = c.id WHERE c.active", db)
    out = {}
    for row in rows:
        xmlid, cid, nextcall, interval, name = row.split('|', 4)
        out[xmlid] = (int(cid), nextcall, interval, name)
    return out


def db_connections(db):
    try:
        return int(psql("SELECT count(*) FROM pg_stat_activity WHERE "
                        "datname = current_database()", db)[0])
    except subprocess.CalledProcessError:
        return 0


def check_session_shared(nodes, db):
    """A session opened on node 1 works on node 2 (the nodes share
    data_dir, where Odoo 11 keeps its sessions): no sticky proxy needed."""
    c = Client(nodes[0], 'cs', Stats(), Stats())
    c.authenticate(db)
    c.node = nodes[1]
    try:
        info = c._post('/web/session/get_session_info', {}, 'session')
        ok = info.get('uid') == c.uid
    except RpcError as e:
        print('  session of node 1 on node 2: %s' % e.message)
        return False
    print('  session opened on node 1, used on node 2: %s'
          % ('same user' if ok else 'NOT LOGGED IN'))
    return ok


def make_crons_due(db):
    """The addon's jobs due now, so that they run during the bench."""
    names = ','.join("'%s'" % x.split('.', 1)[1] for x in ADDON_CRONS)
    psql("UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') "
         "- interval '1 minute', numbercall = -1, active = true "
         "WHERE id IN (SELECT res_id FROM ir_model_data WHERE "
         "module = 'aftersales_addon' AND model = 'ir.cron' AND name IN "
         "(%s))" % names, db)


DUPLICATE_CHECKS = [
    ('orders whose receivable was charged more than released',
     "SELECT count(*) FROM mrp_repair r JOIN (SELECT receivable_id, "
     "sum(amount) AS s FROM aftersales_receivable_move WHERE kind = 'new' "
     "GROUP BY 1) m ON m.receivable_id = r.receivable_id "
     "WHERE round((m.s - r.finance_release_amount)::numeric, 2) > 0"),
    ('salary deductions per receivable and day > 1',
     "SELECT count(*) FROM (SELECT receivable_id, date FROM "
     "aftersales_receivable_move WHERE kind = 'deduction' GROUP BY 1, 2 "
     "HAVING count(*) > 1) x"),
    ('repair orders sharing a receivable',
     "SELECT count(*) FROM (SELECT receivable_id FROM mrp_repair WHERE "
     "receivable_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x"),
    ('statements per technician and period > 1',
     "SELECT count(*) FROM (SELECT employee_id, date_to FROM "
     "aftersales_receivable_statement GROUP BY 1, 2 "
     "HAVING count(*) > 1) x"),
    ('outstanding old-part lists per company and day > 1',
     "SELECT count(*) FROM (SELECT company_id, create_date::date FROM "
     "aftersales_recovery_list GROUP BY 1, 2 HAVING count(*) > 1) x"),
    ('repair orders with more than one parts issue',
     "SELECT count(*) FROM (SELECT r.id FROM mrp_repair r JOIN "
     "stock_picking p ON p.origin = r.name JOIN stock_picking_type t ON "
     "t.id = p.picking_type_id AND t.code = 'internal' "
     "WHERE p.state != 'cancel' AND p.location_dest_id != "
     "t.default_location_src_id GROUP BY r.id "
     "HAVING count(*) > 1) x"),
]


def duplicates(db):
    out = []
    for label, sql in DUPLICATE_CHECKS:
        try:
            out.append(int(psql(sql, db)[0]))
        except subprocess.CalledProcessError:
            out.append(None)
    return out


def check_once(db, nodes, before, dup_before):
    print('\nscheduled jobs and duplicates (%d nodes, cron threads %s)'
          % (len(nodes), '/'.join(str(n.cron_threads) for n in nodes)))
    after = crons_snapshot(db)
    ok = True
    for xmlid in ADDON_CRONS:
        if xmlid not in before:
            print('  %-46s not found' % xmlid)
            continue
        _cid, next_before, interval, name = before[xmlid]
        next_after = after[xmlid][1]
        starts = [n.count_in_log('Starting job `%s`' % name) for n in nodes]
        moved = flow.query("SELECT (%s::timestamp - date_trunc('second', "
                           "%s::timestamp))::text",
                           (next_after, next_before), db)[0][0]
        good = sum(starts) == 1
        ok = ok and good
        print('  %-46s started %s (per node), next call moved by %s, '
              'interval %s: %s' % (xmlid.split('.', 1)[1],
                                   '/'.join(map(str, starts)), moved,
                                   interval, 'once' if good else 'NOT ONCE'))
    print('  %-58s %6s %6s' % ('', 'before', 'after'))
    for (label, _sql), n0, n1 in zip(DUPLICATE_CHECKS, dup_before,
                                     duplicates(db)):
        bad = n1 is None or (n0 or 0) < n1
        ok = ok and not bad
        print('  %-58s %6s %6s%s' % (label, n0, n1,
                                     '  <- MORE' if bad else ''))
    for n in nodes:
        print('  node %d log: %s (ERROR lines: %d, jobs started: %d)' % (
            n.index, n.log, n.count_in_log(' ERROR '),
            n.count_in_log('Starting job')))
    print('  => %s' % ('ran once, no duplicates' if ok else 'PROBLEM'))
    return ok


# ----------------------------------------------------------------------
def parse_args(argv=None):
    cores = os.cpu_count() or 1
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--users', type=int, default=10)
    p.add_argument('--think', type=float, default=3.0,
                   help='mean think time between clicks, seconds (3)')
    p.add_argument('--saturate', action='store_true',
                   help='no think time: the server\'s capacity')
    p.add_argument('--duration', type=float, default=60,
                   help='seconds of load after the ramp-up (60)')
    p.add_argument('--iterations', type=int, default=1000,
                   help='at most this many actions per user (1000)')
    p.add_argument('--ramp', type=float, default=None,
                   help='logins spread over this many seconds '
                        '(default: the mean think time, 1 s saturated)')
    p.add_argument('--nodes', type=int, default=1, choices=(1, 2))
    p.add_argument('--node2-cron', type=int, default=0,
                   help='cron threads of node 2 (0; 1 to see that Odoo\'s '
                        'job lock still runs each job once)')
    p.add_argument('--workers', type=int, default=cores + 1 if cores <= 2
                   else min(2 * cores + 1, 17),
                   help='workers per node (cores+1 on <=2 cores, else '
                        '2*cores+1 up to 17; here %(default)s)')
    p.add_argument('--port', type=int, default=8173,
                   help='HTTP port of node 1 (+1 its long polling; node 2 '
                        'on +2/+3)')
    p.add_argument('--limit-time-real', type=int, default=120)
    p.add_argument('--limit-time-cpu', type=int, default=60)
    p.add_argument('--limit-memory-soft', type=int, default=1024,
                   help='MiB per worker (1024)')
    p.add_argument('--limit-memory-hard', type=int, default=1536,
                   help='MiB per worker (1536)')
    p.add_argument('--template', default='aftersales_lead2')
    p.add_argument('--db', default=None,
                   help='bench database (default aftersales_bench_load_'
                        '<pid>)')
    p.add_argument('--reuse', action='store_true',
                   help='use --db as it is (not created, not dropped)')
    p.add_argument('--update', action='store_true',
                   help='-u aftersales_addon on the new database first '
                        '(the checkout\'s code differs from the template)')
    p.add_argument('--keep', action='store_true',
                   help='keep the bench database')
    p.add_argument('--conf', default=DEFAULT_CONF)
    p.add_argument('--seed', type=int, default=1)
    args = p.parse_args(argv)
    if args.ramp is None:
        args.ramp = 1.0 if args.saturate else args.think
    if not args.db:
        args.db = 'aftersales_bench_load_%d' % os.getpid()
    return args


def main(argv=None):
    args = parse_args(argv)
    check_addon_path(args.conf)
    nodes = []
    created = False

    def on_signal(signum, _frame):
        raise KeyboardInterrupt('signal %d' % signum)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if not args.reuse:
            print('bench database %s from %s' % (args.db, args.template),
                  flush=True)
            create_db(args.template, args.db, args.conf)
            created = True
            if args.update:
                subprocess.check_call([
                    ODOO_BIN, '-c', args.conf, '-d', args.db, '-u',
                    'aftersales_addon', '--stop-after-init',
                    '--log-level=warn'])
        before = dup_before = None
        if args.nodes == 2:
            make_crons_due(args.db)
            before = crons_snapshot(args.db)
            dup_before = duplicates(args.db)
        for i in range(args.nodes):
            cron = (1 if i == 0 else args.node2_cron) \
                if args.nodes == 2 else 0
            nodes.append(Node(i + 1, args, args.db, args.port + 2 * i,
                              cron))
        for n in nodes:
            print('node %d: %s' % (n.index, ' '.join(n.cmd[1:])),
                  flush=True)
            n.start()
        for n in nodes:
            n.wait_ready()
        sh = prepare(nodes[0], args.db, args)
        warm_up(nodes, sh, args)
        print('load average before: %.2f %.2f %.2f' % os.getloadavg(),
              flush=True)
        stats = Stats()
        node_stats = [Stats() for _n in nodes]
        counters = collections.Counter()
        per_role = collections.Counter()
        threads = []
        start = time.time()
        deadline = start + args.ramp + args.duration
        per_login = collections.Counter(
            ROLE_CYCLE[u % len(ROLE_CYCLE)] for u in range(args.users))
        for login, n in per_login.items():
            per_role[ROLE_OF_LOGIN[login]] += n
        seen = collections.Counter()
        for u in range(args.users):
            login = ROLE_CYCLE[u % len(ROLE_CYCLE)]
            role = ROLE_OF_LOGIN[login]
            # the users of one login split its documents
            slot = (seen[login], per_login[login])
            # each login's users alternate over the nodes (same mix on each)
            ni = seen[login] % len(nodes)
            seen[login] += 1
            client = Client(nodes[ni], login, stats, node_stats[ni])
            t = threading.Thread(target=user_loop, args=(
                client, role, sh, args, slot, deadline, args.seed * 1000 + u,
                counters), daemon=True)
            threads.append(t)
        print('%d users (%s), %s, %.0f s, %d node(s) x %d workers'
              % (args.users, ', '.join('%s %d' % kv for kv in
                                       sorted(per_role.items())),
                 'saturated (no think time)' if args.saturate else
                 'think time %.1f s (mean)' % args.think, args.duration,
                 len(nodes), args.workers), flush=True)
        for t in threads:
            t.start()
        max_conn, tick = 0, 0
        while any(t.is_alive() for t in threads):
            for n in nodes:
                n.sample_memory()
            if tick % 5 == 0:
                max_conn = max(max_conn, db_connections(args.db))
            tick += 1
            time.sleep(1)
        elapsed = time.time() - start - args.ramp
        load = os.getloadavg()
        print_table('all nodes', stats, elapsed)
        if len(nodes) > 1:
            for n, s in zip(nodes, node_stats):
                print_table('node %d (port %d, cron threads %d)'
                            % (n.index, n.port, n.cron_threads), s, elapsed)
        print_errors(stats)
        print('\nactions done per role: %s' % ', '.join(
            '%s %d' % kv for kv in sorted(counters.items())))
        for n in nodes:
            rss = sorted(n.peak_rss.values(), reverse=True)
            if rss:
                print('node %d peak RSS: largest process %.0f MiB, all '
                      'processes %.0f MiB (%d processes seen); largest '
                      'virtual size %.0f MiB' % (
                          n.index, rss[0] / 2**20, sum(rss) / 2**20,
                          len(rss), max(n.peak_vms.values()) / 2**20))
        print('PostgreSQL connections to %s: at most %d seen (sampled '
              'every 5 s, all nodes)' % (args.db, max_conn))
        print('load average after: %.2f %.2f %.2f (machine shared)' % load)
        ok = True
        if args.nodes == 2:
            # a prefork cron worker looks for due jobs every 60-70 s: wait
            # (up to 150 s) until the addon's jobs have moved on, then a few
            # seconds more, in case the other node ran them too
            limit = time.time() + 150
            while time.time() < limit and any(
                    crons_snapshot(args.db)[x][1] == before[x][1]
                    for x in ADDON_CRONS if x in before):
                time.sleep(3)
            time.sleep(5)
            ok = check_once(args.db, nodes, before, dup_before)
            ok = check_session_shared(nodes, args.db) and ok
        return 0 if ok else 1
    except KeyboardInterrupt:
        STOP.set()
        print('interrupted', file=sys.stderr)
        return 130
    finally:
        STOP.set()
        for n in nodes:
            n.stop()
        if created and not args.keep:
            drop_db(args.db, args.conf)
        elif created:
            print('kept database %s' % args.db)


if __name__ == '__main__':
    sys.exit(main())
