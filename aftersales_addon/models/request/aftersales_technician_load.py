# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools

# the open states of a repair order: the work is not ended yet
OPEN_REPAIR_STATES = ('draft', 'confirmed', 'ready', 'under_repair')


class AftersalesTechnicianLoad(models.Model):
    """The dispatch board (R14): one row per technician with his open
    work, read from the requests and repair orders by one SQL view. A
    request counts until its repair order exists, then the order counts
    until its work ends; an urgent one weighs the company's setting."""

    _name = 'aftersales.technician.load'
    _description = 'Technician Workload'
    _auto = False
    _order = 'workload, user_id'

    user_id = fields.Many2one('res.users', string='Technician',
                              readonly=True)
    company_id = fields.Many2one('res.company', string='Company',
                                 readonly=True)
    open_request_count = fields.Integer(
        string='Open Requests', readonly=True,
        help='Requests dispatched to him, not closed, without a repair '
             'order yet.')
    open_repair_count = fields.Integer(
        string='Open Repairs', readonly=True,
        help='Repair orders assigned to him whose work has not ended.')
    urgent_count = fields.Integer(string='Urgent', readonly=True)
    workload = fields.Float(
        readonly=True, digits=(16, 1),
        help='Open requests and repairs, an urgent one counting as the '
             'company\'s weight of an urgent job.')

    @api.model_cr
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # the open work of each technician, one row per request or order
        self.env.cr.execute("""
            CREATE OR REPLACE VIEW aftersales_technician_load AS (
                WITH technicians AS (
                    SELECT u.id AS user_id, u.company_id
                      FROM res_users u
                      JOIN res_groups_users_rel r ON r.uid = u.id
                      JOIN ir_model_data d
                        ON d.res_id = r.gid AND d.model = 'res.groups'
                       AND d.module = 'aftersales_addon'
                       AND d.name = 'group_aftersales_technician'
                     WHERE u.active
                       AND NOT EXISTS (
                           SELECT 1
                             FROM res_groups_users_rel m
                             JOIN ir_model_data md
                               ON md.res_id = m.gid
                              AND md.model = 'res.groups'
                              AND md.module = 'aftersales_addon'
                              AND md.name = 'group_aftersales_manager'
                            WHERE m.uid = u.id)
                ), work AS (
                    SELECT t.technician_id AS user_id, 1 AS requests,
                           0 AS repairs,
                           (t.urgency = 'urgent')::int AS urgent
                      FROM helpdesk_ticket t
                      LEFT JOIN helpdesk_ticket_stage s
                        ON s.id = t.stage_id
                     WHERE t.technician_id IS NOT NULL
                       AND NOT COALESCE(s.closed, false)
                       AND NOT EXISTS (SELECT 1 FROM mrp_repair o
                                        WHERE o.ticket_id = t.id)
                    UNION ALL
                    SELECT o.technician_id, 0, 1,
                           (o.urgency = 'urgent')::int
                      FROM mrp_repair o
                     WHERE o.technician_id IS NOT NULL
                       AND o.state IN %s
                )
                SELECT tech.user_id AS id, tech.user_id, tech.company_id,
                       COALESCE(sum(w.requests), 0)::int
                           AS open_request_count,
                       COALESCE(sum(w.repairs), 0)::int
                           AS open_repair_count,
                       COALESCE(sum(w.urgent), 0)::int AS urgent_count,
                       COALESCE(sum(CASE
                           WHEN w.user_id IS NULL THEN 0
                           WHEN w.urgent = 1
                           THEN COALESCE(c.aftersales_request_urgent_weight,
                                         1)
                           ELSE 1 END), 0)::float AS workload
                  FROM technicians tech
                  JOIN res_company c ON c.id = tech.company_id
                  LEFT JOIN work w ON w.user_id = tech.user_id
              GROUP BY tech.user_id, tech.company_id,
                       c.aftersales_request_urgent_weight
            )
        """, (OPEN_REPAIR_STATES,))

    @api.multi
    def action_view_requests(self):
        """The technician's open requests, urgent first."""
        self.ensure_one()
        action = self.env.ref(
            'aftersales_addon.helpdesk_ticket_action').read()[0]
        action['domain'] = [('technician_id', '=', self.user_id.id)]
        action['context'] = {'search_default_open': 1}
        return action

    @api.multi
    def action_view_repairs(self):
        """The technician's repair orders whose work has not ended."""
        self.ensure_one()
        action = self.env.ref('aftersales_addon.mrp_repair_action').read()[0]
        action['domain'] = [('technician_id', '=', self.user_id.id),
                            ('state', 'in', list(OPEN_REPAIR_STATES))]
        action['context'] = {}
        return action
