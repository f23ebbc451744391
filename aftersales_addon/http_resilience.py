# Copyright 2026 aftersales_addon developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sessions survive a database restart (issue 24).

Odoo 11's ``Root.dispatch`` (odoo/http.py) checks the session's database
first (``odoo.registry(db).check_signaling()``) and, on any
``psycopg2.OperationalError``, logs the session out (it answers HTTP 500
on the bare DatabaseError of a pooled connection whose server restarted):
a PostgreSQL restart, even of 0.3 s, or a failover logs out everyone who
clicks meanwhile, and their open forms are lost.

The patch (``post_load`` of the addon, so it applies to every database the
server serves): ``Root.setup_db``, which dispatch calls right before that
check with the session loaded, makes the check itself. A connection error
is retried (3 tries over about 2 s); if the database still cannot be
reached but has not been dropped, the request is answered HTTP 503
"temporarily unavailable, try again" and the session is left as it is
(dispatch returns werkzeug's HTTP exceptions as responses, before saving
the session). Odoo's web client shows "Connection lost. Trying to
reconnect..." on a 503 and "Connection restored" once it is back, the form
still open. When the check has passed, dispatch's own check, the next
``check_signaling`` of the thread, is skipped (no second query, no second
chance to fail). A database that no longer exists (or a check failing for
another reason) goes on to Odoo's own check, which ends the session as
before.
"""
import logging
import threading
import time

import psycopg2
from werkzeug.exceptions import ServiceUnavailable

import odoo
from odoo import http, sql_db
from odoo.modules.registry import Registry

_logger = logging.getLogger(__name__)

# pauses between the tries of the database check: 3 tries over ~2 s
RETRY_DELAYS = (0.5, 1.5)
UNAVAILABLE = ('The database is temporarily unavailable, '
               'try again in a moment.')
_sleep = time.sleep
# the database whose check this thread's request has just passed
_checked = threading.local()


class DatabaseUnavailable(ServiceUnavailable):
    """HTTP 503 for a database that exists but cannot be reached now."""
    description = UNAVAILABLE

    def get_headers(self, environ=None):
        return super(DatabaseUnavailable, self).get_headers(environ) + [
            ('Retry-After', '2')]


def database_exists(db):
    """True/False whether PostgreSQL lists ``db``; None when the server
    cannot be asked (down, starting up, too many connections)."""
    try:
        with sql_db.db_connect('postgres').cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                       (db,))
            return bool(cr.fetchone())
    except psycopg2.Error:
        return None


def is_connection_error(error):
    """A failure to reach the server: OperationalError (connect refused,
    starting up, shutting down), InterfaceError (connection already
    closed), and the bare DatabaseError that psycopg2 raises when a pooled
    connection, whose server was restarted, is reset ("server closed the
    connection unexpectedly"; Odoo's pool only expects OperationalError).
    Not ProgrammingError & co.: a database that is not Odoo's."""
    return isinstance(error, (psycopg2.OperationalError,
                              psycopg2.InterfaceError)) \
        or type(error) is psycopg2.DatabaseError


def check_database(db):
    """Odoo's database check of a request, retried on connection errors.
    Raises DatabaseUnavailable when ``db`` exists (or the server cannot say)
    but stays unreachable; returns True when the check passes, False when
    the database is gone or the error is not a connection error (Odoo's
    check then fails again and ends the session)."""
    for delay in RETRY_DELAYS + (None,):
        try:
            odoo.registry(db).check_signaling()
            return True
        except psycopg2.Error as e:
            if not is_connection_error(e) or database_exists(db) is False:
                return False
            if delay is None:
                _logger.warning("Database %s unreachable, answered 503 "
                                "(session kept): %s", db, e)
                raise DatabaseUnavailable()
            _logger.info("Database %s unreachable, retrying in %.1f s: %s",
                         db, delay, e)
            _sleep(delay)


def post_load():
    """Patch ``odoo.http.Root.setup_db`` and
    ``Registry.check_signaling`` once (server-wide)."""
    if getattr(http.Root.setup_db, 'aftersales_resilient', False):
        return
    setup_db = http.Root.setup_db
    check_signaling = Registry.check_signaling

    def resilient_setup_db(self, httprequest):
        _checked.db = None
        setup_db(self, httprequest)
        db = httprequest.session.db
        if db and check_database(db):
            _checked.db = db

    def once_check_signaling(self):
        if getattr(_checked, 'db', None) == self.db_name:
            _checked.db = None      # dispatch's check: just made
            return self
        return check_signaling(self)

    resilient_setup_db.aftersales_resilient = True
    http.Root.setup_db = resilient_setup_db
    Registry.check_signaling = once_check_signaling
