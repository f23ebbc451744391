# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

FINANCE_GROUP = 'aftersales_addon.group_aftersales_finance'


class AftersalesActivityMixin(models.AbstractModel):
    """The to-dos the after-sales documents give to the people who act on
    them (Odoo 11's ``mail.activity.mixin`` has no ``activity_schedule``)."""

    _name = 'aftersales.activity.mixin'
    _description = 'After-sales to-dos'

    @api.multi
    def _aftersales_schedule_activity(self, users, summary, note=None,
                                      deadline=None):
        """A to-do on each record for each of ``users``. sudo: the user or
        the scheduled action whose work makes the to-do due may not act for
        the people who receive it."""
        activity_type = self.env.ref('mail.mail_activity_data_todo')
        model_id = self.env['ir.model']._get(self._name).id
        Activity = self.env['mail.activity'].sudo()
        for record in self:
            for user in users:
                vals = {
                    'res_model_id': model_id, 'res_id': record.id,
                    'activity_type_id': activity_type.id,
                    'user_id': user.id, 'summary': summary,
                    'note': note or '',
                }
                if deadline:
                    vals['date_deadline'] = fields.Date.to_string(deadline) \
                        if not isinstance(deadline, str) else deadline
                Activity.create(vals)

    @api.model
    def _aftersales_finance_users(self, company):
        """The Finance department's users working for ``company``."""
        return self.env.ref(FINANCE_GROUP).users.filtered(
            lambda u: company in u.company_ids)
