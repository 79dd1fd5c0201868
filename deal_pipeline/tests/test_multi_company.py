from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(DealCommon):
    """Company A is the main company; company B has its own pipeline with a stage of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.env["res.company"].create({"name": "Deal Company B"})
        cls.pipeline_b = cls.env["deal.pipeline"].create({"name": "B pipeline", "company_id": cls.company_b.id})
        cls.stage_b = cls.env["deal.stage"].create(
            {"name": "B review", "sequence": 0, "pipeline_ids": [Command.link(cls.pipeline_b.id)]}
        )
        cls.user_a = new_test_user(
            cls.env,
            login="deal_user_a",
            groups="deal_pipeline.group_deal_user_all",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.user_ab = new_test_user(
            cls.env,
            login="deal_user_ab",
            groups="deal_pipeline.group_deal_user_all",
            company_id=cls.company_a.id,
            company_ids=[Command.set((cls.company_a + cls.company_b).ids)],
        )
        cls.deal_a, cls.deal_b = cls.env["deal.deal"].create(
            [
                {"name": "Deal of A", "partner_id": cls.customer.id},
                {
                    "name": "Deal of B",
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_b.id,
                    "pipeline_id": cls.pipeline_b.id,
                    "stage_id": cls.stage_b.id,
                },
            ]
        )
        cls.deals = cls.deal_a + cls.deal_b

    def test_user_of_one_company_sees_its_deals_only(self):
        Deal = self.env["deal.deal"].with_user(self.user_a)
        self.assertEqual(Deal.search([("id", "in", self.deals.ids)]), self.deal_a)
        for operation in (
            lambda deal: deal.read(["name"]),
            lambda deal: deal.write({"amount": 1.0}),
            lambda deal: deal.action_mark_won(),
        ):
            with self.assertRaises(AccessError):
                operation(self.deal_b.with_user(self.user_a))

    def test_user_of_one_company_sees_its_pipelines_and_stages_only(self):
        pipelines = self.env["deal.pipeline"].with_user(self.user_a).search([])
        self.assertIn(self.pipeline, pipelines, "a pipeline without company is shared")
        self.assertNotIn(self.pipeline_b, pipelines)
        stages = self.env["deal.stage"].with_user(self.user_a).search([])
        self.assertIn(self.stage_new, stages, "a stage without pipeline is shared")
        self.assertNotIn(self.stage_b, stages)
        with self.assertRaises(AccessError):
            self.stage_b.with_user(self.user_a).read(["name"])

    def test_allowed_companies_follow_the_company_switcher(self):
        Deal = self.env["deal.deal"].with_user(self.user_ab)
        domain = [("id", "in", self.deals.ids)]
        self.assertEqual(Deal.with_context(allowed_company_ids=self.company_a.ids).search(domain), self.deal_a)
        self.assertEqual(Deal.with_context(allowed_company_ids=self.company_b.ids).search(domain), self.deal_b)
        self.assertEqual(
            Deal.with_context(allowed_company_ids=(self.company_a + self.company_b).ids).search(domain), self.deals
        )

    def test_user_cannot_create_a_deal_in_another_company(self):
        with self.assertRaises(AccessError):
            self.env["deal.deal"].with_user(self.user_a).create(
                {"name": "Sneaky", "partner_id": self.customer.id, "company_id": self.company_b.id}
            )

    def test_board_does_not_show_the_stages_of_another_company(self):
        """The board's empty columns come from the pipeline in context: a pipeline of a company the
        user cannot reach must not reveal its stages."""
        groups = (
            self.env["deal.deal"]
            .with_user(self.user_a)
            .with_context(default_pipeline_id=self.pipeline_b.id, read_group_expand=True)
            .web_read_group([], ["stage_id"], ["__count"])["groups"]
        )
        columns = [group["stage_id"][0] for group in groups]
        self.assertIn(self.stage_new.id, columns)
        self.assertNotIn(self.stage_b.id, columns)

    def test_links_stay_within_one_company(self):
        partner_b = self.env["res.partner"].create({"name": "Customer of B", "company_id": self.company_b.id})
        for values in (
            {"pipeline_id": self.pipeline_b.id, "stage_id": self.stage_b.id},
            {"partner_id": partner_b.id},
        ):
            with self.subTest(values=values), self.assertRaisesRegex(UserError, "company"):
                self._create_deal(**values)
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        with self.assertRaisesRegex(UserError, "company"):
            order.deal_id = self.deal_b
        invoice = self.env["account.move"].create({"move_type": "out_invoice", "partner_id": self.customer.id})
        with self.assertRaisesRegex(UserError, "company"):
            invoice.deal_id = self.deal_b
        order.deal_id = invoice.deal_id = self.deal_a
        self.assertEqual(self.deal_a, order.deal_id | invoice.deal_id)
