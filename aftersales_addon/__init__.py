from odoo.tools.translate import TRANSLATED_ATTRS

from . import tools
from . import controllers
from . import models
from . import wizards
from . import reports
from . import http_resilience

# The text of a link (the url widget's ``text`` attribute: "Open in the map
# app" on the repair form) is text a user reads, but Odoo 11 translates
# only the labels, help, placeholders... of a view (TRANSLATED_ATTRS): it
# becomes a view term like the others, exported and translated with them.
# No view of Odoo's own modules installed here has such a link text.
TRANSLATED_ATTRS.add('text')


def post_load():
    """Server-wide patch: sessions survive a database restart (issue 24)."""
    http_resilience.post_load()
