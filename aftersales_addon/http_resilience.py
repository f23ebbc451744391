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

A request already in progress when the database goes away (its queries,
or its commit, fail on a connection error) would end in Odoo's "Odoo
Server Error" (JSON) or an HTTP 500: ``JsonRequest``/``HttpRequest``
``_handle_exception`` and the request's ``__exit__`` (commit, cursor
close) answer it with the same 503 instead, without saving or ending the
session; the work of that request is rolled back (its commit did not
succeed, or its outcome is unknown when the connection broke during the
commit itself: the user tries again, as after any lost connection).
"""
import logging
import threading
import time

import psycopg2
import psycopg2.errors
import psycopg2.extensions
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


# server errors about the connection itself: shutting down, crashed,
# starting up (every other error the server reports is about the work)
SERVER_GONE = ('57P01', '57P02', '57P03')


def is_lost_connection(error):
    """A connection error (``is_connection_error``) that is not the
    server's verdict on the work: a serialization failure, a lock not
    obtained or a cancelled statement (OperationalErrors too) stay the
    errors they are."""
    if not is_connection_error(error) or isinstance(error, (
            psycopg2.extensions.TransactionRollbackError,
            psycopg2.errors.LockNotAvailable,
            psycopg2.errors.QueryCanceled)):
        return False
    code = getattr(error, 'pgcode', None)
    return not code or code[:2] == '08' or code in SERVER_GONE


def connection_error_of(error):
    """The lost connection behind ``error`` (itself, or the cause of a
    QWeb rendering error), else None."""
    if isinstance(error, psycopg2.Error):
        return error if is_lost_connection(error) else None
    from odoo.addons.base.ir.ir_qweb.qweb import QWebException
    if isinstance(error, QWebException) and \
            isinstance(error.error, psycopg2.Error) and \
            is_lost_connection(error.error):
        return error.error
    return None


def _unavailable(request, error, when):
    """Log and raise the 503 of a request whose database connection broke
    ``when`` (while working, while committing)."""
    path = getattr(getattr(request, 'httprequest', None), 'path', '?')
    _logger.warning("Database %s lost %s %s, answered 503 (session kept): "
                    "%s", getattr(request, 'db', None), when, path,
                    str(error).strip().splitlines()[0] if str(error).strip()
                    else type(error).__name__)
    raise DatabaseUnavailable()


def _patch_request_class(cls):
    """``cls._handle_exception`` answers a connection error with 503."""
    handle_exception = cls._handle_exception

    def resilient_handle_exception(self, exception):
        if isinstance(exception, DatabaseUnavailable):
            # ir.http hands the 503 back here: on to Root.dispatch, which
            # answers HTTP exceptions as they are
            raise exception
        error = connection_error_of(exception)
        if error is not None:
            self._failed = exception        # no commit of this request
            _unavailable(self, error, 'during')
        return handle_exception(self, exception)
    cls._handle_exception = resilient_handle_exception


def _patch_request_exit():
    """``WebRequest.__exit__`` (commit or rollback, cursor close) turns a
    connection error, its own or the request's, into the 503."""
    request_exit = http.WebRequest.__exit__

    def resilient_exit(self, exc_type, exc_value, traceback):
        try:
            result = request_exit(self, exc_type, exc_value, traceback)
        except psycopg2.Error as e:
            if not is_lost_connection(e):
                raise
            # a failed commit skips Odoo's close: give the cursor back
            cr = self._cr
            if cr is not None and not cr.closed:
                try:
                    cr.close()
                except psycopg2.Error as close_error:
                    _logger.debug("Cursor of a lost connection not "
                                  "closed: %s", close_error)
            _unavailable(self, e, 'at the end of')
        if connection_error_of(exc_value) is not None:
            _unavailable(self, exc_value, 'during')
        return result
    http.WebRequest.__exit__ = resilient_exit


def post_load():
    """Patch ``odoo.http.Root.setup_db``, ``Registry.check_signaling``,
    the requests' ``_handle_exception`` and ``__exit__`` once
    (server-wide)."""
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
    _patch_request_class(http.JsonRequest)
    _patch_request_class(http.HttpRequest)
    _patch_request_exit()
