#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the repair flow: bare Odoo ``mrp.repair``, the same
documents made by hand in bare Odoo, and the aftersales_addon flow
(request -> repair -> parts issue -> test -> invoice -> old part receipt).

Run on demand, never in CI:

    /work/main/.work/venv/bin/python bench/flow.py --orders 10 --lines 5,20

The flows run in ONE process, inside a transaction per database that is
rolled back at the end (nothing is ever committed): bare Odoo and the flow
by hand share the bare database's cursor, the addon flow has its own.

Three flows, printed side by side (ms and queries per order):

- "bare mrp.repair" (``BARE_STEPS``): Odoo's repair order alone; the
  addon's common steps (create, add part lines, confirm, start, end,
  create and validate the invoice) are compared with it (``BARE_PAIRS``;
  the issue's goal: each within 1.3x).
- "by hand in bare Odoo" (``HAND_STEPS``): what a company without the
  addon does for the same outcome: a helpdesk ticket, the repair order, an
  internal transfer issuing the parts to a "Parts at Repair" location (the
  part lines consume them there), a receipt of the old parts into an "Old
  Parts" location and a credit note of the deposits set against the
  invoice. The addon's flow is compared with it step by step
  (``HAND_PAIRS``) and in total (goal: <= 1.0x, automation may not cost
  more than the documents it makes).
- "aftersales_addon" (``ADDON_STEPS``), described below.

``--profile STEP`` runs only the addon flow, one order at the largest
``--lines`` after a warm-up, with STEP under cProfile and its queries
counted by the addon code line that made them (e.g. ``--profile 'end
repair'``). The
databases are created when missing (see ``ensure_bare_db`` and
``ensure_addon_db``); ``--rebuild`` recreates the addon database, whose code
changes over time.

To measure a new feature, add a ``Step`` to ``ADDON_STEPS`` (or
``BARE_STEPS``): a name and a function ``fn(bench, order)``, where
``bench.env`` is the superuser environment, ``bench.data`` the fixture built
by ``setup_data`` and ``order`` a dict shared by the steps of one order
(``order['repair']``, ``order['ticket']``, ...). Each step is timed and its
SQL queries counted on its own, and appears in the per-step table. A step
may also list ``probes`` (``Probe(label, model, method)``): the calls of that
method made inside the step are timed and counted too and shown on an
indented "of which" row (not added to the total again), e.g. the warranty
decision made inside the confirmation.

The addon fixture has a warranty rule for the unit's category (tiers 0-36
months parts and labour free, 36-60 parts charged labour free) and each
order's serial is delivered to the customer 12 months before (outside the
timing), so the decision made at confirmation finds a rule and a start date
and makes every part line a deposit (R42: free under warranty, but charged
until the old part comes back; the bench parts are not exempt under R41).
The customer owes the deposits, so before the parts issue Finance releases
the order as vouched by the order's technician ("finance release
(vouched)": the wizard ``aftersales.finance.release.wizard``, R22/R50; it
creates the technician's receivable, owed by the technician's employee,
which the fixture creates; the warehouse cannot validate the issue of an
unreleased order that the customer pays for).
"end repair" creates one recovery per part line (R40, shown on an "of
which" row), both flows validate the invoice, and the addon flow ends with
"old part receipt": the warehouse user receives every old part (a transfer
into Old Parts and a validated credit note of the deposit).
``bench/warranty.py`` measures the decision on its own for 1, 10 and 50
lines, ``bench/recovery.py`` the monthly list of outstanding old parts,
``bench/receivables.py`` the ageing of technician receivables and the
monthly statements.

Worktrees: ``--conf`` / ``AFTERSALES_BENCH_CONF`` (an Odoo configuration
whose addons_path loads this checkout) and ``--addon-db`` /
``AFTERSALES_BENCH_ADDON_DB``; the .work directory (venv, PostgreSQL) is
the main checkout's when the worktree has none (``AFTERSALES_BENCH_WORK``).
"""
import argparse
import cProfile
import os
import pstats
import re
import resource
import subprocess
import sys
import time
import traceback
from collections import Counter, OrderedDict, namedtuple
from datetime import datetime

from dateutil.relativedelta import relativedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _work_dir():
    """The .work directory (venv, PostgreSQL socket, odoo launcher):
    $AFTERSALES_BENCH_WORK, else this checkout's .work, else -- in a git
    worktree, which has none -- the main checkout's."""
    if os.environ.get('AFTERSALES_BENCH_WORK'):
        return os.environ['AFTERSALES_BENCH_WORK']
    local = os.path.join(ROOT, '.work')
    if os.path.isdir(local):
        return local
    try:
        common = subprocess.check_output(
            ['git', '-C', ROOT, 'rev-parse', '--git-common-dir'],
            universal_newlines=True, stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return local
    main_work = os.path.join(
        os.path.dirname(os.path.abspath(os.path.join(ROOT, common))),
        '.work')
    return main_work if os.path.isdir(main_work) else local


WORK = _work_dir()
# Odoo configuration: its addons_path must load THIS checkout's addon (a
# worktree needs its own, e.g. AFTERSALES_BENCH_CONF=/tmp/wt.conf or
# --conf; check_addon_path() refuses to measure another checkout's code).
ODOO_CONF = os.environ.get('AFTERSALES_BENCH_CONF') or \
    os.path.join(WORK, 'odoo.conf')
ODOO_BIN = os.path.join(WORK, 'bin', 'odoo')
PG_ENV = {
    'PGHOST': os.path.join(WORK, 'pgsock'),
    'PGPORT': '54329',
    'PGUSER': 'odoo',
    # the project's cluster asks for the password the run script keeps here
    'PGPASSFILE': os.path.join(WORK, 'pgpass'),
}
TEMPLATE_RE = r'^aftersales_tpl_[0-9a-f]+$'
DEFAULT_BARE_DB = os.environ.get('AFTERSALES_BENCH_BARE_DB') or \
    'aftersales_bench_bare'
DEFAULT_ADDON_DB = os.environ.get('AFTERSALES_BENCH_ADDON_DB') or \
    'aftersales_bench_addon'


def install_log(dbname):
    """Log of the addon install on ``dbname`` (one per database: benches
    of several worktrees share .work)."""
    return os.path.join(WORK, 'bench-install-%s.log' % dbname)


def load_config(conf=None):
    """Parse the Odoo configuration (``conf`` or ODOO_CONF) and check that
    it loads this checkout's aftersales_addon."""
    global ODOO_CONF
    import odoo
    if conf:
        ODOO_CONF = conf
    odoo.tools.config.parse_config(['-c', ODOO_CONF, '--log-level=warn'])
    check_addon_path()


def check_addon_path():
    """Exit unless the parsed configuration loads aftersales_addon from
    this checkout (ROOT): otherwise the bench would measure another
    checkout's code (e.g. the main one's from a worktree)."""
    from odoo.modules.module import get_module_path
    path = get_module_path('aftersales_addon', display_warning=False)
    expected = os.path.join(ROOT, 'aftersales_addon')
    if not path or os.path.realpath(path) != os.path.realpath(expected):
        sys.exit('%s loads aftersales_addon from %s, not from %s: give a '
                 'configuration whose addons_path has %s (--conf or '
                 'AFTERSALES_BENCH_CONF).' % (ODOO_CONF, path, expected, ROOT))


# ----------------------------------------------------------------------
# Databases
# ----------------------------------------------------------------------
def _pg_env():
    env = dict(os.environ)
    env.update(PG_ENV)
    return env


def psql(sql, db='postgres'):
    """A statement without parameters through psql: its rows as text."""
    out = subprocess.check_output(
        ['psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', db, '-Atc', sql],
        env=_pg_env(), universal_newlines=True)
    return [line for line in out.splitlines() if line]


def query(sql, params=(), db='postgres'):
    """A statement with parameters (psycopg2, autocommit): its rows."""
    import psycopg2
    conn = psycopg2.connect(
        dbname=db, host=PG_ENV['PGHOST'], port=PG_ENV['PGPORT'],
        user=PG_ENV['PGUSER'], passfile=PG_ENV['PGPASSFILE'])
    try:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else []
    finally:
        conn.close()


def db_exists(name):
    return bool(query('SELECT 1 FROM pg_database WHERE datname = %s',
                      (name,)))


def newest_template():
    """The newest ``aftersales_tpl_*`` database (highest oid: the script
    builds it under a temporary name and renames it when complete)."""
    rows = query('SELECT datname FROM pg_database WHERE datname ~ %s '
                 'ORDER BY oid DESC LIMIT 1', (TEMPLATE_RE,))
    if not rows:
        sys.exit('No aftersales_tpl_* template database: run '
                 'scripts/aftersales.sh setup first.')
    return rows[0][0]


def createdb_from(template, name):
    """createdb -T, retried: it fails while another session is connected to
    the template (e.g. a test run copying it at the same moment)."""
    for attempt in range(20):
        proc = subprocess.run(['createdb', '-T', template, name],
                              env=_pg_env(), stderr=subprocess.PIPE,
                              universal_newlines=True)
        if proc.returncode == 0:
            return
        if 'being accessed by other users' not in proc.stderr:
            sys.exit('createdb %s failed: %s' % (name, proc.stderr))
        time.sleep(3)
    sys.exit('createdb %s: template %s stays busy' % (name, template))


def dropdb(name):
    subprocess.check_call(['dropdb', '--if-exists', name], env=_pg_env())


def ensure_bare_db(name):
    if db_exists(name):
        return
    template = newest_template()
    print('Creating %s from %s (dependencies only, no addon)'
          % (name, template), flush=True)
    createdb_from(template, name)


def ensure_addon_db(name, rebuild=False):
    if rebuild:
        dropdb(name)
    if db_exists(name):
        return
    template = newest_template()
    log_path = install_log(name)
    print('Creating %s from %s + aftersales_addon (no demo data; config %s; '
          'log: %s)' % (name, template, ODOO_CONF, log_path), flush=True)
    createdb_from(template, name)
    # The template has demo data, and Odoo installs a new module with demo
    # when its dependencies have it, whatever --without-demo says: clear the
    # flag on this bench copy so the addon's demo data (edited concurrently,
    # not needed here) is never loaded.
    psql('UPDATE ir_module_module SET demo = false', db=name)
    cmd = [ODOO_BIN, '-c', ODOO_CONF, '-d', name, '-i', 'aftersales_addon',
           '--without-demo=all', '--stop-after-init', '--log-level=warn',
           '--logfile=%s' % log_path]
    open(log_path, 'w').close()  # judge this install's log only
    rc = subprocess.call(cmd, env=_pg_env())
    failed = rc != 0
    if not failed and os.path.exists(log_path):
        with open(log_path) as log:
            failed = bool(re.search(r' (ERROR|CRITICAL) ', log.read()))
    if failed:
        with open(log_path) as log:
            sys.stderr.write(''.join(log.readlines()[-40:]))
        dropdb(name)
        sys.exit('Installing aftersales_addon on %s failed (see %s)'
                 % (name, log_path))


# ----------------------------------------------------------------------
# Steps
# ----------------------------------------------------------------------
Step = namedtuple('Step', 'name fn probes', defaults=((),))
# A method measured inside a step: label, model, method name.
Probe = namedtuple('Probe', 'label model method')
# R33: the decision is made before Odoo's confirmation and recorded by its
# write of the state (one tracked change); the lines are priced after it
WARRANTY_PROBE = Probe('of which: warranty decision', 'mrp.repair',
                       '_warranty_decisions')
COVERAGE_PROBE = Probe('of which: coverage and prices', 'mrp.repair',
                       '_apply_warranty_coverage')
# R40: the recoveries are created by action_repair_end ("end repair")
RECOVERY_PROBE = Probe('of which: recovery creation',
                       'aftersales.part.recovery', '_create_for_repairs')
# R22/R50: the two parts of a release vouched by the technician
RELEASE_PROBES = (
    Probe('of which: receivable creation',
          'aftersales.technician.receivable', 'create'),
    Probe('of which: technician notified',
          'aftersales.technician.receivable', '_notify_vouched'),
)
# R43/R42: the two parts of an old part receipt
RECEIPT_PROBES = (
    Probe('of which: transfer', 'aftersales.part.recovery',
          '_create_receipt'),
    Probe('of which: credit note', 'aftersales.part.recovery',
          '_create_deposit_refund'),
)


def _repair_header(bench):
    """What the addon's ticket._prepare_repair_values gives, for the bare
    flow: the customer's unit repaired at the customer location, invoiced
    after repair."""
    d = bench.data
    return {
        'product_id': d['unit'].id,
        'product_uom': d['unit'].uom_id.id,
        'partner_id': d['customer'].id,
        'partner_invoice_id': d['customer'].id,
        'address_id': d['customer'].id,
        'pricelist_id': d['pricelist'].id,
        'location_id': d['customer_location'].id,
        'location_dest_id': d['customer_location'].id,
        'invoice_method': 'after_repair',
        'company_id': bench.env.user.company_id.id,
    }


def _add_part_lines(bench, order, location=None):
    """The same L part lines in every flow: WH/Stock (by hand: the parts
    at repair location the internal transfer issues them to) ->
    production."""
    d = bench.data
    location = location or d['stock_location']
    repair = order['repair']
    Line = bench.env['mrp.repair.line']
    for part in d['parts'][:bench.lines]:
        Line.create({
            'repair_id': repair.id,
            'type': 'add',
            'product_id': part.id,
            'name': part.name,
            'product_uom_qty': 1.0,
            'product_uom': part.uom_id.id,
            'price_unit': d['pricelist'].get_product_price(
                part, 1.0, d['customer']),
            'location_id': location.id,
            'location_dest_id': d['production_location'].id,
        })


# bare Odoo ---------------------------------------------------------------
def bare_create_repair(bench, order):
    vals = _repair_header(bench)
    vals['lot_id'] = order['lot'].id
    order['repair'] = bench.env['mrp.repair'].create(vals)


def bare_confirm(bench, order):
    # action_validate would only check the unit's stock at the (customer)
    # location and open the "insufficient quantity" wizard: confirm directly.
    order['repair'].action_repair_confirm()


def bare_start(bench, order):
    order['repair'].action_repair_start()


def bare_end(bench, order):
    order['repair'].action_repair_end()


def invoice(bench, order):
    repair = order['repair']
    repair.action_repair_invoice_create()
    assert repair.state == 'done' and repair.invoice_id, repair.state


def validate_invoice(bench, order):
    # Accounting validates the customer invoice (draft -> open): in both
    # flows, so that the addon's old part receipt reverses the deposit of
    # an open invoice with a validated credit note (R42).
    invoice = order['repair'].invoice_id
    invoice.action_invoice_open()
    assert invoice.state == 'open', invoice.state


BARE_STEPS = [
    Step('create repair order', bare_create_repair),
    Step('add part lines', _add_part_lines),
    Step('confirm', bare_confirm),
    Step('start repair', bare_start),
    Step('end repair', bare_end),
    Step('create invoice', invoice),
    Step('validate invoice', validate_invoice),
]


# by hand in bare Odoo ----------------------------------------------------
# What a company without the addon does for the same outcome as the addon's
# flow: the same documents, made one by one by its users in bare Odoo (same
# database and fixture as the bare flow). No warranty decision, finance
# release, test record or recovery list: nothing in bare Odoo keeps them.
def hand_create_ticket(bench, order):
    """Customer service records the call as a helpdesk ticket assigned to
    the technician (helpdesk_mgmt mails the assignee)."""
    d = bench.data
    order['ticket'] = bench.env['helpdesk.ticket'].create({
        'name': 'Scooter does not start',
        'description': '<p>No power when the key is turned. Serial %s.</p>'
                       % order['lot'].name,
        'partner_id': d['customer'].id,
        'channel_id': d['channel'].id,
        'user_id': d['technician'].id,
    })


def hand_create_repair(bench, order):
    """The repair order is typed from the ticket."""
    vals = _repair_header(bench)
    vals['lot_id'] = order['lot'].id
    vals['internal_notes'] = 'Ticket %s' % order['ticket'].number
    order['repair'] = bench.env['mrp.repair'].create(vals)


def hand_add_part_lines(bench, order):
    """The parts are consumed from where the internal transfer puts them."""
    _add_part_lines(bench, order, bench.data['repair_location'])


def hand_issue_parts(bench, order):
    """The warehouse makes an internal transfer WH/Stock -> Parts at
    Repair of the order's parts, reserves it and fills the done
    quantities (as the addon's parts issue does)."""
    d = bench.data
    repair = order['repair']
    src, dest = d['stock_location'], d['repair_location']
    picking = bench.env['stock.picking'].create({
        'picking_type_id': d['internal_type'].id,
        'location_id': src.id,
        'location_dest_id': dest.id,
        'origin': repair.name,
        'partner_id': repair.partner_id.id,
        'move_lines': [(0, 0, {
            'name': '%s: %s' % (repair.name, line.name),
            'product_id': line.product_id.id,
            'product_uom': line.product_uom.id,
            'product_uom_qty': line.product_uom_qty,
            'location_id': src.id,
            'location_dest_id': dest.id,
            'picking_type_id': d['internal_type'].id,
        }) for line in repair.operations],
    })
    picking.action_confirm()
    picking.action_assign()
    for move_line in picking.move_line_ids:
        move_line.qty_done = move_line.product_uom_qty
    order['issue'] = picking


def hand_warehouse_validate(bench, order):
    order['issue'].button_validate()
    assert order['issue'].state == 'done', order['issue'].state


def hand_receive_old_parts(bench, order):
    """The warehouse receives the old parts: a receipt customer -> Old
    Parts, a line per part, availability checked, done quantities filled,
    validated."""
    d = bench.data
    repair = order['repair']
    src, dest = d['customer_location'], d['old_parts_location']
    picking = bench.env['stock.picking'].create({
        'picking_type_id': d['receipt_type'].id,
        'location_id': src.id,
        'location_dest_id': dest.id,
        'origin': '%s old parts' % repair.name,
        'partner_id': repair.partner_id.id,
        'move_lines': [(0, 0, {
            'name': 'Old part of %s' % repair.name,
            'product_id': line.product_id.id,
            'product_uom': line.product_uom.id,
            'product_uom_qty': line.product_uom_qty,
            'location_id': src.id,
            'location_dest_id': dest.id,
            'picking_type_id': d['receipt_type'].id,
        }) for line in repair.operations],
    })
    picking.action_confirm()
    picking.action_assign()
    for move_line in picking.move_line_ids:
        move_line.qty_done = move_line.product_uom_qty
    picking.button_validate()
    assert picking.state == 'done', picking.state
    order['receipt'] = picking


def hand_credit_note(bench, order):
    """Accounting gives the deposits back: a credit note referring to the
    invoice, a line per part at its invoiced price, validated and set
    against the open invoice (its "outstanding credit")."""
    invoice = order['repair'].invoice_id
    parts = invoice.invoice_line_ids.filtered('product_id')
    refund = bench.env['account.invoice'].create({
        'type': 'out_refund',
        'partner_id': invoice.partner_id.id,
        'account_id': invoice.account_id.id,
        'journal_id': invoice.journal_id.id,
        'currency_id': invoice.currency_id.id,
        'company_id': invoice.company_id.id,
        'origin': invoice.number,
        'refund_invoice_id': invoice.id,
        'name': 'Old parts received: deposits returned',
        'invoice_line_ids': [(0, 0, {
            'name': 'Deposit returned: %s' % line.name,
            'product_id': line.product_id.id,
            'uom_id': line.uom_id.id,
            'account_id': line.account_id.id,
            'quantity': line.quantity,
            'price_unit': line.price_unit,
            'discount': line.discount,
            'invoice_line_tax_ids': [(6, 0, line.invoice_line_tax_ids.ids)],
        }) for line in parts],
    })
    refund.compute_taxes()
    refund.action_invoice_open()
    credit = refund.move_id.line_ids.filtered(
        lambda line: line.account_id == invoice.account_id)
    invoice.assign_outstanding_credit(credit.id)
    order['refund'] = refund


HAND_STEPS = [
    Step('create ticket', hand_create_ticket),
    Step('create repair order', hand_create_repair),
    Step('add part lines', hand_add_part_lines),
    Step('confirm', bare_confirm),
    Step('internal transfer (issue)', hand_issue_parts),
    Step('warehouse validates', hand_warehouse_validate),
    Step('start repair', bare_start),
    Step('end repair', bare_end),
    Step('create invoice', invoice),
    Step('validate invoice', validate_invoice),
    Step('receipt of old parts', hand_receive_old_parts),
    Step('credit note (deposits)', hand_credit_note),
]


def hand_check_order(bench, order):
    """Not timed: the same documents as the addon's flow: the parts issued
    to the repair location and consumed from it, the old parts in Old
    Parts, the deposits credited against the invoice."""
    d = bench.data
    repair = order['repair']
    assert repair.state == 'done' and repair.invoice_id.state in (
        'open', 'paid'), (repair.state, repair.invoice_id.state)
    assert set(repair.operations.mapped('location_id')) == {
        d['repair_location']}
    assert order['issue'].state == 'done'
    receipt = order['receipt']
    assert receipt.state == 'done' and \
        receipt.location_dest_id == d['old_parts_location']
    assert len(receipt.move_lines) == len(repair.operations)
    refund = order['refund']
    assert refund.state in ('open', 'paid'), refund.state
    assert abs(refund.amount_untaxed - sum(
        repair.operations.mapped('price_subtotal'))) < 0.01


# aftersales_addon -------------------------------------------------------
def addon_create_ticket(bench, order):
    d = bench.data
    order['ticket'] = bench.env['helpdesk.ticket'].create({
        'name': 'Scooter does not start',
        'partner_id': d['customer'].id,
        'request_type': 'repair',
        'urgency': 'important',
        'channel_id': d['channel'].id,
        'product_id': d['unit'].id,
        'lot_id': order['lot'].id,
        'fault_symptom': 'No power when the key is turned.',
        'technician_id': d['technician'].id,
    })


def addon_create_repair(bench, order):
    ticket = order['ticket']
    ticket.action_create_repair()
    order['repair'] = ticket.repair_ids
    assert len(order['repair']) == 1


def addon_assign_technician(bench, order):
    # The repair order takes the technician of the request: nothing to write
    # unless it is missing.
    repair = order['repair']
    if repair.technician_id != bench.data['technician']:
        repair.technician_id = bench.data['technician']


def addon_confirm(bench, order):
    # aftersales_addon's action_repair_confirm decides the warranty and
    # prices every line (R33): its queries are part of this step, and shown
    # on their own by WARRANTY_PROBE.
    order['repair'].action_validate()
    assert order['repair'].state == 'confirmed', order['repair'].state


def addon_finance_release(bench, order):
    # R22/R50: the customer owes the deposits of the parts, so the parts
    # issue cannot be validated before Finance releases the order. Finance
    # releases it as vouched by the order's technician (the wizard of the
    # repair's "Finance Release" button), which creates the technician's
    # receivable (R50) and tells the technician.
    repair = order['repair']
    assert repair._aftersales_release_needed()
    wizard = bench.env['aftersales.finance.release.wizard'].with_context(
        default_res_model='mrp.repair', default_res_id=repair.id).create({
            'mode': 'vouched',
            'vouch_user_id': bench.data['technician'].id,
        })
    wizard.action_release()
    assert repair.finance_release == 'vouched', repair.finance_release


def addon_issue_parts(bench, order):
    order['repair'].action_issue_parts()


def addon_warehouse_validate(bench, order):
    pickings = order['repair'].parts_picking_ids.filtered(
        lambda p: p.state not in ('done', 'cancel'))
    assert pickings
    for picking in pickings:
        picking.button_validate()
    assert set(pickings.mapped('state')) == {'done'}


def addon_start(bench, order):
    order['repair'].action_repair_start()


def addon_test_passed(bench, order):
    order['repair'].write({'test_result': 'passed'})


def addon_end(bench, order):
    # R40: creates the recoveries (RECOVERY_PROBE shows their share)
    order['repair'].action_repair_end()


def addon_receive_old_parts(bench, order):
    # R42/R43: the warehouse receives every old part of the order at once
    # (the repair's "Receive Old Parts"): one transfer into Old Parts is
    # validated and, the order being invoiced (invoice open), one credit
    # note reversing the deposits is validated.
    warehouse = bench.data['warehouse']
    recoveries = order['repair'].recovery_ids.sudo(warehouse)
    recoveries.env['aftersales.part.recovery']._receive_batch(
        {r.id: r.quantity - r.received_qty for r in recoveries})


ADDON_STEPS = [
    Step('create request (ticket)', addon_create_ticket),
    Step('ticket -> repair order', addon_create_repair),
    Step('assign technician', addon_assign_technician),
    Step('add part lines', _add_part_lines),
    Step('confirm (validate)', addon_confirm,
         (WARRANTY_PROBE, COVERAGE_PROBE)),
    Step('finance release (vouched)', addon_finance_release,
         RELEASE_PROBES),
    Step('issue parts', addon_issue_parts),
    Step('warehouse validates', addon_warehouse_validate),
    Step('start repair', addon_start),
    Step('record test passed', addon_test_passed),
    Step('end repair', addon_end, (RECOVERY_PROBE,)),
    Step('create invoice', invoice),
    Step('validate invoice', validate_invoice),
    Step('old part receipt', addon_receive_old_parts, RECEIPT_PROBES),
]


def addon_check_order(bench, order):
    """Not timed: the decision found the rule and made every part line a
    deposit (R42: in warranty, not exempt), Finance released the order as
    vouched by the technician (one receivable of the order's total, owed
    by the technician's employee), one recovery per line was created, and
    each old part was received into Old Parts with a validated credit note
    of its deposit."""
    repair = order['repair']
    receivable = repair.receivable_id
    assert repair.finance_release == 'vouched', repair.finance_release
    assert repair.vouch_user_id == bench.data['technician']
    assert receivable.employee_id == bench.data['technician_employee']
    assert abs(receivable.amount - repair.finance_release_amount) < 0.01, (
        receivable.amount, repair.finance_release_amount)
    assert repair.invoice_id in receivable.invoice_ids
    assert repair.warranty_state == 'in', repair.warranty_state
    assert repair.warranty_rule_id == bench.data['warranty_rule']
    coverages = set(repair.operations.mapped('warranty_coverage'))
    assert coverages == {'deposit'}, coverages
    assert all(repair.operations.mapped('price_unit'))
    recoveries = repair.recovery_ids
    assert len(recoveries) == len(repair.operations), (
        len(recoveries), len(repair.operations))
    assert set(recoveries.mapped('state')) == {'received'}, \
        recoveries.mapped('state')
    old_parts = bench.data['old_parts_location']
    picking = recoveries.mapped('picking_ids')
    assert len(picking) == 1 and picking.state == 'done'
    assert picking.location_dest_id == old_parts
    refund = recoveries.mapped('refund_ids')
    # validated, and paid once reconciled with the open invoice (R42 x R50)
    assert len(refund) == 1 and refund.type == 'out_refund' and \
        refund.state in ('open', 'paid'), (refund, refund.state)
    assert abs(refund.amount_untaxed - sum(
        r.deposit_unit_price * r.quantity for r in recoveries)) < 0.01


# ----------------------------------------------------------------------
# Fixture
# ----------------------------------------------------------------------
def setup_data(env, max_lines, with_addon, by_hand=False):
    """Customer, serial-tracked unit, parts in stock (and, with the addon,
    a technician and a warehouse user; ``by_hand``: what the flow by hand
    uses, see ``setup_hand_data``). Created in the open transaction."""
    uom = env.ref('product.product_uom_unit')
    Product = env['product.product']
    data = {
        'customer': env['res.partner'].create({
            'name': 'Bench Customer Ltd', 'customer': True}),
        'unit': Product.create({
            'name': 'Bench E-Scooter', 'type': 'product',
            'tracking': 'serial', 'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 9000.0}),
        'stock_location': env.ref('stock.stock_location_stock'),
        'customer_location': env.ref('stock.stock_location_customers'),
        'production_location': env['stock.location'].search(
            [('usage', '=', 'production')], limit=1),
        'pricelist': env['product.pricelist'].search([], limit=1),
        'parts': Product.browse(),
        'lot_seq': 0,
    }
    data['customer_location'] = (
        data['customer'].property_stock_customer
        or data['customer_location'])
    Quant = env['stock.quant']
    for i in range(max_lines):
        part = Product.create({
            'name': 'Bench Part %02d' % i, 'type': 'product',
            'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 80.0 + i, 'standard_price': 30.0 + i})
        Quant._update_available_quantity(
            part, data['stock_location'], 100000.0)
        data['parts'] |= part
    if by_hand:
        setup_hand_data(env, data)
    if with_addon:
        Users = env['res.users'].with_context(no_reset_password=True)
        for key, group in (('technician', 'group_aftersales_technician'),
                           ('warehouse', 'group_aftersales_warehouse')):
            data[key] = Users.create({
                'name': 'Bench %s' % key,
                'login': 'bench_as_%s' % key,
                'email': 'bench_as_%s@example.com' % key,
                'groups_id': [(6, 0, [
                    env.ref('base.group_user').id,
                    env.ref('aftersales_addon.%s' % group).id])],
            })
        # R22/R50: the technician vouches for the customer at the finance
        # release, which needs an employee linked to the technician's user
        # (the receivable is owed by that employee)
        data['technician_employee'] = env['hr.employee'].search(
            [('user_id', '=', data['technician'].id)], limit=1) or \
            env['hr.employee'].create({
                'name': data['technician'].name,
                'user_id': data['technician'].id,
                'company_id': env.user.company_id.id,
            })
        data['channel'] = env.ref(
            'helpdesk_mgmt.helpdesk_ticket_channel_phone')
        # R30: the unit's category has a warranty rule; each order's serial
        # is delivered to the customer 12 months before (see new_lot).
        categ = env['product.category'].create({'name': 'Bench Scooters'})
        data['unit'].categ_id = categ
        data['warranty_rule'] = create_warranty_rule(env, categ)
        data['delivered_months_ago'] = 12
        # R40-R42: every bench part comes back (not exempt under R41: the
        # parts cost 30-49 < the 50 threshold, so they must keep "no
        # recovery value" off), hence a deposit line and a recovery each.
        data['parts'].write({'aftersales_no_recovery_value': False})
        company = env.user.company_id
        Recovery = env['aftersales.part.recovery']
        assert not any(Recovery._is_recovery_exempt(part, company)
                       for part in data['parts'])
        warehouse = env['stock.warehouse'].search(
            [('company_id', '=', company.id)], limit=1)
        warehouse._aftersales_ensure_old_parts()
        data['old_parts_location'] = \
            warehouse.aftersales_old_parts_location_id
    return data


def setup_hand_data(env, data):
    """Bare Odoo set up for the flow by hand: a technician (an internal
    user the tickets are assigned to), the helpdesk's phone channel, an
    internal "Parts at Repair" location the internal transfer issues the
    parts to and an internal "Old Parts" location the receipt brings the
    old parts into, with the warehouse's internal and receipt types."""
    company = env.user.company_id
    data['technician'] = env['res.users'].with_context(
        no_reset_password=True).create({
            'name': 'Bench hand technician',
            'login': 'bench_hand_technician',
            'email': 'bench_hand_technician@example.com',
            'groups_id': [(6, 0, [env.ref('base.group_user').id])],
        })
    data['channel'] = env.ref('helpdesk_mgmt.helpdesk_ticket_channel_phone')
    warehouse = env['stock.warehouse'].search(
        [('company_id', '=', company.id)], limit=1)
    Location = env['stock.location']
    for key, name in (('repair_location', 'Bench Parts at Repair'),
                      ('old_parts_location', 'Bench Old Parts')):
        data[key] = Location.create({
            'name': name, 'usage': 'internal',
            'location_id': warehouse.view_location_id.id,
            'company_id': company.id})
    data['internal_type'] = warehouse.int_type_id
    data['receipt_type'] = warehouse.in_type_id


def create_warranty_rule(env, categ):
    """Warranty rule of ``categ``: months 0-36 parts and labour free, 36-60
    parts charged and labour free, counted from the delivery."""
    return env['aftersales.warranty.rule'].create({
        'name': 'Bench warranty %s' % categ.name,
        'categ_id': categ.id,
        'start_event': 'delivery',
        'tier_ids': [
            (0, 0, {'month_from': 0, 'month_to': 36,
                    'parts_coverage': 'free', 'labour_coverage': 'free'}),
            (0, 0, {'month_from': 36, 'month_to': 60,
                    'parts_coverage': 'charged', 'labour_coverage': 'free'}),
        ],
    })


def deliver_serial(env, lot, customer, stock_location, customer_location,
                   months_ago):
    """Put ``lot`` in stock and deliver it to ``customer``: a done move
    WH/Stock -> customer whose move line carries the lot, dated
    ``months_ago`` months back (the warranty start, R30)."""
    from odoo import fields
    product = lot.product_id
    env['stock.quant']._update_available_quantity(
        product, stock_location, 1.0, lot_id=lot)
    when = fields.Datetime.to_string(
        datetime.now() - relativedelta(months=months_ago))
    move = env['stock.move'].create({
        'name': 'Delivery of %s' % lot.name,
        'product_id': product.id,
        'product_uom': product.uom_id.id,
        'product_uom_qty': 1.0,
        'location_id': stock_location.id,
        'location_dest_id': customer_location.id,
        'partner_id': customer.id,
        'date': when,
        'move_line_ids': [(0, 0, {
            'product_id': product.id,
            'product_uom_id': product.uom_id.id,
            'qty_done': 1.0,
            'lot_id': lot.id,
            'location_id': stock_location.id,
            'location_dest_id': customer_location.id,
        })],
    })
    move._action_done()
    assert move.state == 'done', move.state
    # _action_done dates the move and its lines now: backdate them.
    env.cr.execute('UPDATE stock_move SET date = %s WHERE id = %s',
                   (when, move.id))
    env.cr.execute('UPDATE stock_move_line SET date = %s WHERE move_id = %s',
                   (when, move.id))
    move.invalidate_cache(['date'], move.ids)
    move.move_line_ids.invalidate_cache(['date'], move.move_line_ids.ids)
    return move


def new_lot(env, data):
    data['lot_seq'] += 1
    lot = env['stock.production.lot'].create({
        'name': 'BENCH-SCOOTER-%05d' % data['lot_seq'],
        'product_id': data['unit'].id})
    if data.get('warranty_rule'):
        deliver_serial(env, lot, data['customer'], data['stock_location'],
                       data['customer_location'],
                       data['delivered_months_ago'])
    return lot


# ----------------------------------------------------------------------
# Runner
# ----------------------------------------------------------------------
class Bench(object):
    """One flow on one database: its cursor, superuser env and fixture."""

    def __init__(self, label, dbname, steps, with_addon, max_lines,
                 keep_cache, check_order=None, by_hand=False):
        import odoo
        self.label = label
        self.dbname = dbname
        self.steps = steps
        self.check_order = check_order
        self.keep_cache = keep_cache
        # --profile: the step profiled (cProfile and the origin of its
        # queries) while ``profiling`` is on
        self.profile_step = None
        self.profiling = False
        self.profiler = None
        self.query_origins = Counter()
        self.query_innermost = Counter()
        self._execute = None
        self.lines = None
        self.registry = odoo.registry(dbname)
        self.cr = self.registry.cursor()
        self.env = odoo.api.Environment(self.cr, odoo.SUPERUSER_ID, {})
        self.data = setup_data(self.env, max_lines, with_addon, by_hand)

    def _install_probe(self, probe, totals):
        """Wrap ``probe.method`` on the model's registry class so that its
        (outermost) calls add their seconds and queries to ``totals``;
        return a function removing the wrapper."""
        cls = type(self.env[probe.model])
        own = cls.__dict__.get(probe.method)
        original = getattr(cls, probe.method)
        cr = self.cr
        depth = [0]

        def measured(records, *args, **kwargs):
            if depth[0]:
                return original(records, *args, **kwargs)
            depth[0] += 1
            queries0 = cr.sql_log_count
            t0 = time.perf_counter()
            try:
                return original(records, *args, **kwargs)
            finally:
                depth[0] -= 1
                totals[0] += time.perf_counter() - t0
                totals[1] += cr.sql_log_count - queries0
                totals[2] += 1

        setattr(cls, probe.method, measured)

        def remove():
            if own is None:
                delattr(cls, probe.method)
            else:
                setattr(cls, probe.method, own)
        return remove

    def run_order(self, steps=None, check_order=None):
        """Run all steps of one order (``steps``, by default the bench's);
        return {step: (seconds, queries)}, with a row (step, probe label)
        per probe of a step."""
        steps = steps or self.steps
        check_order = check_order or (
            self.check_order if steps is self.steps else None)
        order = {'lot': new_lot(self.env, self.data)}
        result = OrderedDict()
        for step in steps:
            if not self.keep_cache:
                # each step is a separate user action (RPC request): start it
                # with an empty record cache, as a new request would
                self.env.cache.invalidate()
            probes = [(probe, [0.0, 0, 0]) for probe in step.probes]
            removers = [self._install_probe(probe, totals)
                        for probe, totals in probes]
            profile = self.profile_step == step.name and self.profiling
            if profile:
                self._start_profile()
            queries0 = self.cr.sql_log_count
            t0 = time.perf_counter()
            try:
                step.fn(self, order)
            except Exception:
                print('\n%s: step %r failed' % (self.label, step.name),
                      file=sys.stderr)
                raise
            finally:
                elapsed = time.perf_counter() - t0
                queries = self.cr.sql_log_count - queries0
                if profile:
                    self._stop_profile()
                for remove in removers:
                    remove()
            result[step.name] = (elapsed, queries)
            for probe, (secs, count, calls) in probes:
                assert calls, '%s: %s.%s was not called' % (
                    step.name, probe.model, probe.method)
                result[(step.name, probe.label)] = (secs, count)
        if check_order:
            check_order(self, order)
        return result

    def _start_profile(self):
        """cProfile the step, and count its queries by the innermost frame
        of the addon's code (else of any addon) that made them."""
        import odoo.sql_db
        cursor_cls = odoo.sql_db.Cursor
        execute = cursor_cls.execute
        origins = self.query_origins
        innermost = self.query_innermost
        addon = os.sep + 'aftersales_addon' + os.sep
        addons = os.sep + 'addons' + os.sep

        def counted(cr, query, params=None, log_exceptions=None):
            frames = traceback.extract_stack(limit=80)[:-1]
            # the three innermost frames of the addon's code (callers
            # last), else the innermost frame of any addon
            chain = [f for f in reversed(frames)
                     if addon in f.filename][:3] or [next(
                         (f for f in reversed(frames)
                          if addons in f.filename), frames[-1])]
            table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)', query or '',
                              re.I)
            origins['%s [%s]' % (' < '.join(
                '%s:%d %s' % (f.filename.split(addon)[-1].split(
                    addons)[-1], f.lineno, f.name) for f in chain),
                table.group(1) if table else '?')] += 1
            inner = next((f for f in reversed(frames)
                          if addons in f.filename), frames[-1])
            innermost['%s:%d %s [%s]' % (
                inner.filename.split(addons)[-1], inner.lineno, inner.name,
                table.group(1) if table else '?')] += 1
            return execute(cr, query, params, log_exceptions)

        self._execute = execute
        cursor_cls.execute = counted
        self.profiler = cProfile.Profile()
        self.profiler.enable()

    def _stop_profile(self):
        import odoo.sql_db
        self.profiler.disable()
        odoo.sql_db.Cursor.execute = self._execute

    def print_profile(self, top=30):
        print('\n== Profile of %r (%s flow, one order) ==' % (
            self.profile_step, self.label))
        print('Queries by origin (the three innermost frames of '
              'aftersales_addon, else the innermost addon frame) [table]:')
        for origin, count in self.query_origins.most_common(top * 2):
            print('  %5d  %s' % (count, origin))
        print('\nQueries by innermost frame of any addon [table]:')
        for origin, count in self.query_innermost.most_common(top * 2):
            print('  %5d  %s' % (count, origin))
        print('\ncProfile, cumulative time:')
        pstats.Stats(self.profiler, stream=sys.stdout).sort_stats(
            'cumulative').print_stats(top)

    def measure(self, lines, orders, steps=None, check_order=None):
        """Per-step and total (seconds, queries) per order of ``steps`` (by
        default the bench's; another flow on the same database, e.g. the
        flow by hand on the bare one, shares its cursor and fixture)."""
        self.lines = lines
        self.run_order(steps, check_order)  # warm-up, not measured
        runs = [self.run_order(steps, check_order) for _ in range(orders)]
        per_step = OrderedDict(
            (name, (sum(r[name][0] for r in runs) / orders,
                    sum(r[name][1] for r in runs) / orders))
            for name in runs[0])
        # probe rows (keyed (step, label)) are part of their step already
        total = (sum(s for n, (s, q) in per_step.items()
                     if not isinstance(n, tuple)),
                 sum(q for n, (s, q) in per_step.items()
                     if not isinstance(n, tuple)))
        return per_step, total

    def close(self):
        try:
            self.cr.rollback()
        finally:
            self.cr.close()


def print_steps(label, dbname, per_step, total):
    print('  %s flow (db %s)' % (label, dbname))
    print('    %-28s %12s %12s' % ('step', 'ms/order', 'queries/order'))
    for name, (secs, queries) in per_step.items():
        if isinstance(name, tuple):
            name = '  ' + name[1]
        print('    %-28s %12.1f %12.1f' % (name, secs * 1000, queries))
    print('    %-28s %12.1f %12.1f' % ('TOTAL', total[0] * 1000, total[1]))


# The addon's steps and the steps of the other flows making the same
# documents (summed when several): "-" when the other flow has none.
BARE_PAIRS = OrderedDict([
    ('ticket -> repair order', ['create repair order']),
    ('add part lines', ['add part lines']),
    ('confirm (validate)', ['confirm']),
    ('start repair', ['start repair']),
    ('end repair', ['end repair']),
    ('create invoice', ['create invoice']),
    ('validate invoice', ['validate invoice']),
])
HAND_PAIRS = OrderedDict([
    ('create request (ticket)', ['create ticket']),
    ('ticket -> repair order', ['create repair order']),
    ('add part lines', ['add part lines']),
    ('confirm (validate)', ['confirm']),
    ('issue parts', ['internal transfer (issue)']),
    ('warehouse validates', ['warehouse validates']),
    ('start repair', ['start repair']),
    ('end repair', ['end repair']),
    ('create invoice', ['create invoice']),
    ('validate invoice', ['validate invoice']),
    ('old part receipt', ['receipt of old parts',
                          'credit note (deposits)']),
])


def _ratio(a, b):
    return '%6.2fx' % (a / b) if b else '%7s' % '-'


def print_side_by_side(title, other_label, other_steps, other_total,
                       addon_steps, addon_total, pairs, all_steps=True):
    """The addon's steps (all of them, or only the paired ones) beside
    the other flow's steps making the same documents, per order, with the
    ratio addon / other; then the totals."""
    print('  %s' % title)
    print('    %-28s %10s %9s | %10s %9s | %7s %7s' % (
        'addon step', other_label + ' ms', 'q', 'addon ms', 'q',
        'ms', 'q'))
    for name, (a_s, a_q) in addon_steps.items():
        if isinstance(name, tuple) or (not all_steps and name not in pairs):
            continue
        others = [other_steps[n] for n in pairs.get(name, ())]
        if not others:
            print('    %-28s %10s %9s | %10.1f %9.1f | %7s %7s' % (
                name, '-', '-', a_s * 1000, a_q, '-', '-'))
            continue
        o_s = sum(o[0] for o in others)
        o_q = sum(o[1] for o in others)
        print('    %-28s %10.1f %9.1f | %10.1f %9.1f | %s %s' % (
            name, o_s * 1000, o_q, a_s * 1000, a_q, _ratio(a_s, o_s),
            _ratio(a_q, o_q)))
    if all_steps:
        print('    %-28s %10.1f %9.1f | %10.1f %9.1f | %s %s' % (
            'TOTAL', other_total[0] * 1000, other_total[1],
            addon_total[0] * 1000, addon_total[1],
            _ratio(addon_total[0], other_total[0]),
            _ratio(addon_total[1], other_total[1])))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Time and count SQL queries of the bare mrp.repair flow '
                    'versus the aftersales_addon flow (rolled back).')
    parser.add_argument('--orders', type=int, default=10,
                        help='measured orders per flow (default 10)')
    parser.add_argument('--lines', default='5',
                        help='part lines per order, comma list (default 5; '
                             'e.g. 5,20)')
    parser.add_argument('--bare-db', default=DEFAULT_BARE_DB,
                        help='database without the addon (default %s, '
                             'created from the newest aftersales_tpl_*)'
                             % DEFAULT_BARE_DB)
    parser.add_argument('--addon-db', default=DEFAULT_ADDON_DB,
                        help='database with the addon (default %s, created '
                             'from the template + -i aftersales_addon)'
                             % DEFAULT_ADDON_DB)
    parser.add_argument('--conf', default=ODOO_CONF,
                        help='Odoo configuration whose addons_path loads '
                             'this checkout\'s addon (default %s: '
                             '$AFTERSALES_BENCH_CONF or .work/odoo.conf)'
                             % ODOO_CONF)
    parser.add_argument('--rebuild', action='store_true',
                        help='drop and recreate the addon database first')
    parser.add_argument('--profile', metavar='[FLOW:]STEP',
                        help='profile this step of the addon flow (or of '
                             'FLOW: bare, hand) on one order of the largest '
                             '--lines (after a warm-up): cProfile and the '
                             'origin of its queries; only that flow runs')
    parser.add_argument('--keep-cache', action='store_true',
                        help='do not empty the record cache between steps '
                             '(by default each step starts with an empty '
                             'cache, like a new request)')
    args = parser.parse_args(argv)
    try:
        args.lines = [int(x) for x in args.lines.split(',') if x.strip()]
    except ValueError:
        parser.error('--lines takes integers, e.g. 5,20')
    if not args.lines or min(args.lines) < 1 or args.orders < 1:
        parser.error('--orders and --lines must be >= 1')
    return args


def profile_step(args):
    """--profile [FLOW:]STEP: one order of the flow (addon by default, or
    bare or hand) at the largest --lines, after a warm-up, with the step
    profiled (rolled back)."""
    import odoo
    flow, _sep, name = args.profile.rpartition(':')
    flows = {'addon': ('addon', args.addon_db, ADDON_STEPS, True,
                       addon_check_order),
             'bare': ('bare', args.bare_db, BARE_STEPS, False, None),
             'hand': ('hand', args.bare_db, HAND_STEPS, False,
                      hand_check_order)}
    if (flow or 'addon') not in flows:
        sys.exit('--profile: flow %r is not one of %s' % (
            flow, ', '.join(flows)))
    label, dbname, steps, with_addon, check = flows[flow or 'addon']
    if name not in [step.name for step in steps]:
        sys.exit('--profile: no %s step %r (steps: %s)' % (
            label, name, ', '.join(step.name for step in steps)))
    with odoo.api.Environment.manage():
        bench = Bench(label, dbname, steps, with_addon, max(args.lines),
                      args.keep_cache, check_order=check,
                      by_hand=label == 'hand')
        try:
            bench.lines = max(args.lines)
            bench.profile_step = name
            bench.run_order()  # warm-up
            bench.profiling = True
            result = bench.run_order()
            secs, queries = result[name]
            print('%r at %d lines: %.1f ms, %d queries (under the '
                  'profiler: the time is inflated)' % (
                      name, bench.lines, secs * 1000, queries))
            bench.print_profile()
        finally:
            bench.close()


def main(argv=None):
    args = parse_args(argv)
    load_config(args.conf)  # before the install: it uses ODOO_CONF too
    ensure_bare_db(args.bare_db)
    ensure_addon_db(args.addon_db, rebuild=args.rebuild)

    import odoo
    if args.profile:
        return profile_step(args)

    print('aftersales_addon repair-flow bench: %d measured orders per flow '
          '(+1 warm-up), part lines %s' % (
              args.orders, ','.join(map(str, args.lines))))
    print('All steps run as the superuser (uid %d) except "old part '
          'receipt" (the warehouse user), so access rules and record rules '
          'are mostly not exercised (the finance release too: the superuser '
          'passes the Finance check); record cache %s between steps; '
          'everything is rolled back.' % (
              odoo.SUPERUSER_ID,
              'kept' if args.keep_cache else 'emptied'))
    results = []
    with odoo.api.Environment.manage():
        bare = addon = None
        try:
            t0 = time.perf_counter()
            # the flow by hand runs on the bare database, in the bare
            # bench's transaction (one cursor per database: two open
            # transactions would wait on each other's locks, e.g. the
            # journal's sequence)
            bare = Bench('bare', args.bare_db, BARE_STEPS, False,
                         max(args.lines), args.keep_cache, by_hand=True)
            addon = Bench('addon', args.addon_db, ADDON_STEPS, True,
                          max(args.lines), args.keep_cache,
                          check_order=addon_check_order)
            print('(registries loaded and fixtures created in %.1f s)'
                  % (time.perf_counter() - t0))
            for lines in args.lines:
                b_steps, b_total = bare.measure(lines, args.orders)
                h_steps, h_total = bare.measure(
                    lines, args.orders, HAND_STEPS, hand_check_order)
                a_steps, a_total = addon.measure(lines, args.orders)
                print('\n== %d part lines per order, %d orders ==' % (
                    lines, args.orders))
                print_steps('bare mrp.repair', args.bare_db, b_steps, b_total)
                print_steps('by hand in bare Odoo', args.bare_db, h_steps,
                            h_total)
                print_steps('aftersales_addon', args.addon_db, a_steps,
                            a_total)
                print()
                print_side_by_side(
                    'common steps: aftersales_addon vs bare mrp.repair '
                    '(goal <= 1.3x)', 'bare', b_steps, b_total, a_steps,
                    a_total, BARE_PAIRS, all_steps=False)
                print()
                print_side_by_side(
                    'aftersales_addon vs the same documents by hand '
                    '(goal: total <= 1.0x)', 'hand', h_steps, h_total,
                    a_steps, a_total, HAND_PAIRS)
                decision = a_steps.get(
                    ('confirm (validate)', WARRANTY_PROBE.label), (0.0, 0))
                creation = a_steps.get(
                    ('end repair', RECOVERY_PROBE.label), (0.0, 0))
                receipt = a_steps.get('old part receipt', (0.0, 0))
                release = a_steps.get('finance release (vouched)', (0.0, 0))
                results.append((lines, b_total, a_total, decision, creation,
                                receipt, release, h_total))
        finally:
            for bench in (addon, bare):
                if bench is not None:
                    bench.close()

    print('\n== Summary (per order) ==')
    print('%6s | %10s %10s %7s | %10s %10s %7s | %11s %10s | %10s %9s | '
          '%11s %10s | %10s %9s' % (
              'lines', 'bare s', 'addon s', 'ratio',
              'bare q', 'addon q', 'ratio', 'decision ms', 'decision q',
              'release ms', 'release q',
              'recov. ms', 'recov. q', 'receipt ms', 'receipt q'))
    for lines, (b_s, b_q), (a_s, a_q), (d_s, d_q), (c_s, c_q), \
            (r_s, r_q), (f_s, f_q), _hand in results:
        print('%6d | %10.3f %10.3f %6.2fx | %10.1f %10.1f %6.2fx | %11.1f '
              '%10.1f | %10.1f %9.1f | %11.1f %10.1f | %10.1f %9.1f' % (
                  lines, b_s, a_s, a_s / b_s, b_q, a_q, a_q / b_q,
                  d_s * 1000, d_q, f_s * 1000, f_q, c_s * 1000, c_q,
                  r_s * 1000, r_q))
    print('\nBy hand in bare Odoo versus the addon (per order; goal '
          'addon <= 1.0x):')
    print('%6s | %10s %10s %7s | %10s %10s %7s' % (
        'lines', 'hand s', 'addon s', 'ratio', 'hand q', 'addon q', 'ratio'))
    for lines, _b, (a_s, a_q), _d, _c, _r, _f, (h_s, h_q) in results:
        print('%6d | %10.3f %10.3f %6.2fx | %10.1f %10.1f %6.2fx' % (
            lines, h_s, a_s, a_s / h_s, h_q, a_q, a_q / h_q))
    print('(addon s and q include the warranty decision made inside '
          '"confirm (validate)", the "finance release (vouched)" step '
          '(release: R22/R50, the technician\'s receivable created), the '
          'recovery creation made inside "end repair" (recov.: R40, one per '
          'part line) and the "old part receipt" step (receipt: every old '
          'part of the order received, with its transfer and credit note, '
          'R42/R43); decision and recov. show that part alone. Both flows '
          'validate the invoice.)')
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print('\nPeak memory (ru_maxrss): %.1f MB' % (rss / 1024.0))
    print('Rolled back: nothing was committed.')


if __name__ == '__main__':
    main()
