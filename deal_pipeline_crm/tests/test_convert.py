from odoo.tests import tagged, users

from .common import DealCrmCommon


@tagged("post_install", "-at_install")
class TestConvert(DealCrmCommon):
    def _convert(self, leads):
        """Convert over the API (``action_convert_to_deal``) as the current user; the summary."""
        action = leads.with_env(self.env).action_convert_to_deal()
        self.assertEqual(action["tag"], "display_notification")
        return action["params"]

    def _assert_deal(self, lead, **expected):
        deal = self._deals_of(lead)
        self.assertEqual(len(deal), 1, f"one deal for {lead.name}")
        for field, value in expected.items():
            self.assertEqual(deal[field], value, f"{lead.name}: {field}")
        return deal

    @users("crm_manager")
    def test_manager_converts_everything_once(self):
        leads = self.leads.with_env(self.env)
        params = self._convert(leads)
        self.assertEqual(
            params["message"],
            "6 opportunities converted into deals. 1 skipped: leads, not opportunities (1).",
        )
        deals = self._deals_of(self.leads)
        self.assertEqual(len(deals), 6)
        self.assertEqual(sorted(params["next"]["domain"][0][2]), sorted(deals.ids))
        sales, currency = self.pipeline, self.company.currency_id

        won = self._assert_deal(
            self.lead_won,
            name="ERP rollout",
            partner_id=self.customer,
            user_id=self.sara,
            pipeline_id=sales,  # no pipeline is named "Direct Sales": the default one
            stage_id=self.stage_won,
            currency_id=currency,
            amount=12000.0,
            amount_company=12000.0,
            priority="2",
            # created and won in the same transaction (the set-up): opened and closed at its creation
            date_open=self.lead_won.create_date,
            date_closed=self.lead_won.create_date,
        )
        self.assertEqual(str(won.expected_close_date), "2026-03-31")
        self.assertEqual(sorted(won.tag_ids.mapped("name")), ["Software", "VIP"])
        self.assertIn(self.deal_tag_vip, won.tag_ids, "tags are matched by name")
        self.assertEqual(won.sale_order_ids, self.order_won)

        self._assert_deal(
            self.lead_lost,
            pipeline_id=self.pipeline_key,  # "Key Accounts" team, "key accounts" pipeline
            stage_id=self.stage_lost,
            lost_reason_id=self.lost_reason,  # "Too expensive" on both sides
            active=True,
        )
        inhouse = self._assert_deal(self.lead_lost_inhouse, stage_id=self.stage_lost)
        self.assertEqual(inhouse.lost_reason_id.name, "Built it in-house", "a missing reason is created")

        direct = self._assert_deal(
            self.lead_open_direct,
            stage_id=self.stage_qualification,  # Qualified: 2nd of 3 open CRM stages
            amount=4500.0,
            priority="1",
            description="<p>Wants a new shop.</p>",
            sale_order_ids=self.quotation_direct | self.quotation_direct_2,
            activity_ids=self.activity_call,
        )
        self.assertEqual(self.activity_call.res_model, "deal.deal")
        self.assertEqual(self.activity_call.res_id, direct.id)
        self.assertFalse(self.lead_open_direct.activity_ids)
        self.assertIn(f'data-oe-model="crm.lead" data-oe-id="{self.lead_open_direct.id}"', direct.message_ids[0].body)
        self.assertIn(f'data-oe-model="deal.deal" data-oe-id="{direct.id}"', self.lead_open_direct.message_ids[0].body)
        # the owner follows the deal, the converting manager does not; the quotations say where they went
        self.assertIn(self.sara.partner_id, direct.sudo().message_partner_ids)
        self.assertNotIn(self.env.user.partner_id, direct.sudo().message_partner_ids)
        for quotation in self.quotation_direct | self.quotation_direct_2:
            self.assertIn(f'data-oe-model="deal.deal" data-oe-id="{direct.id}"', quotation.message_ids[0].body)

        self._assert_deal(
            self.lead_open_key,
            partner_id=self.customer_b,
            user_id=self.bob,
            pipeline_id=self.pipeline_key,
            stage_id=self.stage_proposal,  # Proposition: 3rd of 3 open CRM stages
            sale_order_ids=self.quotation_key,
            activity_ids=self.activity_todo,
        )
        new_customer = self._assert_deal(self.lead_new_customer, stage_id=self.stage_new)
        self.assertEqual(new_customer.partner_id.name, "Chairs & Co Test")
        self.assertEqual(self.lead_new_customer.partner_id, new_customer.partner_id)
        for lead in self.leads - self.lead_not_opportunity:
            self.assertEqual(lead.deal_id, self._deals_of(lead))

        # again: nothing changes, and the summary says so
        params = self._convert(leads)
        self.assertEqual(
            params["message"],
            "0 opportunities converted into deals. 7 skipped: already converted (6); leads, not opportunities (1).",
        )
        self.assertEqual(self._deals_of(self.leads), deals)
        self.assertEqual(sorted(params["next"]["domain"][0][2]), sorted(deals.ids))

    @users("crm_sara")
    def test_salesman_converts_only_his_own(self):
        # Sara sees her opportunities and the unassigned ones; Bob's are not hers to convert
        unassigned = self.env["crm.lead"].create(
            {"type": "opportunity", "name": "Nobody's", "partner_id": self.customer.id, "user_id": False}
        )
        leads = (self.leads - self.lead_open_key).with_env(self.env) | unassigned
        params = self._convert(leads)
        self.assertEqual(
            params["message"],
            "4 opportunities converted into deals. 3 skipped: leads, not opportunities (1); "
            "not yours: only users who see every deal convert them (1); "
            "their lost reason is not a deal lost reason yet: ask an administrator (1).",
        )
        deals = self._deals_of(self.leads | unassigned)
        self.assertEqual(deals.lead_id, self.lead_won | self.lead_lost | self.lead_open_direct | self.lead_new_customer)
        self.assertEqual(set(deals.mapped("user_id.login")), {"crm_sara"})
        self.assertEqual(
            self._deals_of(self.lead_open_direct).sale_order_ids, self.quotation_direct | self.quotation_direct_2
        )
        self.assertFalse(self.env["deal.lost.reason"].search([("name", "=", "Built it in-house")]))

        # Bob's opportunity is not even readable by Sara
        params = self._convert(self.lead_open_key.with_env(self.env))
        self.assertEqual(
            params["message"], "0 opportunities converted into deals. 1 skipped: you may not modify them (1)."
        )
        self.assertEqual(params["next"], {"type": "ir.actions.act_window_close"})
        self.assertFalse(self._deals_of(self.lead_open_key))

        params = self._convert(leads)
        self.assertTrue(params["message"].startswith("0 opportunities converted into deals. 7 skipped: already"))
        self.assertEqual(self._deals_of(self.leads | unassigned), deals)

    @users("crm_bob")
    def test_salesman_skips_what_he_may_not_modify(self):
        params = self._convert(self.lead_open_key.with_env(self.env))
        self.assertEqual(params["message"], "1 opportunities converted into deals.")
        deal = self._deals_of(self.lead_open_key)
        self.assertEqual(deal.with_env(self.env).user_id, self.env.user)

    @users("crm_manager")
    def test_wizard_mapping(self):
        leads = self.leads.with_env(self.env)
        wizard = self.env["deal.convert.wizard"].with_context(active_model="crm.lead", active_ids=leads.ids).create({})
        self.assertEqual((wizard.lead_count, wizard.converted_count), (7, 0))
        self.assertEqual(
            [(line.team_id, line.pipeline_id, line.lead_count) for line in wizard.line_ids],
            [(self.team_direct, self.pipeline, 4), (self.team_key, self.pipeline_key, 2)],
        )
        # the user sends Key Accounts into the default pipeline instead
        wizard.line_ids.filtered(lambda line: line.team_id == self.team_key).pipeline_id = self.pipeline
        action = wizard.action_convert()
        self.assertTrue(action["params"]["message"].startswith("6 opportunities converted into deals."))
        self.assertEqual(self._deals_of(self.leads).pipeline_id, self.pipeline)

        wizard = self.env["deal.convert.wizard"].with_context(active_model="crm.lead", active_ids=leads.ids).create({})
        self.assertEqual((wizard.lead_count, wizard.converted_count), (7, 6))
        self.assertFalse(wizard.line_ids)

    @users("crm_manager")
    def test_wizard_open_opportunities_of_a_team(self):
        wizard = (
            self.env["deal.convert.wizard"]
            .with_context(active_model="crm.team", active_ids=self.team_direct.ids)
            .create({})
        )
        self.assertEqual(wizard.lead_ids, self.lead_open_direct | self.lead_new_customer)
        wizard.action_convert()
        self.assertEqual(self._deals_of(self.leads).lead_id, self.lead_open_direct | self.lead_new_customer)

    @users("crm_manager")
    def test_deal_lacking_what_its_stage_requires_starts_earlier(self):
        """An opportunity in Proposition without deadline: its deal would lack the expected close
        date that Proposal Sent requires, so it starts in Qualification instead."""
        lead = self.lead_open_key.with_env(self.env)
        lead.date_deadline = False
        self.assertEqual(self._convert(lead)["message"], "1 opportunities converted into deals.")
        self._assert_deal(lead, stage_id=self.stage_qualification, amount=30000.0, expected_close_date=False)
