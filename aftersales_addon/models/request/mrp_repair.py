# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class MrpRepair(models.Model):
    """The repair order of a service request (R10-R14): the request it
    answers and its urgency, which orders a technician's repairs."""

    _inherit = 'mrp.repair'

    ticket_id = fields.Many2one(
        'helpdesk.ticket', string='Service Request', index=True,
        readonly=True, copy=False, ondelete='restrict',
        help='The request this repair order answers.')

    urgency = fields.Selection(
        related='ticket_id.urgency', store=True, readonly=True,
        string='Urgency')

    urgency_rank = fields.Integer(
        compute='_compute_urgency_rank', store=True, index=True,
        help='Urgent first, then important, then normal: the order of a '
             'technician\'s repairs.')

    @api.depends('urgency')
    def _compute_urgency_rank(self):
        ranks = {'urgent': 0, 'important': 1}
        for repair in self:
            repair.urgency_rank = ranks.get(repair.urgency, 2)

    @api.multi
    def action_view_ticket(self):
        self.ensure_one()
        return self.ticket_id.get_formview_action()

    @api.model
    def create(self, vals):
        if vals.get('ticket_id') and not vals.get('fault_symptom'):
            vals = dict(vals, fault_symptom=self.env['helpdesk.ticket'].browse(
                vals['ticket_id']).fault_symptom)
        return super(MrpRepair, self).create(vals)

    @api.multi
    def _aftersales_should_govern(self):
        """The order of a service request is an after-sales order."""
        return bool(self.ticket_id) or super(
            MrpRepair, self)._aftersales_should_govern()
