from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    deal_weight_by_prediction = fields.Boolean(related="company_id.deal_weight_by_prediction", readonly=False)

    def action_retrain_win_model(self):
        return self.env["deal.deal"].action_retrain_win_model()
