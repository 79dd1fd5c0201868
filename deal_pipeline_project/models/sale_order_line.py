from odoo import models

# the services whose order creates a project, where their hours become the deal's budget
# (sale_project's sale.order.line._timesheet_service_generation); a task in a global project
# ("task_global_project") goes to a project of no deal
NEW_PROJECT_TRACKINGS = ("project_only", "task_in_project")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _deal_budget_hours(self):
        """{line: hours}: what each line of one order adds to its deal's budget (the allocated
        time of the top-level tasks of the projects the order creates) when the order is
        confirmed, computed as sale_project and sale_timesheet compute the tasks they create:
        the tasks of a project template, once per template and order, and the line's own task
        (its quantity in the company's time unit, or its task template's hours). Also for the
        lines of a quote not saved yet (the New Quote dialog's preview)."""
        hours = dict.fromkeys(self, 0.0)
        project_templates, task_templates = set(), set()
        for line in self.sorted("sequence"):
            product = line.product_id
            if (
                not line.is_service
                or product.service_tracking not in NEW_PROJECT_TRACKINGS
                or (line._is_line_optional() and not line.product_uom_qty)
            ):
                continue
            if (template := product.project_template_id) and template not in project_templates:
                project_templates.add(template)
                hours[line] += line._deal_project_template_hours(template)
            if product.service_tracking != "task_in_project":
                continue
            if task_template := product.task_template_id:
                if task_template not in task_templates:
                    task_templates.add(task_template)
                    vals = line._prepare_task_template_vals(task_template, self.env["project.project"])
                    hours[line] += vals["allocated_hours"]
            elif product.service_type != "milestones":
                hours[line] += line._convert_qty_company_hours(line.company_id)
        return hours

    def _deal_project_template_hours(self, template):
        """The allocated time of the top-level tasks a project made from ``template`` starts
        with (project.project.map_tasks copies them, archived ones stay archived)."""
        tasks = (
            self.env["project.task"]
            .sudo()
            ._read_group([("project_id", "=", template.id), ("parent_id", "=", False)], [], ["allocated_hours:sum"])
        )
        return tasks[0][0] or 0.0

    def _timesheet_create_project_prepare_values(self):
        """A project made for a deal's order is named after the deal (sale_project adds the
        project template's or the product's name), not after the order's number."""
        values = super()._timesheet_create_project_prepare_values()
        if deal := self.order_id.sudo().deal_id:
            values["name"] = deal.name
        return values
