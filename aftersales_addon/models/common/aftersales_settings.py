# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError


# Each after-sales setting of the company and the department that owns it:
# R90 gives the price lists, and with them the money rules of old parts and
# technician receivables (R41, R45, R50-R53), to Finance; the manager owns
# the service rules (R12, R30-R32, R40) and how far the controls reach.
FINANCE = 'aftersales_addon.group_aftersales_finance'
MANAGER = 'aftersales_addon.group_aftersales_manager'
SETTING_OWNERS = {
    'aftersales_repair_govern_all': MANAGER,
    'aftersales_warranty_doa_days': MANAGER,
    'aftersales_warranty_quality_failure_days': MANAGER,
    'aftersales_recovery_due_days': MANAGER,
    'aftersales_repair_photo_max_px': MANAGER,
    'aftersales_request_to_service_hours': MANAGER,
    'aftersales_request_to_technician_hours': MANAGER,
    'aftersales_request_contact_hours': MANAGER,
    'aftersales_request_plan_hours': MANAGER,
    'aftersales_request_arrival_hours': MANAGER,
    'aftersales_request_answer_hours': MANAGER,
    'aftersales_request_radius_km': MANAGER,
    'aftersales_request_city_hours': MANAGER,
    'aftersales_request_suburb_hours': MANAGER,
    'aftersales_request_urgent_weight': MANAGER,
    'aftersales_request_loaner_grace_days': MANAGER,
    'aftersales_request_carry_in_days': MANAGER,
    'aftersales_repair_parts_pricelist_id': FINANCE,
    'aftersales_repair_labour_pricelist_id': FINANCE,
    'aftersales_recovery_exempt_threshold': FINANCE,
    'aftersales_recovery_list_day': FINANCE,
    'aftersales_receivable_deduction_days': FINANCE,
    'aftersales_receivable_warning_days': FINANCE,
    'aftersales_receivable_refund_days': FINANCE,
    'aftersales_receivable_refund_method': FINANCE,
    'aftersales_receivable_notify_hours': FINANCE,
    'aftersales_receivable_statement_day': FINANCE,
}


def _mirror(name):
    """A field of this form with the definition of the company's setting
    (label, help, selection, comodel), without its default. The pillars'
    ``res_company.py`` declare the settings: this module is imported after
    them."""
    field = next(
        cls.__dict__[name]
        for cls in models.MetaModel.module_to_models['aftersales_addon']
        if cls._inherit == 'res.company' and name in cls.__dict__)
    args = {key: value for key, value in field.args.items()
            if key not in ('default', 'required')}
    return type(field)(**args)


class AftersalesSettings(models.TransientModel):
    """The after-sales settings of the user's company, each edited by the
    department that owns it (R90), without Odoo's Administration rights:
    the form checks the owner and writes the company through ``sudo()``."""

    _name = 'aftersales.settings'
    _description = 'After-Sales Settings'

    company_id = fields.Many2one(
        'res.company', string='Company', readonly=True,
        default=lambda self: self.env.user.company_id)
    aftersales_repair_govern_all = _mirror('aftersales_repair_govern_all')
    aftersales_warranty_doa_days = _mirror('aftersales_warranty_doa_days')
    aftersales_warranty_quality_failure_days = _mirror(
        'aftersales_warranty_quality_failure_days')
    aftersales_recovery_due_days = _mirror('aftersales_recovery_due_days')
    aftersales_repair_photo_max_px = _mirror('aftersales_repair_photo_max_px')
    aftersales_request_to_service_hours = _mirror(
        'aftersales_request_to_service_hours')
    aftersales_request_to_technician_hours = _mirror(
        'aftersales_request_to_technician_hours')
    aftersales_request_contact_hours = _mirror(
        'aftersales_request_contact_hours')
    aftersales_request_plan_hours = _mirror('aftersales_request_plan_hours')
    aftersales_request_arrival_hours = _mirror(
        'aftersales_request_arrival_hours')
    aftersales_request_answer_hours = _mirror(
        'aftersales_request_answer_hours')
    aftersales_request_radius_km = _mirror('aftersales_request_radius_km')
    aftersales_request_city_hours = _mirror('aftersales_request_city_hours')
    aftersales_request_suburb_hours = _mirror(
        'aftersales_request_suburb_hours')
    aftersales_request_urgent_weight = _mirror(
        'aftersales_request_urgent_weight')
    aftersales_request_loaner_grace_days = _mirror(
        'aftersales_request_loaner_grace_days')
    aftersales_request_carry_in_days = _mirror(
        'aftersales_request_carry_in_days')
    aftersales_repair_parts_pricelist_id = _mirror(
        'aftersales_repair_parts_pricelist_id')
    aftersales_repair_labour_pricelist_id = _mirror(
        'aftersales_repair_labour_pricelist_id')
    aftersales_recovery_exempt_threshold = _mirror(
        'aftersales_recovery_exempt_threshold')
    aftersales_recovery_list_day = _mirror('aftersales_recovery_list_day')
    aftersales_receivable_deduction_days = _mirror(
        'aftersales_receivable_deduction_days')
    aftersales_receivable_warning_days = _mirror(
        'aftersales_receivable_warning_days')
    aftersales_receivable_refund_days = _mirror(
        'aftersales_receivable_refund_days')
    aftersales_receivable_refund_method = _mirror(
        'aftersales_receivable_refund_method')
    aftersales_receivable_notify_hours = _mirror(
        'aftersales_receivable_notify_hours')
    aftersales_receivable_statement_day = _mirror(
        'aftersales_receivable_statement_day')

    can_edit_service = fields.Boolean(compute='_compute_can_edit')
    can_edit_finance = fields.Boolean(compute='_compute_can_edit')

    @api.depends('company_id')
    def _compute_can_edit(self):
        owned = self._owned_settings()
        for settings in self:
            settings.can_edit_service = 'aftersales_warranty_doa_days' in owned
            settings.can_edit_finance = \
                'aftersales_repair_parts_pricelist_id' in owned

    @api.model
    def default_get(self, fields_list):
        """The company's current values."""
        values = super(AftersalesSettings, self).default_get(fields_list)
        company = self.env.user.company_id.sudo()
        for name in set(fields_list) & set(SETTING_OWNERS):
            value = company[name]
            values[name] = value.id if isinstance(value, models.BaseModel) \
                else value
        return values

    @api.model
    def _owned_settings(self):
        """The settings the current user's departments may change."""
        user = self.env.user
        return {name for name, group in SETTING_OWNERS.items()
                if user.has_group(group)}

    @api.multi
    def _ensure_owner(self, changes):
        """R90: a setting is changed by the department that owns it only."""
        refused = set(changes) - self._owned_settings()
        if refused:
            labels = ', '.join(sorted(
                self._fields[name].get_description(self.env)['string']
                for name in refused))
            raise AccessError(_(
                'These settings belong to another department; you may not '
                'change them: %s') % labels)

    @api.multi
    def execute(self):
        """Write the changed settings to the company."""
        self.ensure_one()
        company = self.company_id
        changes = {}
        for name in SETTING_OWNERS:
            new = self[name]
            old = company.sudo()[name]
            if isinstance(new, models.BaseModel):
                new, old = new.id, old.id
            if new != old:
                changes[name] = new
        self._ensure_owner(changes)
        if changes:
            # sudo: company fields need Administration rights; the owner of
            # each changed setting was checked just above
            company.sudo().write(changes)
        return {'type': 'ir.actions.client', 'tag': 'reload'}
