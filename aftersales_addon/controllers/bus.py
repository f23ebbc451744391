# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Notifications in a prefork server reached without a proxy.

In prefork mode (``--workers``, what the run command serves) Odoo 11 keeps
long polling in its own process on the long-polling port; the HTTP workers
have no bus dispatcher and answer the web client's ``/longpolling/poll``
with "bus.Bus unavailable" and a traceback in the log, every 11-30 s per
open tab, unless a proxy sends ``/longpolling/`` to that port (the
production set-up, README "Deployment"). Without a proxy, the workers here
answer the poll from the bus table instead: the notifications waiting for
the user at once, or, when there are none, a quiet error after which the
web client polls again 11-30 s later (its own back-off). Messages, Inbox
counters and to-dos then reach an open tab within half a minute, without
holding a worker, and the log stays clean. Servers with a dispatcher (the
threaded server, the long-polling process) are left as they are.
"""
import logging

import odoo
from odoo import SUPERUSER_ID, _, api, exceptions
from odoo.addons.bus.controllers import main as bus_main

_logger = logging.getLogger(__name__)


class TablePoll(object):
    """Stands in for the bus dispatcher of a prefork worker: one look at
    the bus table, no waiting."""

    def poll(self, dbname, channels, last, options=None, timeout=None):
        with odoo.registry(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            notifications = env['bus.bus'].poll(channels, last, options)
        if notifications:
            return notifications
        # nothing yet: an answer the web client takes as "poll again
        # later" (UserError: no traceback in the log, no dialog shown)
        raise exceptions.UserError(_('No notification yet.'))


def install():
    """Give the bus controller a table poll where it has no dispatcher
    (an HTTP worker of a prefork server)."""
    if bus_main.dispatch is None:
        bus_main.dispatch = TablePoll()
        _logger.info('bus: notifications answered from the bus table in '
                     'this worker (no long-polling dispatcher)')


install()
