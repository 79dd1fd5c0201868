from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    deal_id = fields.Many2one("deal.deal", index=True, check_company=True, ondelete="set null")
