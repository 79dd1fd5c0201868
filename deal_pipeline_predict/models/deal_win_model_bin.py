from odoo import api, fields, models


class DealWinModelBin(models.Model):
    """One band of the reliability table: of the hold-out's predictions in the band, how many
    deals were won in the end."""

    _name = "deal.win.model.bin"
    _description = "Win Probability Reliability"
    _order = "company_id, lower"

    model_id = fields.Many2one("deal.win.model", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="model_id.company_id", store=True)
    name = fields.Char("Predicted", compute="_compute_name")
    lower = fields.Float("From (%)", readonly=True, digits=(16, 0))
    upper = fields.Float("To (%)", readonly=True, digits=(16, 0))
    prediction_count = fields.Integer("Predictions", readonly=True)
    won_count = fields.Integer("Won", readonly=True)
    mean_prediction = fields.Float("Mean Prediction (%)", readonly=True, digits=(16, 1))
    won_rate = fields.Float("Won (%)", compute="_compute_won_rate", store=True, digits=(16, 1), aggregator="avg")

    @api.depends("lower", "upper")
    def _compute_name(self):
        for band in self:
            band.name = f"{band.lower:.0f} - {band.upper:.0f} %"

    @api.depends("prediction_count", "won_count")
    def _compute_won_rate(self):
        for band in self:
            band.won_rate = 100 * band.won_count / band.prediction_count if band.prediction_count else 0.0
