from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    deal_id = fields.Many2one("deal.deal", string="Deal", index=True, check_company=True, ondelete="set null")
