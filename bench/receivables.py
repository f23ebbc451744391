#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the technician receivables (R50-R52) with many receivables:
the daily ageing job and the monthly statements.

Run on demand, never in CI:

    /work/main/.work/venv/bin/python bench/receivables.py [--addon-db DB]
        [--sizes 1000,10000,100000] [--technicians 20,200] [--rebuild]

On the addon bench database (see ``flow.py``: same ``--addon-db``,
``--conf``, ``--rebuild`` and environment variables; a database made by hand
with ``-i aftersales_addon`` works too), inside ONE transaction that is
rolled back at the end, as the superuser, it creates with the ORM
as many users in the Technician group as the largest of ``--technicians``
(a comma list, default 20,200), each with an ``hr.employee`` linked to the
user, and ``--customers`` customers (20).

Then, for each of ``--sizes`` (1000,10000,100000) and each number T of
``--technicians`` (the first T technicians), inside a SAVEPOINT that is
rolled back after the run (so runs do not pile up), it inserts N
receivables with SQL (``INSERT ... SELECT ... generate_series``, one
statement writing the receivables and their ledger entries):

* the reference day D is ``--day`` (default: the last day of the previous
  month, so that the deductions made "today" are in the statement period);
* the first ``--technicians`` rows give every technician one unpaid
  receivable 41-100 days old (so every size deducts and states something
  for every technician: the per-technician work is the same at each size);
  the others are spread unevenly (the first technicians get far more) with
  dates over the ``--days`` (120) days up to D; 60 % unpaid, 25 % partly
  paid, 15 % paid in full (settled);
* every receivable has one 'new' entry (``aftersales_receivable_move``) of
  its amount on its date, each paid one a 'payment' entry dated between its
  date and D; amount / paid_amount / balance / state / age_bucket are
  written consistently with the entries (checked by SQL, as after the job).

At each size it measures, the record cache emptied before each call:

* ``env['aftersales.technician.receivable']._age_receivables(D)``: wall
  time, SQL queries (``cr.sql_log_count``), deductions made (checked
  against a SQL count made before the run, and the ledger identity checked
  after it), then a second run that must make 0 deductions (idempotence);
