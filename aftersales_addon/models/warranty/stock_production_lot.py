# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

WARRANTY_STATES = [
    ('in', 'In warranty'),
    ('out', 'Out of warranty'),
    ('excluded', 'Excluded'),
    ('unknown', 'Unknown - ask the customer for proof of purchase'),
]
# R30: what the warranty start of a unit sold before the system is made
# from: the customer's proof of purchase, entered by
# customer service (tracked), never by the technician who repairs it
PROOF_FIELDS = frozenset([
    'warranty_start_manual', 'warranty_customer_id', 'acceptance_date'])
PROOF_GROUPS = (
    'aftersales_addon.group_aftersales_customer_service',
)
EARLY_FAILURES = [
    ('doa', 'Dead on arrival'),
    ('quality', 'Quality failure'),
]


class StockProductionLot(models.Model):
    """A sold unit's serial carries its warranty start (R30)."""

    _inherit = 'stock.production.lot'

    warranty_start_manual = fields.Date(
        string='Warranty Start (manual)', track_visibility='onchange',
        help='For units sold before the system: the date the warranty '
             'started, from the customer\'s proof of purchase. Used when no '
             'delivery of this serial to a customer is recorded.')
    warranty_customer_id = fields.Many2one(
        'res.partner', string='Owner (before the system)',
        track_visibility='onchange',
        help='Customer owning a unit sold before the system, when no '
             'delivery is recorded.')
    acceptance_date = fields.Date(
        string='Customer Acceptance', track_visibility='onchange',
        help='Date the customer accepted the unit; rules counting from '
             'acceptance use it when recorded.')
    delivery_date = fields.Date(
        string='Delivered On', compute='_compute_warranty',
        help='First date this serial left the company to a customer.')
    warranty_state = fields.Selection(
        WARRANTY_STATES, string='Warranty', compute='_compute_warranty')
    warranty_rule_id = fields.Many2one(
        'aftersales.warranty.rule', string='Warranty Rule',
        compute='_compute_warranty')
    warranty_start_date = fields.Date(
        string='Warranty Start', compute='_compute_warranty')
    warranty_end_date = fields.Date(
        string='Warranty End', compute='_compute_warranty')

    @api.model
    def _check_proof_fields(self, vals):
        """R30: the proof of purchase is entered by customer service (the
        manager is in it) only."""
        if not PROOF_FIELDS.intersection(vals):
            return
        user = self.env.user
        if user._aftersales_in(*PROOF_GROUPS) or \
                not user._aftersales_is_department_user():
            return
        raise AccessError(_(
            'Only customer service enters the warranty start, owner or '
            'acceptance of a unit (from the customer\'s proof of '
            'purchase).'))

    @api.model
    def create(self, vals):
        self._check_proof_fields(vals)
        return super(StockProductionLot, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_proof_fields(vals)
        return super(StockProductionLot, self).write(vals)

    @api.multi
    def _delivery_dates(self):
        """First date each serial left the company to a customer (its
        outgoing move), in one query. Returns {lot id: date}."""
        if not self.ids:
            return {}
        self.env.cr.execute("""
            SELECT ml.lot_id, MIN(ml.date)
              FROM stock_move_line ml
              JOIN stock_location dest ON dest.id = ml.location_dest_id
              JOIN stock_location src ON src.id = ml.location_id
             WHERE ml.lot_id IN %s
               AND ml.state = 'done'
               AND dest.usage = 'customer'
               AND src.usage != 'customer'
          GROUP BY ml.lot_id
        """, (tuple(self.ids),))
        # R30: the day of the delivery in the company's time zone (a unit
        # delivered at 07:00 in Beijing left on that day, not the UTC one)
        company = self.env.user.company_id
        return {lot_id: company._aftersales_local_date(date)
                for lot_id, date in self.env.cr.fetchall()}

    @api.multi
    def _warranty_status(self, date, rules=None):
        """R30-R32: warranty status of each serial on ``date`` (a date, or a
        dict {lot id: date}), set-based: one query for the delivery dates,
        one search for the rules.

        Returns {lot id: dict(state, rule, tier, start, end, early_failure)}.
        A serial whose start is unknown is 'unknown', never 'in' (R30)."""
        if rules is None:
            rules = self.env['aftersales.warranty.rule']._match_products(
                self.mapped('product_id'))
        deliveries = self._delivery_dates()
        company = self.env.user.company_id
        result = {}
        for lot in self:
            on_date = date.get(lot.id) if isinstance(date, dict) else date
            rule = rules.get(lot.product_id.id)
            start = None
            if rule and rule.start_event == 'acceptance' and \
                    lot.acceptance_date:
                start = fields.Date.from_string(lot.acceptance_date)
            if not start:
                start = deliveries.get(lot.id)
            if not start and lot.warranty_start_manual:
                start = fields.Date.from_string(lot.warranty_start_manual)
            status = {'rule': rule, 'start': start, 'end': None,
                      'tier': self.env['aftersales.warranty.tier'],
                      'early_failure': False,
                      'delivery': deliveries.get(lot.id)}
            if not rule:
                status['state'] = 'out'
            elif not start:
                status['state'] = 'unknown'
            else:
                status['end'] = rule._end_date(start)
                status['tier'] = rule._tier_at(start, on_date)
                status['state'] = 'in' if status['tier'] else 'out'
                status['early_failure'] = self._early_failure(
                    start, on_date, company)
            result[lot.id] = status
        return result

    @api.model
    def _early_failure(self, start, date, company):
        """R32: 'doa' when the failure comes within the dead-on-arrival
        window of the warranty start, 'quality' within the quality-failure
        window, else False. Both windows are company settings; the day the
        window ends is included."""
        age = date - start
        if timedelta(0) <= age <= timedelta(
                days=company.aftersales_warranty_doa_days):
            return 'doa'
        if timedelta(0) <= age <= timedelta(
                days=company.aftersales_warranty_quality_failure_days):
            return 'quality'
        return False

    @api.multi
    def _compute_warranty(self):
        today = self.env.user.company_id._aftersales_today()
        statuses = self._warranty_status(today)
        for lot in self:
            status = statuses[lot.id]
            lot.delivery_date = status['delivery']
            lot.warranty_state = status['state']
            lot.warranty_rule_id = status['rule']
            lot.warranty_start_date = status['start']
            lot.warranty_end_date = status['end']

    @api.multi
    def action_view_warranty_rule(self):
        self.ensure_one()
        if not self.warranty_rule_id:
            return False
        return self.warranty_rule_id.get_formview_action()

    @api.model
    def _lots_of_customer(self, partner):
        """Serials delivered to ``partner`` (or its contacts), by a sale's
        delivery (the transfer's partner) or any other move to them, plus
        the units recorded as theirs before the system (R30)."""
        commercial = partner.commercial_partner_id.id
        lines = self.env['stock.move.line'].search([
            ('lot_id', '!=', False), ('state', '=', 'done'),
            ('location_dest_id.usage', '=', 'customer'),
            ('location_id.usage', '!=', 'customer'),
            '|', ('picking_id.partner_id', 'child_of', commercial),
            ('move_id.partner_id', 'child_of', commercial)])
        return lines.mapped('lot_id') | self.search(
            [('warranty_customer_id', 'child_of', commercial)])

    @api.multi
    def _delivered_partners(self):
        """The customer each serial was last delivered to (the commercial
        entity of the transfer's or the move's partner), else its owner
        recorded before the system; one query. Returns {lot id: partner}."""
        if not self.ids:
            return {}
        self.env.cr.execute("""
            SELECT DISTINCT ON (ml.lot_id)
                   ml.lot_id, COALESCE(pick.partner_id, move.partner_id)
              FROM stock_move_line ml
              JOIN stock_move move ON move.id = ml.move_id
              LEFT JOIN stock_picking pick ON pick.id = ml.picking_id
              JOIN stock_location dest ON dest.id = ml.location_dest_id
              JOIN stock_location src ON src.id = ml.location_id
             WHERE ml.lot_id IN %s
               AND ml.state = 'done'
               AND dest.usage = 'customer'
               AND src.usage != 'customer'
               AND COALESCE(pick.partner_id, move.partner_id) IS NOT NULL
          ORDER BY ml.lot_id, ml.date DESC, ml.id DESC
        """, (tuple(self.ids),))
        Partner = self.env['res.partner']
        result = {lot_id: Partner.browse(partner_id).commercial_partner_id
                  for lot_id, partner_id in self.env.cr.fetchall()}
        for lot in self:
            if lot.id not in result and lot.warranty_customer_id:
                result[lot.id] = lot.warranty_customer_id
        return result
