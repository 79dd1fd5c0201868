from odoo import api, fields, models


class DealWonWizard(models.TransientModel):
    _name = "deal.won.wizard"
    _description = "Mark Deals as Won"

    deal_ids = fields.Many2many("deal.deal", required=True)
    stage_id = fields.Many2one("deal.stage", help="The won stage the deals go to; by default their pipeline's first.")
    quotation_ids = fields.Many2many(
        "sale.order",
        string="Open Quotations",
        compute="_compute_quotation_ids",
        help="Draft and sent quotations of the deals.",
    )

    @api.depends("deal_ids")
    def _compute_quotation_ids(self):
        for wizard in self:
            wizard.quotation_ids = wizard.deal_ids._open_quotations()

    def action_won_cancel_quotations(self):
        self.ensure_one()
        return self.deal_ids.action_mark_won(open_quotations="cancel", stage_id=self.stage_id.id)

    def action_won_keep_quotations(self):
        self.ensure_one()
        return self.deal_ids.action_mark_won(open_quotations="keep", stage_id=self.stage_id.id)
