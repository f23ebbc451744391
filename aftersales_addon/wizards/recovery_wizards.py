# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp


class RecoveryReceiveWizard(models.TransientModel):
    """R43/R46: the warehouse signs for an old part."""

    _name = 'aftersales.recovery.receive.wizard'
    _description = 'Receive an old part'

    recovery_id = fields.Many2one('aftersales.part.recovery', required=True)
    quantity = fields.Float(required=True,
                            digits=dp.get_precision('Product Unit of Measure'))
    removed_serial = fields.Char(string='Removed Serial')
    courier = fields.Char()
    tracking_ref = fields.Char(string='Tracking Number')
    freight_collect = fields.Boolean(string='Freight Collect')

    @api.model
    def default_get(self, fields_list):
        res = super(RecoveryReceiveWizard, self).default_get(fields_list)
        recovery = self.env['aftersales.part.recovery'].browse(
            res.get('recovery_id'))
        if recovery:
            res['quantity'] = recovery.quantity - recovery.received_qty
        return res

    @api.multi
    def action_receive(self):
        self.ensure_one()
        picking = self.recovery_id._receive(
            self.quantity, self.removed_serial, self.courier,
            self.tracking_ref, self.freight_collect)
        return picking.get_formview_action()


class RecoveryExemptWizard(models.TransientModel):
    """R41: Finance exempts a part whose recovery costs too much."""

    _name = 'aftersales.recovery.exempt.wizard'
    _description = 'Exempt an old part from recovery'

    recovery_id = fields.Many2one('aftersales.part.recovery', required=True)
    reason = fields.Text(required=True)

    @api.multi
    def action_exempt(self):
        self.ensure_one()
        self.recovery_id._exempt(self.reason)
        return {'type': 'ir.actions.act_window_close'}


class RecoveryInspectWizard(models.TransientModel):
    """R44: Quality or Technical inspects a received old part."""

    _name = 'aftersales.recovery.inspect.wizard'
    _description = 'Inspect an old part'

    recovery_id = fields.Many2one('aftersales.part.recovery', required=True)
    result = fields.Selection(
        [('fault_confirmed', 'Fault confirmed'),
         ('no_fault', 'No fault found'),
         ('human_damage', 'Human damage found')],
        string='Inspection Result', required=True)
    disposition = fields.Selection(
        [('reusable', 'Reusable: refurbish and restock'),
         ('scrap', 'Not reusable: scrap')],
        required=True, default='scrap')
    note = fields.Text(string='Notes')

    @api.multi
    def action_inspect(self):
        self.ensure_one()
        self.recovery_id._inspect(self.result,
                                  self.disposition == 'reusable', self.note)
        return {'type': 'ir.actions.act_window_close'}
