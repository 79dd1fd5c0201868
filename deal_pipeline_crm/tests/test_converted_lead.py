from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import DealCrmCommon

CONVERTED = "was converted into the deal"


@tagged("post_install", "-at_install")
class TestConvertedLead(DealCrmCommon):
    """A converted opportunity leaves CRM: archived with a link to its deal, never won, lost,
    reopened or quoted again from CRM, and restored as it was when the bridge goes."""

    @users("crm_sara")
    def test_converted_opportunity_leaves_crm_pipeline_and_forecast(self):
        lead = self.lead_open_direct.with_env(self.env)
        before = lead.read(["stage_id", "probability", "date_closed", "expected_revenue"])
        lead.action_convert_to_deal()
        self.assertRecordValues(lead, [{"active": False, "deal_archived": True}])
        self.assertEqual(lead.read(["stage_id", "probability", "date_closed", "expected_revenue"]), before)
        self.assertTrue(lead.deal_id)
        # CRM's pipeline, forecast and reports read the active opportunities only
        Lead = self.env["crm.lead"]
        self.assertNotIn(lead, Lead.search([("type", "=", "opportunity")]))
        revenue = Lead._read_group([("type", "=", "opportunity"), ("stage_id", "=", self.crm_stage_qualified.id)],
                                   [], ["expected_revenue:sum"])[0][0]  # fmt: skip
        self.assertFalse(revenue)

    @users("crm_sara")
    def test_converted_opportunity_cannot_be_won_lost_reopened_or_quoted(self):
        lead = self.lead_open_direct.with_env(self.env)
        lead.action_convert_to_deal()
        attempts = {
            "won": lead.action_set_won,
            "won (button)": lead.action_set_won_rainbowman,
            "lost": lambda: lead.action_set_lost(lost_reason_id=self.crm_reason_price.id),
            "restored": lead.action_unarchive,
            "moved": lambda: lead.write({"stage_id": self.crm_stage_won.id}),
            "quoted": lead.action_sale_quotations_new,
            "new quotation": lead.action_new_quotation,
            "quotation created": lambda: self.env["sale.order"].create(
                {"partner_id": lead.partner_id.id, "opportunity_id": lead.id}
            ),
            "quotation relinked": lambda: self.quotation_key.with_env(self.env).write({"opportunity_id": lead.id}),
        }
        for label, attempt in attempts.items():
            with self.subTest(label), self.assertRaisesRegex(UserError, CONVERTED):
                attempt()
        self.assertRecordValues(
            lead, [{"active": False, "stage_id": self.crm_stage_qualified.id, "won_status": "pending"}]
        )

    def test_uninstall_restores_archived_opportunities(self):
        won, lost, still_open = self.lead_won, self.lead_lost, self.lead_open_direct
        won.action_set_won()
        lost.action_set_lost(lost_reason_id=self.crm_reason_price.id)
        fields = ["active", "stage_id", "probability", "date_closed", "won_status", "lost_reason_id"]
        before = (won + lost + still_open).read(fields)
        (won + lost + still_open).action_convert_to_deal()
        self.assertEqual((won + lost + still_open).mapped("active"), [False, False, False])
        self.assertEqual((won + lost + still_open).mapped("deal_archived"), [True, False, True])
        self.env["crm.lead"]._deal_restore_archived()
        self.assertEqual((won + lost + still_open).read(fields), before)
