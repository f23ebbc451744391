# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class UnitReceiveWizard(models.TransientModel):
    """R13: a unit brought in for repair is received: its accessories,
    visible condition and the date promised are recorded, and the goods
    receipt is printed for the customer
    (``helpdesk.ticket._aftersales_receive_unit``)."""

    _name = 'aftersales.unit.receive.wizard'
    _description = 'Receive a unit brought in for repair'

    ticket_id = fields.Many2one('helpdesk.ticket', string='Service Request',
                                required=True, ondelete='cascade')
    partner_id = fields.Many2one(related='ticket_id.partner_id',
                                 readonly=True, string='Customer')
    product_id = fields.Many2one(related='ticket_id.product_id',
                                 readonly=True, string='Product')
    lot_id = fields.Many2one(related='ticket_id.lot_id', readonly=True,
                             string='Serial Number')
    accessories = fields.Text(
        help='What came with the unit (charger, key, bag...).')
    condition = fields.Text(
        string='Visible Condition',
        help='Scratches, dents, missing parts seen on the unit.')
    promised_date = fields.Date(
        string='Promised For',
        help='The day the customer is promised the repaired unit.')

    @api.model
    def default_get(self, fields_list):
        res = super(UnitReceiveWizard, self).default_get(fields_list)
        ticket = self.env['helpdesk.ticket'].browse(
            res.get('ticket_id') or self.env.context.get('default_ticket_id'))
        if ticket and 'promised_date' in fields_list:
            res.setdefault('promised_date', fields.Date.to_string(
                ticket._aftersales_default_promised_date()))
        return res

    @api.multi
    def action_receive(self):
        """Receive the unit, then print its goods receipt."""
        self.ensure_one()
        self.ticket_id._aftersales_receive_unit(
            self.condition, self.accessories, self.promised_date)
        return self.ticket_id.action_print_goods_receipt()
