# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 24: two people moving the same part at the same moment do not hit
a serialization failure.

Two real transactions (two registry cursors, two threads) take one unit of
the same part from WH/Stock with Odoo's own quant update
(``stock.quant._update_available_quantity``: ``SELECT ... FOR UPDATE
NOWAIT`` then ``UPDATE``), the hot row of every issue, repair end and old
part receipt. The second transaction takes its snapshot before the first
commits (as a request does with its first statement), as happens when
people work side by side. The test commits: it puts the quants back as
they were at the end.
"""
import threading

import psycopg2
from psycopg2.extensions import TransactionRollbackError

from odoo import SUPERUSER_ID, api
from odoo.tests.common import at_install, post_install, TransactionCase

from ..tools.early_lock import lock_early

WAIT = 60  # seconds a thread waits for the other before giving up


# other connections see only committed data: under Odoo's own runner
# (--test-enable) run after the modules are loaded and committed
@at_install(False)
@post_install(True)
class TestConcurrentPartMoves(TransactionCase):

    def setUp(self):
        super(TestConcurrentPartMoves, self).setUp()
        # cursors come from the test's registry (self.registry):
        # odoo.registry() from the test's threads would wait for the
        # registry lock Odoo's own runner (--test-enable) holds while it
        # loads the modules
        self.stock = self.env.ref('stock.stock_location_stock')
        quant = self.env['stock.quant'].search([
            ('location_id', '=', self.stock.id), ('quantity', '>=', 10),
            ('lot_id', '=', False), ('package_id', '=', False),
            ('owner_id', '=', False),
            ('product_id.type', '=', 'product')], limit=1)
        if not quant:
            self.skipTest('no part with 10 units in WH/Stock in this database')
        self.product_id = quant.product_id.id
        self.saved = self._quants()
        self.addCleanup(self._restore)

    # -- committed state, saved and restored ------------------------------
    def _quants(self):
        with self.registry.cursor() as cr:
            cr.execute('SELECT id, quantity, reserved_quantity, in_date, '
                       'write_date, write_uid FROM stock_quant '
                       'WHERE product_id = %s AND location_id = %s',
                       (self.product_id, self.stock.id))
            return {row[0]: row[1:] for row in cr.fetchall()}

    def _restore(self):
        with self.registry.cursor() as cr:
            cr.execute('DELETE FROM stock_quant WHERE product_id = %s AND '
                       'location_id = %s AND NOT id = ANY(%s)',
                       (self.product_id, self.stock.id, list(self.saved)))
            for qid, values in self.saved.items():
                cr.execute(
                    'UPDATE stock_quant SET quantity = %s, '
                    'reserved_quantity = %s, in_date = %s, write_date = %s, '
                    'write_uid = %s WHERE id = %s', values + (qid,))
            cr.commit()  # pylint: disable=invalid-commit

    def _on_hand(self, quants):
        return sum(values[0] for values in quants.values())

    # -- the two transactions ---------------------------------------------
    def _take_one(self, lock, errors, first_done, second_snapshot, first):
        """One transaction taking one unit of the part from WH/Stock,
        ``lock(env, product)`` being the lock taken at the start."""
        try:
            with api.Environment.manage(), \
                    self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                product = env['product.product'].browse(self.product_id)
                if not first:
                    first_done.wait(WAIT)
                # the request's first statement: the snapshot
                cr.execute('SELECT quantity FROM stock_quant '
                           'WHERE product_id = %s', (self.product_id,))
                if not first:
                    second_snapshot.set()
                lock(env, product)
                env['stock.quant']._update_available_quantity(
                    product, env['stock.location'].browse(self.stock.id),
                    -1.0)
                if first:
                    first_done.set()
                    # the other transaction has its snapshot: commit now
                    second_snapshot.wait(WAIT)
                cr.commit()  # pylint: disable=invalid-commit
        except (TransactionRollbackError, psycopg2.OperationalError) as e:
            errors.append(e)
            first_done.set()
            second_snapshot.set()

    def _side_by_side(self, lock):
        errors = []
        first_done, second_snapshot = threading.Event(), threading.Event()
        threads = [threading.Thread(
            target=self._take_one,
            args=(lock, errors, first_done, second_snapshot, first))
            for first in (True, False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(2 * WAIT)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        return errors

    def test_late_lock_fails(self):
        """The failure this is about: a lock taken after the snapshot
        still fails on the row the other transaction changed."""
        def late_lock(env, product):
            env.cr.execute('SELECT pg_advisory_xact_lock(%s)', (product.id,))
        errors = self._side_by_side(late_lock)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn('could not serialize', str(errors[0]))
        self.assertEqual(self._on_hand(self.saved) - 1,
                         self._on_hand(self._quants()))

    def test_lock_early_serializes(self):
        """With lock_early at the start, the second waits for the first
        and then works on what the first committed: both succeed and the
        part's stock goes down by two."""
        errors = self._side_by_side(lock_early)
        self.assertEqual(errors, [])
        self.assertEqual(self._on_hand(self.saved) - 2,
                         self._on_hand(self._quants()))
