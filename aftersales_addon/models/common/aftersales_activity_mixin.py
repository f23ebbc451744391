# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

FINANCE_GROUP = 'aftersales_addon.group_aftersales_finance'


def in_lang(record, lang, message):
    """``message(record)`` with ``record`` read in ``lang``: the ``_()``
    inside ``message`` (a ``lambda self: _(...)``) then speaks the language
    of the person the text is for, not that of the user or the scheduled
    action that writes it."""
    return message(record.with_context(lang=lang or 'en_US'))


class AftersalesActivityMixin(models.AbstractModel):
    """The to-dos the after-sales documents give to the people who act on
    them (Odoo 11's ``mail.activity.mixin`` has no ``activity_schedule``).
    Each to-do has a key, and the step that completes the work closes the
    to-dos of its key."""

    _name = 'aftersales.activity.mixin'
    _description = 'After-sales to-dos'

    @api.multi
    def _aftersales_schedule_activity(self, users, summary, note=None,
                                      deadline=None, key=None):
        """A to-do on each record for each of ``users``, in the recipient's
        language: ``summary`` and ``note`` are text, or functions of the
        record read in that language (so that their ``_()`` speaks it).
        sudo: the user or the scheduled action whose work makes the to-do
        due may not act for the people who receive it."""
        activity_type = self.env.ref('mail.mail_activity_data_todo')
        model_id = self.env['ir.model']._get(self._name).id
        Activity = self.env['mail.activity'].sudo()
        for record in self:
            for user in users:
                local = record.with_context(lang=user.lang or 'en_US')
                vals = {
                    'res_model_id': model_id, 'res_id': record.id,
                    'activity_type_id': activity_type.id,
                    'user_id': user.id,
                    'summary': summary(local) if callable(summary)
                    else summary,
                    'note': (note(local) if callable(note) else note) or '',
                    'aftersales_key': key,
                }
                if deadline:
                    vals['date_deadline'] = fields.Date.to_string(deadline) \
                        if not isinstance(deadline, str) else deadline
                Activity.create(vals)

    @api.multi
    def _aftersales_close_activities(self, keys, users=None):
        """Mark done the to-dos of ``keys`` on these records (of ``users``
        only, when given): the step that completes the work closes them.
        sudo: the step's user closes the to-dos of the people it freed."""
        if not self.ids:
            return
        domain = [('res_model', '=', self._name),
                  ('res_id', 'in', self.ids),
                  ('aftersales_key', 'in', list(keys))]
        if users is not None:
            domain.append(('user_id', 'in', users.ids))
        activities = self.env['mail.activity'].sudo().search(domain)
        done = self.env.ref('mail.mt_activities').id
        for activity in activities:
            # Odoo's "marked as done" message, signed by the user whose step
            # completed the work (sudo would sign it as the superuser)
            self.browse(activity.res_id).sudo().message_post_with_view(
                'mail.message_activity_done', values={'activity': activity},
                subtype_id=done, author_id=self.env.user.partner_id.id,
                mail_activity_type_id=activity.activity_type_id.id)
        activities.unlink()

    @api.model
    def _aftersales_finance_users(self, company):
        """The Finance department's users working for ``company``."""
        return self.env.ref(FINANCE_GROUP).users.filtered(
            lambda u: company in u.company_ids)
