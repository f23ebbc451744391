# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ...models.request.aftersales_technician_skill import SKILL_LEVELS


class AftersalesDispatchWizardLine(models.TransientModel):
    """A technician suggested for a request, best first (R14)."""

    _name = 'aftersales.dispatch.wizard.line'
    _description = 'Suggested Technician'
    _order = 'sequence, id'

    wizard_id = fields.Many2one('aftersales.dispatch.wizard', required=True,
                                ondelete='cascade')
    sequence = fields.Integer()
    user_id = fields.Many2one('res.users', string='Technician',
                              readonly=True)
    skill_level = fields.Selection(
        [('0', 'No Skill')] + SKILL_LEVELS, readonly=True)
    open_request_count = fields.Integer(string='Open Requests',
                                        readonly=True)
    open_repair_count = fields.Integer(string='Open Repairs', readonly=True)
    urgent_count = fields.Integer(string='Urgent', readonly=True)
    workload = fields.Float(readonly=True, digits=(16, 1))
    distance_known = fields.Boolean(readonly=True)
    distance_km = fields.Float(string='Distance (km)', readonly=True,
                               digits=(16, 1))

    @api.multi
    def action_choose(self):
        """Dispatch the request to this technician."""
        self.ensure_one()
        self.wizard_id.technician_id = self.user_id
        return self.wizard_id.action_dispatch()
