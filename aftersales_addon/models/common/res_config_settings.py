# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    aftersales_repair_govern_all = fields.Boolean(
        related='company_id.aftersales_repair_govern_all')
    aftersales_company_tz = fields.Selection(
        related='company_id.partner_id.tz', string='Company Time Zone',
        help='Business dates (deliveries, failures, vouching, ageing) are '
             'the company\'s local dates in this time zone.')
    aftersales_warranty_doa_days = fields.Integer(
        related='company_id.aftersales_warranty_doa_days')
    aftersales_warranty_quality_failure_days = fields.Integer(
        related='company_id.aftersales_warranty_quality_failure_days')
    aftersales_repair_parts_pricelist_id = fields.Many2one(
        related='company_id.aftersales_repair_parts_pricelist_id')
    aftersales_repair_labour_pricelist_id = fields.Many2one(
        related='company_id.aftersales_repair_labour_pricelist_id')
    aftersales_recovery_due_days = fields.Integer(
        related='company_id.aftersales_recovery_due_days')
    aftersales_recovery_exempt_threshold = fields.Float(
        related='company_id.aftersales_recovery_exempt_threshold')
    aftersales_recovery_list_day = fields.Integer(
        related='company_id.aftersales_recovery_list_day')
    aftersales_receivable_deduction_days = fields.Integer(
        related='company_id.aftersales_receivable_deduction_days')
    aftersales_receivable_warning_days = fields.Integer(
        related='company_id.aftersales_receivable_warning_days')
    aftersales_receivable_refund_days = fields.Integer(
        related='company_id.aftersales_receivable_refund_days')
    aftersales_receivable_refund_method = fields.Selection(
        related='company_id.aftersales_receivable_refund_method')
    aftersales_receivable_notify_hours = fields.Integer(
        related='company_id.aftersales_receivable_notify_hours')
    aftersales_receivable_statement_day = fields.Integer(
        related='company_id.aftersales_receivable_statement_day')
