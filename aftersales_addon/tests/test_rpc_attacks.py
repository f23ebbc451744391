# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The controls hold over Odoo's external API, as a client reaches them.

An Odoo server is started on the test database (see ``test_browser``) and
each department's demo user logs in over XML-RPC (password = login) and
tries, with the context keys any client may send, what it must not do on
the demo records. Each attempt must come back as an access or user error
(never an internal error) and the record must be unchanged, read back as
the administrator. Refusals write nothing, so the demo data the server
commits stays as it was."""
import xmlrpc.client

import pytest

from .test_browser import _db_name, odoo_server  # noqa: F401 (fixture)

FORGED = {'aftersales_warranty_decision': True, 'aftersales_release': True,
          'aftersales_control': True, 'active_test': False}
# XML-RPC fault codes: 2 = UserError, 4 = AccessError; a ValidationError
# comes as code 1 with its class name
REFUSAL_CODES = (2, 4)


class Client(object):

    def __init__(self, url, login):
        self.db = _db_name()
        self.login = login
        common = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/common')
        self.uid = common.authenticate(self.db, login, login, {})
        assert self.uid, 'demo user %s cannot log in' % login
        self.proxy = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/object',
                                               allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self.proxy.execute_kw(self.db, self.uid, self.login, model,
                                     method, list(args), kwargs)


@pytest.fixture(scope='module')
def clients(odoo_server):  # noqa: F811 (fixture)
    url = odoo_server['url']
    return {login: Client(url, login) for login in (
        'admin', 'cs', 'tech1', 'tech2', 'warehouse', 'finance',
        'technical', 'quality', 'as_manager')}


def refused(client, model, method, *args, **kwargs):
    with pytest.raises(xmlrpc.client.Fault) as info:
        client.call(model, method, *args, **kwargs)
    fault = info.value
    assert fault.faultCode in REFUSAL_CODES or \
        'odoo.exceptions.ValidationError' in fault.faultString, \
        '%s %s.%s: internal error instead of a refusal:\n%s' % (
            client.login, model, method, fault.faultString[-2000:])
    return fault


def read(clients, model, record_id, fields):
    return clients['admin'].call(model, 'read', [record_id], fields)[0]


def test_technician_cannot_release_or_decide_his_own_order(clients):
    tech1 = clients['tech1']
    repair_ids = tech1.call('mrp.repair', 'search',
                            [('technician_id', '=', tech1.uid),
                             ('state', 'not in', ('draft', 'cancel'))])
    assert repair_ids, 'tech1 has no confirmed demo repair order'
    fields = ['finance_release', 'finance_release_amount', 'warranty_state',
              'warranty_override', 'state']
    before = read(clients, 'mrp.repair', repair_ids[0], fields)
    for login in ('tech1', 'cs', 'finance', 'as_manager'):
        client = clients[login]
        refused(client, 'mrp.repair', 'write', [repair_ids[0]],
                {'finance_release': 'paid', 'finance_release_amount': 1e9},
                context=FORGED)
        refused(client, 'mrp.repair', 'write', [repair_ids[0]],
                {'warranty_state': 'in', 'warranty_override': True},
                context=FORGED)
        refused(client, 'mrp.repair', 'write', [repair_ids[0]],
                {'state': 'done'}, context=FORGED)
    assert read(clients, 'mrp.repair', repair_ids[0], fields) == before


def test_create_with_forged_defaults_is_refused(clients):
    cs = clients['cs']
    admin = clients['admin']
    product_id = admin.call('product.product', 'search',
                            [('type', '=', 'product')], limit=1)[0]
    partner_id = admin.call('res.partner', 'search',
                            [('customer', '=', True)], limit=1)[0]
    location_id = admin.call('stock.location', 'search',
                             [('usage', '=', 'internal')], limit=1)[0]
    uom_id = admin.call('product.product', 'read', [product_id],
                        ['uom_id'])[0]['uom_id'][0]
    vals = {'product_id': product_id, 'product_uom': uom_id,
            'partner_id': partner_id, 'location_id': location_id,
            'location_dest_id': location_id}
    count = admin.call('mrp.repair', 'search_count', [])
    refused(cs, 'mrp.repair', 'create', dict(vals, warranty_state='in'))
    refused(cs, 'mrp.repair', 'create', vals,
            context={'default_finance_release': 'paid',
                     'default_finance_release_amount': 1e9})
    assert admin.call('mrp.repair', 'search_count', []) == count


def test_parts_leave_only_through_the_warehouse(clients):
    tech1 = clients['tech1']
    picking_ids = tech1.call('stock.picking', 'search',
                             [('aftersales_repair_id', '!=', False)])
    assert picking_ids, 'no parts transfer in the demo'
    before = read(clients, 'stock.picking', picking_ids[0],
                  ['aftersales_repair_id', 'state'])
    refused(tech1, 'stock.picking', 'write', [picking_ids[0]],
            {'aftersales_repair_id': False})
    open_ids = tech1.call('stock.picking', 'search',
                          [('id', 'in', picking_ids),
                           ('state', 'not in', ('done', 'cancel'))])
    for picking_id in open_ids:
        refused(tech1, 'stock.picking', 'button_validate', [picking_id])
    move_ids = tech1.call('stock.move', 'search',
                          [('picking_id', 'in', picking_ids)])
    refused(tech1, 'stock.move', 'write', move_ids[:1], {'state': 'done'})
    assert read(clients, 'stock.picking', picking_ids[0],
                ['aftersales_repair_id', 'state']) == before


def test_invoices_are_finance_only(clients):
    admin = clients['admin']
    invoice_ids = admin.call('account.invoice', 'search',
                             [('type', '=', 'out_invoice')], limit=1)
    assert invoice_ids, 'no customer invoice in the demo'
    line_ids = admin.call('account.invoice.line', 'search',
                          [('invoice_id', '=', invoice_ids[0])], limit=1)
    before = read(clients, 'account.invoice.line', line_ids[0],
                  ['price_unit'])
    for login in ('tech1', 'cs', 'warehouse', 'technical', 'quality',
                  'as_manager'):
        refused(clients[login], 'account.invoice.line', 'write', line_ids,
                {'price_unit': 1.0})
        refused(clients[login], 'account.invoice', 'unlink', invoice_ids)
    assert read(clients, 'account.invoice.line', line_ids[0],
                ['price_unit']) == before


def test_recovery_and_receivable_states_only_through_actions(clients):
    admin = clients['admin']
    recovery_ids = admin.call('aftersales.part.recovery', 'search', [],
                              limit=1)
    assert recovery_ids, 'no old part recovery in the demo'
    before = read(clients, 'aftersales.part.recovery', recovery_ids[0],
                  ['state', 'received_qty'])
    for login, vals in (('warehouse', {'state': 'exempt'}),
                        ('quality', {'state': 'received'}),
                        ('technical', {'state': 'scrapped'}),
                        ('finance', {'credited_qty': 99})):
        refused(clients[login], 'aftersales.part.recovery', 'write',
                recovery_ids, vals, context=FORGED)
    assert read(clients, 'aftersales.part.recovery', recovery_ids[0],
                ['state', 'received_qty']) == before
    receivable_ids = admin.call('aftersales.technician.receivable',
                                'search', [], limit=1)
    assert receivable_ids, 'no technician receivable in the demo'
    fields = ['balance', 'state', 'amount']
    before = read(clients, 'aftersales.technician.receivable',
                  receivable_ids[0], fields)
    refused(clients['finance'], 'aftersales.technician.receivable', 'write',
            receivable_ids, {'balance': 0, 'state': 'settled'},
            context=FORGED)
    refused(clients['finance'], 'aftersales.receivable.move', 'create',
            {'receivable_id': receivable_ids[0], 'kind': 'payment',
             'amount': 1e6, 'date': '2026-01-01'})
    assert read(clients, 'aftersales.technician.receivable',
                receivable_ids[0], fields) == before
