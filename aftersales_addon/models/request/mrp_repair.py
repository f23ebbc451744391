# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.tools import float_compare, html_escape, plaintext2html

from ..common.aftersales_activity_mixin import in_lang


class MrpRepair(models.Model):
    """The repair order of a service request (R10-R14): the request it
    answers and its urgency, which orders a technician's repairs; the
    parts of a self-replacement shipped to the customer (R13)."""

    _inherit = 'mrp.repair'
    # R13: an order ships its parts to the customer when the technician's
    # solution plan says so, never by a client's choice
    _aftersales_controlled_fields = frozenset(['aftersales_self_replacement'])

    ticket_id = fields.Many2one(
        'helpdesk.ticket', string='Service Request', index=True,
        readonly=True, copy=False, ondelete='restrict',
        help='The request this repair order answers.')

    urgency = fields.Selection(
        related='ticket_id.urgency', store=True, readonly=True,
        string='Urgency')

    urgency_rank = fields.Integer(
        compute='_compute_urgency_rank', store=True, index=True,
        help='Urgent first, then important, then normal: the order of a '
             'technician\'s repairs.')

    aftersales_solution_type = fields.Selection(
        related='ticket_id.aftersales_solution_type', readonly=True,
        string='Solution')

    aftersales_self_replacement = fields.Boolean(
        string='Self-Replacement', readonly=True, copy=False,
        help='The parts of this order are shipped to the customer, who '
             'fits them; warranty parts owe their old part from the '
             'shipment on, sent back by courier.')

    @api.depends('urgency')
    def _compute_urgency_rank(self):
        ranks = {'urgent': 0, 'important': 1}
        for repair in self:
            repair.urgency_rank = ranks.get(repair.urgency, 2)

    @api.multi
    def action_view_ticket(self):
        self.ensure_one()
        return self.ticket_id.get_formview_action()

    @api.model
    def create(self, vals):
        if vals.get('ticket_id') and not vals.get('fault_symptom'):
            vals = dict(vals, fault_symptom=self.env['helpdesk.ticket'].browse(
                vals['ticket_id']).fault_symptom)
        return super(MrpRepair, self).create(vals)

    @api.multi
    def _aftersales_should_govern(self):
        """The order of a service request is an after-sales order."""
        return bool(self.ticket_id) or super(
            MrpRepair, self)._aftersales_should_govern()

    # ------------------------------------------------------------------
    # Self-replacement (R13): the parts go to the customer
    # ------------------------------------------------------------------
    @api.multi
    def _parts_locations(self, kind, picking_type):
        """R13: the parts of a self-replacement are issued to the
        customer's location (shipped), and unused ones come back from
        there."""
        source, dest = super(MrpRepair, self)._parts_locations(
            kind, picking_type)
        if not self.aftersales_self_replacement:
            return source, dest
        customer = (self.partner_id.property_stock_customer
                    or self.env.ref('stock.stock_location_customers'))
        if kind == 'issue':
            return source, customer
        return customer, dest

    @api.multi
    def _aftersales_parts_shipped(self, moves):
        """R13, R40, R46: parts of a self-replacement left the warehouse
        (``moves``, done): each warranty part line now shipped in full owes
        its old part, returned by courier (the recovery pillar's own
        obligation, from the shipment on), and the customer gets the
        assembly notes with the parts."""
        Recovery = self.env['aftersales.part.recovery']
        for repair in self.filtered('aftersales_self_replacement'):
            lines = moves.filtered(
                lambda m: m.aftersales_repair_line_id.repair_id == repair
            ).mapped('aftersales_repair_line_id')
            shipped = lines.filtered(lambda line: float_compare(
                line.qty_issued, line.product_uom_qty,
                precision_rounding=line.product_uom.rounding) >= 0)
            recoveries = Recovery._create_for_repairs(repair, lines=shipped)
            repair._aftersales_send_assembly_notes(
                moves.filtered(lambda m: m.aftersales_repair_line_id in lines),
                recoveries)

    @api.multi
    def _aftersales_send_assembly_notes(self, moves, recoveries):
        """R13: the message to the customer with the parts shipped, the
        assembly notes and their documents attached, the responsibility
        the customer accepted, and the old parts to send back (R46). In
        the customer's language; posted on the request (else the order)
        for the customer, so it is e-mailed."""
        self.ensure_one()
        ticket = self.ticket_id
        customer = self.partner_id
        document = ticket or self
        to_return = recoveries.filtered(lambda r: r.state == 'to_return')
        subject, body = in_lang(self, customer.lang, lambda repair: repair
                                ._aftersales_assembly_body(moves, to_return))
        attachments = ticket.sudo().aftersales_assembly_attachment_ids
        # sudo: the warehouse shipping the parts may not post on the
        # request; the message is the shipment's notice to the customer,
        # signed by the user who shipped
        document.sudo().message_post(
            body=body, subject=subject,
            message_type='comment', subtype='mail.mt_comment',
            author_id=self.env.user.partner_id.id,
            partner_ids=customer.ids, attachment_ids=attachments.ids)

    @api.multi
    def _aftersales_assembly_body(self, moves, to_return):
        """The subject and text of the shipment's message (see
        ``_aftersales_send_assembly_notes``), in this record's
        language."""
        self.ensure_one()
        ticket = self.ticket_id.sudo()
        parts = ''.join('<li>%s × %s</li>' % (
            html_escape(move.product_id.display_name),
            '%g' % move.product_uom_qty) for move in moves)
        body = '<p>%s</p><ul>%s</ul>' % (html_escape(_(
            'The parts of repair order %s were shipped to you, for you to '
            'fit them yourself:') % self.name), parts)
        if ticket.aftersales_assembly_notes:
            body += '<p><strong>%s</strong></p>%s' % (
                html_escape(_('Assembly notes')),
                plaintext2html(ticket.aftersales_assembly_notes))
        if ticket.aftersales_self_replace_accepted:
            body += '<p>%s</p>' % html_escape(_(
                'As agreed with you (%(who)s, %(date)s), damage caused by '
                'fitting the parts wrongly is borne by you.') % {
                'who': ticket.aftersales_self_replace_accepted_by or
                self.partner_id.name,
                'date': (ticket.company_id or self.company_id)
                ._aftersales_local_date(
                    ticket.aftersales_self_replace_accepted_date) or '',
            })
        if to_return:
            body += '<p>%s</p><ul>%s</ul>' % (html_escape(_(
                'Please send the replaced old parts back to us by courier '
                'by %s:') % min(to_return.mapped('due_date'))), ''.join(
                '<li>%s × %s</li>' % (html_escape(
                    recovery.product_id.display_name),
                    '%g' % recovery.quantity) for recovery in to_return))
        return _('Parts shipped: %s') % self.name, body
