# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ...tools.early_lock import lock_early


class RepairReturnWizard(models.TransientModel):
    """R24: unused parts go back to stock against the same repair order."""

    _name = 'aftersales.repair.return.wizard'
    _description = 'Return unused repair parts'

    repair_id = fields.Many2one('mrp.repair', required=True, readonly=True)
    line_ids = fields.One2many(
        'aftersales.repair.return.wizard.line', 'wizard_id', string='Parts')

    @api.model
    def default_get(self, fields_list):
        res = super(RepairReturnWizard, self).default_get(fields_list)
        repair = self.env['mrp.repair'].browse(
            res.get('repair_id') or self.env.context.get('default_repair_id'))
        lines = repair.operations.filtered(
            lambda line: line.type == 'add' and line.qty_issued > 0)
        if not lines:
            raise UserError(_('No part of %s has been issued yet: there is '
                              'nothing to return.') % repair.name)
        res['line_ids'] = [(0, 0, {
            'repair_line_id': line.id,
            'qty_issued': line.qty_issued,
            'quantity': 0.0,
        }) for line in lines]
        return res

    @api.multi
    def action_return(self):
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.quantity > 0)
        if not lines:
            raise UserError(_('Enter the quantity of at least one part to '
                              'return.'))
        # issue 24: the parts' quants (reserved for the return, shared with
        # every issue, end and receipt of those parts) first
        lock_early(self.env, self.repair_id,
                   lines.mapped('repair_line_id.product_id'))
        # back to the warehouse each part was issued from (one transfer
        # per warehouse)
        pickings = self.repair_id._create_parts_returns(
            {line.repair_line_id: line.quantity for line in lines})
        if len(pickings) == 1:
            return pickings.get_formview_action()
        action = self.repair_id.action_view_parts_pickings()
        action['domain'] = [('id', 'in', pickings.ids)]
        return action


class RepairReturnWizardLine(models.TransientModel):
    _name = 'aftersales.repair.return.wizard.line'
    _description = 'Return unused repair parts: line'

    wizard_id = fields.Many2one('aftersales.repair.return.wizard',
                                required=True, ondelete='cascade')
    repair_line_id = fields.Many2one('mrp.repair.line', string='Part line',
                                     required=True, readonly=True)
    product_id = fields.Many2one(related='repair_line_id.product_id',
                                 readonly=True)
    lot_id = fields.Many2one(related='repair_line_id.lot_id', readonly=True)
    qty_issued = fields.Float(string='Issued', readonly=True,
                              digits=dp.get_precision(
                                  'Product Unit of Measure'))
    quantity = fields.Float(string='Quantity to Return',
                            digits=dp.get_precision(
                                'Product Unit of Measure'))

    @api.constrains('quantity')
    def _check_quantity(self):
        precision = self.env['decimal.precision'].precision_get(
            'Product Unit of Measure')
        for line in self:
            issued = line.repair_line_id.qty_issued
            if line.quantity < 0 or float_compare(
                    line.quantity, issued, precision_digits=precision) > 0:
                raise ValidationError(_(
                    'You can return between 0 and %(issued)s of '
                    '%(product)s (what was issued to the order).') % {
                    'issued': issued,
                    'product': line.repair_line_id.product_id.display_name,
                })
