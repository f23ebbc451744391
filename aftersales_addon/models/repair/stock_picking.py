# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ...tools.early_lock import lock_early


class StockPicking(models.Model):
    _name = 'stock.picking'
    _inherit = ['stock.picking', 'aftersales.control.mixin']
    # R21: a transfer belongs to the repair order it was made for
    _aftersales_controlled_fields = frozenset(['aftersales_repair_id'])

    aftersales_repair_id = fields.Many2one(
        'mrp.repair', string='Repair Order', index=True, readonly=True,
        ondelete='restrict',
        help='Parts issued to, or returned from, this repair order.')
    aftersales_release_state = fields.Selection(
        [('to_release', 'Waiting for Finance'),
         ('warranty', 'Warranty (nothing to pay)'),
         ('paid', 'Customer paid'),
         ('vouched', 'Vouched by technician')],
        string='Finance Release', compute='_compute_aftersales_release_state',
        search='_search_aftersales_release_state',
        help='Whether Finance released the order these parts leave for.')

    @api.multi
    @api.depends('state', 'is_locked')
    def _compute_show_validate(self):
        """R21/R22: the Validate button shows to those who may validate:
        the warehouse, and only once Finance has released the order."""
        super(StockPicking, self)._compute_show_validate()
        if not self.env.user._aftersales_moves_stock():
            for picking in self:
                picking.show_validate = False
            return
        for picking in self.filtered('show_validate'):
            if picking.aftersales_release_state == 'to_release':
                picking.show_validate = False

    @api.model
    def _search_aftersales_release_state(self, operator, value):
        """Transfers waiting for Finance (``= 'to_release'``), for the
        warehouse's filter; other states are not searchable."""
        if operator not in ('=', '!=') or value != 'to_release':
            raise UserError(_('Transfers can be filtered on "Waiting for '
                              'Finance" only.'))
        repairs = self.env['mrp.repair'].search(
            [('aftersales_to_release', '=', True)])
        sales = self.env['sale.order'].search(
            [('aftersales_to_release', '=', True)])
        domain = ['|',
                  '&',
                  ('picking_type_id.aftersales_parts_kind', '=', 'issue'),
                  ('aftersales_repair_id', 'in', repairs.ids),
                  '&', ('picking_type_code', '=', 'outgoing'),
                  ('sale_id', 'in', sales.ids)]
        return domain if operator == '=' else ['!'] + domain

    @api.multi
    def _compute_aftersales_release_state(self):
        for picking in self:
            if picking.picking_type_id.aftersales_parts_kind == 'issue':
                order = picking.aftersales_repair_id
            elif picking.picking_type_code == 'outgoing' and \
                    picking.sale_id.aftersales_parts_sale:
                order = picking.sale_id
            else:
                continue
            picking.aftersales_release_state = 'to_release' \
                if order.aftersales_to_release else \
                order.finance_release or False

    @api.multi
    def _check_parts_warehouse(self):
        """R21: parts leave and come back only through the warehouse: no
        other after-sales department validates a transfer, of a repair
        order or any other."""
        if self.env.user._aftersales_moves_stock():
            return
        raise AccessError(_(
            'Only the warehouse validates transfers (parts issued to or '
            'returned from repair orders, deliveries of parts sales and any '
            'other).'))

    @api.multi
    def write(self, vals):
        if {'move_lines', 'location_id', 'location_dest_id',
                'picking_type_id'}.intersection(vals) and \
                self.filtered('aftersales_repair_id') and \
                not self._aftersales_may_write_controlled() and \
                not self.env.user._aftersales_moves_stock():
            raise AccessError(_(
                'Only the warehouse changes the parts transfers of repair '
                'orders.'))
        return super(StockPicking, self).write(vals)

    @api.multi
    def _check_finance_release(self):
        """R22/R53: parts issued to a repair order, or delivered for an
        after-sales parts sale, leave only after Finance's release."""
        self.filtered(
            lambda p: p.picking_type_id.aftersales_parts_kind == 'issue'
        ).mapped('aftersales_repair_id')._check_finance_release()
        self.filtered(
            lambda p: p.picking_type_code == 'outgoing' and
            p.sale_id.aftersales_parts_sale).mapped(
                'sale_id')._check_finance_release()

    @api.multi
    def button_validate(self):
        # issue 24: the parts moved (quants, FIFO candidate) first
        lock_early(self.env, self.mapped('move_lines.product_id'))
        self._check_parts_warehouse()
        self._check_finance_release()
        return super(StockPicking, self).button_validate()

    @api.multi
    def action_done(self):
        self._check_parts_warehouse()
        self._check_finance_release()
        res = super(StockPicking, self).action_done()
        self._reduce_returned_repair_lines()
        return res

    @api.multi
    def _reduce_returned_repair_lines(self):
        """R24: a part returned unused lowers the quantity of its repair
        line, so the order consumes and invoices only what was used."""
        moves = self.filtered(
            lambda p: p.picking_type_id.aftersales_parts_kind == 'return'
        ).mapped('move_lines').filtered(
            lambda m: m.state == 'done' and m.aftersales_repair_line_id)
        for move in moves:
            line = move.aftersales_repair_line_id
            qty = move.product_uom._compute_quantity(
                move.product_uom_qty, line.product_uom)
            remaining = line.product_uom_qty - qty
            if remaining > 0:
                # sudo: the warehouse may not edit repair lines; the
                # quantity follows what it took back.
                line.sudo().write({'product_uom_qty': remaining})
            else:
                # sudo: the warehouse may not delete repair lines, but a
                # part fully returned is no longer part of the order.
                line.sudo().unlink()
