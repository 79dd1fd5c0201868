from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    deal_id = fields.Many2one(
        "deal.deal",
        index="btree_not_null",
        check_company=True,
        copy=False,
        tracking=True,
        help="The deal this customer invoice belongs to; set from the deal's sales orders.",
    )

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # Credit notes stay on the deal of the invoice they reverse.
        if not default_values_list:
            default_values_list = [{} for _move in self]
        for move, default_values in zip(self, default_values_list, strict=True):
            default_values.setdefault("deal_id", move.deal_id.id)
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)
