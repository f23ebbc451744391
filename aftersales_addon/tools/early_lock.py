# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Serialize conflicting work at the start of an action (issue 24).

Releasing, issuing parts, ending repairs and receiving old parts update a
few rows that many people share: the quants and the oldest FIFO candidate
move of a part (``remaining_qty``/``remaining_value``, written for every
cost method), a no-gap sequence, a technician's figures. Odoo's cursors
are REPEATABLE READ: when two transactions update such a row, the one that
commits second fails with a serialization error after all its work, and
Odoo retries the whole request (five times at most, then the user sees an
error). A row lock taken late does not help: a row changed after the
transaction's snapshot fails even once locked.

``lock_early(env, records...)`` is called first thing by the actions. It
takes a transaction-level advisory lock per record (the parts, the
technician...), in a fixed (sorted) order, and makes sure the transaction
works on a snapshot taken *after* those locks were granted:

* in a request that has written nothing yet (no transaction id), it tries
  every lock at the session level in one statement; when another
  transaction holds one, it gives its own back, waits for that one and
  starts again. Once it has them all, it ends the read-only transaction (a
  commit of nothing: session locks outlive it), takes the same locks at
  the transaction level in the first statement of the new transaction --
  whose snapshot is thus newer than every earlier holder's commit, since a
  holder commits before it releases -- and drops the session ones. The
  action then never conflicts on what the locks cover: the work is
  queued, not failed and redone;
* inside a transaction that has written something (a cron, a batch, a
  test's transaction, a test cursor), nothing is committed: it only waits
  for the locks in order (a conflict, if any, comes at the start, cheap
  to retry).
"""
import logging
import threading
import zlib

from odoo.sql_db import TestCursor

_logger = logging.getLogger(__name__)

# after this many rounds of waiting, stop refreshing and just wait in order
MAX_ROUNDS = 100


def _namespace(model_name):
    """The advisory lock's first key: a stable int4 of the model name."""
    return zlib.crc32(model_name.encode('utf-8')) & 0x7fffffff


def lock_keys(*recordsets):
    """The sorted (namespace, id) keys of ``recordsets``."""
    return sorted({(_namespace(records._name), rid)
                   for records in recordsets if records
                   for rid in records.ids if isinstance(rid, int)})


def _may_refresh(cr):
    """Whether the transaction can be ended here without losing anything:
    a real cursor, outside a test, that has written nothing (no
    transaction id assigned: also no row lock, no savepoint work)."""
    if isinstance(cr, TestCursor) or \
            getattr(threading.current_thread(), 'testing', False):
        return False
    cr.execute("SELECT txid_current_if_assigned()")
    return cr.fetchone()[0] is None


def _end_read_only_transaction(env):
    """End a transaction that has written nothing (checked by
    ``_may_refresh``): the next statement takes a new snapshot. Odoo's
    rule "never commit" protects the all-or-nothing of a request's writes;
    there are none yet."""
    env.cr.commit()  # pylint: disable=invalid-commit
    env.cache.invalidate()


def lock_early(env, *recordsets, **options):
    """Lock ``recordsets`` (advisory, per record, sorted) for the rest of
    the transaction, with a snapshot newer than every earlier holder's
    commit when the transaction has written nothing yet (see the module's
    docstring). Returns True when it could refresh the snapshot.

    ``nowait`` (a recordset) is locked too, but never waited for: when
    another transaction holds one of its records (someone is processing
    the same document), ``busy`` (an exception) is raised at once."""
    nowait = options.get('nowait')
    busy_error = options.get('busy')
    keys = lock_keys(nowait, *recordsets)
    if not keys:
        return False
    cr = env.cr
    params = ([key[0] for key in keys], [key[1] for key in keys])
    exclusive = lock_keys(nowait)
    if not _may_refresh(cr):
        if exclusive:
            cr.execute("""
                SELECT bool_and(pg_try_advisory_xact_lock(ns, rid))
                  FROM unnest(%s::int[], %s::int[]) AS k(ns, rid)
            """, ([key[0] for key in exclusive],
                  [key[1] for key in exclusive]))
            if not cr.fetchone()[0]:
                raise busy_error
        _xact_lock(cr, params)
        return False
    try:
        for _round in range(MAX_ROUNDS):
            _end_read_only_transaction(env)
            # session-level locks: they outlive the commit below
            cr.execute("""
                SELECT array_agg(ord ORDER BY ord) FILTER (WHERE NOT got),
                       array_agg(ord ORDER BY ord) FILTER (WHERE got)
                  FROM (SELECT ord, pg_try_advisory_lock(ns, rid) AS got
                          FROM unnest(%s::int[], %s::int[])
                               WITH ORDINALITY AS k(ns, rid, ord)) s
            """, params)
            busy, got = cr.fetchone()
            if busy and any(keys[i - 1] in exclusive for i in busy):
                _session_unlock(cr, keys, got or [])
                raise busy_error
            if not busy:
                # all ours: end the transaction, so that the next statement
                # takes the snapshot, after every earlier holder's commit
                # (a holder commits before it releases); hold them for the
                # new transaction only
                _end_read_only_transaction(env)
                _xact_lock(cr, params)
                _session_unlock(cr, keys, range(1, len(keys) + 1))
                return True
            # someone holds one: give ours back, wait for the first busy
            # one alone (holding no other: no deadlock), start again
            _session_unlock(cr, keys, got or [])
            _end_read_only_transaction(env)
            cr.execute('SELECT pg_advisory_xact_lock(%s, %s)',
                       keys[busy[0] - 1])
    except Exception:
        # never leave a session lock on a pooled connection
        cr.rollback()
        cr.execute('SELECT pg_advisory_unlock_all()')
        raise
    _logger.info('lock_early: still busy after %d rounds, waiting in order',
                 MAX_ROUNDS)
    _end_read_only_transaction(env)
    _xact_lock(cr, params)
    return False


def _xact_lock(cr, params):
    """Wait for the transaction-level locks of the keys (``params``:
    namespaces, ids), in their (sorted) order, in one statement."""
    cr.execute("""
        SELECT count(pg_advisory_xact_lock(ns, rid))
          FROM unnest(%s::int[], %s::int[]) WITH ORDINALITY AS k(ns, rid, ord)
    """, params)


def _session_unlock(cr, keys, ordinals):
    """Release the session-level locks of ``keys`` at ``ordinals``
    (1-based)."""
    chosen = [keys[i - 1] for i in ordinals]
    if chosen:
        cr.execute("""
            SELECT count(pg_advisory_unlock(ns, rid))
              FROM unnest(%s::int[], %s::int[]) AS k(ns, rid)
        """, ([key[0] for key in chosen], [key[1] for key in chosen]))
