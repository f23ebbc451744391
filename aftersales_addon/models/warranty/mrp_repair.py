# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html_escape

from ..common.aftersales_control_mixin import aftersales_control
from .stock_production_lot import EARLY_FAILURES, WARRANTY_STATES
from ...tools.actions import wizard_action

# R33: the warranty decision is written by the decision itself or by the
# technical department's override, never typed in.
WARRANTY_DECISION_FIELDS = frozenset([
    'warranty_state', 'warranty_rule_id', 'warranty_tier_id',
    'warranty_start_date', 'warranty_end_date', 'warranty_early_failure',
    'warranty_override', 'warranty_override_reason', 'service_type',
])
# R30/R33: what the decision was made from; after the decision it changes
# only through the technical department's override.
DECISION_BASIS_FIELDS = frozenset(['failure_date', 'lot_id', 'product_id'])
TECHNICAL_GROUP = 'aftersales_addon.group_aftersales_technical'
# R33: the decisions made by a confirmation, recorded by the confirmation's
# own write of the state (server-side only: a flag of the thread, never
# the context)
_CONFIRMING = threading.local()


@contextmanager
def _confirming_with(decisions):
    """While Odoo confirms, its write of the state records ``decisions``
    ({repair id: decision values}) too: one write, one tracked change."""
    previous = getattr(_CONFIRMING, 'decisions', None)
    _CONFIRMING.decisions = decisions
    try:
        yield
    finally:
        _CONFIRMING.decisions = previous


