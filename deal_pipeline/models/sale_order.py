from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    deal_id = fields.Many2one("deal.deal", index=True, check_company=True, ondelete="set null")
