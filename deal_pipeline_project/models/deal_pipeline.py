from odoo import fields, models


class DealPipeline(models.Model):
    _inherit = "deal.pipeline"

    quotation_template_id = fields.Many2one(
        "sale.order.template",
        string="Default Quotation Template",
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        help="Proposed by New Quote on the deals of this pipeline: its lines become the quote's lines. "
        "Without it, the company's default template applies.",
    )
