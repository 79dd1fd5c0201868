from lxml import etree

from odoo.fields import Command
from odoo.tests import tagged, users

from .common import PROJECT_FIGURES, DealProjectCommon

# computed as the ORM recomputes them: values set in cache, no write
COMPUTED = (*PROJECT_FIGURES, "project_count")


@tagged("post_install", "-at_install", "is_query_count")
class TestDealProjectQueries(DealProjectCommon):
    """The budget figures cost the same number of queries for 3 deals or 30, whatever their
    projects, tasks and timesheets."""

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
            specification = {
                node.get("name"): {}
                for node in arch.iter("field")
                if Deal._fields[node.get("name")].type not in ("many2one", "one2many", "many2many")
            }
            Deal.web_search_read([("id", "in", deals.ids)], specification)

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
        self._board_and_list(small)
        with self.env.protecting([small._fields[name] for name in COMPUTED], small):
            small._compute_project_hours()
            small._compute_project_count()
        counts = {}
        for deals in (small, big):
            self.env.invalidate_all()
            queries_before = self.env.cr.sql_log_count
            self._board_and_list(deals)
            counts[len(deals), "read"] = self.env.cr.sql_log_count - queries_before
            self.env.invalidate_all()
            queries_before = self.env.cr.sql_log_count
            with self.env.protecting([deals._fields[name] for name in COMPUTED], deals):
                deals._compute_project_hours()
                deals._compute_project_count()
            counts[len(deals), "compute"] = self.env.cr.sql_log_count - queries_before
        self.env.invalidate_all()
        with self.assertQueryCount(counts[3, "read"]):
            self._board_and_list(big)
        self.assertLessEqual(counts[30, "compute"], counts[3, "compute"], counts)


def index_projects(order):
    """One or two projects per order (alternating), two tasks of 4 hours and 2 timesheet hours per project."""
    return 1 + order.id % 2
