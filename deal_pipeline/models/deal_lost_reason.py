from odoo import fields, models


class DealLostReason(models.Model):
    _name = "deal.lost.reason"
    _description = "Deal Lost Reason"
    _order = "sequence, id"

    name = fields.Char("Reason", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
