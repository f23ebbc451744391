# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...models.request.aftersales_technician_skill import SKILL_LEVELS

MANAGER_GROUP = 'aftersales_addon.group_aftersales_manager'
TECHNICIAN_GROUP = 'aftersales_addon.group_aftersales_technician'


class AftersalesDispatchWizard(models.TransientModel):
    """R14: dispatch a request. The technicians are suggested by their
    skill for the unit's category, then by their open workload (urgent
    work weighing more), then by their distance to the customer where
    both positions are known."""

    _name = 'aftersales.dispatch.wizard'
    _description = 'Dispatch a Service Request'

    ticket_id = fields.Many2one('helpdesk.ticket', string='Request',
                                required=True, readonly=True)
    categ_id = fields.Many2one(related='ticket_id.product_id.categ_id',
                               string='Product Category', readonly=True)
    line_ids = fields.One2many('aftersales.dispatch.wizard.line',
                               'wizard_id', string='Suggested Technicians',
                               readonly=True)
    technician_id = fields.Many2one(
        'res.users', string='Technician',
        domain=lambda self: [('groups_id', 'in', self.env[
            'ir.model.data'].xmlid_to_res_id(TECHNICIAN_GROUP))],
        help='The first suggestion, unless you choose another.')
    skill_level = fields.Selection(
        [('0', 'No Skill')] + SKILL_LEVELS, compute='_compute_check')
    warning = fields.Char(compute='_compute_check')
    can_force = fields.Boolean(compute='_compute_can_force')
    force = fields.Boolean(
        string='Dispatch Without the Skill',
        help='The manager may dispatch the request to a technician who has '
             'no skill for its product; the request\'s history records it.')

    @api.model
    def default_get(self, fields_list):
        res = super(AftersalesDispatchWizard, self).default_get(fields_list)
        if 'line_ids' not in fields_list:
            return res
        ticket = self.env['helpdesk.ticket'].browse(res.get('ticket_id'))
        if not ticket:
            raise UserError(_('Open the request to dispatch first.'))
        ticket._ensure_can_dispatch()
        suggestions = ticket._aftersales_dispatch_suggestions()
        res['line_ids'] = [(0, 0, values) for values in suggestions]
        best = [values for values in suggestions
                if values['skill_level'] != '0' or not ticket.product_id]
        if best and 'technician_id' in fields_list and \
                not res.get('technician_id'):
            res['technician_id'] = best[0]['user_id']
        return res

    @api.multi
    def _compute_can_force(self):
        manager = self.env.user._aftersales_in(MANAGER_GROUP)
        for wizard in self:
            wizard.can_force = manager

    @api.depends('technician_id', 'ticket_id')
    def _compute_check(self):
        """What the dispatcher is told before he confirms (R14)."""
        for wizard in self:
            technician = wizard.technician_id
            ticket = wizard.ticket_id
            if not technician or not ticket:
                wizard.skill_level = False
                wizard.warning = False
                continue
            level = ticket._aftersales_skill_levels(technician)[
                technician.id]
            wizard.skill_level = str(level)
            problem = ticket._aftersales_dispatch_problem(technician)
            if problem == 'not_technician':
                wizard.warning = _('%s is not a technician.') % \
                    technician.name
            elif problem == 'no_skill':
                wizard.warning = _(
                    '%(user)s has no skill for %(categ)s; only the '
                    'after-sales manager may dispatch the request to '
                    'him.') % {'user': technician.name,
                               'categ': ticket.product_id.categ_id
                               .display_name}
            else:
                wizard.warning = False

    @api.multi
    def action_dispatch(self):
        self.ensure_one()
        if not self.technician_id:
            raise UserError(_('Choose the technician.'))
        self.ticket_id._aftersales_dispatch(self.technician_id,
                                            force=self.force)
        return {'type': 'ir.actions.act_window_close'}
