# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class WarrantyOverrideWizard(models.TransientModel):
    """R33: the technical department overrides a warranty decision, with a
    reason, and the change is recorded in the order's chatter."""

    _name = 'aftersales.warranty.override.wizard'
    _description = 'Override a warranty decision'

    repair_id = fields.Many2one('mrp.repair', required=True)
    current_state = fields.Selection(related='repair_id.warranty_state',
                                     readonly=True)
    warranty_state = fields.Selection(
        [('in', 'In warranty'), ('out', 'Out of warranty'),
         ('excluded', 'Excluded')], string='New Decision', required=True)
    rule_id = fields.Many2one('aftersales.warranty.rule',
                              string='Warranty Rule')
    tier_id = fields.Many2one(
        'aftersales.warranty.tier', string='Tier',
        domain="[('rule_id', '=', rule_id)]",
        help='The tier whose coverage applies when the decision is "in '
             'warranty".')
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super(WarrantyOverrideWizard, self).default_get(fields_list)
        repair = self.env['mrp.repair'].browse(
            res.get('repair_id') or self.env.context.get('default_repair_id'))
        if repair:
            res['rule_id'] = repair.warranty_rule_id.id or \
                self.env['aftersales.warranty.rule']._match_products(
                    repair.product_id).get(repair.product_id.id).id
            res['tier_id'] = repair.warranty_tier_id.id
        return res

    @api.multi
    def action_apply(self):
        """Apply the override (Technical department only)."""
        self.ensure_one()
        if not (self.env.user._is_superuser() or self.env.user.has_group(
                'aftersales_addon.group_aftersales_technical')):
            raise AccessError(_('Only the technical department may '
                                'override a warranty decision.'))
        repair = self.repair_id
        if repair.state in ('done', 'cancel') or repair.invoiced:
            raise UserError(_('The warranty decision of %s can no longer '
                              'change: the order is finished or '
                              'invoiced.') % repair.name)
        if not (self.reason or '').strip():
            raise UserError(_('Give the reason of the override.'))
        if self.warranty_state == 'in' and not self.tier_id:
            raise UserError(_('Choose the tier whose coverage applies.'))
        old = dict(repair._fields['warranty_state']._description_selection(
            self.env)).get(repair.warranty_state) or _('none')
        repair.with_context(aftersales_warranty_decision=True).write({
            'warranty_state': self.warranty_state,
            'warranty_rule_id': self.rule_id.id,
            'warranty_tier_id': self.warranty_state == 'in'
            and self.tier_id.id,
            'warranty_override': True,
            'warranty_override_reason': self.reason,
        })
        repair._apply_warranty_coverage()
        new = dict(repair._fields['warranty_state']._description_selection(
            self.env))[self.warranty_state]
        repair.message_post(body=_(
            'Warranty decision overridden by %s: %s &rarr; %s. Reason: %s')
            % (self.env.user.name, old, new, self.reason))
        return {'type': 'ir.actions.act_window_close'}
