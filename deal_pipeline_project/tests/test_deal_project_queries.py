from lxml import etree

from odoo.addons.deal_pipeline.tests.web_client import field_specification
from odoo.fields import Command
from odoo.tests import tagged, users

from .common import PROJECT_FIGURES, DealProjectCommon

# computed as the ORM recomputes them: values set in cache, no write
COMPUTED = (*PROJECT_FIGURES, "project_count")


@tagged("post_install", "-at_install", "is_query_count")
class TestDealProjectQueries(DealProjectCommon):
    """The budget figures cost the same number of queries for 3 deals or 30, whatever their
    projects, tasks and timesheets (the web client's field specification: deal_pipeline's web_client)."""

    def _create_deals_with_projects(self, count):
        env = self.env(su=True)
        deals = env["deal.deal"].create(
            [
                {"name": f"Project deal {index}", "partner_id": self.customer.id, "user_id": self.user_all.id}
                for index in range(count)
            ]
        )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "deal_id": deal.id,
                    "order_line": [Command.create({"product_id": self.product_design.id, "product_uom_qty": 10.0})],
                }
                for deal in deals
            ]
        )
        projects = env["project.project"].create(
            [
                {"name": order.name, "reinvoiced_sale_order_id": order.id, "allow_timesheets": True}
                for order in orders
                for _project in range(index_projects(order))
            ]
        )
        tasks = env["project.task"].create(
            [
                {
                    "name": f"Task {index}",
                    "project_id": project.id,
                    "sale_line_id": project.reinvoiced_sale_order_id.order_line.id,
                    "allocated_hours": 4.0,
                }
                for project in projects
                for index in range(2)
            ]
        )
        for task in tasks:
            self._timesheet(task, 1.0)
        self.env.flush_all()
        return deals

    def _board_and_list(self, deals):
        """The board's cards and the list's rows as the web client reads them, with the budget columns."""
        Deal = self.env["deal.deal"]
        for view_type in ("kanban", "list"):
            arch = etree.fromstring(Deal.get_views([(False, view_type)])["views"][view_type]["arch"])
            Deal.web_search_read([("id", "in", deals.ids)], field_specification(Deal, arch))

    def _recompute(self, deals):
        with self.env.protecting([deals._fields[name] for name in COMPUTED], deals):
            deals._compute_project_hours()
            deals._compute_project_count()

    @users("deal_all")
    def test_board_list_and_recompute_queries_do_not_grow(self):
        small = self._create_deals_with_projects(3).with_env(self.env)
        big = self._create_deals_with_projects(30).with_env(self.env)
        for deal in big.sudo():
            tasks = self.env["project.task"].sudo().search([("project_id.deal_id", "=", deal.id)])
            top_sold = tasks.filtered(lambda task: task.sale_line_id and not task.parent_id)
            self.assertEqual(deal.budget_hours, sum(top_sold.mapped("allocated_hours")))
            timesheets = self.env["account.analytic.line"].sudo().search([("project_id.deal_id", "=", deal.id)])
            self.assertEqual(deal.spent_hours, sum(timesheets.mapped("unit_amount")))

        # warm the caches of views, access rights and record rules
        self.env.invalidate_all()
        self._board_and_list(small)
        self.env.invalidate_all()
        self._recompute(small)
        for deals in (small, big):
            self.env.invalidate_all()
            with self.subTest(deals=len(deals)), self.assertQueryCount(13):
                self._board_and_list(deals)
            self.env.invalidate_all()
            with self.subTest(deals=len(deals)), self.assertQueryCount(7):
                self._recompute(deals)


def index_projects(order):
    """One or two projects per order (alternating), two tasks of 4 hours and 2 timesheet hours per project."""
    return 1 + order.id % 2
