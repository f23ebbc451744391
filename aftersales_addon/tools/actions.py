# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Window actions the buttons return."""


def wizard_action(title, model, **defaults):
    """The action opening ``model`` as a dialog titled ``title``, its
    fields filled from ``defaults`` (``repair_id=7`` → ``default_repair_id``),
    as every after-sales button that asks for details does."""
    return {
        'type': 'ir.actions.act_window',
        'name': title,
        'res_model': model,
        'view_mode': 'form',
        'target': 'new',
        'context': {'default_%s' % key: value
                    for key, value in defaults.items()},
    }
