from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CLOSE_DATE, DealCommon


@tagged("post_install", "-at_install")
class TestDealTour(HttpCase, DealCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="deal_tour_salesman", groups="sales_team.group_sale_salesman", name="Sam Salesman"
        )
        cls.env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        # More deals in Proposal Sent than the board loads in a column (the action limit, 80).
        cls.env["deal.deal"].create(
            [
                {
                    "name": f"Filler deal {index}",
                    "partner_id": cls.customer.id,
                    "user_id": cls.salesman.id,
                    "stage_id": cls.stage_proposal.id,
                    "expected_close_date": CLOSE_DATE,
                    "amount": 1000.0,
                }
                for index in range(85)
            ]
        )

    def _stage_trackings(self, deal):
        trackings = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "deal.deal"),
                ("mail_message_id.res_id", "=", deal.id),
                ("field_id.name", "=", "stage_id"),
            ],
            order="id",
        )
        return [(tracking.old_value_integer, tracking.new_value_integer) for tracking in trackings]

    def test_tour_quick_create_then_drag_to_lost_asks_reason(self):
        """Quick create, drag to Qualification, drag to Closed Lost (discard, then give a reason)."""
        self.start_tour("/odoo", "deal_pipeline_tour", login="deal_tour_salesman")

        deal = self.env["deal.deal"].search([("name", "=", "Tour Deal")])
        self.assertRecordValues(
            deal,
            [
                {
                    "partner_id": self.env["res.partner"].search([("name", "=", "Tour Customer")]).id,
                    "user_id": self.salesman.id,
                    "pipeline_id": self.pipeline.id,
                    "amount": 5000.0,
                    "stage_id": self.stage_lost.id,
                    "outcome": "lost",
                    "lost_reason_id": self.lost_reason.id,
                }
            ],
        )
        self.assertTrue(deal.date_closed)
        # The drop on Closed Lost wrote nothing until the reason was confirmed.
        self.assertEqual(
            self._stage_trackings(deal),
            [(self.stage_new.id, self.stage_qualification.id), (self.stage_qualification.id, self.stage_lost.id)],
        )

    def test_tour_refused_drop_puts_card_back_won_drop_wins(self):
        """A drop refused by the server puts the card back and shows why; a drop on won of a deal
        without open quotations wins it at once, as the Won button does."""
        renewals = self.env["deal.pipeline"].create({"name": "Tour Renewals"})
        review = self.env["deal.stage"].create(
            {"name": "Tour Review", "sequence": 2, "pipeline_ids": [Command.link(renewals.id)]}
        )
        self._create_deal(name="Tour Renewal", pipeline_id=renewals.id, stage_id=review.id, user_id=self.salesman.id)
        deal = self._create_deal(name="Tour Sales Deal", user_id=self.salesman.id)

        self.start_tour(
            "/odoo/action-deal_pipeline.deal_deal_action", "deal_pipeline_drop_tour", login="deal_tour_salesman"
        )

        self.assertEqual(deal.stage_id, self.stage_won)
        self.assertEqual(self._stage_trackings(deal), [(self.stage_new.id, self.stage_won.id)])
