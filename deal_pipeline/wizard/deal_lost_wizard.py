from odoo import api, fields, models


class DealLostWizard(models.TransientModel):
    _name = "deal.lost.wizard"
    _description = "Mark Deals as Lost"

    deal_ids = fields.Many2many("deal.deal", required=True)
    lost_reason_id = fields.Many2one("deal.lost.reason", required=True)
    stage_id = fields.Many2one("deal.stage", help="The lost stage the deals go to; by default their pipeline's first.")
    quotation_ids = fields.Many2many(
        "sale.order",
        string="Open Quotations",
        compute="_compute_quotation_ids",
        groups="sales_team.group_sale_salesman",
        help="Draft and sent quotations of the deals.",
    )
    cancel_quotations = fields.Boolean("Cancel the open quotations", default=True)

    @api.model_create_multi
    def create(self, vals_list):
        # The dialog is only for deals the user may edit: it would otherwise show the names and
        # quotations of deals hidden from them.
        wizards = super().create(vals_list)
        wizards.deal_ids.check_access("write")
        return wizards

    @api.depends("deal_ids")
    def _compute_quotation_ids(self):
        for wizard in self:
            wizard.quotation_ids = wizard.deal_ids._open_quotations()

    def action_lost_confirm(self):
        self.ensure_one()
        if self.cancel_quotations and self.env.user.has_group("sales_team.group_sale_salesman"):
            self.quotation_ids.action_cancel()
        self.deal_ids.action_mark_lost(lost_reason_id=self.lost_reason_id.id, stage_id=self.stage_id.id)
        return {"type": "ir.actions.act_window_close"}
