from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import CLOSE_DATE, DealSaleCommon


@tagged("post_install", "-at_install")
class TestDealUxTour(DealSaleCommon, HttpCase):
    def test_won_with_open_quotations_cancels_them(self):
        """Won on a deal with open quotations: the dialog lists them, Cancel cancels them."""
        deal = self._create_deal(
            name="Tour won deal",
            user_id=self.user_salesman.id,
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
        )
        quotations = self._create_quotation(deal, user_id=self.user_salesman.id) + self._create_quotation(
            deal, user_id=self.user_salesman.id
        )
        quotations[1].action_quotation_sent()
        self.start_tour(f"/odoo/{self.pipeline.id}/deals", "deal_pipeline_won_tour", login="deal_salesman")
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(quotations.mapped("state"), ["cancel", "cancel"])

    def test_drop_on_closed_columns_runs_won_and_lost(self):
        """A drop on Closed Won with open quotations opens the Won dialog (keeping them is the
        default); a drop on a second lost column asks the reason and keeps that column."""
        no_decision = self.env["deal.stage"].create(
            {
                "name": "Tour No Decision",
                "sequence": 80,
                "outcome": "lost",
                "pipeline_ids": [Command.link(self.pipeline.id)],
            }
        )
        quoted, stalled = (
            self._create_deal(
                name=name,
                user_id=self.user_salesman.id,
                stage_id=self.stage_proposal.id,
                expected_close_date=CLOSE_DATE,
            )
            for name in ("Tour quoted deal", "Tour stalled deal")
        )
        quotation = self._create_quotation(quoted, user_id=self.user_salesman.id)
        self.start_tour(f"/odoo/{self.pipeline.id}/deals", "deal_pipeline_drop_closed_tour", login="deal_salesman")
        self.assertEqual(quoted.stage_id, self.stage_won)
        self.assertEqual(quotation.state, "draft")
        self.assertTrue(quoted.message_ids.filtered(lambda message: f"kept: {quotation.name}" in message.body))
        self.assertRecordValues(stalled, [{"stage_id": no_decision.id, "lost_reason_id": self.lost_reason.id}])

    def test_quick_create_in_column_of_bookmarked_board(self):
        """A pipeline's board URL reopens that pipeline; its quick create takes every field."""
        self.env.ref("base.EUR").active = True
        renewals = self.env["deal.pipeline"].create({"name": "Renewals", "sequence": 50})
        self._create_deal(name="Renewal deal", pipeline_id=renewals.id, user_id=self.user_salesman.id)
        self._create_deal(name="Sales deal", user_id=self.user_salesman.id)
        self.env["res.partner"].create({"name": "Quick Customer", "is_company": True})
        self.start_tour(f"/odoo/{renewals.id}/deals", "deal_pipeline_quick_create_tour", login="deal_salesman")
        deal = self.env["deal.deal"].search([("name", "=", "Quick deal")])
        self.assertRecordValues(
            deal,
            [
                {
                    "pipeline_id": renewals.id,
                    "stage_id": self.stage_qualification.id,
                    "partner_id": self.env["res.partner"].search([("name", "=", "Quick Customer")]).id,
                    "amount": 7500.0,
                    "currency_id": self.env.ref("base.EUR").id,
                    "user_id": self.user_salesman.id,
                    "expected_close_date": date(2030, 12, 31),
                }
            ],
        )
