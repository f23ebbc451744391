# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.addons import decimal_precision as dp


class AftersalesRecoveryListItem(models.Model):
    """R45: one outstanding old part as it stood on the day of the list: the
    list is a record of its day, frozen when made (printed again months
    later it shows that day's parts, not today's)."""

    _name = 'aftersales.recovery.list.item'
    _description = 'Outstanding Old Parts List: part'
    _order = 'technician_id, due_date, id'

    list_id = fields.Many2one('aftersales.recovery.list', required=True,
                              ondelete='cascade', index=True, readonly=True)
    recovery_id = fields.Many2one('aftersales.part.recovery',
                                  string='Recovery', readonly=True,
                                  ondelete='set null')
    technician_id = fields.Many2one('res.users', string='Technician',
                                    readonly=True)
    repair_id = fields.Many2one('mrp.repair', string='Repair Order',
                                readonly=True, ondelete='set null')
    product_id = fields.Many2one('product.product', string='Part',
                                 readonly=True)
    quantity = fields.Float(
        string='Outstanding', readonly=True,
        digits=dp.get_precision('Product Unit of Measure'))
    deposit = fields.Float(readonly=True,
                           digits=dp.get_precision('Product Price'))
    due_date = fields.Date(readonly=True)
