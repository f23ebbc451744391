# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape

from ...tools.actions import wizard_action


class AftersalesReceivableStatementLine(models.Model):
    """One order on a technician's statement, with its age (R51)."""

    _name = 'aftersales.receivable.statement.line'
    _inherit = 'aftersales.control.mixin'
    # R51: made by the monthly statement, disputed and answered by its
    # actions only
    _aftersales_editable_fields = frozenset()
    _description = 'Technician Receivable Statement Line'
    _order = 'statement_id, age_days desc, id'

    statement_id = fields.Many2one('aftersales.receivable.statement',
                                   required=True, ondelete='cascade',
                                   index=True, readonly=True)
    currency_id = fields.Many2one(related='statement_id.currency_id',
                                  readonly=True)
    receivable_id = fields.Many2one('aftersales.technician.receivable',
                                    required=True, readonly=True)
    origin = fields.Char(related='receivable_id.origin', readonly=True)
    partner_id = fields.Many2one(related='receivable_id.partner_id',
                                 readonly=True)
    opening = fields.Monetary(readonly=True)
    new_amount = fields.Monetary(string='New', readonly=True)
    paid = fields.Monetary(string='Customer Payments', readonly=True)
    deducted = fields.Monetary(readonly=True)
    refunded = fields.Monetary(readonly=True)
    closing = fields.Monetary(readonly=True)
    age_days = fields.Integer(string='Age (days)', readonly=True,
                              help='Days from the vouching to the end of '
                                   'the period.')
    state = fields.Selection(
        [('ok', 'Agreed'), ('disputed', 'Disputed'),
         ('resolved', 'Answered')], default='ok', readonly=True)
    dispute_note = fields.Text(string='Dispute', readonly=True)

    @api.multi
    def action_dispute(self, note):
        """R51: the technician disputes this line with a comment; Finance
        gets an activity."""
        if not note or not note.strip():
            raise UserError(_('Say what is wrong with the line.'))
        self.mapped('statement_id')._check_is_technician_of()
        # sudo: technicians only read statements; disputing is theirs
        self.sudo().write({'state': 'disputed', 'dispute_note': note})
        statements = self.sudo().mapped('statement_id')
        statements.write({'state': 'disputed'})
        for statement in statements:
            # the technician's words are text, never markup
            statement.message_post(body=_(
                'Disputed %(items)s: %(note)s') % {
                'items': html_escape(', '.join(self.filtered(
                    lambda line: line.statement_id == statement).mapped(
                        'receivable_id.name'))),
                'note': html_escape(note),
            })
            statement._aftersales_schedule_activity(
                statement._aftersales_finance_users(statement.company_id),
                lambda self: _('Statement disputed by %s')
                % self.employee_id.name,
                note=html_escape(note), key='statement_disputed')
        return True

    @api.multi
    def action_open_dispute(self):
        self.ensure_one()
        return wizard_action(
            _('Dispute a Statement Line'),
            'aftersales.statement.dispute.wizard',
            line_id=self.id)
