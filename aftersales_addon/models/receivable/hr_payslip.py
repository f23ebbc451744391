# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

# R52: payslip input codes read by the salary rules the addon provides
INPUT_DEDUCTION = 'ASRECDED'
INPUT_REFUND = 'ASRECREF'


class HrPayslip(models.Model):
    """R52: receivable deductions and refunds ride on the technician's next
    payslip as inputs (ASRECDED, ASRECREF) of the addon's salary rules."""

    _inherit = 'hr.payslip'

    aftersales_receivable_move_ids = fields.One2many(
        'aftersales.receivable.move', 'payslip_id',
        string='After-sales Receivables', readonly=True)

    @api.multi
    def _aftersales_pending_moves(self):
        """The deductions and payslip refunds of these payslips' employees
        not yet on a confirmed payslip (nor on another draft one), with one
        search. sudo: payroll officers need not read technician
        receivables."""
        return self.env['aftersales.receivable.move'].sudo().search([
            ('employee_id', 'in', self.mapped('employee_id').ids),
            ('state', '=', 'pending'),
            ('date', '<=', max(self.mapped('date_to'))),
            '|', ('kind', '=', 'deduction'),
            '&', ('kind', '=', 'refund'), ('refund_method', '=', 'payslip'),
            '|', ('payslip_id', '=', False), ('payslip_id', 'in', self.ids),
        ])

    @api.multi
    def _aftersales_attach_receivables(self):
        """Attach the pending entries (up to the end of its period) to each
        payslip and write the two inputs from them."""
        slips = self.filtered(
            lambda s: s.state in ('draft', 'verify') and not s.credit_note)
        if not slips:
            return
        pending = slips._aftersales_pending_moves()
        names = {
            INPUT_DEDUCTION: _('After-sales receivables deducted'),
            INPUT_REFUND: _('After-sales deductions refunded'),
        }
        for slip in slips:
            moves = pending.filtered(
                lambda m: m.employee_id == slip.employee_id and
                m.date <= slip.date_to and
                m.payslip_id.id in (False, slip.id))
            pending -= moves
            # sudo: see _aftersales_pending_moves
            (slip.sudo().aftersales_receivable_move_ids - moves).write(
                {'payslip_id': False})
            moves.write({'payslip_id': slip.id})
            amounts = {
                INPUT_DEDUCTION: sum(moves.filtered(
                    lambda m: m.kind == 'deduction').mapped('amount')),
                INPUT_REFUND: sum(moves.filtered(
                    lambda m: m.kind == 'refund').mapped('amount')),
            }
            for code, amount in amounts.items():
                line = slip.input_line_ids.filtered(lambda i: i.code == code)
                if line:
                    line[0].amount = amount
                elif amount:
                    if not slip.contract_id:
                        raise UserError(_(
                            'Payslip %(slip)s has no contract: choose '
                            'it, so the after-sales receivable entries '
                            'of %(technician)s can go on it.') % {
                            'slip': slip.name or '',
                            'technician': slip.employee_id.name,
                        })
                    slip.input_line_ids = [(0, 0, {
                        'name': names[code], 'code': code, 'amount': amount,
                        'contract_id': slip.contract_id.id})]

    @api.multi
    def compute_sheet(self):
        self._aftersales_attach_receivables()
        return super(HrPayslip, self).compute_sheet()

    @api.multi
    def action_payslip_done(self):
        res = super(HrPayslip, self).action_payslip_done()
        # sudo: see _aftersales_pending_moves
        moves = self.sudo().mapped('aftersales_receivable_move_ids')
        moves.write({'state': 'done'})
        moves._close_refund_todos()
        return res

    @api.multi
    def action_payslip_cancel(self):
        # the entries go to the next payslip
        self.sudo().mapped('aftersales_receivable_move_ids').filtered(
            lambda m: m.state == 'pending').write({'payslip_id': False})
        return super(HrPayslip, self).action_payslip_cancel()
