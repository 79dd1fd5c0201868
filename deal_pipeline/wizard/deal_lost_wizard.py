from odoo import fields, models


class DealLostWizard(models.TransientModel):
    _name = "deal.lost.wizard"
    _description = "Mark Deals as Lost"

    deal_ids = fields.Many2many("deal.deal", required=True)
    lost_reason_id = fields.Many2one("deal.lost.reason", required=True)

    def action_lost_confirm(self):
        self.ensure_one()
        self.deal_ids.action_mark_lost(lost_reason_id=self.lost_reason_id.id)
        return {"type": "ir.actions.act_window_close"}
