from random import randint

from odoo import fields, models


class DealTag(models.Model):
    _name = "deal.tag"
    _description = "Deal Tag"
    _order = "name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char("Tag Name", required=True, translate=True)
    color = fields.Integer(default=lambda self: self._default_color())

    _name_uniq = models.Constraint("UNIQUE(name)", "A tag with this name already exists.")
