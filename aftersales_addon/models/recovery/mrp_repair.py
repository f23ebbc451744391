# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp

from ...tools.actions import wizard_action


class MrpRepair(models.Model):
    """The old parts a repair order owes (R40-R45) and the deposit charged
    for them until they come back (R42)."""

    _inherit = 'mrp.repair'

    recovery_ids = fields.One2many(
        'aftersales.part.recovery', 'repair_id', string='Old Parts',
        readonly=True)

    recovery_count = fields.Integer(string='Old Parts',
                                    compute='_compute_recovery_count')

    aftersales_deposit_amount = fields.Float(
        string='Deposit Charged', compute='_compute_aftersales_deposit',
        digits=dp.get_precision('Product Price'),
        help='The warranty parts whose old part must come back are '
             'charged at their price until the warehouse receives the old '
             'part; this much (taxes excluded) is then given back.')

    aftersales_deposit_open = fields.Float(
        string='Deposit Still Held', compute='_compute_aftersales_deposit',
        digits=dp.get_precision('Product Price'),
        help='What is given back when the old parts still outstanding '
             'come back (taxes excluded).')

    @api.multi
    def _compute_aftersales_deposit(self):
        """R42: the deposit charged on the order, and what of it is still
        held until old parts come back."""
        for repair in self:
            deposits = repair.operations.filtered(
                lambda line: line.type == 'add' and
                line.warranty_coverage == 'deposit')
            repair.aftersales_deposit_amount = sum(
                deposits.mapped('price_subtotal'))
            held = 0.0
            for line in deposits:
                recovery = line.recovery_ids[:1]
                back = recovery.credited_qty if recovery else 0.0
                held += line.price_unit * max(
                    line.product_uom_qty - back, 0.0)
            repair.aftersales_deposit_open = held

    @api.depends('recovery_ids')
    def _compute_recovery_count(self):
        data = self.env['aftersales.part.recovery'].read_group(
            [('repair_id', 'in', self.ids)], ['repair_id'], ['repair_id'])
        counts = {d['repair_id'][0]: d['repair_id_count'] for d in data}
        for repair in self:
            repair.recovery_count = counts.get(repair.id, 0)

    @api.multi
    def action_view_recoveries(self):
        self.ensure_one()
        action = self.env.ref(
            'aftersales_addon.aftersales_part_recovery_action').read()[0]
        action['domain'] = [('repair_id', '=', self.id)]
        action['context'] = {}
        return action

    @api.multi
    def action_receive_old_parts(self):
        """R43: the warehouse receives every outstanding old part of the
        order at once."""
        self.ensure_one()
        return wizard_action(
            _('Receive Old Parts'), 'aftersales.recovery.receive.wizard',
            repair_id=self.id)

    can_receive_old_parts = fields.Boolean(
        compute='_compute_can_receive_old_parts',
        help='The warehouse may receive old parts of this order now.')

    @api.multi
    def _compute_can_receive_old_parts(self):
        warehouse = self.env.user._aftersales_in(
            'aftersales_addon.group_aftersales_warehouse')
        for repair in self:
            repair.can_receive_old_parts = warehouse and \
                repair.state != 'cancel' and any(
                    rec.state == 'to_return' for rec in repair.recovery_ids)

    @api.multi
    def action_repair_end(self):
        res = super(MrpRepair, self).action_repair_end()
        # R40: every part replaced under warranty owes its old part
        self.env['aftersales.part.recovery']._create_for_repairs(
            self.filtered('aftersales_governed'))
        return res

    @api.multi
    def action_invoice_create(self, group=False):
        res = super(MrpRepair, self).action_invoice_create(group=group)
        # R42: deposits of old parts already back are given back at once
        self.env['aftersales.part.recovery']._credit_pending_deposits(self)
        return res
