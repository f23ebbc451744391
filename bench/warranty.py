#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the warranty decision (R30-R33, R90) on one repair order
with 1, 10 and 50 part lines and as many labour lines (mrp.repair.fee).

Run on demand, never in CI:

    /work/main/.work/venv/bin/python bench/warranty.py [--rebuild]

For each number of lines it measures, with an empty record cache before each
measured call (as a new request would start):

* ``repair._decide_warranty()`` on an order not decided yet: rule and serial
  look-up, decision written on the order, every line priced;
* ``repair.action_repair_confirm()`` on another, identical draft order (the
  decision above plus Odoo's confirmation).

It prints SQL queries (``cr.sql_log_count`` deltas) and milliseconds (median
of ``--repeat`` orders, after one warm-up order) and whether the number of
queries is flat in the number of lines (50 lines versus 1).

Scenarios (``--ages``): the serial was delivered 12 months before (tier 0-36:
parts and labour free), 40 months before (tier 36-60: parts charged from the
price list, labour free) and 72 months before (out of warranty: everything
charged). Everything runs as the superuser inside one transaction on the
addon bench database (see ``flow.py``) that is rolled back at the end.
"""
import argparse
import statistics
import sys
import time

import flow  # bench/flow.py: databases, warranty rule and delivery helpers


def setup_data(env, max_lines):
    """Customer, a serial-tracked unit whose category has a warranty rule,
    ``max_lines`` spare parts in stock and ``max_lines`` labour products."""
    uom = env.ref('product.product_uom_unit')
    Product = env['product.product']
    categ = env['product.category'].create({'name': 'Bench Warranty Units'})
    customer = env['res.partner'].create({
        'name': 'Bench Warranty Customer', 'customer': True})
    data = {
        'customer': customer,
        'unit': Product.create({
            'name': 'Bench Warranty Scooter', 'type': 'product',
            'tracking': 'serial', 'categ_id': categ.id, 'uom_id': uom.id,
            'uom_po_id': uom.id, 'list_price': 9000.0}),
        'rule': flow.create_warranty_rule(env, categ),
        'stock_location': env.ref('stock.stock_location_stock'),
        'customer_location': (
            customer.property_stock_customer
            or env.ref('stock.stock_location_customers')),
        'production_location': env['stock.location'].search(
            [('usage', '=', 'production')], limit=1),
        'pricelist': env['product.pricelist'].search([], limit=1),
        'parts': Product.browse(),
        'labour': Product.browse(),
        'lot_seq': 0,
    }
    for i in range(max_lines):
        part = Product.create({
            'name': 'Bench Warranty Part %02d' % i, 'type': 'product',
            'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 80.0 + i, 'standard_price': 30.0 + i})
        env['stock.quant']._update_available_quantity(
            part, data['stock_location'], 100000.0)
        data['parts'] |= part
        data['labour'] |= Product.create({
            'name': 'Bench Labour %02d' % i, 'type': 'service',
            'uom_id': uom.id, 'uom_po_id': uom.id,
            'list_price': 40.0 + i})
    return data


def create_order(env, data, lines, months_ago):
    """A draft repair order of a serial delivered ``months_ago`` months
    before, with ``lines`` part lines and ``lines`` labour lines."""
    data['lot_seq'] += 1
    lot = env['stock.production.lot'].create({
        'name': 'BENCH-WARRANTY-%05d' % data['lot_seq'],
        'product_id': data['unit'].id})
    flow.deliver_serial(env, lot, data['customer'], data['stock_location'],
                        data['customer_location'], months_ago)
    pricelist, customer = data['pricelist'], data['customer']
    operations = [(0, 0, {
        'type': 'add',
        'product_id': part.id,
        'name': part.name,
        'product_uom_qty': 1.0,
        'product_uom': part.uom_id.id,
        'price_unit': pricelist.get_product_price(part, 1.0, customer),
        'location_id': data['stock_location'].id,
        'location_dest_id': data['production_location'].id,
    }) for part in data['parts'][:lines]]
    fees = [(0, 0, {
        'product_id': labour.id,
        'name': labour.name,
        'product_uom_qty': 1.0,
        'product_uom': labour.uom_id.id,
        'price_unit': pricelist.get_product_price(labour, 1.0, customer),
    }) for labour in data['labour'][:lines]]
    repair = env['mrp.repair'].create({
        'product_id': data['unit'].id,
        'product_uom': data['unit'].uom_id.id,
        'lot_id': lot.id,
        'partner_id': customer.id,
        'partner_invoice_id': customer.id,
        'address_id': customer.id,
        'pricelist_id': pricelist.id,
        'location_id': data['customer_location'].id,
        'location_dest_id': data['customer_location'].id,
        'invoice_method': 'after_repair',
        'company_id': env.user.company_id.id,
        'operations': operations,
        'fees_lines': fees,
    })
    assert len(repair.operations) == lines == len(repair.fees_lines)
    return repair


EXPECTED = {
    # months since delivery: (decision, parts coverage, labour coverage);
    # warranty parts that must come back are deposits (R42)
    12: ('in', 'deposit', 'free'),
    40: ('in', 'charged', 'free'),
    72: ('out', 'charged', 'charged'),
}


def check_decision(repair, months_ago):
    """Not measured: the decision is the one the rule gives."""
    repair.invalidate_cache()
    expected = EXPECTED.get(months_ago)
    if not expected:
        return
    state, parts, labour = expected
    assert repair.warranty_state == state, (months_ago, repair.warranty_state)
    assert set(repair.operations.mapped('warranty_coverage')) == {parts}
    assert set(repair.fees_lines.mapped('warranty_coverage')) == {labour}
    if parts == 'free':
        assert not any(repair.operations.mapped('price_unit'))
    else:
        assert all(repair.operations.mapped('price_unit'))
    if labour == 'free':
        assert not any(repair.fees_lines.mapped('price_unit'))


def measure(env, fn):
    """(queries, seconds) of ``fn()`` started with an empty cache."""
    env.cache.invalidate()
    cr = env.cr
    queries0 = cr.sql_log_count
    t0 = time.perf_counter()
    fn()
    return cr.sql_log_count - queries0, time.perf_counter() - t0


def run_size(env, data, lines, months_ago, repeat):
    """Warm-up order, then ``repeat`` orders decided and ``repeat`` orders
    confirmed; returns per call kind a list of (queries, seconds)."""
    warm = create_order(env, data, lines, months_ago)
    warm._decide_warranty()
    warm2 = create_order(env, data, lines, months_ago)
    warm2.action_repair_confirm()
    decide, confirm = [], []
    for _ in range(repeat):
        repair = create_order(env, data, lines, months_ago)
        decide.append(measure(env, repair._decide_warranty))
        check_decision(repair, months_ago)
        repair = create_order(env, data, lines, months_ago)
        confirm.append(measure(env, repair.action_repair_confirm))
        check_decision(repair, months_ago)
        assert repair.state == 'confirmed', repair.state
    return decide, confirm


def summarize(samples):
    """(queries text, median ms)."""
    queries = sorted(q for q, s in samples)
    text = '%d' % queries[0] if queries[0] == queries[-1] else \
        '%d-%d' % (queries[0], queries[-1])
    return text, queries, statistics.median(s for q, s in samples) * 1000


def print_table(title, rows):
    print('\n== %s ==' % title)
    print('%6s | %15s %12s | %16s %12s' % (
        'lines', 'queries decide', 'ms decide', 'queries confirm',
        'ms confirm'))
    for lines, decide, confirm in rows:
        dq, _, dms = summarize(decide)
        cq, _, cms = summarize(confirm)
        print('%6d | %15s %12.1f | %16s %12.1f' % (lines, dq, dms, cq, cms))
    first, last = rows[0], rows[-1]
    for label, index in (('decide', 1), ('confirm', 2)):
        q_first = summarize(first[index])[1]
        q_last = summarize(last[index])[1]
        if max(q_last) == max(q_first) and min(q_last) == min(q_first):
            verdict = 'flat'
        else:
            slope = (statistics.median(q_last) - statistics.median(q_first)) \
                / float(last[0] - first[0])
            verdict = 'NOT flat: %+.2f queries per extra line' % slope
        print('  %-8s queries, %d vs %d lines: %s' % (
            label, last[0], first[0], verdict))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Time and count SQL queries of the warranty decision and '
                    'of the confirmation of a repair order (rolled back).')
    parser.add_argument('--lines', default='1,10,50',
                        help='part lines (and as many labour lines) per '
                             'order, comma list (default 1,10,50)')
    parser.add_argument('--ages', default='12,40,72',
                        help='months between the delivery of the serial and '
                             'the failure, one table each (default 12,40,72: '
                             'all free, parts charged, out of warranty)')
    parser.add_argument('--repeat', type=int, default=5,
                        help='measured orders per call and size (median '
                             'time; default 5)')
    parser.add_argument('--addon-db', default=flow.DEFAULT_ADDON_DB,
                        help='database with the addon (default %s, created '
                             'like flow.py does)' % flow.DEFAULT_ADDON_DB)
    parser.add_argument('--rebuild', action='store_true',
                        help='drop and recreate the addon database first')
    args = parser.parse_args(argv)
    try:
        args.lines = sorted(int(x) for x in args.lines.split(',') if x.strip())
        args.ages = [int(x) for x in args.ages.split(',') if x.strip()]
    except ValueError:
        parser.error('--lines and --ages take integers, e.g. 1,10,50')
    if not args.lines or min(args.lines) < 1 or not args.ages or \
            min(args.ages) < 0 or args.repeat < 1:
        parser.error('--lines and --repeat must be >= 1, --ages >= 0')
    return args


def main(argv=None):
    args = parse_args(argv)
    flow.ensure_addon_db(args.addon_db, rebuild=args.rebuild)

    import odoo
    odoo.tools.config.parse_config(['-c', flow.ODOO_CONF,
                                    '--log-level=warn'])
    print('aftersales_addon warranty-decision bench on %s: part lines %s '
          '(+ as many labour lines), median of %d orders after 1 warm-up, '
          'cache emptied before each call, superuser, rolled back.' % (
              args.addon_db, ','.join(map(str, args.lines)), args.repeat))
    with odoo.api.Environment.manage():
        registry = odoo.registry(args.addon_db)
        cr = registry.cursor()
        try:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            t0 = time.perf_counter()
            data = setup_data(env, max(args.lines))
            print('(fixture created in %.1f s)' % (time.perf_counter() - t0))
            for months_ago in args.ages:
                rows = []
                for lines in args.lines:
                    decide, confirm = run_size(env, data, lines, months_ago,
                                               args.repeat)
                    rows.append((lines, decide, confirm))
                expected = EXPECTED.get(months_ago)
                print_table(
                    'serial delivered %d months before the failure%s' % (
                        months_ago,
                        ' (%s; parts %s, labour %s)' % expected
                        if expected else ''),
                    rows)
        finally:
            cr.rollback()
            cr.close()
    print('\nRolled back: nothing was committed.')


if __name__ == '__main__':
    sys.exit(main())
