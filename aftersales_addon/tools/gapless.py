# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""References without gaps (issue 24).

A ``no_gap`` ``ir.sequence`` keeps its next number in its own row: a
transaction that takes a number and is rolled back gives it back. Odoo's
own ``_next`` takes the row with ``FOR UPDATE NOWAIT`` and so fails at once
(and the whole request is retried) when another transaction is numbering;
``next_gapless`` waits for it instead, and takes ``count`` numbers in one
update. Under Odoo's REPEATABLE READ a transaction whose snapshot is older
than the other's commit would still fail on the row: the actions that
number lock the sequence first with ``lock_early`` (tools/early_lock.py),
which gives them a snapshot taken after the lock.
"""


def sequence_for(env, code):
    """The sequence of ``code`` for the user's company (or shared)."""
    return env['ir.sequence'].sudo().search(
        [('code', '=', code),
         ('company_id', 'in', [env.user.company_id.id, False])],
        order='company_id', limit=1)


def is_gapless(sequence):
    """Numbered by ``next_gapless``: a ``no_gap`` sequence without date
    ranges (a dated or standard one is left to Odoo)."""
    return bool(sequence) and sequence.implementation == 'no_gap' and \
        not sequence.use_date_range


def next_gapless(sequence, count=1):
    """``count`` consecutive references of the gapless ``sequence``, taken
    under a row lock that waits for a concurrent numbering to end."""
    cr = sequence.env.cr
    cr.execute('SELECT number_next, number_increment FROM ir_sequence '
               'WHERE id = %s FOR UPDATE', (sequence.id,))
    number, increment = cr.fetchone()
    cr.execute('UPDATE ir_sequence SET number_next = number_next + %s '
               'WHERE id = %s', (increment * count, sequence.id))
    sequence.invalidate_cache(['number_next'], [sequence.id])
    return [sequence.get_next_char(number + k * increment)
            for k in range(count)]
