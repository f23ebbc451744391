# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, html_escape, plaintext2html

from ..common.aftersales_activity_mixin import in_lang
from ..common.aftersales_control_mixin import aftersales_control
from ...tools.actions import wizard_action
from ...tools.early_lock import lock_early

# R25: who hands a loaner unit over or takes it back (the warehouse
# validates the transfers)
LOANER_GROUPS = (
    'aftersales_addon.group_aftersales_customer_service',
    'aftersales_addon.group_aftersales_technician',
    'aftersales_addon.group_aftersales_warehouse',
    'aftersales_addon.group_aftersales_manager',
)
# the work of these orders is not ended: a loaner may still be lent
LOANER_OPEN_STATES = ('draft', 'confirmed', 'ready', 'under_repair')


class MrpRepair(models.Model):
    """The repair order of a service request (R10-R14): the request it
    answers and its urgency, which orders a technician's repairs; the
    loaner unit the customer uses meanwhile (R25); the parts of a
    self-replacement shipped to the customer (R13)."""

    _inherit = 'mrp.repair'
    # R25: the loaner is lent and taken back by the actions only; R13: an
    # order ships its parts to the customer when the technician's solution
    # plan says so, never by a client's choice
    _aftersales_controlled_fields = frozenset([
        'loaner_lot_id', 'loaner_picking_id', 'loaner_return_picking_id',
        'loaner_due_date', 'loaner_user_id', 'aftersales_self_replacement'])

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

    loaner_lot_id = fields.Many2one(
        'stock.production.lot', string='Loaner Unit', readonly=True,
        copy=False, index=True,
        help='The unit lent to the customer while his own is repaired.')
    loaner_picking_id = fields.Many2one(
        'stock.picking', string='Loaner Delivery', readonly=True,
        copy=False)
    loaner_return_picking_id = fields.Many2one(
        'stock.picking', string='Loaner Return', readonly=True, copy=False)
    loaner_user_id = fields.Many2one(
        'res.users', string='Loaner Lent By', readonly=True, copy=False)
    loaner_due_date = fields.Date(
        string='Loaner Due Back', readonly=True, copy=False,
        help='Set when the repair ends: the day the customer is to bring '
             'the loaner back (the company\'s loaner return period after '
             'the end).')
    loaner_state = fields.Selection(
        [('none', 'No Loaner'),
         ('to_lend', 'To Hand Over'),
         ('out', 'With the Customer'),
         ('returned', 'Returned')],
        string='Loaner', compute='_compute_loaner_state', store=True,
        index=True, copy=False,
        help='To Hand Over: the warehouse has not delivered the loaner yet. '
             'With the Customer: delivered, not back yet.')
    loaner_overdue = fields.Boolean(
        compute='_compute_loaner_overdue',
        search='_search_loaner_overdue',
        help='The loaner is still with the customer after its due date.')
    can_lend_loaner = fields.Boolean(compute='_compute_can_loaner')
    can_return_loaner = fields.Boolean(compute='_compute_can_loaner')

    @api.depends('loaner_picking_id.state', 'loaner_return_picking_id.state')
    def _compute_loaner_state(self):
        for repair in self:
            lend = repair.loaner_picking_id
            back = repair.loaner_return_picking_id
            if not lend or lend.state == 'cancel':
                repair.loaner_state = 'none'
            elif lend.state != 'done':
                repair.loaner_state = 'to_lend'
            elif back.state == 'done':
                repair.loaner_state = 'returned'
            else:
                repair.loaner_state = 'out'

    @api.multi
    def _compute_loaner_overdue(self):
        today = self.env.user.company_id._aftersales_today_str()
        for repair in self:
            repair.loaner_overdue = repair.loaner_state == 'out' and \
                bool(repair.loaner_due_date) and \
                repair.loaner_due_date < today

    @api.model
    def _search_loaner_overdue(self, operator, value):
        """R25: the overdue loaners (the company's local date)."""
        if operator not in ('=', '!='):
            raise UserError(_('Unsupported search on overdue loaners.'))
        today = self.env.user.company_id._aftersales_today_str()
        domain = ['&', ('loaner_state', '=', 'out'),
                  ('loaner_due_date', '<', today)]
        return domain if (operator == '=') == bool(value) else \
            ['!'] + domain

    @api.multi
    def _compute_can_loaner(self):
        allowed = self.env.user._aftersales_in(*LOANER_GROUPS) and \
            self.check_access_rights('write', raise_exception=False)
        for repair in self:
            repair.can_lend_loaner = allowed and \
                repair.state in LOANER_OPEN_STATES and \
                repair.loaner_state in ('none', 'returned')
            repair.can_return_loaner = allowed and \
                repair.loaner_state == 'out' and \
                repair.loaner_return_picking_id.state in (
                    False, 'cancel')

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
    # Loaner units (R25)
    # ------------------------------------------------------------------
    @api.multi
    def _aftersales_loaner_location(self):
        """The loaner location of the order's warehouse (made by the
        warehouse's hooks)."""
        self.ensure_one()
        warehouse = self._aftersales_warehouse()
        if not warehouse.aftersales_loaner_location_id:
            # sudo: the location is the warehouse's configuration, made by
            # its own hooks; whoever lends may not make it
            warehouse.sudo()._aftersales_ensure_loaners()
        return warehouse.aftersales_loaner_location_id

    @api.model
    def _aftersales_available_loaners(self, location):
        """The loaner units in ``location`` that may be lent now: in stock
        there, not promised to another order. sudo: the units and their
        stock are the warehouse's; the lender only picks one."""
        quants = self.env['stock.quant'].sudo().search([
            ('location_id', 'child_of', location.id),
            ('lot_id', '!=', False), ('quantity', '>', 0)])
        lots = quants.mapped('lot_id')
        taken = self.sudo().search([
            ('loaner_lot_id', 'in', lots.ids),
            ('loaner_state', 'in', ('to_lend', 'out'))]).mapped(
                'loaner_lot_id')
        return lots - taken

    @api.multi
    def _ensure_can_handle_loaner(self):
        if not self.env.user._aftersales_in(*LOANER_GROUPS):
            raise AccessError(_(
                'Only customer service, the technicians and the warehouse '
                'lend loaner units and take them back.'))
        self.check_access_rights('write')
        self.check_access_rule('write')

    @api.multi
    def _ensure_can_lend_loaner(self, lot):
        """R25: one loaner per order, while the work is not ended; a unit
        already lent (or promised) is not lent again."""
        self.ensure_one()
        self._ensure_can_handle_loaner()
        if self.state not in LOANER_OPEN_STATES:
            raise UserError(_(
                'The work of repair order %s has ended: no loaner is lent '
                'any more.') % self.name)
        if self.loaner_state in ('to_lend', 'out'):
            raise UserError(_(
                'Repair order %(name)s has a loaner already (%(lot)s): '
                'take it back before lending another.') % {
                'name': self.name, 'lot': self.loaner_lot_id.name})
        if not lot:
            raise UserError(_('Choose the loaner unit to lend.'))
        other = self.sudo().search([
            ('loaner_lot_id', '=', lot.id),
            ('loaner_state', 'in', ('to_lend', 'out'))], limit=1)
        if other:
            raise UserError(_(
                'Loaner unit %(lot)s is already lent on repair order '
                '%(other)s: choose another unit.') % {
                'lot': lot.name, 'other': other.name})
        location = self._aftersales_loaner_location()
        if lot not in self._aftersales_available_loaners(location):
            raise UserError(_(
                'Unit %(lot)s is not in %(location)s: only the units kept '
                'there are lent.') % {
                'lot': lot.name, 'location': location.display_name})

    @api.multi
    def _aftersales_lend_loaner(self, lot):
        """R25: lend ``lot`` to the order's customer: a delivery from the
        warehouse's loaner location, which the warehouse validates."""
        self.ensure_one()
        # the unit and the order are serialized first: a second lender of
        # the same unit waits, then sees it lent
        lock_early(self.env, lot, self)
        self._ensure_can_lend_loaner(lot)
        warehouse = self._aftersales_warehouse()
        source = self._aftersales_loaner_location()
        customer = self.partner_id.property_stock_customer or \
            self.env.ref('stock.stock_location_customers')
        # the transfer is linked to the order and the loaner recorded by
        # this action only, after the checks above
        with aftersales_control():
            picking = self._aftersales_loaner_picking(
                warehouse.out_type_id, source, customer, lot)
            self.write({
                'loaner_lot_id': lot.id,
                'loaner_picking_id': picking.id,
                'loaner_return_picking_id': False,
                'loaner_due_date': False,
                'loaner_user_id': self.env.uid,
            })
        self.message_post(body=_(
            'Loaner unit %(lot)s lent; the warehouse hands it over with '
            '%(picking)s.') % {'lot': lot.name, 'picking': picking.name})
        return picking

    @api.multi
    def action_return_loaner(self):
        """R25: the customer brings the loaner back: a receipt into the
        loaner location it left, which the warehouse validates."""
        self.ensure_one()
        lock_early(self.env, self)
        self._ensure_can_handle_loaner()
        if self.loaner_state != 'out':
            raise UserError(_(
                'Repair order %s has no loaner with the customer.')
                % self.name)
        if self.loaner_return_picking_id.state not in (False, 'cancel'):
            raise UserError(_(
                'The return of loaner unit %(lot)s is already waiting for '
                'the warehouse (%(picking)s).') % {
                'lot': self.loaner_lot_id.name,
                'picking': self.loaner_return_picking_id.name})
        lend = self.loaner_picking_id
        warehouse = lend.picking_type_id.warehouse_id or \
            self._aftersales_warehouse()
        with aftersales_control():
            picking = self._aftersales_loaner_picking(
                warehouse.in_type_id, lend.location_dest_id,
                lend.location_id, self.loaner_lot_id)
            self.write({'loaner_return_picking_id': picking.id})
        return picking.get_formview_action()

    @api.multi
    def _aftersales_loaner_picking(self, picking_type, source, destination,
                                   lot):
        """A transfer of the loaner unit ``lot``, linked to this order,
        reserved and prepared; the warehouse validates it."""
        self.ensure_one()
        product = lot.product_id
        picking = self.env['stock.picking'].create({
            'picking_type_id': picking_type.id,
            'location_id': source.id,
            'location_dest_id': destination.id,
            'origin': self.name,
            'partner_id': (self.address_id or self.partner_id).id,
            'aftersales_loaner_repair_id': self.id,
            'move_lines': [(0, 0, {
                'name': _('%(name)s: loaner %(lot)s') % {
                    'name': self.name, 'lot': lot.name},
                'product_id': product.id,
                'product_uom': product.uom_id.id,
                'product_uom_qty': 1.0,
                'location_id': source.id,
                'location_dest_id': destination.id,
                'picking_type_id': picking_type.id,
            })],
        })
        picking.action_confirm()
        picking.action_assign()
        for move_line in picking.move_line_ids:
            vals = {'qty_done': move_line.product_uom_qty or 1.0}
            if move_line.lot_id != lot:
                vals['lot_id'] = lot.id
            move_line.write(vals)
        return picking

    @api.multi
    def _aftersales_loaner_due(self):
        """R25: the loaner is due back when the repair ends (the company's
        loaner return period later); a loaner not handed over yet is no
        longer needed."""
        pending = self.filtered(lambda r: r.loaner_state == 'to_lend')
        if pending:
            # sudo: whoever ends or cancels the order may not cancel the
            # warehouse's transfers
            pending.mapped('loaner_picking_id').sudo().action_cancel()
        out = self.filtered(
            lambda r: r.loaner_state == 'out' and not r.loaner_due_date)
        by_company = {}
        for repair in out:
            company = repair.company_id or self.env.user.company_id
            by_company.setdefault(company, self.browse())
            by_company[company] |= repair
        for company, repairs in by_company.items():
            due = company._aftersales_today() + timedelta(
                days=company.aftersales_request_loaner_grace_days)
            # the due date follows the end of the work, recorded here only
            with aftersales_control():
                repairs.write({'loaner_due_date': fields.Date.to_string(
                    due)})

    @api.multi
    def action_repair_end(self):
        res = super(MrpRepair, self).action_repair_end()
        self._aftersales_loaner_due()
        return res

    @api.multi
    def action_repair_cancel(self):
        res = super(MrpRepair, self).action_repair_cancel()
        self._aftersales_loaner_due()
        return res

    @api.multi
    def action_lend_loaner(self):
        """Open the wizard choosing the loaner unit (R25)."""
        self.ensure_one()
        self._ensure_can_handle_loaner()
        return wizard_action(_('Lend Loaner'),
                             'aftersales.loaner.lend.wizard',
                             repair_id=self.id)

    @api.model
    def _cron_loaner_overdue(self):
        """R25: a to-do for whoever lent each overdue loaner (else the
        order's technician), once per loaner; closed when it is back."""
        overdue = self.search([('loaner_overdue', '=', True)])
        if not overdue:
            return
        noted = set(self.env['mail.activity'].sudo().search([
            ('res_model', '=', self._name), ('res_id', 'in', overdue.ids),
            ('aftersales_key', '=', 'loaner_overdue')]).mapped('res_id'))
        pairs = [(repair, repair.loaner_user_id or repair.technician_id)
                 for repair in overdue if repair.id not in noted]
        pairs = [(repair, user) for repair, user in pairs if user]
        if pairs:
            self._aftersales_schedule_activities(
                pairs,
                lambda r: _('Loaner %(lot)s of %(name)s is overdue') % {
                    'lot': r.loaner_lot_id.name, 'name': r.name},
                key='loaner_overdue')

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
