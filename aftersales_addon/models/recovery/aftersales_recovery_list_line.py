# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AftersalesRecoveryListLine(models.Model):
    """One technician's figures on an outstanding old parts list
    (R45), frozen with the list."""

    _name = 'aftersales.recovery.list.line'
    _description = 'Outstanding Old Parts List: technician'
    _order = 'count desc'

    list_id = fields.Many2one('aftersales.recovery.list', required=True,
                              ondelete='cascade', index=True)
    technician_id = fields.Many2one('res.users', string='Technician')
    count = fields.Integer(string='Recoveries')
    quantity = fields.Float(string='Parts')
    deposit = fields.Float(string='Deposits')
