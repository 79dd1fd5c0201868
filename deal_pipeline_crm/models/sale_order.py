from odoo import api, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model_create_multi
    def create(self, vals_list):
        self._api_input_check(vals_list, field_names=["opportunity_id"], create=True)
        lead_ids = {vals.get("opportunity_id", self.env.context.get("default_opportunity_id")) for vals in vals_list}
        self.env["crm.lead"].browse(lead_ids - {None, False}).exists()._check_not_converted()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("opportunity_id"):
            self._api_input_check([vals], field_names=["opportunity_id"])
            self.env["crm.lead"].browse(vals["opportunity_id"]).exists()._check_not_converted()
        return super().write(vals)
