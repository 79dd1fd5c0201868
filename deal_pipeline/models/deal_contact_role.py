from odoo import fields, models


class DealContactRole(models.Model):
    _name = "deal.contact.role"
    _description = "Deal Contact Role"
    _inherit = ["deal.api.input.mixin"]
    _order = "sequence, id"

    name = fields.Char("Role", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Char(translate=True, help="What a person with this role does in the purchase.")

    _name_uniq = models.Constraint("UNIQUE(name)", "A contact role with this name already exists.")
