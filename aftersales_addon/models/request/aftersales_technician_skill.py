# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

TECHNICIAN_GROUP = 'aftersales_addon.group_aftersales_technician'
SKILL_LEVELS = [('1', 'Basic'), ('2', 'Skilled'), ('3', 'Expert')]


class AftersalesTechnicianSkill(models.Model):
    """What a technician can repair (R14): his level for a product
    category. A skill for a category covers its sub-categories. Kept by the
    manager and the technical department, read by customer service when it
    dispatches."""

    _name = 'aftersales.technician.skill'
    _description = 'Technician Skill'
    _order = 'user_id, level desc, categ_id'

    user_id = fields.Many2one(
        'res.users', string='Technician', required=True, index=True,
        ondelete='cascade',
        domain=lambda self: [('groups_id', 'in', self.env[
            'ir.model.data'].xmlid_to_res_id(TECHNICIAN_GROUP))])
    categ_id = fields.Many2one(
        'product.category', string='Product Category', required=True,
        index=True, ondelete='cascade',
        help='The products he repairs: this category and its '
             'sub-categories.')
    level = fields.Selection(
        SKILL_LEVELS, required=True, default='1',
        help='Requests are dispatched first to the technicians with the '
             'highest level for the unit\'s category.')
    company_id = fields.Many2one(
        'res.company', string='Company', required=True, index=True,
        default=lambda self: self.env.user.company_id)

    _sql_constraints = [
        ('user_categ_company_unique', 'unique(user_id, categ_id, company_id)',
         'A technician has one level per product category.'),
    ]

    @api.constrains('user_id')
    def _check_user_is_technician(self):
        """R14: skills are those of technicians."""
        group = self.env.ref(TECHNICIAN_GROUP)
        for skill in self:
            if group not in skill.user_id.groups_id:
                raise ValidationError(_(
                    '%s is not in the Technician group: only technicians '
                    'have repair skills.') % skill.user_id.name)

    @api.model
    def _aftersales_levels(self, users, categ, company):
        """{user id: level (int)} of ``users`` for ``categ`` (a skill for
        the category or one of its parents counts), in one search; users
        without a skill are left out."""
        if not users or not categ:
            return {}
        chain = []
        while categ:
            chain.append(categ.id)
            categ = categ.parent_id
        levels = {}
        for skill in self.search([('user_id', 'in', users.ids),
                                  ('categ_id', 'in', chain),
                                  ('company_id', '=', company.id)]):
            level = int(skill.level)
            if level > levels.get(skill.user_id.id, 0):
                levels[skill.user_id.id] = level
        return levels
