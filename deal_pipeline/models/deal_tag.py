from random import randint

from odoo import api, fields, models


class DealTag(models.Model):
    _name = "deal.tag"
    _description = "Deal Tag"
    _inherit = ["deal.api.input.mixin"]
    _order = "name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char("Tag Name", required=True, translate=True)
    color = fields.Integer(default=lambda self: self._default_color())

    _name_uniq = models.Constraint("UNIQUE(name)", "A tag with this name already exists.")

    # Tags are also created and renamed from a deal (web_save with nested values).
    @api.model_create_multi
    def create(self, vals_list):
        self._api_input_check(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._api_input_check([vals])
        return super().write(vals)
