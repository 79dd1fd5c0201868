"""The browser tours of deal_pipeline (HttpCase, headless Chromium), tagged by function so that
a slice runs alone (``scripts/devenv.sh test-odoo deal_board``): deal_board (the board, its drops
and quick create), deal_sale (quotes, won with open quotations), deal_forecast (what a salesman
with billing rights finds in the cash forecast), deal_mail (unassigned mails)."""

from datetime import date

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .access_matrix import AccessMatrixCase
from .common import CLOSE_DATE, DealCommon, DealMailCommon, DealSaleCommon


@tagged("post_install", "-at_install", "deal_board")
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


@tagged("post_install", "-at_install", "deal_board")
class TestDealStageGateTour(HttpCase, DealCommon):
    def test_drop_refused_by_the_stage_requirements(self):
        """A drop into a stage whose requirements the deal misses: the card goes back, the message says why."""
        salesman = new_test_user(
            self.env, login="deal_gate_salesman", groups="sales_team.group_sale_salesman", name="Gina Gate"
        )
        deal = self._create_deal(name="Gate Deal", user_id=salesman.id, amount=2500.0)
        self.start_tour(f"/odoo/{self.pipeline.id}/deals", "deal_pipeline_stage_gate_tour", login="deal_gate_salesman")
        self.assertEqual(deal.stage_id, self.stage_new)
        self.assertFalse(
            self.env["mail.tracking.value"].search_count(
                [("mail_message_id.res_id", "=", deal.id), ("field_id.name", "=", "stage_id")]
            )
        )


@tagged("post_install", "-at_install", "deal_board")
class TestDealQuickCreateTour(DealSaleCommon, HttpCase):
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


@tagged("post_install", "-at_install", "deal_sale")
class TestDealQuoteTour(DealSaleCommon, HttpCase):
    def test_new_quote_from_deal(self):
        """A salesperson opens a deal in Proposal Sent, makes a quote from it, and finds it on the
        deal's Quotes tab and on its card."""
        customer = self.env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        deal = self._create_deal(
            name="Tour quote deal",
            partner_id=customer.id,
            user_id=self.user_salesman.id,
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
        )
        self.start_tour(
            "/odoo/action-deal_pipeline.deal_deal_action", "deal_pipeline_quote_tour", login="deal_salesman"
        )
        self.assertRecordValues(
            deal.sale_order_ids,
            [{"partner_id": customer.id, "user_id": self.user_salesman.id, "state": "draft", "amount_untaxed": 400.0}],
        )
        self.assertEqual(deal.quotation_count, 1)


@tagged("post_install", "-at_install", "deal_sale")
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


@tagged("post_install", "-at_install", "mail_gateway", "deal_mail")
class TestDealUnassignedMailTour(DealMailCommon, HttpCase):
    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_file_unassigned_mail_from_the_list(self):
        self.env["res.partner"].create(
            {"name": "Carl", "email": "carl@azure.example.com", "parent_id": self.customer.id}
        )
        desks, cabinets = self.env["deal.deal"].create(
            [
                {"name": "Desks", "partner_id": self.customer.id, "user_id": self.user_own.id},
                {"name": "Cabinets", "partner_id": self.customer.id, "user_id": self.user_own.id},
            ]
        )
        self._receive("Which offer?", "carl@azure.example.com", to=f"{self.alias_catchall}@{self.alias_domain}")
        self.assertEqual(self.env["deal.unassigned.mail"].search([]).deal_ids, desks | cabinets)
        self.start_tour("/odoo/unassigned-deal-mails", "deal_pipeline_unassigned_mail_tour", login="deal_own")
        self.assertFalse(self.env["deal.unassigned.mail"].search([]))
        self.assertEqual(cabinets.message_ids.filtered(lambda m: m.subject == "Which offer?").author_id.name, "Carl")
        self.assertFalse(desks.message_ids.filtered(lambda m: m.subject == "Which offer?"))


@tagged("post_install", "-at_install", "deal_board", "deal_forecast")
class TestDealAccessTour(AccessMatrixCase):
    """The access matrix's row of a salesman with billing rights, in the browser."""

    rows = {"salesman_own_billing": "sales_team.group_sale_salesman,account.group_account_invoice"}

    def test_tour_salesman_with_billing_finds_only_his_deals(self):
        self.start_tour("/odoo", "deal_pipeline_billing_salesman_tour", login="matrix_api_salesman_own_billing")
