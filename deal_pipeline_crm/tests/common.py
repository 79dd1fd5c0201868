from odoo.addons.deal_pipeline.tests.common import DealSaleCommon
from odoo.fields import Command
from odoo.tests import new_test_user


class DealCrmCommon(DealSaleCommon):
    """A hand-made CRM pipeline: two sales teams, two salespeople and a sales manager, and
    opportunities won, lost (with a reason known to deals, with one that is not, without one),
    open in both teams (with quotations and activities), a lead, and an opportunity without a
    customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.crm_stage_new = cls.env.ref("crm.stage_lead1")
        cls.crm_stage_qualified = cls.env.ref("crm.stage_lead2")
        cls.crm_stage_proposition = cls.env.ref("crm.stage_lead3")
        cls.crm_stage_won = cls.env.ref("crm.stage_lead4")
        cls.sara = new_test_user(cls.env, login="crm_sara", groups="sales_team.group_sale_salesman", name="Sara Seller")
        cls.bob = new_test_user(cls.env, login="crm_bob", groups="sales_team.group_sale_salesman", name="Bob Seller")
        cls.sales_manager = new_test_user(
            cls.env, login="crm_manager", groups="sales_team.group_sale_manager", name="Meg Sales Manager"
        )
        cls.team_direct = cls.env["crm.team"].create(
            {"name": "Direct Sales", "member_ids": [Command.set(cls.sara.ids)]}
        )
        cls.team_key = cls.env["crm.team"].create({"name": "Key Accounts", "member_ids": [Command.set(cls.bob.ids)]})
        # the pipeline of the same name as a team is that team's pipeline by default
        cls.pipeline_key = cls.env["deal.pipeline"].create({"name": "key accounts", "sequence": 5})
        cls.crm_tag_software = cls.env["crm.tag"].create({"name": "Software"})
        cls.crm_tag_vip = cls.env["crm.tag"].create({"name": "VIP"})
        cls.deal_tag_vip = cls.env["deal.tag"].create({"name": "VIP"})
        cls.crm_reason_price = cls.env.ref("crm.lost_reason_1")  # "Too expensive", as a deal reason
        cls.crm_reason_inhouse = cls.env["crm.lost.reason"].create({"name": "Built it in-house"})
        cls.customer_b = cls.env["res.partner"].create({"name": "Bluebird Test", "is_company": True})

        Lead = cls.env["crm.lead"].with_context(mail_create_nolog=True)
        common = {"type": "opportunity", "partner_id": cls.customer.id}
        cls.lead_won = Lead.create(
            common
            | {
                "name": "ERP rollout",
                "user_id": cls.sara.id,
                "team_id": cls.team_direct.id,
                "expected_revenue": 12000.0,
                "date_deadline": "2026-03-31",
                "priority": "2",
                "tag_ids": [Command.set((cls.crm_tag_software | cls.crm_tag_vip).ids)],
            }
        )
        cls.lead_won.action_set_won()
        cls.lead_lost = Lead.create(
            common
            | {"name": "Support plan", "user_id": cls.sara.id, "team_id": cls.team_key.id, "expected_revenue": 900.0}
        )
        cls.lead_lost.action_set_lost(lost_reason_id=cls.crm_reason_price.id)
        cls.lead_lost_inhouse = Lead.create(
            common | {"name": "Custom portal", "user_id": cls.sara.id, "team_id": cls.team_direct.id}
        )
        cls.lead_lost_inhouse.action_set_lost(lost_reason_id=cls.crm_reason_inhouse.id)
        cls.lead_open_direct = Lead.create(
            common
            | {
                "name": "Website redesign",
                "user_id": cls.sara.id,
                "team_id": cls.team_direct.id,
                "stage_id": cls.crm_stage_qualified.id,
                "expected_revenue": 4500.0,
                "date_deadline": "2026-12-15",
                "priority": "1",
                "description": "<p>Wants a new shop.</p>",
            }
        )
        cls.lead_open_key = Lead.create(
            {
                "type": "opportunity",
                "partner_id": cls.customer_b.id,
                "name": "Fleet renewal",
                "user_id": cls.bob.id,
                "team_id": cls.team_key.id,
                "stage_id": cls.crm_stage_proposition.id,
                "expected_revenue": 30000.0,
                "date_deadline": "2027-01-31",
                "tag_ids": [Command.set(cls.crm_tag_vip.ids)],
            }
        )
        cls.lead_new_customer = Lead.create(
            {
                "type": "opportunity",
                "name": "Office chairs",
                "partner_name": "Chairs & Co Test",
                "email_from": "buy@chairs.example.com",
                "user_id": cls.sara.id,
                "team_id": cls.team_direct.id,
                "stage_id": cls.crm_stage_new.id,
            }
        )
        cls.lead_not_opportunity = Lead.create(
            {"type": "lead", "name": "Trade fair contact", "user_id": cls.sara.id, "contact_name": "Jo"}
        )
        cls.leads = (
            cls.lead_won
            | cls.lead_lost
            | cls.lead_lost_inhouse
            | cls.lead_open_direct
            | cls.lead_open_key
            | cls.lead_new_customer
            | cls.lead_not_opportunity
        )

        cls.quotation_direct = cls._create_lead_quotation(cls.lead_open_direct)
        cls.quotation_direct_2 = cls._create_lead_quotation(cls.lead_open_direct)
        cls.order_won = cls._create_lead_quotation(cls.lead_won)
        cls.order_won.action_confirm()
        cls.quotation_key = cls._create_lead_quotation(cls.lead_open_key)
        cls.activity_call = cls.lead_open_direct.activity_schedule(
            "mail.mail_activity_data_call", summary="Call back", user_id=cls.sara.id
        )
        cls.activity_todo = cls.lead_open_key.activity_schedule(
            "mail.mail_activity_data_todo", summary="Send the fleet list", user_id=cls.bob.id
        )

    @classmethod
    def _create_lead_quotation(cls, lead):
        return cls.env["sale.order"].create(
            {
                "partner_id": lead.partner_id.id,
                "opportunity_id": lead.id,
                "user_id": lead.user_id.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1.0})],
            }
        )

    def _deals_of(self, leads):
        return self.env["deal.deal"].with_context(active_test=False).search([("lead_id", "in", leads.ids)])
