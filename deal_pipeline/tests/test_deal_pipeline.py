from datetime import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged, users
from odoo.tools import convert_file

from .common import CLOSE_DATE, DealCommon


@tagged("post_install", "-at_install", "deal_board")
class TestDealPipeline(DealCommon):
    """Pipelines with their own stages next to the shared ones."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pipeline_renewals = cls.env["deal.pipeline"].create({"name": "Renewals", "sequence": 2})
        cls.stage_renewal_due = cls.env["deal.stage"].create(
            {
                "name": "Renewal Due",
                "sequence": 0,
                "probability": 60.0,
                "pipeline_ids": [cls.pipeline_renewals.id],
            }
        )
        cls.stage_renewed = cls.env["deal.stage"].create(
            {
                "name": "Renewed",
                "sequence": 4,
                "probability": 100.0,
                "outcome": "won",
                "pipeline_ids": [cls.pipeline_renewals.id],
            }
        )
        cls.stage_demo = cls.env["deal.stage"].create(
            {"name": "Demo Done", "sequence": 3, "probability": 40.0, "pipeline_ids": [cls.pipeline.id]}
        )
        cls.shared_stages = cls.stage_new | cls.stage_qualification | cls.stage_proposal
        cls.shared_stages |= cls.stage_negotiation | cls.stage_won | cls.stage_lost

    @users("deal_own")
    def test_shipped_stages_shared_by_every_pipeline(self):
        stages = self.env["deal.stage"].search([("id", "in", self.shared_stages.ids)])
        self.assertEqual(
            [(s.name, s.probability, s.outcome, s.fold) for s in stages],
            [
                ("New", 10.0, "open", False),
                ("Qualification", 20.0, "open", False),
                ("Proposal Sent", 50.0, "open", False),
                ("Negotiation", 75.0, "open", False),
                ("Closed Won", 100.0, "won", False),
                ("Closed Lost", 0.0, "lost", True),
            ],
        )
        self.assertFalse(stages.pipeline_ids, "the shipped stages are shared by every pipeline")
        self.assertEqual(self.pipeline.name, "Sales")
        self.assertEqual(self.pipeline.stage_ids, (self.shared_stages | self.stage_demo).sorted())

    @users("deal_manager")
    def test_stage_probability_range(self):
        stage = self.stage_demo.with_env(self.env)
        for probability in (-1.0, 100.5):
            with self.subTest(probability=probability), self.assertRaises(ValidationError) as caught:
                stage.probability = probability
            self.assertEqual(
                caught.exception.args[0],
                f"Wrong value for the field “Probability (%)” (probability): {probability}. "
                "Give a number between 0 and 100.",
            )

    @users("deal_own")
    def test_default_stage_of_pipeline(self):
        deal = (
            self.env["deal.deal"]
            .with_context(default_pipeline_id=self.pipeline_renewals.id)
            .create({"name": "Support renewal", "partner_id": self.customer.id})
        )
        self.assertEqual(deal.pipeline_id, self.pipeline_renewals)
        self.assertEqual(deal.stage_id, self.stage_renewal_due)
        self.assertEqual(deal.probability, 60.0)

    @users("deal_own")
    def test_stage_must_belong_to_pipeline(self):
        with self.assertRaises(ValidationError) as caught:
            self._create_deal(stage_id=self.stage_renewal_due.id)
        self.assertEqual(
            caught.exception.args[0],
            "The stage “Renewal Due” is not used by the pipeline “Sales”: choose one of the pipeline's stages.",
        )
        deal = self._create_deal()
        with self.assertRaises(ValidationError):
            deal.stage_id = self.stage_renewal_due
        with self.assertRaises(ValidationError):
            deal.write({"pipeline_id": self.pipeline_renewals.id, "stage_id": self.stage_demo.id})
        deal.stage_id = self.stage_demo
        self.assertEqual(deal.stage_id, self.stage_demo)

    def test_deal_in_pipeline_without_open_stage_is_refused(self):
        empty = self.env["deal.pipeline"].create({"name": "No stages yet"})
        self.env["deal.stage"].search([("pipeline_ids", "=", False), ("outcome", "=", "open")]).active = False
        with self.assertRaises(UserError) as caught:
            self._create_deal(pipeline_id=empty.id)
        self.assertEqual(
            caught.exception.args[0],
            "The pipeline “No stages yet” has no Open stage: add one in Configuration > Stages.",
        )

    @users("deal_own")
    def test_pipeline_change_keeps_or_resets_stage(self):
        shared, own = self._create_deal(name="Shared", expected_close_date=CLOSE_DATE), self._create_deal(name="Own")
        shared.stage_id = self.stage_proposal
        own.stage_id = self.stage_demo
        (shared | own).pipeline_id = self.pipeline_renewals
        self.assertEqual(shared.stage_id, self.stage_proposal, "a shared stage fits every pipeline")
        self.assertEqual(own.stage_id, self.stage_renewal_due, "the first open stage of the new pipeline")

    @users("deal_own")
    def test_closing_uses_closing_stages_of_deal_pipeline(self):
        first_won_at, second_won_at = datetime(2025, 4, 1, 10), datetime(2025, 4, 2, 10)
        renewal = self._create_deal(name="Support renewal", pipeline_id=self.pipeline_renewals.id)
        sale = self._create_deal()
        with self._at(first_won_at):
            (renewal | sale).action_mark_won()
            self.assertEqual(renewal.stage_id, self.stage_renewed, "the won stage of its own pipeline")
            self.assertEqual(sale.stage_id, self.stage_won)
            self.assertEqual(renewal.date_closed, first_won_at)
        with self._at(second_won_at):
            renewal.stage_id = self.stage_won
            self.assertEqual(renewal.date_closed, first_won_at, "moving between won stages keeps the closing date")
        renewal.action_mark_lost(lost_reason_id=self.lost_reason.id)
        self.assertEqual(renewal.stage_id, self.stage_lost, "the shared lost stage")
        renewal.action_reopen()
        self.assertEqual(renewal.stage_id, self.stage_renewal_due)

    def _board_columns(self, pipeline=None):
        Deal = self.env["deal.deal"].with_context(read_group_expand=True)
        domain = []
        if pipeline:
            Deal = Deal.with_context(default_pipeline_id=pipeline.id)
            domain = [("pipeline_id", "=", pipeline.id)]
        groups = Deal.web_read_group(domain, ["stage_id"], ["amount_company:sum"])["groups"]
        return [(group["stage_id"][1], group["__count"], group["amount_company:sum"]) for group in groups]

    @users("deal_own")
    def test_board_columns_are_pipeline_stages_with_counts_and_sums(self):
        self._create_deal(amount=100.0)
        self._create_deal(amount=250.0)
        self._create_deal(pipeline_id=self.pipeline_renewals.id, amount=400.0)
        self.assertEqual(
            self._board_columns(self.pipeline),
            [
                ("New", 2, 350.0),
                ("Qualification", 0, 0.0),
                ("Proposal Sent", 0, 0.0),
                ("Demo Done", 0, 0.0),
                ("Negotiation", 0, 0.0),
                ("Closed Won", 0, 0.0),
                ("Closed Lost", 0, 0.0),
            ],
        )
        self.assertEqual(
            self._board_columns(self.pipeline_renewals),
            [
                ("Renewal Due", 1, 400.0),
                ("New", 0, 0.0),
                ("Qualification", 0, 0.0),
                ("Proposal Sent", 0, 0.0),
                ("Negotiation", 0, 0.0),
                ("Renewed", 0, 0.0),
                ("Closed Won", 0, 0.0),
                ("Closed Lost", 0, 0.0),
            ],
        )
        self.assertEqual(
            [column[0] for column in self._board_columns()],
            ["Renewal Due", *self.shared_stages.mapped("name")],
            "without a pipeline: the shared stages and the ones holding deals",
        )

    def test_upgrade_keeps_edited_stage(self):
        """An admin's rename, re-ordering and probability change survive an upgrade of the addon,
        which reloads the data file in 'update' mode (its records are noupdate)."""
        self.stage_new.with_user(self.user_manager).write({"name": "Lead In", "probability": 5.0, "sequence": 8})
        self.stage_lost.with_user(self.user_manager).write({"fold": False})

        convert_file(self.env, "deal_pipeline", "data/deal_stage_data.xml", {}, mode="update")

        self.env.invalidate_all()
        self.assertEqual(
            (self.stage_new.name, self.stage_new.probability, self.stage_new.sequence), ("Lead In", 5.0, 8)
        )
        self.assertFalse(self.stage_lost.fold)
        self.assertEqual(self.stage_qualification.name, "Qualification", "untouched stages stay as shipped")
