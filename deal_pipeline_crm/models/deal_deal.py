from odoo import fields, models


class DealDeal(models.Model):
    _inherit = "deal.deal"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The CRM opportunity this deal was converted from; its messages stay on it.",
    )

    # one deal per opportunity, also when two conversions run at the same time
    _lead_uniq = models.Constraint("UNIQUE(lead_id)", "This opportunity has already been converted into a deal.")

    def action_view_lead(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "view_mode": "form",
            "views": [(False, "form")],
            "res_id": self.lead_id.id,
        }

    def _action_view_converted_deals(self):
        """The deals converted from a selection of opportunities that the user may read (one: its
        form)."""
        deals = self._filtered_access("read")
        if not deals:
            return {"type": "ir.actions.act_window_close"}
        action = self.env["ir.actions.act_window"]._for_xml_id("deal_pipeline.deal_deal_action")
        action |= {
            "display_name": self.env._("Converted Deals"),
            "domain": [("id", "in", deals.ids)],
            "context": {},
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
        }
        if len(deals) == 1:
            action |= {"views": [(False, "form")], "view_mode": "form", "res_id": deals.id}
        return action
