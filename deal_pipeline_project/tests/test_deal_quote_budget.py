from collections import defaultdict

from odoo.addons.deal_pipeline.tests.common import CLOSE_DATE
from odoo.fields import Command
from odoo.tests import Form, tagged, users

from .common import DealProjectCommon


@tagged("post_install", "-at_install")
class TestDealQuoteBudget(DealProjectCommon):
    """The New Quote dialog's budget preview is the budget its quote creates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # design sold by the day: the budget counts it in hours (8 h a day)
        cls.product_design_days = cls.env["product.product"].create(
            {
                "name": "Design Workshop Days",
                "type": "service",
                "invoice_policy": "order",
                "uom_id": cls.env.ref("uom.product_uom_day").id,
                "list_price": 700.0,
                "service_tracking": "task_in_project",
            }
        )
        cls.product_hosting = cls.env["product.product"].create(
            {"name": "Hosting Year", "type": "service", "invoice_policy": "order", "list_price": 300.0}
        )
        cls.template_mixed = cls.env["sale.order.template"].create(
            {
                "name": "Website with workshop (test)",
                "sale_order_template_line_ids": [
                    Command.create({"product_id": cls.product_design.id, "product_uom_qty": 12.0}),
                    Command.create({"product_id": cls.product_design_days.id, "product_uom_qty": 2.0}),
                    Command.create({"product_id": cls.product_development.id, "product_uom_qty": 40.0}),
                    Command.create({"product_id": cls.product_fixed.id, "product_uom_qty": 1.0}),
                    Command.create({"product_id": cls.product_hosting.id, "product_uom_qty": 1.0}),
                ],
            }
        )
        cls.pipeline.quotation_template_ids = cls.template_website | cls.template_fixed | cls.template_mixed

    def _deal(self, **values):
        return self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, user_id=self.user_salesman.id, **values
        )

    @users("deal_salesman")
    def test_preview_is_the_budget_created(self):
        """A salesperson without project rights sees, before the quote exists, the hours per
        service and the fixed-price lines; confirmed, the quote gives the deal exactly that
        budget, task by task."""
        deal = self._deal(name="Bakery website")
        wizard = self.env["deal.quote.wizard"].create({"deal_id": deal.id})
        self.assertEqual(wizard.template_id, self.template_website, "the pipeline's default template first")
        wizard.template_id = self.template_mixed
        services, fixed = wizard._budget_rows(wizard._new_quote())
        self.assertEqual(
            services,
            [
                ("Web Design Hours", 12.0, 1080.0),
                ("Design Workshop Days", 16.0, 1400.0),
                ("Web Development Hours", 40.0, 4400.0),  # the project template's tasks: 16 + 24
            ],
        )
        self.assertEqual(fixed, [("Maintenance Package", 1500.0), ("Hosting Year", 300.0)])
        self.assertEqual(wizard.budget_hours, 68.0)
        self.assertEqual(wizard.amount_untaxed, 8680.0)
        for text in ("Web Design Hours", "12:00", "16:00", "Fixed price", "Hosting Year", "68:00", "8,680.00"):
            self.assertIn(text, wizard.budget_preview)

        preview_hours = wizard.budget_hours
        action = wizard.action_new_quotation()
        quote = Form(self.env["sale.order"].with_context(**action["context"])).save()
        quote.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(deal.budget_hours, preview_hours)
        # recomputed from the tasks the confirmation created: the hours of each service
        tasks = (
            self.env["project.task"]
            .sudo()
            .search([("project_id", "in", deal.sudo().project_ids.ids), ("parent_id", "=", False)])
        )
        per_service = defaultdict(float)
        for task in tasks:
            per_service[task.sale_line_id.product_id.display_name] += task.allocated_hours
        self.assertEqual(dict(per_service), {name: hours for name, hours, _amount in services})

    @users("deal_salesman")
    def test_blank_quote_has_no_budget(self):
        wizard = self.env["deal.quote.wizard"].create({"deal_id": self._deal().id, "start_from": "blank"})
        self.assertEqual((wizard.budget_hours, wizard.amount_untaxed), (0.0, 0.0))
        self.assertIn("no budget", wizard.budget_preview)

    @users("deal_salesman")
    def test_project_named_after_the_deal(self):
        deal = self._deal(name="Bakery website")
        wizard = self.env["deal.quote.wizard"].create({"deal_id": deal.id, "template_id": self.template_website.id})
        quote = Form(self.env["sale.order"].with_context(**wizard.action_new_quotation()["context"])).save()
        quote.action_confirm()
        self.assertEqual(
            sorted(deal.sudo().project_ids.mapped("name")), ["Bakery website", "Bakery website - Website Build"]
        )
        self.assertNotIn(quote.name, " ".join(deal.sudo().project_ids.mapped("name")))

    def test_create_project_proposes_the_deal_name(self):
        deal = self._create_deal(
            name="Hosting for a bakery",
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
            user_id=self.user_sales_pm.id,
        )
        self._create_quotation(deal, user_id=self.user_sales_pm.id).action_confirm()
        action = deal.with_user(self.user_sales_pm).action_create_project()
        self.assertEqual(action["context"]["default_name"], "Hosting for a bakery")

    def test_overrun_hours(self):
        deal = self._deal()
        quote = self._new_quote(deal.with_user(self.user_salesman), template=self.template_website)
        quote.action_confirm()
        task = quote.order_line[0].sudo().task_id
        self._timesheet(task, 5.0)
        self.assertRecordValues(deal, [{"overrun_hours": 0.0, "is_over_budget": False}])
        self._timesheet(task, 60.0)
        self.assertRecordValues(deal, [{"overrun_hours": 5.0, "is_over_budget": True}])
