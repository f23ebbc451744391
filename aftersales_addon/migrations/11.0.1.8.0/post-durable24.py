# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.8.0: old-part recovery references without gaps (R40, issue 24),
as the receivable references became in 11.0.1.7.0. The recovery sequence
(``noupdate`` data, so not changed by the data file on update) becomes
gapless and goes on from the next number its PostgreSQL sequence would
have given, so no reference is given twice."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    sequences = env['ir.sequence'].search([
        ('code', '=', 'aftersales.part.recovery'),
        ('implementation', '=', 'standard')])
    for sequence in sequences:
        sequence.write({'implementation': 'no_gap',
                        'number_next': sequence.number_next_actual})