class MrpRepair(models.Model):
    """The warranty decision of a repair order (R30-R33) and the price of
    its lines that follows from it (R90, R91)."""

    _inherit = 'mrp.repair'
    _aftersales_controlled_fields = WARRANTY_DECISION_FIELDS

    failure_date = fields.Date(
        string='Failure Reported On', copy=False,
        default=lambda self: self.env.user.company_id._aftersales_today_str(),
        track_visibility='onchange',
        help='The warranty is evaluated on this date (the day the '
             'customer reported the fault).')

    warranty_state = fields.Selection(
        WARRANTY_STATES, string='Warranty Decision', readonly=True,
        copy=False, track_visibility='onchange',
        help='Decided when the order is confirmed; drives the price '
             'of every line. Only the technical department overrides it.')

    warranty_rule_id = fields.Many2one(
        'aftersales.warranty.rule', string='Warranty Rule', readonly=True,
        copy=False)

    warranty_tier_id = fields.Many2one(
        'aftersales.warranty.tier', string='Warranty Tier', readonly=True,
        copy=False, track_visibility='onchange')

    warranty_start_date = fields.Date(
        string='Warranty Start', readonly=True, copy=False)

    warranty_end_date = fields.Date(
        string='Warranty End', readonly=True, copy=False)

    warranty_early_failure = fields.Selection(
        EARLY_FAILURES, string='Early Failure', readonly=True, copy=False,
        help='Within the dead-on-arrival or quality-failure window the '
             'unit is repaired first; the customer may have it exchanged or '
             'returned when it cannot be repaired.')

    warranty_exclusion = fields.Selection(
        [('human', 'Human damage'),
         ('disassembly', 'Unauthorised disassembly'),
         ('modification', 'Unauthorised modification')],
        track_visibility='onchange', copy=False,
        help='Recorded by the technician at diagnosis (attach photos '
             'to the order); the repair is then charged.')

    warranty_exclusion_note = fields.Text(string='Exclusion Details',
                                          copy=False)

    # not tracked: Odoo 11's chatter shows a tracked boolean as "true";
    # the override posts who changed what, and why
    warranty_override = fields.Boolean(
        string='Decision Overridden', readonly=True, copy=False)

    warranty_override_reason = fields.Text(
        string='Override Reason', readonly=True, copy=False,
        track_visibility='onchange')

    service_type = fields.Selection(
        [('paid', 'Paid'), ('contract', 'Contract'),
         ('free_warranty', 'Free warranty'), ('internal', 'Internal')],
        compute='_compute_service_type', store=True,
        help='Internal for the company\'s own units, contract for '
             'customers under a service contract, free warranty when the '
             'warranty covers every line (deposits included), else paid.')

    @api.depends('warranty_state', 'partner_id',
                 'partner_id.commercial_partner_id.'
                 'aftersales_service_contract',
                 'company_id.partner_id', 'operations.warranty_coverage',
                 'fees_lines.warranty_coverage')
    def _compute_service_type(self):
        """R91: the service type follows from the customer and the warranty
        decision."""
        for repair in self:
            customer = repair.partner_id.commercial_partner_id
            coverages = repair.operations.filtered(
                lambda ln: ln.type == 'add').mapped('warranty_coverage') + \
                repair.fees_lines.mapped('warranty_coverage')
            if customer and customer == \
                    repair.company_id.partner_id.commercial_partner_id:
                repair.service_type = 'internal'
            elif customer.aftersales_service_contract:
                repair.service_type = 'contract'
            elif repair.warranty_state == 'in' and all(
                    cov in ('free', 'deposit') for cov in coverages):
                repair.service_type = 'free_warranty'
            else:
                repair.service_type = 'paid'

    can_override_warranty = fields.Boolean(
        compute='_compute_can_warranty_flags',
        help='The technical department may override this decision now.')

    can_recheck_warranty = fields.Boolean(
        compute='_compute_can_warranty_flags',
        help='A technician may decide the warranty again now.')

    @api.multi
    def _compute_can_warranty_flags(self):
        technical = self.env.user._aftersales_in(TECHNICAL_GROUP)
        rechecks = self._can_recheck_warranty() and \
            self.check_access_rights('write', raise_exception=False)
        for repair in self:
            open_decision = bool(repair.warranty_state) and \
                repair.state not in ('done', 'cancel') and \
                not repair.invoiced
            repair.can_override_warranty = technical and open_decision
            repair.can_recheck_warranty = rechecks and open_decision and \
                not repair.warranty_override

    @api.multi
    def _aftersales_controlled_in(self, vals, creating=False):
        """R33: once the warranty is decided, the failure date, the unit
        and its serial change only through the override."""
        names = super(MrpRepair, self)._aftersales_controlled_in(
            vals, creating=creating)
        if not creating and any(repair.warranty_state for repair in self):
            names |= DECISION_BASIS_FIELDS.intersection(vals)
        return names

    @api.multi
    def write(self, vals):
        decisions = getattr(_CONFIRMING, 'decisions', None)
        if decisions and vals.get('state') in ('confirmed', '2binvoiced') \
                and any(repair.id in decisions for repair in self):
            return self._write_with_decisions(vals, decisions)
        res = super(MrpRepair, self).write(vals)
        if 'warranty_exclusion' in vals:
            # R31: an exclusion recorded after confirmation re-decides
            self.filtered(lambda r: r.warranty_state)._decide_warranty()
        return res

    @api.multi
    def _write_with_decisions(self, vals, decisions):
        """The confirmation's write of the state, with each order's
        decision (R33): the chatter shows one tracked change, state and
        decision together. One write per distinct decision."""
        groups = {}
        for repair in self:
            key = tuple(sorted(decisions.get(repair.id, {}).items()))
            groups[key] = groups.get(key, self.browse()) | repair
        # the decision is written by the decision only (R33), made by the
        # confirmation that runs this write
        with aftersales_control():
            for key, repairs in groups.items():
                super(MrpRepair, repairs).write(dict(vals, **dict(key)))
        return True

    @api.multi
    def action_repair_confirm(self):
        """R33: the warranty is decided when the order is confirmed: the
        decision is recorded by the confirmation's own write (one tracked
        change), then every line is priced from it."""
        self._ensure_can_confirm()
        repairs = self.filtered(
            lambda r: r.aftersales_governed and not r.warranty_override)
        if not repairs:
            return super(MrpRepair, self).action_repair_confirm()
        decisions = repairs._warranty_decisions()
        # order totals and service type are recomputed once, at the end
        with self.env.norecompute():
            with _confirming_with(decisions):
                res = super(MrpRepair, self).action_repair_confirm()
            repairs._apply_warranty_coverage()
        self.recompute()
        return res

    @api.multi
    def _ensure_can_override_warranty(self):
        """R33: only the technical department overrides, while the order is
        open and not invoiced."""
        if not self.env.user._aftersales_in(TECHNICAL_GROUP):
            raise AccessError(_('Only the technical department may '
                                'override a warranty decision.'))
        for repair in self:
            if repair.state in ('done', 'cancel') or repair.invoiced:
                raise UserError(_(
                    'The warranty decision of %s can no longer change: the '
                    'order is finished or invoiced.') % repair.name)

    @api.model
    def _can_recheck_warranty(self):
        """R33: customer service (who enters the proof of purchase),
        technicians and the technical department decide again on the same
        facts; the failure date is no longer theirs to change."""
        user = self.env.user
        return self._can_edit_diagnosis() or user.has_group(
            'aftersales_addon.group_aftersales_customer_service')

    @api.multi
    def _ensure_can_recheck_warranty(self):
        """R33: see ``_can_recheck_warranty``; an overridden decision
        stays as the technical department set it."""
        if not self._can_recheck_warranty():
            raise AccessError(_('Only customer service, technicians and the '
                                'technical department may decide the '
                                'warranty again.'))
        for repair in self:
            if repair.state in ('done', 'cancel') or repair.invoiced:
                raise UserError(_('A finished, cancelled or invoiced order '
                                  'keeps its warranty decision.'))
            if repair.warranty_override:
                raise UserError(_(
                    'The warranty decision of %s was overridden by the '
                    'technical department; only an override changes it.')
                    % repair.name)

    @api.multi
    def action_override_warranty(self):
        """R33: open the override wizard (Technical department)."""
        self.ensure_one()
        self._ensure_can_override_warranty()
        return wizard_action(
            _('Override Warranty Decision'),
            'aftersales.warranty.override.wizard',
            repair_id=self.id)

    @api.multi
    def _ensure_override_changes(self, warranty_state, rule, tier,
                                 failure_date, redecide):
        """R33: an override changes something: the decision, its tier or
        the failure date (or decides again at a corrected date)."""
        self.ensure_one()
        if redecide:
            return
        date_changes = bool(failure_date) and \
            failure_date != self.failure_date
        if warranty_state != 'in':
            tier = self.env['aftersales.warranty.tier']
        if not date_changes and warranty_state == self.warranty_state and \
                tier == self.warranty_tier_id and \
                (rule == self.warranty_rule_id or warranty_state != 'in'):
            raise UserError(_(
                'The override changes nothing: %s already has this decision. '
                'Choose another decision, another tier or correct the failure '
                'date.') % self.name)

    @api.multi
    def _ensure_override_complete(self, reason, warranty_state, tier,
                                  redecide):
        """R33: an override gives its reason and a complete decision."""
        if not (reason or '').strip():
            raise UserError(_('Give the reason of the override.'))
        if not redecide and not warranty_state:
            raise UserError(_('Choose the new decision, or decide again at '
                              'the corrected date.'))
        if not redecide and warranty_state == 'in' and not tier:
            raise UserError(_('Choose the tier whose coverage applies.'))

    @api.multi
    def _override_warranty(self, reason, warranty_state=False, rule=None,
                           tier=None, failure_date=False, redecide=False):
        """R33: the technical department overrides the decision: a new
        decision chosen by hand, or a corrected failure date decided again
        by the rules; both tracked, with the reason, in the chatter."""
        self.ensure_one()
        rule = rule or self.env['aftersales.warranty.rule']
        tier = tier or self.env['aftersales.warranty.tier']
        self._ensure_can_override_warranty()
        self._ensure_override_complete(reason, warranty_state, tier,
                                       redecide)
        self._ensure_override_changes(warranty_state, rule, tier,
                                      failure_date, redecide)
        selection = dict(self._fields['warranty_state']
                         ._description_selection(self.env))
        old = selection.get(self.warranty_state) or _('none')
        old_tier = self.warranty_tier_id.display_name
        old_date = self.failure_date
        new_date = failure_date or old_date
        # the override is the technical department's path for the decision
        # and what it was made from (checked just above)
        with aftersales_control():
            if new_date != old_date:
                self.write({'failure_date': new_date})
            if redecide:
                self.write({'warranty_override': False})
                self._decide_warranty()
                self.write({'warranty_override': True,
                            'warranty_override_reason': reason})
            else:
                self.write({
                    'warranty_state': warranty_state,
                    'warranty_rule_id': rule.id,
                    'warranty_tier_id': warranty_state == 'in' and tier.id,
                    'warranty_override': True,
                    'warranty_override_reason': reason,
                })
                self._apply_warranty_coverage()
        self._post_override_message(reason, old, old_tier, old_date,
                                    selection)

    @api.multi
    def _post_override_message(self, reason, old, old_tier, old_date,
                               selection):
        new_tier = self.warranty_tier_id.display_name
        body = _(
            'Warranty decision overridden by %(user)s: %(old)s &rarr; '
            '%(new)s. Reason: %(reason)s') % {
            'user': html_escape(self.env.user.name),
            'old': old,
            'new': selection[self.warranty_state],
            'reason': html_escape(reason),
        }
        if new_tier != old_tier:
            body += '<br/>' + _(
                'Tier: %(old_tier)s &rarr; %(new_tier)s') % {
                'old_tier': html_escape(old_tier or _('none')),
                'new_tier': html_escape(new_tier or _('none')),
            }
        if self.failure_date != old_date:
            body += '<br/>' + _(
                'Failure reported on: %(old_date)s &rarr; %(new_date)s') % {
                'old_date': old_date,
                'new_date': self.failure_date,
            }
        self.message_post(body=body)

    @api.multi
    def action_recheck_warranty(self):
        """Decide again, e.g. after the customer's proof of purchase gave the
        serial its start date (technicians and the technical department)."""
        self._ensure_can_recheck_warranty()
        self._decide_warranty()
        return True

    @api.multi
    def _decide_warranty(self):
        """R30-R33: decide in / out of warranty / excluded / unknown for
        each order (overridden decisions are kept), store the rule, tier,
        start and end, and price every line from it. Set-based: the number
        of queries does not grow with the number of lines."""
        repairs = self.filtered(lambda r: not r.warranty_override)
        if not repairs:
            return
        # order totals and service type are recomputed once, at the end
        with self.env.norecompute():
            repairs._decide_warranty_no_recompute()
        self.recompute()

    @api.multi
    def _decide_warranty_no_recompute(self):
        # the decision is written by the decision only (R33); the user
        # whose action made it stays the author of the tracked change
        with aftersales_control():
            for repair_id, vals in self._warranty_decisions().items():
                self.browse(repair_id).write(vals)
        self._apply_warranty_coverage()

    @api.multi
    def _warranty_decisions(self):
        """R30-R32: the decision of each order, not written: {repair id:
        values of the decision fields}. Set-based: one rule search and one
        query for the serials' deliveries, whatever the number of
        orders."""
        repairs = self
        result = {}
        rules = self.env['aftersales.warranty.rule']._match_products(
            repairs.mapped('product_id'))
        lots = repairs.mapped('lot_id')
        statuses = lots._warranty_status(
            {r.lot_id.id: fields.Date.from_string(r.failure_date)
             or (r.company_id or self.env.user.company_id)._aftersales_today()
             for r in repairs if r.lot_id}, rules=rules)
        for repair in repairs:
            status = statuses.get(repair.lot_id.id) or {
                'rule': rules.get(repair.product_id.id),
                'state': 'unknown' if rules.get(repair.product_id.id)
                else 'out',
                'tier': self.env['aftersales.warranty.tier'],
                'start': None, 'end': None, 'early_failure': False}
            state = status['state']
            if repair.warranty_exclusion and state in ('in', 'unknown'):
                state = 'excluded'
            result[repair.id] = {
                'warranty_state': state,
                'warranty_rule_id': status['rule'].id,
                'warranty_tier_id': state == 'in' and status['tier'].id,
                'warranty_start_date': fields.Date.to_string(
                    status['start']) if status['start'] else False,
                'warranty_end_date': fields.Date.to_string(
                    status['end']) if status['end'] else False,
                'warranty_early_failure': status['early_failure'],
            }
        return result

    @api.multi
    def _line_coverage(self, kind):
        """R33: what the customer pays for a ``kind`` ('parts' or 'labour')
        line of this order: 'free' in warranty when the tier covers it,
        else 'charged'; None before the decision."""
        self.ensure_one()
        if not self.warranty_state:
            return None
        if self.warranty_state == 'in' and self.warranty_tier_id:
            return self.warranty_tier_id[kind + '_coverage']
        return 'charged'

    @api.multi
    def _price_list_for(self, kind):
        """R90: the company's parts price list or labour rates, else the
        order's price list."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        pricelist = company.aftersales_repair_parts_pricelist_id \
            if kind == 'parts' else \
            company.aftersales_repair_labour_pricelist_id
        return pricelist or self.pricelist_id

    @api.multi
    def _apply_warranty_coverage(self, lines=None):
        """Write the coverage and the price of every line of the orders (or
        of ``lines``) from the decision: one price computation per price
        list and one UPDATE per line table, whatever the number of lines."""
        for model, kind in (('mrp.repair.line', 'parts'),
                            ('mrp.repair.fee', 'labour')):
            targets = lines.filtered(lambda line: line._name == model) \
                if lines is not None else \
                self.mapped('operations' if model == 'mrp.repair.line'
                            else 'fees_lines')
            if model == 'mrp.repair.line':
                targets = targets.filtered(lambda line: line.type == 'add')
            if targets:
                self.env[model]._write_coverage(targets, kind)
        if self.env.recompute:
            self.recompute()
