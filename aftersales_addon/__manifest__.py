# Copyright 2026 aftersales_addon developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    'name': 'After-Sales Service and Spare Parts',
    'summary': 'Service requests, repair orders, parts issue and service '
               'reports for a manufacturer\'s after-sales departments',
    'version': '11.0.1.2.0',
    'category': 'After-Sales',
    'license': 'LGPL-3',
    'author': 'aftersales_addon developers',
    'website': 'https://example.com/aftersales_addon',
    'depends': [
        'helpdesk_mgmt',
        'mrp_repair',
        'stock',
        'purchase',
        'account_invoicing',
    ],
    'data': [
        'security/aftersales_groups.xml',
        'security/ir.model.access.csv',
        'security/aftersales_rules.xml',
        'data/stock_data.xml',
        'data/helpdesk_data.xml',
        'data/recovery_data.xml',
        'views/aftersales_warranty_rule_views.xml',
        'views/res_config_settings_views.xml',
        'views/warranty_override_wizard_views.xml',
        'reports/recovery_list_report.xml',
        'views/aftersales_part_recovery_views.xml',
        'views/helpdesk_ticket_views.xml',
        'views/mrp_repair_views.xml',
        'views/repair_return_wizard_views.xml',
        'views/menus.xml',
        'reports/service_report.xml',
    ],
    'demo': [
        'demo/aftersales_demo.xml',
    ],
    'application': True,
    'installable': True,
}
