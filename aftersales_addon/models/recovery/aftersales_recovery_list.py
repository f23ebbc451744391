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
        """R45: the list of the outstanding recoveries of ``company`` on
        ``date``: the figures per technician and the parts of the day, each
        written by one INSERT ... SELECT over the recoveries, whatever their
        number and the number of technicians; Finance users get a to-do on
        the list (scheduled set-based)."""
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
        })
        params = {'list': record.id, 'uid': self.env.uid,
                  'company': company.id}
        # the figures per technician and the parts of the day, frozen; a
        # recovery nothing came back for has no received quantity (NULL):
        # COALESCE, or the sums are empty
        self.env.cr.execute("""
            INSERT INTO aftersales_recovery_list_line
                   (list_id, technician_id, count, quantity, deposit,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(list)s, r.technician_id, COUNT(*),
                   SUM(r.quantity - COALESCE(r.received_qty, 0)),
                   COALESCE(SUM((r.quantity - COALESCE(r.received_qty, 0))
                                * COALESCE(r.deposit_unit_price, 0)), 0),
                   %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM aftersales_part_recovery r
             WHERE r.company_id = %(company)s AND r.state = 'to_return'
          GROUP BY r.technician_id
        """, params)
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
        """, params)
        self.env.cr.execute("""
            UPDATE aftersales_recovery_list l
               SET total_count = t.count, total_deposit = t.deposit
              FROM (SELECT COALESCE(SUM(count), 0) AS count,
                           COALESCE(SUM(deposit), 0) AS deposit
                      FROM aftersales_recovery_list_line
                     WHERE list_id = %(list)s) t
             WHERE l.id = %(list)s
        """, params)
        record.invalidate_cache()
        # sudo: the date of the last list is bookkeeping of the system
        company.sudo().aftersales_recovery_list_date = date_str
        # this month's list replaces the previous ones' to-dos
        self.search([('company_id', '=', company.id),
                     ('id', '!=', record.id)])._aftersales_close_activities(
                         ['recovery_list'])
        record._aftersales_schedule_activity(
            finance,
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
