"""The project bridge's rows and column of the access matrix (README: Access rights)."""

from odoo.addons.deal_pipeline.tests.access_matrix import DEALS, AccessMatrixCase
from odoo.tests import tagged

COLUMNS = (*DEALS, "project_deal", "deal_billing")
# project_deal: the name of a colleague's deal on a project the user reads; deal_billing: as in
# the core's matrix.
# fmt: off
MATRIX = {
    #                own_open own_closed other_open other_closed project_deal deal_billing
    "project_user": ("none",  "none",    "none",    "none",      "name",      "none"),
    "salesman_own": ("edit",  "edit",    "none",    "none",      "name",      "none"),
}
# fmt: on


@tagged("post_install", "-at_install")
class TestDealProjectAccessMatrix(AccessMatrixCase):
    rows = {
        "project_user": "project.group_project_user",
        "salesman_own": "sales_team.group_sale_salesman",
    }

    def _check_project_deal(self, row, expected):
        deal = self.deals[row]["other_open"]
        order = self.env["sale.order"].create({"partner_id": self.customer.id, "deal_id": deal.id})
        project = self.env["project.project"].create(
            {"name": "Matrix project", "reinvoiced_sale_order_id": order.id, "privacy_visibility": "employees"}
        )
        self.assertEqual(project.deal_id, deal)
        self._check_deal_name(row, [project], deal, expected)

    def _check_deal_billing(self, row, expected):
        self._check_rows(row, "deal.report", expected, ("own_open", "other_open"), [("line_type", "=", "estimate")])


TestDealProjectAccessMatrix.add_cell_tests(MATRIX, COLUMNS)
