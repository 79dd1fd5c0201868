from odoo import api, fields, models
from odoo.tools import SQL


class AccountInvoiceReport(models.Model):
    _inherit = "account.invoice.report"

    deal_id = fields.Many2one(
        "deal.deal",
        readonly=True,
        groups="base.group_user",
        help="The deal the invoice line counts for (the deal of the order it invoices, else of its invoice).",
    )

    _depends = {"account.move.line": ["deal_id"]}

    @api.model
    def _select(self):
        return SQL("%s, line.deal_id", super()._select())