* ``env['aftersales.receivable.statement']._generate(company, first day of
  D's month, D)``: time, queries, statements and statement lines made
  (checked: every line's and statement's closing = opening + new - paid -
  deducted + refunded, and the lines' closings add up to the receivables'
  balances).

The tracemalloc peak of each call is measured in a separate run of the same
call (inside a savepoint rolled back just after; it also warms the caches),
so that tracemalloc does not slow the timed run. The script ends by saying
whether the query counts are flat in N and in T, and with the queries per
technician of each job: (queries at the largest T - queries at the
smallest T) / (difference of T), at each N. The notices (one message per
technician for the deductions, one statement and one to-do per
technician) are written set-based, so that figure should be 0.
"""
import argparse
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta

from psycopg2 import sql

import flow  # bench/flow.py: databases, configuration, install

# share of receivables not paid at all / partly paid (the rest: paid in full)
P_UNPAID = 0.60
P_PARTIAL = 0.85

INSERT_SQL = """
WITH src AS (
    SELECT g, idx, rdate, amount,
           CASE WHEN r_pay < %(p_unpaid)s THEN 0::numeric
                WHEN r_pay < %(p_partial)s
                    THEN round(amount * (0.2 + 0.6 * r_part)::numeric, 2)
                ELSE amount END AS paid
      FROM (SELECT g,
                   -- one old unpaid receivable per technician first, then
                   -- an uneven spread (the first technicians get most)
                   CASE WHEN g <= %(ntech)s THEN g
                        ELSE 1 + floor(power(random(), 2) * %(ntech)s)::int
                   END AS idx,
                   CASE WHEN g <= %(ntech)s
                        THEN %(day)s::date - 41 - (g %% 60)
                        ELSE %(day)s::date - floor(random() * %(days)s)::int
                   END AS rdate,
                   round((50 + random() * 950)::numeric, 2) AS amount,
                   CASE WHEN g <= %(ntech)s THEN 0.0 ELSE random() END
                       AS r_pay,
                   random() AS r_part
              FROM generate_series(%(start)s, %(stop)s) AS g) AS s0
),
rec AS (
    INSERT INTO aftersales_technician_receivable (
        name, company_id, employee_id, user_id, partner_id, origin, date,
        amount, paid_amount, deducted_amount, refunded_amount, balance,
        state, age_bucket, create_uid, create_date, write_uid, write_date)
    SELECT 'TR/BENCH/' || lpad(g::text, 7, '0'), %(company)s,
           (%(employees)s::int[])[idx], (%(users)s::int[])[idx],
           (%(partners)s::int[])[1 + g %% cardinality(%(partners)s::int[])],
           'RO/BENCH/' || lpad(g::text, 7, '0'), rdate,
           amount, paid, 0, 0, amount - paid,
           CASE WHEN paid >= amount THEN 'settled' ELSE 'open' END,
           CASE WHEN paid >= amount THEN 'settled'
                WHEN %(day)s::date - rdate > %(deduction_days)s
                    THEN 'overdue'
                WHEN %(day)s::date - rdate > %(warning_days)s
                    THEN 'warning'
                ELSE 'current' END,
           %(uid)s, now() at time zone 'UTC',
           %(uid)s, now() at time zone 'UTC'
      FROM src
 RETURNING id, employee_id, company_id, date, amount, paid_amount
),
new_moves AS (
    INSERT INTO aftersales_receivable_move (
        receivable_id, employee_id, company_id, date, kind, amount, state,
        create_uid, create_date, write_uid, write_date)
    SELECT id, employee_id, company_id, date, 'new', amount, 'done',
           %(uid)s, now() at time zone 'UTC',
           %(uid)s, now() at time zone 'UTC'
      FROM rec
)
INSERT INTO aftersales_receivable_move (
    receivable_id, employee_id, company_id, date, kind, amount, state,
    create_uid, create_date, write_uid, write_date)
SELECT id, employee_id, company_id,
       date + floor(random() * (%(day)s::date - date + 1))::int,
       'payment', paid_amount, 'done',
       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
  FROM rec
 WHERE paid_amount > 0
"""

# receivables whose figures differ from the sums of their entries
LEDGER_CHECK_SQL = """
SELECT COUNT(*)
  FROM aftersales_technician_receivable r
  LEFT JOIN (
        SELECT receivable_id,
               SUM(CASE WHEN kind = 'new' THEN amount ELSE 0 END) AS new,
               SUM(CASE WHEN kind = 'payment' THEN amount ELSE 0 END)
                   AS paid,
               SUM(CASE WHEN kind = 'deduction' THEN amount ELSE 0 END)
                   AS ded,
               SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS ref
          FROM aftersales_receivable_move
      GROUP BY receivable_id) m ON m.receivable_id = r.id
 WHERE r.name LIKE 'TR/BENCH/%'
   AND (m.receivable_id IS NULL
        OR r.amount != m.new OR r.paid_amount != m.paid
        OR r.deducted_amount != m.ded OR r.refunded_amount != m.ref
        OR r.balance != m.new - m.paid - m.ded + m.ref)
"""

# what the ageing job should deduct on day %(day)s (every company)
DUE_SQL = """
SELECT COUNT(*), COUNT(DISTINCT r.employee_id), COALESCE(SUM(r.balance), 0)
  FROM aftersales_technician_receivable r
  JOIN res_company c ON c.id = r.company_id
 WHERE r.balance > 0
   AND %(day)s::date - r.date > c.aftersales_receivable_deduction_days
"""


def setup_data(env, technicians, customers):
    """Technician users, each with an employee linked to the user, and
    customers, created with the ORM."""
    ctx = dict(no_reset_password=True, mail_create_nolog=True,
               tracking_disable=True)
    Users = env['res.users'].with_context(**ctx)
    Employee = env['hr.employee'].with_context(**ctx)
    base = env.ref('base.group_user')
    tech_group = env.ref('aftersales_addon.group_aftersales_technician')
    company = env.user.company_id
    data = {
        'company': company,
        'users': Users.browse(),
        'employees': Employee.browse(),
        'customers': env['res.partner'].browse(),
    }
    for i in range(technicians):
        user = Users.create({
            'name': 'Bench Receivable Technician %03d' % i,
            'login': 'bench_rec_tech_%03d' % i,
            'email': 'bench_rec_tech_%03d@example.com' % i,
            'groups_id': [(6, 0, [base.id, tech_group.id])],
        })
        data['users'] |= user
        data['employees'] |= Employee.create({
            'name': user.name, 'user_id': user.id,
            'company_id': company.id})
    for i in range(customers):
        data['customers'] |= env['res.partner'].with_context(**ctx).create({
            'name': 'Bench Receivable Customer %02d' % i, 'customer': True})
    return data


def insert_receivables(env, data, day, days, size):
    """``size`` receivables and their entries, in one statement."""
    company = data['company']
    env.cr.execute(INSERT_SQL, {
        'p_unpaid': P_UNPAID,
        'p_partial': P_PARTIAL,
        'ntech': len(data['employees']),
        'day': day,
        'days': days,
        'start': 1,
        'stop': size,
        'company': company.id,
        'employees': data['employees'].ids,
        'users': data['users'].ids,
        'partners': data['customers'].ids,
        'deduction_days': company.aftersales_receivable_deduction_days,
        'warning_days': company.aftersales_receivable_warning_days,
        'uid': env.uid,
    })
    env.cr.execute('ANALYZE aftersales_technician_receivable')
    env.cr.execute('ANALYZE aftersales_receivable_move')
    check_ledger(env)


def check_ledger(env):
    env.cr.execute(LEDGER_CHECK_SQL)
    wrong = env.cr.fetchone()[0]
    assert not wrong, '%d receivables differ from their entries' % wrong


class Savepoint(object):
    """``with Savepoint(env):`` rolls back everything done inside (and
    empties the record cache)."""

    def __init__(self, env, name='bench_receivables'):
        self.env = env
        self.name = name

    def __enter__(self):
        self.env.cr.execute(sql.SQL('SAVEPOINT {}').format(
            sql.Identifier(self.name)))
        return self

    def __exit__(self, *exc):
        self.env.cr.execute(sql.SQL('ROLLBACK TO SAVEPOINT {}').format(
            sql.Identifier(self.name)))
        self.env.cr.execute(sql.SQL('RELEASE SAVEPOINT {}').format(
            sql.Identifier(self.name)))
        self.env.cache.invalidate()
        return False


def measure(env, fn):
    """(result, seconds, queries) of ``fn()``, the record cache emptied
    before."""
    env.cache.invalidate()
    queries0 = env.cr.sql_log_count
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0, env.cr.sql_log_count - queries0


def traced_peak(env, fn):
    """tracemalloc peak (bytes) of ``fn()``, run in a savepoint rolled back
    at once (also a warm-up of the timed run that follows)."""
    with Savepoint(env, 'bench_receivables_trace'):
        env.cache.invalidate()
        tracemalloc.start()
        try:
            fn()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def check_ageing(env, day, due, deductions):
    """The job deducted what was due, nothing is left to deduct, and the
    figures are still the sums of the entries."""
    count, _employees, total = due
    assert len(deductions) == count, (len(deductions), count)
    env.cr.execute(
        'SELECT COALESCE(SUM(amount), 0) FROM aftersales_receivable_move '
        'WHERE id = ANY(%s)', (deductions.ids,))
    assert abs(float(env.cr.fetchone()[0]) - float(total)) < 0.005
    env.cr.execute(DUE_SQL, {'day': day})
    assert env.cr.fetchone()[0] == 0, 'receivables left to deduct'
    check_ledger(env)


def check_statements(env, company, date_to, statements):
    """Every line and statement adds up; the lines' closings are the
    receivables' balances at the end of the period. Returns the number of
    lines."""
    cr = env.cr
    cr.execute("""
        SELECT COUNT(*), COALESCE(SUM(closing), 0),
               COUNT(*) FILTER (WHERE abs(opening + new_amount - paid
                                          - deducted + refunded - closing)
                                      > 0.001)
          FROM aftersales_receivable_statement_line
         WHERE statement_id = ANY(%s)""", (statements.ids,))
    lines, closing, wrong = cr.fetchone()
    assert not wrong, '%d statement lines do not add up' % wrong
    cr.execute("""
        SELECT COUNT(*) FROM aftersales_receivable_statement s
         WHERE s.id = ANY(%s)
           AND abs(s.opening + s.new_amount - s.paid - s.deducted
                   + s.refunded - s.closing) > 0.001""", (statements.ids,))
    assert not cr.fetchone()[0], 'statements do not add up'
    # every entry is dated on or before date_to, so at the end of the
    # period each receivable's closing balance is its balance (technicians
    # stated earlier, e.g. by demo data, are not stated again)
    cr.execute("""
        SELECT COALESCE(SUM(balance), 0)
          FROM aftersales_technician_receivable
         WHERE company_id = %s AND date <= %s
           AND employee_id IN (SELECT employee_id
                                 FROM aftersales_receivable_statement
                                WHERE id = ANY(%s))""",
               (company.id, date_to, statements.ids))
    balance = cr.fetchone()[0]
    assert abs(float(closing) - float(balance)) < 0.01, (closing, balance)
    return lines


def run_size(env, data, args, size, techs):
    """Insert ``size`` receivables owed by the first ``techs``
    technicians, measure the ageing job (twice) and the statements; all
    rolled back by the caller's savepoint."""
    from odoo import fields
    data = dict(data, employees=data['employees'][:techs],
                users=data['users'][:techs])
    Receivable = env['aftersales.technician.receivable']
    Statement = env['aftersales.receivable.statement']
    company = data['company']
    day = fields.Date.to_string(args.day)
    date_from = fields.Date.to_string(args.day.replace(day=1))
    row = {'size': size, 'techs': techs}

    t0 = time.perf_counter()
    insert_receivables(env, data, day, args.days, size)
    row['insert_s'] = time.perf_counter() - t0
    env.cr.execute('SELECT COUNT(*) FROM aftersales_receivable_move m '
                   'JOIN aftersales_technician_receivable r '
                   '  ON r.id = m.receivable_id '
                   'WHERE r.name LIKE %s', ('TR/BENCH/%',))
    row['moves'] = env.cr.fetchone()[0]
    env.cr.execute(DUE_SQL, {'day': day})
    due = env.cr.fetchone()
    row['due'] = due[0]

    def age():
        return Receivable._age_receivables(day)

    row['age_peak'] = traced_peak(env, age)
    deductions, row['age_s'], row['age_q'] = measure(env, age)
    check_ageing(env, day, due, deductions)
    row['deductions'] = len(deductions)
    row['techs_deducted'] = len(deductions.mapped('employee_id'))
    again, row['age2_s'], row['age2_q'] = measure(env, age)
    row['deductions2'] = len(again)
    assert not again, 'second ageing run deducted %d again' % len(again)

    def generate():
        return Statement._generate(company, date_from, day)

    row['stmt_peak'] = traced_peak(env, generate)
    statements, row['stmt_s'], row['stmt_q'] = measure(env, generate)
    row['statements'] = len(statements)
    row['lines'] = check_statements(env, company, day, statements)
    row['rss'] = rss_mb()
    return row


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def last_day_of_previous_month(today):
    return today.replace(day=1) - timedelta(days=1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Time and count SQL queries of the daily ageing of '
                    'technician receivables (R52) and of the monthly '
                    'statements (R51) for many receivables (rolled back).')
    parser.add_argument('--sizes', default='1000,10000,100000',
                        help='numbers of receivables measured, comma list '
                             '(default 1000,10000,100000); each size on '
                             'fresh data')
    parser.add_argument('--technicians', default='20,200',
                        help='numbers of technicians (users + employees) '
                             'the receivables are spread over, comma list '
                             '(default 20,200): each size is measured with '
                             'each number')
    parser.add_argument('--customers', type=int, default=20,
                        help='customers of the receivables (default 20)')
    parser.add_argument('--days', type=int, default=120,
                        help='receivables are dated over this many days up '
                             'to the reference day (default 120)')
    parser.add_argument('--day', default=None,
                        help='reference day D, YYYY-MM-DD: the ageing runs '
                             'as of D, the statements cover D\'s month up to '
                             'D (default: the last day of the previous '
                             'month)')
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
        args.sizes = sorted(set(
            int(x) for x in args.sizes.split(',') if x.strip()))
        args.technicians = sorted(set(
            int(x) for x in args.technicians.split(',') if x.strip()))
    except ValueError:
        parser.error('--sizes and --technicians take integers, e.g. '
                     '1000,10000,100000')
    if not args.sizes or not args.technicians or \
            min(args.technicians) < 1 or args.customers < 1 or \
            args.days < 1:
        parser.error('--sizes, --technicians, --customers and --days must '
                     'be >= 1')
    if min(args.sizes) < max(args.technicians):
        parser.error('every size must be >= --technicians (the first rows '
                     'give each technician one old unpaid receivable)')
    if args.day:
        try:
            y, m, d = (int(x) for x in args.day.split('-'))
            args.day = date(y, m, d)
        except ValueError:
            parser.error('--day takes YYYY-MM-DD')
    else:
        args.day = last_day_of_previous_month(date.today())
    return args


def print_results(args, rows):
    print('\nAgeing: _age_receivables(%s), run twice (the 2nd run must '
          'deduct nothing):' % args.day)
    print('%8s %5s %8s %8s | %6s %9s %6s %8s %8s %11s | %8s %6s %9s' % (
        'N', 'T', 'entries', 'insert s', 'due', 'deducted', 'techs', 'ms',
        'queries', 'tracemalloc', '2nd ms', '2nd q', '2nd ded.'))
    for r in rows:
        print('%8d %5d %8d %8.2f | %6d %9d %6d %8.0f %8d %8.1f MB | %8.0f '
              '%6d %9d' % (
                  r['size'], r['techs'], r['moves'], r['insert_s'], r['due'],
                  r['deductions'], r['techs_deducted'], r['age_s'] * 1000,
                  r['age_q'], r['age_peak'] / 1048576.0,
                  r['age2_s'] * 1000, r['age2_q'], r['deductions2']))
    print('\nStatements: _generate(company, %s, %s):' % (
        args.day.replace(day=1), args.day))
    print('%8s %5s | %8s %8s %11s | %10s %8s | %8s' % (
        'N', 'T', 'ms', 'queries', 'tracemalloc', 'statements', 'lines',
        'maxrss'))
    for r in rows:
        print('%8d %5d | %8.0f %8d %8.1f MB | %10d %8d | %5.0f MB' % (
            r['size'], r['techs'], r['stmt_s'] * 1000, r['stmt_q'],
            r['stmt_peak'] / 1048576.0, r['statements'], r['lines'],
            r['rss']))
    print('(T: technicians owing the receivables; entries: ledger entries '
          'inserted with the receivables; due: receivables the job had to '
          'deduct, by a SQL count; tracemalloc: peak of a separate run of '
          'the same call, rolled back; maxrss: peak RSS of the process so '
          'far)')
    for label, key in (('Ageing', 'age_q'), ('Statement', 'stmt_q')):
        print_flatness(label, key, rows)


def print_flatness(label, key, rows):
    """Whether the queries of ``key`` are flat in N (at each T) and in T
    (at each N), and the queries per technician."""
    for techs in sorted(set(r['techs'] for r in rows)):
        same = [r for r in rows if r['techs'] == techs]
        counts = [r[key] for r in same]
        detail = ', '.join('%d at N=%d' % (r[key], r['size']) for r in same)
        spread = max(counts) - min(counts)
        if not spread:
            print('%s queries flat in N (T=%d): %d at every size.'
                  % (label, techs, counts[0]))
        elif spread <= 0.01 * min(counts):
            # the ORM's caches make a few queries more or less per run
            print('%s queries flat in N (T=%d, within %d queries, %.2f %%): '
                  '%s.' % (label, techs, spread,
                           100.0 * spread / min(counts), detail))
        else:
            print('%s queries NOT flat in N (T=%d): %s.'
                  % (label, techs, detail))
    for size in sorted(set(r['size'] for r in rows)):
        same = sorted((r for r in rows if r['size'] == size),
                      key=lambda r: r['techs'])
        if len(same) < 2:
            continue
        low, high = same[0], same[-1]
        per_tech = float(high[key] - low[key]) / (
            high['techs'] - low['techs'])
        print('%s queries per technician at N=%d: %.2f (%d queries at T=%d, '
              '%d at T=%d).' % (label, size, per_tech, low[key],
                                low['techs'], high[key], high['techs']))


def main(argv=None):
    args = parse_args(argv)
    flow.load_config(args.conf)
    flow.ensure_addon_db(args.addon_db, rebuild=args.rebuild)

    import odoo
    print('aftersales_addon technician receivables bench on %s: sizes %s, '
          'technicians %s, %d customers, receivables dated over the %d days '
          'up to D = %s; superuser, cache emptied before each call, rolled '
          'back.' % (args.addon_db, ','.join(map(str, args.sizes)),
                     ','.join(map(str, args.technicians)), args.customers,
                     args.days, args.day))
    rows = []
    with odoo.api.Environment.manage():
        registry = odoo.registry(args.addon_db)
        cr = registry.cursor()
        try:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            t0 = time.perf_counter()
            data = setup_data(env, max(args.technicians), args.customers)
            company = data['company']
            print('(%d technician users + employees and %d customers created '
                  'with the ORM in %.1f s; company %s: deduction after %d '
                  'days, warning after %d)' % (
                      max(args.technicians), args.customers,
                      time.perf_counter() - t0, company.name,
                      company.aftersales_receivable_deduction_days,
                      company.aftersales_receivable_warning_days),
                  flush=True)
            for size in args.sizes:
                for techs in args.technicians:
                    with Savepoint(env, 'bench_receivables_size'):
                        rows.append(run_size(env, data, args, size, techs))
                    r = rows[-1]
                    print('  N=%d T=%d: inserted in %.2f s; ageing %d '
                          'queries, statements %d queries (measured, rolled '
                          'back)' % (size, techs, r['insert_s'], r['age_q'],
                                     r['stmt_q']), flush=True)
        finally:
            cr.rollback()
            cr.close()
    print_results(args, rows)
    print('\nRolled back: nothing was committed.')


if __name__ == '__main__':
    sys.exit(main())
