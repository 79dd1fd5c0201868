from collections import defaultdict

from odoo import api, fields, models


class DealQuoteWizard(models.TransientModel):
    _inherit = "deal.quote.wizard"

    budget_hours = fields.Float(
        compute="_compute_budget_preview",
        help="The hours the quote adds to the deal's budget once confirmed: the allocated time of the tasks its "
        "services create.",
    )
    amount_untaxed = fields.Monetary(
        "Quote Untaxed",
        currency_field="quote_currency_id",
        compute="_compute_budget_preview",
        help="The untaxed total of the quote, in its currency.",
    )
    quote_currency_id = fields.Many2one("res.currency", compute="_compute_budget_preview")
    # rendered by the server from the QWeb template deal_quote_budget_preview, which escapes every value
    budget_preview = fields.Html(compute="_compute_budget_preview", sanitize=False)

    def _default_template(self):
        """The pipeline's default quotation template first, when it is offered."""
        default = self.deal_id.pipeline_id.quotation_template_id
        return default if default in self.offered_template_ids._origin else super()._default_template()

    def _budget_rows(self, quote):
        """The lines of the preview: per service with hours in the budget, its hours and untaxed
        amount; the other priced lines as fixed-price lines."""
        hours = quote.order_line._deal_budget_hours()
        services = defaultdict(lambda: [0.0, 0.0])
        fixed = []
        for line in quote.order_line.filtered(lambda line: not line.display_type):
            if hours[line]:
                services[line.product_id][0] += hours[line]
                services[line.product_id][1] += line.price_subtotal
            else:
                fixed.append((line.name.split("\n")[0], line.price_subtotal))
        return [(product.display_name, *values) for product, values in services.items()], fixed

    @api.depends("deal_id", "start_from", "template_id")
    def _compute_budget_preview(self):
        for wizard in self:
            # no preview once the deal no longer takes quotations (won in the meantime, say)
            if not wizard.deal_id.allow_quotation:
                wizard.budget_hours = wizard.amount_untaxed = 0.0
                wizard.quote_currency_id = wizard.budget_preview = False
                continue
            quote = wizard._new_quote()
            services, fixed = wizard._budget_rows(quote)
            wizard.budget_hours = sum(hours for _name, hours, _amount in services)
            wizard.amount_untaxed = quote.amount_untaxed
            wizard.quote_currency_id = quote.currency_id
            wizard.budget_preview = self.env["ir.qweb"]._render(
                "deal_pipeline_project.deal_quote_budget_preview",
                {
                    "services": services,
                    "fixed": fixed,
                    "budget_hours": wizard.budget_hours,
                    "amount_untaxed": quote.amount_untaxed,
                    "currency": quote.currency_id,
                },
            )
