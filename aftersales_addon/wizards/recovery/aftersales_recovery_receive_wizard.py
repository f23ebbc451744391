# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import UserError


class RecoveryReceiveWizard(models.TransientModel):
    """R43/R46: the warehouse signs for old parts: one recovery, or every
    outstanding old part of a repair order at once."""

    _name = 'aftersales.recovery.receive.wizard'
    _description = 'Receive old parts'

    line_ids = fields.One2many('aftersales.recovery.receive.wizard.line',
                               'wizard_id', string='Old Parts')
    courier = fields.Char()
    tracking_ref = fields.Char(string='Tracking Number')
    freight_collect = fields.Boolean()

    @api.model
    def default_get(self, fields_list):
        res = super(RecoveryReceiveWizard, self).default_get(fields_list)
        context = self.env.context
        Recovery = self.env['aftersales.part.recovery']
        if context.get('default_recovery_id'):
            recoveries = Recovery.browse(context['default_recovery_id'])
        else:
            recoveries = Recovery.search([
                ('repair_id', '=', context.get('default_repair_id')),
                ('state', '=', 'to_return')])
        if not recoveries:
            raise UserError(_('No old part is waiting to be received.'))
        res['line_ids'] = [(0, 0, {
            'recovery_id': recovery.id,
            'product_id': recovery.product_id.id,  # shown in the wizard
            'quantity': recovery.quantity - recovery.received_qty,
        }) for recovery in recoveries]
        return res

    @api.multi
    def action_receive(self):
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.quantity)
        if not lines:
            raise UserError(_('Enter the quantity received of at least one '
                              'old part.'))
        pickings = self.env['aftersales.part.recovery']._receive_batch(
            {line.recovery_id.id: line.quantity for line in lines},
            {line.recovery_id.id: line.removed_serial for line in lines},
            self.courier, self.tracking_ref, self.freight_collect)
        if len(pickings) == 1:
            return pickings.get_formview_action()
        return {'type': 'ir.actions.act_window_close'}


class RecoveryReceiveWizardLine(models.TransientModel):
    _name = 'aftersales.recovery.receive.wizard.line'
    _description = 'Receive old parts: line'

    wizard_id = fields.Many2one('aftersales.recovery.receive.wizard',
                                required=True, ondelete='cascade')
    recovery_id = fields.Many2one('aftersales.part.recovery', required=True)
    product_id = fields.Many2one(related='recovery_id.product_id',
                                 readonly=True)
    quantity = fields.Float(digits=dp.get_precision('Product Unit of Measure'))
    removed_serial = fields.Char()
