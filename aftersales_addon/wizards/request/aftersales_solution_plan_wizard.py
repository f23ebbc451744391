# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...models.request.helpdesk_ticket import SOLUTION_TYPES


class SolutionPlanWizard(models.TransientModel):
    """R13: the technician of a request gives its solution plan; the
    request checks and records it (``helpdesk.ticket._aftersales_give_plan``).
    """

    _name = 'aftersales.solution.plan.wizard'
    _description = 'Solution plan of a service request'

    ticket_id = fields.Many2one('helpdesk.ticket', string='Service Request',
                                required=True, ondelete='cascade')
    partner_id = fields.Many2one(related='ticket_id.partner_id',
                                 readonly=True, string='Customer')
    solution_type = fields.Selection(SOLUTION_TYPES, string='Solution',
                                     required=True)
    notes = fields.Text(
        string='Solution Notes',
        help='The plan; for phone guidance, what the customer was told '
             '(the request is closed with these notes).')
    assembly_notes = fields.Text(
        help='The key points of fitting the parts, sent to the customer '
             'with the parts.')
    attachment_ids = fields.Many2many(
        'ir.attachment', 'aftersales_solution_plan_wizard_attachment_rel',
        'wizard_id', 'attachment_id', string='Assembly Documents',
        help='Drawings, photos or videos sent with the parts.')
    accepted = fields.Boolean(
        string='Customer Bears Mis-assembly',
        help='The customer was told the key points of fitting the parts '
             'and agrees to bear the damage caused by fitting them '
             'wrongly.')
    accepted_by = fields.Char(
        string='Agreed By', help='Who agreed on the customer\'s side.')
    start = fields.Datetime(string='Visit On')
    duration = fields.Float(
        string='Duration (hours)', default=2.0,
        help='How long the visit is expected to take.')
    location = fields.Char(string='Visit Address')

    @api.model
    def default_get(self, fields_list):
        res = super(SolutionPlanWizard, self).default_get(fields_list)
        ticket = self.env['helpdesk.ticket'].browse(
            res.get('ticket_id') or self.env.context.get('default_ticket_id'))
        if ticket:
            res.setdefault('solution_type', ticket.aftersales_solution_type)
            res.setdefault('accepted_by', ticket.contact_name or
                           ticket.partner_id.name)
            res.setdefault('location', ticket.partner_id and
                           ticket._aftersales_visit_address())
            if ticket.aftersales_event_id.active:
                res.setdefault('start', ticket.aftersales_event_id.start)
        return res

    @api.multi
    def _plan_values(self):
        self.ensure_one()
        if self.duration < 0:
            raise UserError(_('The duration of the visit cannot be '
                              'negative.'))
        stop = self.start and fields.Datetime.to_string(
            fields.Datetime.from_string(self.start) +
            timedelta(hours=self.duration))
        return {
            'solution_type': self.solution_type,
            'notes': self.notes,
            'assembly_notes': self.assembly_notes,
            'attachments': self.attachment_ids,
            'accepted': self.accepted,
            'accepted_by': self.accepted_by,
            'start': self.start,
            'stop': stop,
            'location': self.location,
        }

    @api.multi
    def action_give_plan(self):
        self.ensure_one()
        self.ticket_id._aftersales_give_plan(self._plan_values())
        return {'type': 'ir.actions.act_window_close'}
