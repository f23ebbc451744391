# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from ..common.aftersales_activity_mixin import in_lang


class AftersalesRecoveryList(models.Model):
    """R45: the monthly list, for Finance, of warranty parts whose old part
    has not come back, per technician."""

    _name = 'aftersales.recovery.list'
    _description = 'Outstanding Old Parts List'
    _inherit = ['mail.thread', 'mail.activity.mixin',
                'aftersales.activity.mixin']
    _order = 'date desc, id desc'

    name = fields.Char(required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one('res.company', required=True,
                                 readonly=True)
    line_ids = fields.One2many('aftersales.recovery.list.line', 'list_id',
                               string='Technicians', readonly=True)
    item_ids = fields.One2many('aftersales.recovery.list.item', 'list_id',
                               string='Outstanding Parts on the Day',
                               readonly=True)
    total_count = fields.Integer(string='Outstanding Parts', readonly=True)
    total_deposit = fields.Float(string='Deposits Outstanding',
                                 readonly=True)

    @api.model
    def _generate(self, company, date):
        """One grouped query over the outstanding recoveries (R45), whatever
        their number; Finance users get an activity on the list."""
        # a recovery nothing came back for has no received quantity (NULL):
        # COALESCE, or the sums are empty
        self.env.cr.execute("""
            SELECT technician_id, COUNT(*),
                   SUM(quantity - COALESCE(received_qty, 0)),
                   SUM((quantity - COALESCE(received_qty, 0))
                       * COALESCE(deposit_unit_price, 0))
              FROM aftersales_part_recovery
             WHERE company_id = %s AND state = 'to_return'
          GROUP BY technician_id
        """, (company.id,))
        rows = self.env.cr.fetchall()
        lines = [(0, 0, {'technician_id': technician_id, 'count': count,
                         'quantity': quantity, 'deposit': deposit or 0.0})
                 for technician_id, count, quantity, deposit in rows]
        date_str = fields.Date.to_string(date)
        # sudo: made by the scheduled action for Finance, whoever runs it
        # the title in the language of Finance, who gets the list
        finance = self._aftersales_finance_users(company)
        lang = finance[:1].lang or company.partner_id.lang
        record = self.sudo().create({
            'name': in_lang(self, lang, lambda self: _(
                'Outstanding old parts %s') % date_str),
            'date': date_str,
            'company_id': company.id,
            'line_ids': lines,
            'total_count': sum(row[1] for row in rows),
            'total_deposit': sum(row[3] or 0.0 for row in rows),
        })
        # the parts of the day, frozen: one INSERT ... SELECT
        self.env.cr.execute("""
            INSERT INTO aftersales_recovery_list_item
                   (list_id, recovery_id, technician_id, repair_id,
                    product_id, quantity, deposit, due_date,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(list)s, r.id, r.technician_id, r.repair_id,
                   r.product_id, r.quantity - COALESCE(r.received_qty, 0),
                   (r.quantity - COALESCE(r.received_qty, 0))
                       * COALESCE(r.deposit_unit_price, 0), r.due_date,
                   %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM aftersales_part_recovery r
             WHERE r.company_id = %(company)s AND r.state = 'to_return'
        """, {'list': record.id, 'uid': self.env.uid,
              'company': company.id})
        record.invalidate_cache(['item_ids'])
        # sudo: the date of the last list is bookkeeping of the system
        company.sudo().aftersales_recovery_list_date = date_str
        # this month's list replaces the previous ones' to-dos
        self.search([('company_id', '=', company.id),
                     ('id', '!=', record.id)])._aftersales_close_activities(
                         ['recovery_list'])
        record._aftersales_schedule_activity(
            self._aftersales_finance_users(company),
            lambda self: _('Outstanding old parts to follow up'),
            key='recovery_list')
        return record

    @api.multi
    def action_view_recoveries(self):
        """The recoveries of the list (as they are now)."""
        self.ensure_one()
        action = self.env.ref(
            'aftersales_addon.aftersales_part_recovery_action').read()[0]
        action['domain'] = [
            ('id', 'in', self.mapped('item_ids.recovery_id').ids)]
        action['context'] = {'search_default_groupby_technician': 1}
        return action
