from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError


class DealDeal(models.Model):
    _inherit = "deal.deal"

    project_ids = fields.One2many("project.project", "deal_id", string="Projects")
    project_count = fields.Integer("Number of Projects", compute="_compute_project_count")
    budget_hours = fields.Float(
        compute="_compute_project_hours",
        store=True,
        help="Hours sold in the deal's orders: the allocated time of the tasks they created.",
    )
    spent_hours = fields.Float(
        compute="_compute_project_hours",
        store=True,
        help="Hours recorded in timesheets on the deal's projects.",
    )
    remaining_hours = fields.Float(compute="_compute_project_hours", store=True, help="Budget hours minus spent hours.")
    timesheet_cost = fields.Monetary(
        "Cost So Far",
        currency_field="company_currency_id",
        compute="_compute_project_hours",
        store=True,
        help="Cost of the timesheets on the deal's projects (hours times the employees' hourly cost).",
    )
    is_over_budget = fields.Boolean(
        "Over Budget",
        compute="_compute_project_hours",
        store=True,
        help="More hours spent on the deal's projects than budgeted.",
    )
    overrun_hours = fields.Float(
        "Hours Over Budget",
        compute="_compute_overrun_hours",
        help="Spent hours beyond the budget hours (0 within the budget).",
    )
    project_margin = fields.Monetary(
        "Margin So Far",
        currency_field="company_currency_id",
        compute="_compute_project_margin",
        help="Ordered amount minus the cost of the timesheets so far.",
    )
    show_create_project = fields.Boolean(compute="_compute_show_create_project")

    @api.depends("project_ids")
    def _compute_project_count(self):
        counts = {}
        if self._origin.ids:
            counts = dict(
                self.env["project.project"]
                .sudo()
                ._read_group([("deal_id", "in", self._origin.ids)], ["deal_id"], ["__count"])
            )
        for deal in self:
            deal.project_count = counts.get(deal._origin, 0)

    @api.depends(
        "project_ids.task_ids.allocated_hours",
        "project_ids.task_ids.sale_line_id",
        "project_ids.task_ids.parent_id",
        "project_ids.timesheet_ids.unit_amount",
        "project_ids.timesheet_ids.amount",
    )
    def _compute_project_hours(self):
        """Budget and actuals of the deals' projects, with one grouped query on tasks and one on
        timesheets for all the deals, whoever may read the projects (the figures belong to the deal)."""
        budget, spent, cost = defaultdict(float), defaultdict(float), defaultdict(float)
        deal_of_project = {}
        if self._origin.ids:
            for deal, project_ids in (
                self.env["project.project"]
                .sudo()
                ._read_group([("deal_id", "in", self._origin.ids)], ["deal_id"], ["id:array_agg"])
            ):
                deal_of_project.update(dict.fromkeys(project_ids, deal.id))
        if deal_of_project:
            project_ids = list(deal_of_project)
            # top-level tasks only: a parent's allocated time covers its sub-tasks
            for project, hours in (
                self.env["project.task"]
                .sudo()
                ._read_group(
                    [("project_id", "in", project_ids), ("sale_line_id", "!=", False), ("parent_id", "=", False)],
                    ["project_id"],
                    ["allocated_hours:sum"],
                )
            ):
                budget[deal_of_project[project.id]] += hours
            for project, hours, amount in (
                self.env["account.analytic.line"]
                .sudo()
                ._read_group([("project_id", "in", project_ids)], ["project_id"], ["unit_amount:sum", "amount:sum"])
            ):
                spent[deal_of_project[project.id]] += hours
                cost[deal_of_project[project.id]] -= amount
        for deal in self:
            deal_id = deal._origin.id
            deal.budget_hours = budget[deal_id]
            deal.spent_hours = spent[deal_id]
            deal.remaining_hours = budget[deal_id] - spent[deal_id]
            deal.timesheet_cost = cost[deal_id]
            deal.is_over_budget = spent[deal_id] > budget[deal_id]

    @api.depends("spent_hours", "budget_hours")
    def _compute_overrun_hours(self):
        for deal in self:
            deal.overrun_hours = max(deal.spent_hours - deal.budget_hours, 0.0)

    @api.depends("amount_ordered", "timesheet_cost")
    def _compute_project_margin(self):
        for deal in self:
            deal.project_margin = deal.amount_ordered - deal.timesheet_cost

    @api.depends("outcome", "sale_order_count", "project_count")
    def _compute_show_create_project(self):
        for deal in self:
            deal.show_create_project = deal.outcome == "won" and deal.sale_order_count and not deal.project_count

    def _prepare_quotation_context(self):
        """New Quote proposes the pipeline's quotation template (the user may pick another)."""
        context = super()._prepare_quotation_context()
        template = self.pipeline_id.quotation_template_id
        if template and (not template.company_id or template.company_id == self.company_id):
            context["default_sale_order_template_id"] = template.id
        return context

    def action_create_project(self):
        """A project for a won deal whose orders created none, made by its first confirmed order's
        own Create Project (sale_project: only project managers may, the project is linked to the order)."""
        self.ensure_one()
        if self.outcome != "won":
            raise UserError(self.env._("Win the deal “%(deal)s” before creating its project.", deal=self.name))
        if self.project_count:
            raise UserError(self.env._("The deal “%(deal)s” already has a project.", deal=self.name))
        orders = self.sale_order_ids.filtered(lambda order: order.state == "sale")
        if not orders:
            raise UserError(
                self.env._("The deal “%(deal)s” has no confirmed order to create a project from.", deal=self.name)
            )
        action = orders.sorted(lambda order: (order.date_order, order.id))[0].action_create_project()
        if action.get("type") == "ir.actions.act_window":
            # the project is named after the deal, as those its orders create on confirmation
            action["context"] = dict(action.get("context") or {}, default_name=self.name)
        return action

    def action_view_projects(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("project.open_view_project_all")
        action["domain"] = [("deal_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.project_ids) == 1:
            action["views"] = [(self.env.ref("project.edit_project").id, "form")]
            action["res_id"] = self.project_ids.id
        return action
