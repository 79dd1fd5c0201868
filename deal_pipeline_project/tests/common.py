from odoo.addons.deal_pipeline.tests.common import DealSaleCommon
from odoo.fields import Command
from odoo.tests import Form, new_test_user

# figures of the deal's projects, computed from their tasks and timesheets
PROJECT_FIGURES = (
    "budget_hours",
    "spent_hours",
    "remaining_hours",
    "overrun_hours",
    "timesheet_cost",
    "is_over_budget",
)


class DealProjectCommon(DealSaleCommon):
    """A "Website project" quotation template: design hours creating a project and a task each,
    development hours creating a project from a template with stages and tasks; a fixed-price
    service; a project user (no sales rights) who records timesheets, a salesman who also manages
    projects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the Quotation Templates setting of Sales
        cls.env.ref("base.group_user").implied_ids |= cls.env.ref("sale_management.group_sale_order_template")
        cls.uom_hour = cls.env.ref("uom.product_uom_hour")
        stages = cls.env["project.task.type"].create(
            [{"name": name, "sequence": seq} for seq, name in enumerate(("Design", "Build", "Live"))]
        )
        cls.project_template = cls.env["project.project"].create(
            {
                "name": "Website Build",
                "is_template": True,
                "allow_billable": True,
                "type_ids": [Command.set(stages.ids)],
                "task_ids": [
                    Command.create({"name": "Page templates", "allocated_hours": 16.0, "stage_id": stages[1].id}),
                    Command.create({"name": "Integrations", "allocated_hours": 24.0, "stage_id": stages[1].id}),
                ],
            }
        )
        service = {"type": "service", "invoice_policy": "order", "uom_id": cls.uom_hour.id}
        cls.product_design = cls.env["product.product"].create(
            service | {"name": "Web Design Hours", "list_price": 90.0, "service_tracking": "task_in_project"}
        )
        cls.product_development = cls.env["product.product"].create(
            service
            | {
                "name": "Web Development Hours",
                "list_price": 110.0,
                "service_tracking": "project_only",
                "project_template_id": cls.project_template.id,
            }
        )
        cls.product_fixed = cls.env["product.product"].create(
            {
                "name": "Maintenance Package",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1500.0,
                "service_tracking": "project_only",
            }
        )
        cls.template_website = cls.env["sale.order.template"].create(
            {
                "name": "Website project (test)",
                "sale_order_template_line_ids": [
                    Command.create({"product_id": cls.product_design.id, "product_uom_qty": 20.0}),
                    Command.create({"product_id": cls.product_development.id, "product_uom_qty": 40.0}),
                ],
            }
        )
        cls.template_fixed = cls.env["sale.order.template"].create(
            {
                "name": "Maintenance (test)",
                "sale_order_template_line_ids": [Command.create({"product_id": cls.product_fixed.id})],
            }
        )
        cls.pipeline.quotation_template_id = cls.template_website
        cls.user_project = new_test_user(
            cls.env,
            login="deal_project_user",
            groups="project.group_project_user,hr_timesheet.group_hr_timesheet_user",
            name="Pia Project",
        )
        cls.employee_project = cls.env["hr.employee"].create(
            {"name": "Pia Project", "user_id": cls.user_project.id, "hourly_cost": 50.0}
        )
        cls.user_sales_pm = new_test_user(
            cls.env,
            login="deal_sales_pm",
            groups="sales_team.group_sale_salesman,project.group_project_manager",
            name="Paul Sales PM",
        )

    def _new_quote(self, deal, template=None):
        """The quote of the deal's New Quote button as the form makes it (the proposed template's
        lines, or those of ``template`` when the user picks another one), saved."""
        action = deal.action_new_quotation()
        with Form(deal.env["sale.order"].with_context(**action["context"])) as quote:
            if template:
                quote.sale_order_template_id = template
        return quote.record

    def _timesheet(self, task, hours):
        return (
            self.env["account.analytic.line"]
            .with_user(self.user_project)
            .create({"name": "Work", "task_id": task.id, "project_id": task.project_id.id, "unit_amount": hours})
        )
