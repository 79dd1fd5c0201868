from odoo.addons.deal_pipeline.tests.common import CLOSE_DATE
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import PROJECT_FIGURES, DealProjectCommon


@tagged("post_install", "-at_install")
class TestDealProject(DealProjectCommon):
    def test_from_quote_to_project_budget_and_actuals(self):
        """Deal in Proposal Sent → New Quote with the pipeline's template → confirm → projects and
        tasks with the hours sold → 3 hours timesheeted → the deal's budget, spent and remaining."""
        deal = self._create_deal(
            name="Bakery website",
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
            user_id=self.user_salesman.id,
        ).with_user(self.user_salesman)
        quote = self._new_quote(deal)
        self.assertEqual(quote.sale_order_template_id, self.template_website, "the pipeline's template is proposed")
        self.assertEqual(quote.deal_id, deal)
        self.assertRecordValues(
            quote.order_line,
            [
                {"product_id": self.product_design.id, "product_uom_qty": 20.0, "price_unit": 90.0},
                {"product_id": self.product_development.id, "product_uom_qty": 40.0, "price_unit": 110.0},
            ],
        )
        self.assertEqual(quote.amount_untaxed, 6200.0, "the quote is the budget: 20 h at 90 + 40 h at 110")

        quote.action_confirm()
        self.assertEqual(deal.outcome, "won")
        projects = quote.sudo().project_ids
        self.assertEqual(len(projects), 2, "a project for the design hours, one from the project template")
        self.assertEqual(projects.deal_id, deal.sudo())
        self.assertEqual(deal.sudo().project_ids, projects)
        self.assertEqual(deal.project_count, 2)
        design_task = quote.order_line[0].sudo().task_id
        self.assertEqual(design_task.allocated_hours, 20.0)
        from_template = projects.filtered(
            lambda project: project.type_ids.mapped("name") == ["Design", "Build", "Live"]
        )
        self.assertEqual(sorted(from_template.task_ids.mapped("allocated_hours")), [16.0, 24.0])

        self._timesheet(design_task, 3.0)
        self.env.invalidate_all()
        self.assertRecordValues(
            deal,
            [
                {
                    "budget_hours": 60.0,
                    "spent_hours": 3.0,
                    "remaining_hours": 57.0,
                    "timesheet_cost": 150.0,
                    "project_margin": 6050.0,
                    "is_over_budget": False,
                }
            ],
        )

    def test_other_template_and_fixed_price(self):
        """The user may pick another template than the proposed one; a fixed-price line is a
        project without hours sold: timesheets make the deal go over budget."""
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, user_id=self.user_salesman.id
        ).with_user(self.user_salesman)
        quote = self._new_quote(deal, template=self.template_fixed)
        self.assertEqual(quote.order_line.product_id, self.product_fixed)
        quote.action_confirm()
        self.assertEqual(deal.project_count, 1)
        self.assertEqual(deal.budget_hours, 0.0)
        project = deal.sudo().project_ids
        task = self.env["project.task"].create({"name": "Update plugins", "project_id": project.id})
        self._timesheet(task, 2.0)
        self.assertRecordValues(deal, [{"spent_hours": 2.0, "remaining_hours": -2.0, "is_over_budget": True}])

    def test_no_template_on_the_pipeline(self):
        self.pipeline.quotation_template_id = False
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        self.assertNotIn("default_sale_order_template_id", deal.action_new_quotation()["context"])

    def test_won_deal_without_project_create_project(self):
        """A won deal whose order created no project: Create Project uses the order's own one."""
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, user_id=self.user_sales_pm.id
        )
        order = self._create_quotation(deal, user_id=self.user_sales_pm.id)  # a service that creates no project
        order.action_confirm()
        deal = deal.with_user(self.user_sales_pm)
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(deal.project_count, 0)
        self.assertTrue(deal.show_create_project)

        action = deal.action_create_project()
        wizard = self.env[action["res_model"]].with_user(self.user_sales_pm).with_context(**action["context"])
        wizard.create({"name": "Consulting delivery"}).action_create_project_from_so()
        project = deal.project_ids
        self.assertEqual(len(project), 1)
        self.assertEqual(project.deal_id, deal)
        self.assertEqual(project.reinvoiced_sale_order_id, order)
        self.assertFalse(deal.show_create_project)
        with self.assertRaisesRegex(UserError, "already has a project"):
            deal.action_create_project()

    def test_create_project_only_for_won_deals_and_project_managers(self):
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, user_id=self.user_salesman.id
        )
        with self.assertRaisesRegex(UserError, "Win the deal"):
            deal.with_user(self.user_salesman).action_create_project()
        self._create_quotation(deal, user_id=self.user_salesman.id).action_confirm()
        with self.assertRaises(AccessError):
            deal.with_user(self.user_salesman).action_create_project()
        # a project user, not administrator: sale_project refuses
        self.user_salesman.group_ids |= self.env.ref("project.group_project_user")
        action = deal.with_user(self.user_salesman).action_create_project()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "danger")
        self.assertFalse(deal.project_ids)

    def test_project_deal_is_not_written(self):
        deal = self._create_deal()
        with self.assertRaisesRegex(UserError, "comes from its sales order"):
            self.env["project.project"].create({"name": "Manual", "deal_id": deal.id})
        project = self.env["project.project"].create({"name": "Manual"})
        with self.assertRaisesRegex(UserError, "comes from its sales order"):
            project.write({"deal_id": deal.id})
        for name in PROJECT_FIGURES:
            with (
                self.subTest(name),
                self.assertRaisesRegex(UserError, rf"\({name}\) is computed and cannot be written"),
            ):
                deal.with_user(self.user_salesman).write({name: 1})

    def test_bridge_installs_by_itself(self):
        module = self.env["ir.module.module"].search([("name", "=", "deal_pipeline_project")])
        self.assertEqual(module.state, "installed")
        self.assertTrue(module.auto_install)
        self.assertEqual(
            set(module.dependencies_id.mapped("name")), {"deal_pipeline", "sale_project", "sale_timesheet"}
        )

    def test_timesheet_cost_counted_once_whichever_order_made_the_project(self):
        """A deal with two confirmed orders, the second one's making the project, and a second task
        of that project sold by the first order: the timesheets count once for the deal."""
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        first = self._create_quotation(deal)  # a service that creates no project
        first.action_confirm()
        deal.action_reopen()
        second = self._create_quotation(deal, order_line=[])
        second.write({"order_line": [Command.create({"product_id": self.product_design.id, "product_uom_qty": 10.0})]})
        second.action_confirm()
        project = second.project_ids
        self.assertEqual(len(project), 1)
        self.assertEqual(project.deal_id, deal)
        other_task = self.env["project.task"].create(
            {"name": "Extra", "project_id": project.id, "sale_line_id": first.order_line.id}
        )
        self._timesheet(second.order_line.task_id, 3.0)
        self._timesheet(other_task, 1.0)
        self.env.invalidate_all()
        self.assertRecordValues(deal, [{"spent_hours": 4.0, "timesheet_cost": 200.0, "project_count": 1}])
