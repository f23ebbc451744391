#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the service desk's breach check (R12) with many open
requests.

Run on demand, never in CI:

    /work/main/.work/venv/bin/python bench/desk.py [--rebuild]
        [--sizes 1000,10000,100000] [--late 50]

On the addon bench database (see ``flow.py``: same ``--addon-db``,
``--conf``, ``--rebuild`` and environment variables), inside one
transaction rolled back at the end, as the superuser, it creates with the
ORM 20 technicians and an after-sales manager (who gets the to-dos), then
inserts open requests with SQL (``INSERT ... SELECT ... generate_series``,
one parameterised statement per table and size) until each of ``--sizes``
is reached. Each request has been forwarded to its technician: three open
steps (contact, plan, arrival) whose deadlines lie in the coming 30 days,
so they are not late. Before each measurement ``--late`` (50) further
requests are inserted whose three steps became late since the last run.

At each size it measures ``_aftersales_flag_breaches()`` -- the scheduled
check -- with the record cache emptied before: wall time, SQL queries
(``cr.sql_log_count``), the tracemalloc peak of the call and ru_maxrss;
it checks that exactly the late requests were flagged, then runs the check
a second time (nothing left to flag: it must flag nothing). The first run
is a warm-up (not measured). The check reads only the open, unflagged,
unpaused steps by deadline (a partial index), so time, queries and memory
should not grow with the number of open requests.
"""
import argparse
import resource
import time
import tracemalloc

import flow  # bench/flow.py: databases, configuration, install

TICKETS_SQL = """
INSERT INTO helpdesk_ticket (
    number, name, stage_id, company_id, partner_id, technician_id,
    team_id, received_date, request_type, urgency, priority,
    aftersales_breached, last_stage_update,
    create_uid, create_date, write_uid, write_date)
SELECT 'BENCH' || lpad(g::text, 7, '0'), 'Bench request ' || g,
       %(stage)s, %(company)s, %(partner)s,
       (%(technicians)s::int[])[1 + g %% cardinality(%(technicians)s::int[])],
       %(team)s, %(now)s::timestamp - interval '1 hour', 'repair', 'normal',
       '1', false, %(now)s,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM generate_series(%(start)s, %(stop)s) AS g
RETURNING id
"""

STEPS_SQL = """
INSERT INTO aftersales_request_step (
    ticket_id, code, sequence, start, hours, arrival_rule, deadline, state,
    breached, technician_id, team_id, company_id,
    create_uid, create_date, write_uid, write_date)
SELECT t.id, c.code, c.seq, %(now)s::timestamp - interval '1 hour',
       c.hours, c.rule,
       CASE WHEN %(late)s
            -- became late since the last run
            THEN %(now)s::timestamp - interval '1 minute' * (1 + t.id %% 30)
            -- due within the coming 30 days
            ELSE %(now)s::timestamp
                 + interval '1 minute' * (60 + (t.id * 7 + c.seq) %% 43200)
       END,
       'open', false, t.technician_id, t.team_id, t.company_id,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM helpdesk_ticket t
 CROSS JOIN (VALUES ('contact', 2, 12.0, NULL),
                    ('plan', 3, 24.0, NULL),
                    ('arrival', 4, 24.0, 'onsite'))
       AS c(code, seq, hours, rule)
 WHERE t.id = ANY(%(tickets)s)
