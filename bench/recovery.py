#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the old-part recovery list (R45) and of the overdue filter
with many recoveries.

Run on demand, never in CI:

    /work/main/.work/venv/bin/python bench/recovery.py [--rebuild]
        [--sizes 1000,10000,100000] [--technicians 20,200]

On the addon bench database (see ``flow.py``: same ``--addon-db``,
``--conf``, ``--rebuild`` and environment variables), inside one transaction
rolled back at the end, as the superuser, it creates with the ORM
as many technicians as the largest of ``--technicians`` (a comma list,
default 20,200), three Finance users (they get the list's activity), a few
repair orders and spare parts; then, for each number T of technicians (the
first T, inside a savepoint rolled back after T), it inserts recoveries of
those T technicians with SQL (``INSERT ... SELECT ... generate_series``, one
parameterised statement per size) until each of ``--sizes`` is reached
(1000,10000,100000; ``--recoveries N`` stops at N). The technicians are
spread unevenly (a few have many recoveries, like real workshops); about
80 % are to return (a third of them overdue), 15 % received, 5 % exempt.

At each size it measures, the record cache emptied before each call:

* ``env['aftersales.part.recovery']._cron_outstanding_list()``, made to run
  (the company's list day set to 1 and its last list date emptied; other
  companies marked as done this month): wall time, SQL queries
  (``cr.sql_log_count``), the tracemalloc peak of the call and ru_maxrss;
  the list's totals are checked against a SQL count;
* ``search_count([('overdue', '=', True)])``;
* optionally (``--pdf``) the PDF of the monthly list, which lists every
  outstanding recovery: only for sizes up to ``--pdf-max`` (1000).

The first call of each T is a warm-up (not measured). The script ends by
saying whether the cron's query count is flat in N and in T, with the
queries per technician ((queries at the largest T - queries at the smallest
T) / difference of T, at each N): the list's lines are written set-based,
so that figure should be 0.
"""
import argparse
import os
import resource
import sys
import time
import tracemalloc

import flow  # bench/flow.py: databases, configuration, install

STATE_SPLIT = (('to_return', 0.80), ('received', 0.15), ('exempt', 0.05))

INSERT_SQL = """
INSERT INTO aftersales_part_recovery (
    name, company_id, repair_id, product_id, partner_id, technician_id,
    quantity, received_qty, state, due_date, unit_cost,
    deposit_unit_price, exempt_reason,
    create_uid, create_date, write_uid, write_date)
SELECT 'RCV/BENCH/' || lpad(g::text, 7, '0'),
       %(company)s,
       (%(repairs)s::int[])[1 + g %% cardinality(%(repairs)s::int[])],
       (%(products)s::int[])[1 + (g * 7) %% cardinality(%(products)s::int[])],
       %(partner)s,
       -- the first rows give each technician one outstanding part (so
       -- every size has a list line per technician), then an uneven
       -- spread: the first technicians get much more work than the last
       CASE WHEN g <= cardinality(%(technicians)s::int[])
            THEN (%(technicians)s::int[])[g]
            ELSE (%(technicians)s::int[])[1 + floor(
                power(r_tech, 2)
                * cardinality(%(technicians)s::int[]))::int] END,
       qty,
       CASE WHEN state = 'received' THEN qty ELSE 0 END,
       state,
       -- due dates from 90 days ago to 60 days ahead: some overdue
       CURRENT_DATE - 90 + floor(r_due * 150)::int,
       30 + (g %% 20),
       CASE WHEN state = 'exempt' THEN 0 ELSE 80 + (g %% 20) END,
       CASE WHEN state = 'exempt' THEN 'Bench: below the threshold' END,
       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
  FROM (SELECT g, random() AS r_tech, random() AS r_due,
               CASE WHEN random() < 0.9 THEN 1 ELSE 2 END AS qty,
               CASE WHEN g <= cardinality(%(technicians)s::int[])
                      OR r_state < %(p_return)s THEN 'to_return'
                    WHEN r_state < %(p_received)s THEN 'received'
                    ELSE 'exempt' END AS state
          FROM (SELECT g, random() AS r_state
                  FROM generate_series(%(start)s, %(stop)s) AS g) AS s0
       ) AS s
"""


def setup_data(env, technicians, repairs, parts):
    """Technician and Finance users, ``repairs`` draft repair orders and
    ``parts`` spare parts, created with the ORM."""
    uom = env.ref('product.product_uom_unit')
    Product = env['product.product']
    Users = env['res.users'].with_context(no_reset_password=True,
                                          mail_create_nolog=True,
                                          tracking_disable=True)
    base = env.ref('base.group_user')
    tech_group = env.ref('aftersales_addon.group_aftersales_technician')
    finance_group = env.ref('aftersales_addon.group_aftersales_finance')
    data = {
        'company': env.user.company_id,
        'customer': env['res.partner'].create({
            'name': 'Bench Recovery Customer', 'customer': True}),
        'technicians': Users.browse(),
        'finance': Users.browse(),
        'parts': Product.browse(),
        'repairs': env['mrp.repair'].browse(),
    }
    for i in range(technicians):
        data['technicians'] |= Users.create({
            'name': 'Bench Technician %03d' % i,
            'login': 'bench_rcv_tech_%03d' % i,
            'groups_id': [(6, 0, [base.id, tech_group.id])],
        })
    for i in range(3):
        data['finance'] |= Users.create({
            'name': 'Bench Finance %d' % i,
            'login': 'bench_rcv_fin_%d' % i,
            'groups_id': [(6, 0, [base.id, finance_group.id])],
        })
    unit = Product.create({
        'name': 'Bench Recovery Scooter', 'type': 'product',
        'uom_id': uom.id, 'uom_po_id': uom.id})
    for i in range(parts):
        data['parts'] |= Product.create({
            'name': 'Bench Recovery Part %02d' % i, 'type': 'product',
            'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 80.0 + i, 'standard_price': 30.0 + i})
    location = data['customer'].property_stock_customer or \
        env.ref('stock.stock_location_customers')
    for i in range(repairs):
        data['repairs'] |= env['mrp.repair'].create({
            'product_id': unit.id,
            'product_uom': uom.id,
            'partner_id': data['customer'].id,
            'location_id': location.id,
            'location_dest_id': location.id,
            'technician_id': data['technicians'][i].id,
            'company_id': data['company'].id,
        })
    return data


def insert_recoveries(env, data, start, stop):
    """Recoveries ``start``..``stop`` (inclusive) in one INSERT."""
    p_return = STATE_SPLIT[0][1]
    env.cr.execute(INSERT_SQL, {
        'company': data['company'].id,
        'repairs': data['repairs'].ids,
        'products': data['parts'].ids,
        'partner': data['customer'].id,
        'technicians': data['technicians'].ids,
        'p_return': p_return,
        'p_received': p_return + STATE_SPLIT[1][1],
        'start': start,
        'stop': stop,
        'uid': env.uid,
    })
    env.cr.execute('ANALYZE aftersales_part_recovery')


def make_cron_run(env, company):
    """The list is due today for ``company`` only: day 1, no list yet this
    month; the other companies have theirs already."""
    env.cr.execute(
        'UPDATE res_company SET aftersales_recovery_list_day = 1, '
        'aftersales_recovery_list_date = NULL WHERE id = %s', (company.id,))
    env.cr.execute(
        'UPDATE res_company SET aftersales_recovery_list_date = CURRENT_DATE '
        'WHERE id != %s', (company.id,))
    env['res.company'].invalidate_cache(
        ['aftersales_recovery_list_day', 'aftersales_recovery_list_date'])


def measure(env, fn, trace=False):
    """(result, seconds, queries, tracemalloc peak bytes or None) of
    ``fn()``, the record cache emptied before."""
    env.cache.invalidate()
    if trace:
        tracemalloc.start()
    queries0 = env.cr.sql_log_count
    t0 = time.perf_counter()
    try:
        result = fn()
    finally:
        elapsed = time.perf_counter() - t0
        queries = env.cr.sql_log_count - queries0
        peak = None
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return result, elapsed, queries, peak


def run_cron(env, data):
    make_cron_run(env, data['company'])
    lists, secs, queries, peak = measure(
        env, env['aftersales.part.recovery']._cron_outstanding_list,
        trace=True)
    assert len(lists) == 1 and lists.company_id == data['company'], lists
    return lists, secs, queries, peak


def restricted(data, techs):
    """``data`` with its first ``techs`` technicians only."""
    return dict(data, technicians=data['technicians'][:techs])


class Savepoint(object):
    """``with Savepoint(env):`` rolls back what is done inside."""

    def __init__(self, env):
        self.env = env

    def __enter__(self):
        self.env.cr.execute('SAVEPOINT bench_recovery_techs')
        return self

    def __exit__(self, *exc):
        self.env.cr.execute('ROLLBACK TO SAVEPOINT bench_recovery_techs')
        self.env.cr.execute('RELEASE SAVEPOINT bench_recovery_techs')
        self.env.cache.invalidate()
        return False


def check_list(env, data, record):
    env.cr.execute(
        "SELECT COUNT(*), COUNT(DISTINCT technician_id), "
        "       COALESCE(SUM((quantity - received_qty) * deposit_unit_price),"
        "                0) "
        "  FROM aftersales_part_recovery "
        " WHERE company_id = %s AND state = 'to_return'",
        (data['company'].id,))
    count, technicians, deposit = env.cr.fetchone()
    assert record.total_count == count, (record.total_count, count)
    assert len(record.line_ids) == technicians, (
        len(record.line_ids), technicians)
    assert abs(record.total_deposit - float(deposit)) < 0.01, (
        record.total_deposit, deposit)
    return count, technicians


class NoCommit(object):
    """Odoo 11's render_qweb_pdf commits the cursor when it generates an
    asset bundle (context key commit_assetsbundle): make commit a no-op
    while rendering, so that the bench never commits."""

    def __init__(self, cr):
        self.cr = cr
        self.suppressed = 0

    def _noop(self):
        self.suppressed += 1

    def __enter__(self):
        self.cr.commit = self._noop
        return self

    def __exit__(self, *exc):
        del self.cr.commit
        return False


def render_pdf(env, report, record):
    with NoCommit(env.cr):
        pdf, _fmt = report.render_qweb_pdf(record.ids)
    assert pdf.startswith(b'%PDF'), pdf[:20]
    return len(pdf)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Time and count SQL queries of the monthly list of '
                    'outstanding old parts (R45) and of the overdue filter '
                    'for many recoveries (rolled back).')
    parser.add_argument('--recoveries', type=int, default=100000,
                        help='largest number of recoveries (default 100000)')
    parser.add_argument('--sizes', default='1000,10000,100000',
                        help='numbers of recoveries measured, comma list '
                             '(default 1000,10000,100000; capped by '
                             '--recoveries, which is always measured)')
    parser.add_argument('--technicians', default='20,200',
                        help='numbers of technicians the recoveries are '
                             'spread over, comma list (default 20,200): '
                             'each size is measured with each number')
    parser.add_argument('--repairs', type=int, default=5,
                        help='repair orders the recoveries refer to '
                             '(default 5)')
    parser.add_argument('--parts', type=int, default=20,
                        help='spare parts (default 20)')
    parser.add_argument('--pdf', action='store_true',
                        help='also render the PDF of the list (it lists '
                             'every outstanding recovery)')
    parser.add_argument('--pdf-max', type=int, default=1000,
                        help='render the PDF only up to this many '
                             'recoveries (default 1000)')
    parser.add_argument('--addon-db', default=flow.DEFAULT_ADDON_DB,
                        help='database with the addon (default %s, created '
                             'like flow.py does)' % flow.DEFAULT_ADDON_DB)
    parser.add_argument('--conf', default=flow.ODOO_CONF,
                        help='Odoo configuration loading this checkout\'s '
                             'addon (default %s)' % flow.ODOO_CONF)
    parser.add_argument('--rebuild', action='store_true',
                        help='drop and recreate the addon database first')
    args = parser.parse_args(argv)
    try:
        sizes = [int(x) for x in args.sizes.split(',') if x.strip()]
        args.technicians = sorted(set(
            int(x) for x in args.technicians.split(',') if x.strip()))
    except ValueError:
        parser.error('--sizes and --technicians take integers, e.g. '
                     '1000,10000,100000')
    args.sizes = sorted(set(
        [n for n in sizes if 0 < n < args.recoveries] + [args.recoveries]))
    if args.recoveries < 1 or not args.technicians or \
            min(args.technicians) < 1 or args.repairs < 1 or \
            args.parts < 1 or args.repairs > min(args.technicians):
        parser.error('--recoveries, --technicians, --repairs and --parts '
                     'must be >= 1 (and --repairs <= --technicians)')
    return args


def main(argv=None):
    args = parse_args(argv)
    # the PDF's stylesheets are compiled by lessc (installed in .work/node)
    lessc_dir = os.path.join(flow.WORK, 'node', 'node_modules', '.bin')
    if os.path.isdir(lessc_dir):
        os.environ['PATH'] = lessc_dir + os.pathsep + os.environ['PATH']
    flow.load_config(args.conf)
    flow.ensure_addon_db(args.addon_db, rebuild=args.rebuild)

    import odoo
    print('aftersales_addon old-part recovery bench on %s: sizes %s, '
          'technicians %s, superuser, cache emptied before each call, '
          'rolled back.' % (args.addon_db, ','.join(map(str, args.sizes)),
                            ','.join(map(str, args.technicians))))
    rows = []
    with odoo.api.Environment.manage():
        registry = odoo.registry(args.addon_db)
        cr = registry.cursor()
        try:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            t0 = time.perf_counter()
            all_data = setup_data(env, max(args.technicians), args.repairs,
                                  args.parts)
            print('(%d technicians, 3 Finance users, %d repair orders and '
                  '%d parts created with the ORM in %.1f s)' % (
                      max(args.technicians), args.repairs, args.parts,
                      time.perf_counter() - t0))
            report = env.ref('aftersales_addon.action_report_recovery_list')
            Recovery = env['aftersales.part.recovery']
            for techs in args.technicians:
                with Savepoint(env):
                    rows.extend(run_techs(env, args, restricted(
                        all_data, techs), report, Recovery))
        finally:
            cr.rollback()
            cr.close()
    print_results(args, rows)
    print('\nRolled back: nothing was committed.')


def run_techs(env, args, data, report, Recovery):
    """The sizes with the technicians of ``data``: rows of figures."""
    rows = []
    techs = len(data['technicians'])
    done = 0
    warm = False
    for size in args.sizes:
        t0 = time.perf_counter()
        insert_recoveries(env, data, done + 1, size)
        insert_s = time.perf_counter() - t0
        done = size
        if not warm:
            warm_list = run_cron(env, data)[0]  # not measured
            if args.pdf:  # asset bundles generated here
                render_pdf(env, report, warm_list)
            Recovery.search_count([('overdue', '=', True)])
            warm = True
        record, secs, queries, peak = run_cron(env, data)
        outstanding, technicians = check_list(env, data, record)
        overdue, o_secs, o_queries, _peak = measure(
            env, lambda: Recovery.search_count([('overdue', '=', True)]))
        pdf = None
        if args.pdf and size <= args.pdf_max:
            _res, p_secs, p_queries, _peak = measure(
                env, lambda: render_pdf(env, report, record))
            pdf = (p_secs, p_queries)
        rows.append((size, techs, insert_s, outstanding, technicians, secs,
                     queries, peak, rss_mb(), overdue, o_secs, o_queries,
                     pdf))
        print('  T=%d: %d recoveries inserted in %.2f s; measured, cron %d '
              'queries' % (techs, size, insert_s, queries), flush=True)
    return rows


def print_results(args, rows):
    print('\n_cron_outstanding_list() (one list made, for one company) and '
          'search_count(overdue):')
    print('%8s %5s %8s %6s | %9s %8s %11s %9s | %8s %9s %8s%s' % (
        'N', 'T', 'outst.', 'techs', 'cron ms', 'cron q', 'tracemalloc',
        'maxrss', 'overdue', 'ovd ms', 'ovd q',
        ' | %9s %7s' % ('pdf ms', 'pdf q') if args.pdf else ''))
    for (size, techs, _ins, outstanding, technicians, secs, queries, peak,
         rss, overdue, o_secs, o_queries, pdf) in rows:
        pdf_cols = ''
        if args.pdf:
            pdf_cols = ' | %9s %7s' % (
                ('%.0f' % (pdf[0] * 1000), '%d' % pdf[1]) if pdf
                else ('skipped', '-'))
        print('%8d %5d %8d %6d | %9.1f %8d %8.1f MB %6.1f MB | %8d %9.1f '
              '%8d%s' % (size, techs, outstanding, technicians, secs * 1000,
                         queries, peak / 1048576.0, rss, overdue,
                         o_secs * 1000, o_queries, pdf_cols))
    print('(T: technicians of the recoveries; techs: technicians on the '
          'list, the demo\'s included; tracemalloc: peak Python allocation '
          'during the cron call; maxrss: peak RSS of the process so far.)')
    for techs in sorted(set(row[1] for row in rows)):
        same = [row for row in rows if row[1] == techs]
        counts = sorted(set(row[6] for row in same))
        if len(counts) == 1:
            print('Cron queries flat in N (T=%d): %d at every size.'
                  % (techs, counts[0]))
        else:
            print('Cron queries NOT flat in N (T=%d): %s.' % (
                techs, ', '.join('%d at N=%d' % (row[6], row[0])
                                 for row in same)))
    for size in sorted(set(row[0] for row in rows)):
        same = sorted((row for row in rows if row[0] == size),
                      key=lambda row: row[1])
        if len(same) < 2:
            continue
        low, high = same[0], same[-1]
        print('Cron queries per technician at N=%d: %.2f (%d queries at '
              'T=%d, %d at T=%d).' % (
                  size, float(high[6] - low[6]) / (high[1] - low[1]),
                  low[6], low[1], high[6], high[1]))


if __name__ == '__main__':
    sys.exit(main())
