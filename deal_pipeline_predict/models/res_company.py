from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    deal_weight_by_prediction = fields.Boolean(
        "Weighted Amounts from Predicted Probabilities",
        help="The weighted amount of an open deal (and so the forecasts) uses its predicted probability "
        "instead of its stage's probability.",
    )

    def write(self, vals):
        result = super().write(vals)
        if vals.get("deal_weight_by_prediction"):
            # weighting needs a model: the first one is trained at once
            WinModel = self.env["deal.win.model"].sudo()
            for company in self - WinModel.search([("company_id", "in", self.ids)]).company_id:
                WinModel._train(company)
        return result
