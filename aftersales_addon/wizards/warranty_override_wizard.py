# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape

from ..models.aftersales_control_mixin import aftersales_control


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
         ('excluded', 'Excluded')], string='New Decision')
    rule_id = fields.Many2one('aftersales.warranty.rule',
                              string='Warranty Rule')
    tier_id = fields.Many2one(
        'aftersales.warranty.tier', string='Tier',
        domain="[('rule_id', '=', rule_id)]",
        help='The tier whose coverage applies when the decision is "in '
             'warranty".')
    failure_date = fields.Date(
        string='Failure Reported On',
        help='Correct the day the customer reported the fault; the '
             'warranty is then decided again at that date unless you '
             'choose the decision yourself.')
    redecide = fields.Boolean(
        string='Decide Again at This Date',
        help='Let the warranty rules decide at the corrected date instead '
             'of choosing the decision by hand.')
    reason = fields.Text(
        string='Reason for the Override', required=True,
        help='Why the technical department changes the decision; it is '
             'kept on the order and in its history.')

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
            res['failure_date'] = repair.failure_date
        return res

    @api.multi
    def _ensure_changes(self, repair):
        """R33: an override changes something: the decision, its tier or
        the failure date (or decides again at a corrected date)."""
        self.ensure_one()
        if self.redecide:
            return
        date_changes = bool(self.failure_date) and \
            self.failure_date != repair.failure_date
        tier = self.tier_id if self.warranty_state == 'in' else \
            self.env['aftersales.warranty.tier']
        if not date_changes and \
                self.warranty_state == repair.warranty_state and \
                tier == repair.warranty_tier_id and \
                (self.rule_id == repair.warranty_rule_id or
                 self.warranty_state != 'in'):
            raise UserError(_(
                'The override changes nothing: %s already has this decision. '
                'Choose another decision, another tier or correct the failure '
                'date.') % repair.name)

    @api.multi
    def action_apply(self):
        """Apply the override (Technical department only, R33): a new
        decision chosen by hand, or a corrected failure date decided again
        by the rules; both tracked, with the reason, in the chatter."""
        self.ensure_one()
        repair = self.repair_id
        repair._ensure_can_override_warranty()
        if not (self.reason or '').strip():
            raise UserError(_('Give the reason of the override.'))
        if not self.redecide and not self.warranty_state:
            raise UserError(_('Choose the new decision, or decide again at '
                              'the corrected date.'))
        if not self.redecide and self.warranty_state == 'in' and \
                not self.tier_id:
            raise UserError(_('Choose the tier whose coverage applies.'))
        self._ensure_changes(repair)
        selection = dict(repair._fields['warranty_state']
                         ._description_selection(self.env))
        old = selection.get(repair.warranty_state) or _('none')
        old_tier = repair.warranty_tier_id.display_name
        old_date = repair.failure_date
        new_date = self.failure_date or old_date
        # the override is the technical department's path for the decision
        # and what it was made from (checked just above)
        with aftersales_control():
            if new_date != old_date:
                repair.write({'failure_date': new_date})
            if self.redecide:
                repair.write({'warranty_override': False})
                repair._decide_warranty()
                repair.write({'warranty_override': True,
                              'warranty_override_reason': self.reason})
            else:
                repair.write({
                    'warranty_state': self.warranty_state,
                    'warranty_rule_id': self.rule_id.id,
                    'warranty_tier_id': self.warranty_state == 'in'
                    and self.tier_id.id,
                    'warranty_override': True,
                    'warranty_override_reason': self.reason,
                })
                repair._apply_warranty_coverage()
        new = selection[repair.warranty_state]
        new_tier = repair.warranty_tier_id.display_name
        body = _(
            'Warranty decision overridden by %(user)s: %(old)s &rarr; '
            '%(new)s. Reason: %(reason)s') % {
            'user': html_escape(self.env.user.name),
            'old': old,
            'new': new,
            'reason': html_escape(self.reason),
        }
        if new_tier != old_tier:
            body += '<br/>' + _(
                'Tier: %(old_tier)s &rarr; %(new_tier)s') % {
                'old_tier': html_escape(old_tier or _('none')),
                'new_tier': html_escape(new_tier or _('none')),
            }
        if new_date != old_date:
            body += '<br/>' + _(
                'Failure reported on: %(old_date)s &rarr; %(new_date)s') % {
                'old_date': old_date,
                'new_date': new_date,
            }
        repair.message_post(body=body)
        return {'type': 'ir.actions.act_window_close'}
