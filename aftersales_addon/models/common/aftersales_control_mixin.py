# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One rule for the fields that record a control's outcome.

A warranty decision, a finance release, a line's coverage, an old part's
state, a receivable's figures, the link between a transfer and its repair
order: these are *controlled* fields. They are written only by the business
method that checks the rule, which does so through ``sudo()`` with the
reason written next to it, or by Odoo's own workflow method that our
override runs after its ``_ensure_*`` checks, inside ``_aftersales_control()``
(a flag of the server's thread, never read from the context). ``create`` and
``write`` refuse them from anyone else, whatever the context says: a client
sets any context key it likes, including ``default_<field>``.
"""
import threading
from contextlib import contextmanager

from odoo import _, api, models
from odoo.exceptions import AccessError

_CONTROL = threading.local()


@contextmanager
def aftersales_control():
    """Run Odoo's own workflow code that writes controlled fields (e.g. a
    repair order's state) after our checks passed. Server-side only: a
    thread-local counter, not a context key."""
    _CONTROL.depth = getattr(_CONTROL, 'depth', 0) + 1
    try:
        yield
    finally:
        _CONTROL.depth -= 1


def in_aftersales_control():
    return getattr(_CONTROL, 'depth', 0) > 0


class AftersalesControlMixin(models.AbstractModel):
    """Refuse controlled fields in ``create`` and ``write`` (R1, R21, R22,
    R33, R41-R43, R50-R52)."""

    _name = 'aftersales.control.mixin'
    _description = 'After-sales controlled fields'

    # fields always controlled, on create and on write
    _aftersales_controlled_fields = frozenset()
    # fields controlled on write only (set once at creation by the user)
    _aftersales_controlled_on_write = frozenset()
    # for documents the system makes (recoveries, receivables, their
    # entries, statements): every stored field is controlled except these
    _aftersales_editable_fields = None

    @api.model
    def _aftersales_declared(self, attribute):
        """The union of ``attribute`` over the classes of the model: each
        pillar extending a model (e.g. ``mrp.repair``) declares only the
        controlled fields it adds."""
        names = set()
        for cls in type(self).__mro__:
            names.update(cls.__dict__.get(attribute, ()))
        return frozenset(names)

    @api.model
    def _aftersales_all_controlled(self):
        if self._aftersales_editable_fields is None:
            return self._aftersales_declared('_aftersales_controlled_fields')
        return frozenset(
            name for name, field in self._fields.items()
            if field.store and name not in models.MAGIC_COLUMNS and
            name not in self._aftersales_editable_fields and
            not name.startswith(('message_', 'activity_'))
            and name != 'display_name')

    @api.multi
    def _aftersales_controlled_in(self, vals, creating=False):
        """The controlled fields among ``vals`` for these records (override
        for fields controlled from a state on, e.g. the failure date once
        the warranty is decided)."""
        names = set(self._aftersales_all_controlled())
        if not creating:
            names |= self._aftersales_declared(
                '_aftersales_controlled_on_write')
        return names.intersection(vals)

    @api.model
    def _aftersales_may_write_controlled(self):
        """The superuser (``sudo()`` of a business method) and Odoo's own
        workflow run inside ``aftersales_control()``."""
        return self.env.user._is_superuser() or in_aftersales_control()

    @api.multi
    def _aftersales_check_controlled(self, vals, creating=False):
        if self._aftersales_may_write_controlled():
            return
        names = self._aftersales_controlled_in(vals, creating=creating)
        if creating:
            # a new record without a value is no claim (Odoo's own code
            # passes empty values, e.g. when it splits a stock move)
            names = {name for name in names if vals[name]}
            # a client may put default_<field> in the context as well
            context = self.env.context
            names |= {
                name for name in self._aftersales_all_controlled()
                if context.get('default_' + name)}
        if names:
            labels = sorted(self._fields[name].get_description(self.env)[
                'string'] for name in names if name in self._fields)
            raise AccessError(_(
                '%(name)s: %(labels)s cannot be set by hand; they are '
                'recorded by the after-sales actions that check the '
                'rules.') % {
                'name': self.env['ir.model']._get(self._name).name,
                'labels': ', '.join(labels),
            })

    @api.model
    def create(self, vals):
        self.browse()._aftersales_check_controlled(vals, creating=True)
        return super(AftersalesControlMixin, self).create(vals)

    @api.multi
    def write(self, vals):
        self._aftersales_check_controlled(vals)
        return super(AftersalesControlMixin, self).write(vals)

    @api.multi
    @api.returns('self', lambda value: value.id)
    def copy(self, default=None):
        """A copy keeps the controlled values of its original (Odoo copies
        a stock move when it splits it for a backorder); a client may not
        choose them through ``default``."""
        if default:
            self._aftersales_check_controlled(default, creating=True)
        with aftersales_control():
            return super(AftersalesControlMixin, self).copy(default=default)
