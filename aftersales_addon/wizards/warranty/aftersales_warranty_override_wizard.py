# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


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
    def action_apply(self):
        """Apply the override: the repair order checks and records it
        (``mrp.repair._override_warranty``)."""
        self.ensure_one()
        self.repair_id._override_warranty(
            reason=self.reason, warranty_state=self.warranty_state,
            rule=self.rule_id, tier=self.tier_id,
            failure_date=self.failure_date, redecide=self.redecide)
        return {'type': 'ir.actions.act_window_close'}
