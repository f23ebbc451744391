# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.6.0: the company's after-sales settings are named after their
pillar (``aftersales_<pillar>_<setting>``). The columns are renamed before
the module's models load, with their field definitions, external ids and
translations, so a database keeps every setting it had."""
from psycopg2 import sql

RENAMES = [
    ('aftersales_govern_all_repairs', 'aftersales_repair_govern_all'),
    ('aftersales_photo_max_px', 'aftersales_repair_photo_max_px'),
    ('aftersales_parts_pricelist_id', 'aftersales_repair_parts_pricelist_id'),
    ('aftersales_labour_pricelist_id',
     'aftersales_repair_labour_pricelist_id'),
    ('aftersales_doa_days', 'aftersales_warranty_doa_days'),
    ('aftersales_quality_failure_days',
     'aftersales_warranty_quality_failure_days'),
    ('aftersales_statement_day', 'aftersales_receivable_statement_day'),
    ('aftersales_statement_date', 'aftersales_receivable_statement_date'),
]


def _column_exists(cr, table, column):
    cr.execute("""SELECT 1 FROM information_schema.columns
                  WHERE table_name = %s AND column_name = %s""",
               (table, column))
    return bool(cr.fetchone())


def rename_company_setting(cr, old, new):
    """Rename one setting of res.company: its column, its ir.model.fields
    row and that row's external id (the translations of its label and help
    hang on the row's id and follow it)."""
    if not _column_exists(cr, 'res_company', old) or \
            _column_exists(cr, 'res_company', new):
        return
    cr.execute(sql.SQL('ALTER TABLE res_company RENAME COLUMN {} TO {}')
               .format(sql.Identifier(old), sql.Identifier(new)))
    cr.execute("""UPDATE ir_model_fields SET name = %s
                  WHERE model = 'res.company' AND name = %s""", (new, old))
    cr.execute("""UPDATE ir_model_data SET name = %s
                  WHERE module = 'aftersales_addon' AND model =
                  'ir.model.fields' AND name = %s""",
               ('field_res_company_' + new, 'field_res_company_' + old))


def migrate(cr, version):
    if not version:
        return
    for old, new in RENAMES:
        rename_company_setting(cr, old, new)