"""


def setup_data(env, technicians):
    Users = env['res.users'].with_context(no_reset_password=True,
                                          mail_create_nolog=True,
                                          tracking_disable=True)
    base = env.ref('base.group_user')
    tech_group = env.ref('aftersales_addon.group_aftersales_technician')
    manager_group = env.ref('aftersales_addon.group_aftersales_manager')
    data = {
        'company': env.user.company_id,
        'customer': env['res.partner'].create({
            'name': 'Bench Desk Customer', 'customer': True}),
        'technicians': Users.browse(),
        'stage': env.ref('helpdesk_mgmt.helpdesk_ticket_stage_in_progress'),
        'team': env['helpdesk.ticket.team'].create({'name': 'Bench Team'}),
    }
    for i in range(technicians):
        data['technicians'] |= Users.create({
            'name': 'Bench Desk Technician %02d' % i,
            'login': 'bench_desk_tech_%02d' % i,
            'groups_id': [(6, 0, [base.id, tech_group.id])],
        })
    data['manager'] = Users.create({
        'name': 'Bench Desk Manager', 'login': 'bench_desk_manager',
        'groups_id': [(6, 0, [base.id, manager_group.id])]})
    return data


def insert_requests(env, data, start, stop, now, late):
    """Requests ``start``..``stop`` with their three open steps; ``late``:
    their deadlines passed a few minutes before ``now``."""
    params = {
        'stage': data['stage'].id, 'company': data['company'].id,
        'partner': data['customer'].id,
        'technicians': data['technicians'].ids, 'team': data['team'].id,
        'now': now, 'uid': env.uid, 'start': start, 'stop': stop,
    }
    env.cr.execute(TICKETS_SQL, params)
    tickets = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(STEPS_SQL, dict(params, tickets=tickets, late=late))
    return tickets


def measure(env, fn):
    """(result, seconds, queries, tracemalloc peak bytes) of ``fn()``, the
    record cache emptied before."""
    env.cache.invalidate()
    tracemalloc.start()
    queries0 = env.cr.sql_log_count
    t0 = time.perf_counter()
    try:
        result = fn()
    finally:
        elapsed = time.perf_counter() - t0
        queries = env.cr.sql_log_count - queries0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, elapsed, queries, peak


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Time, count queries and peak memory of the breach '
                    'check of service requests (R12) for many open '
                    'requests (rolled back).')
    parser.add_argument('--sizes', default='1000,10000,100000',
                        help='numbers of open requests measured, comma '
                             'list (default 1000,10000,100000)')
    parser.add_argument('--late', type=int, default=50,
                        help='requests that became late before each '
                             'measurement (default 50)')
    parser.add_argument('--technicians', type=int, default=20)
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
        args.sizes = sorted(set(int(x) for x in args.sizes.split(',')
                                if x.strip()))
    except ValueError:
        parser.error('--sizes takes integers, e.g. 1000,10000,100000')
    if not args.sizes or min(args.sizes) < 1 or args.late < 1 or \
            args.technicians < 1:
        parser.error('--sizes, --late and --technicians must be >= 1')
    return args


def main(argv=None):
    args = parse_args(argv)
    flow.load_config(args.conf)
    flow.ensure_addon_db(args.addon_db, rebuild=args.rebuild)

    import odoo
    from odoo import fields
    print('aftersales_addon service desk breach check on %s: open requests '
          '%s, %d late before each run, superuser, cache emptied before '
          'each call, rolled back.' % (
              args.addon_db, ','.join(map(str, args.sizes)), args.late))
    rows = []
    with odoo.api.Environment.manage():
        registry = odoo.registry(args.addon_db)
        cr = registry.cursor()
        try:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            Step = env['aftersales.request.step']
            data = setup_data(env, args.technicians)
            # what the database had before is flagged first (not measured)
            Step._aftersales_flag_breaches()
            done = 0
            serial = 10 ** 7
            warm = False
            for size in args.sizes:
                now = fields.Datetime.from_string(fields.Datetime.now())
                t0 = time.perf_counter()
                insert_requests(env, data, done + 1, size,
                                fields.Datetime.to_string(now), False)
                env.cr.execute('ANALYZE aftersales_request_step')
                insert_s = time.perf_counter() - t0
                done = size
                if not warm:
                    late = insert_requests(
                        env, data, serial, serial + args.late - 1,
                        fields.Datetime.to_string(now), True)
                    serial += args.late
                    Step._aftersales_flag_breaches(now=now)
                    warm = True
                late = insert_requests(
                    env, data, serial, serial + args.late - 1,
                    fields.Datetime.to_string(now), True)
                serial += args.late
                flagged, secs, queries, peak = measure(
                    env, lambda: Step._aftersales_flag_breaches(now=now))
                assert set(flagged.mapped('ticket_id').ids) == set(late), (
                    len(flagged), len(late))
                assert len(flagged) == 3 * args.late, len(flagged)
                again, secs2, queries2, peak2 = measure(
                    env, lambda: Step._aftersales_flag_breaches(now=now))
                assert not again, len(again)
                rows.append((size, insert_s, len(flagged), secs, queries,
                             peak, secs2, queries2, peak2, rss_mb()))
                print('  %d open requests inserted in %.1f s; check: %d '
                      'queries' % (size, insert_s, queries), flush=True)
        finally:
            cr.rollback()
            cr.close()
    print()
    header = ('open requests', 'flagged steps', 'check s', 'queries',
              'peak KiB', 'again s', 'again queries', 'again KiB',
              'ru_maxrss MB')
    print(' | '.join(header))
    print(' | '.join('---' for _h in header))
    for (size, _ins, flagged, secs, queries, peak, secs2, queries2, peak2,
         rss) in rows:
        print('%d | %d | %.3f | %d | %d | %.3f | %d | %d | %.0f' % (
            size, flagged, secs, queries, peak // 1024, secs2, queries2,
            peak2 // 1024, rss))
    flat = len(set(row[4] for row in rows)) == 1
    print('\nQueries of the check %s in the number of open requests.' % (
        'flat' if flat else 'NOT flat'))
    print('Rolled back: nothing was committed.')


if __name__ == '__main__':
    main()
