from odoo.addons.deal_pipeline.tests.common import CLOSE_DATE
from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import DealProjectCommon


@tagged("post_install", "-at_install")
class TestDealProjectAccess(DealProjectCommon):
    """A salesman sees the budget of the deals he sees; a project user without sales rights sees
    the deal's name on the project and nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deal = cls._create_deal_for(cls.env, cls.user_salesman)
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "deal_id": cls.deal.id,
                "order_line": [(0, 0, {"product_id": cls.product_design.id, "product_uom_qty": 5.0})],
            }
        )
        cls.order.action_confirm()
        cls.project = cls.deal.project_ids
        cls.task = cls.order.order_line.task_id

    @classmethod
    def _create_deal_for(cls, env, user):
        return env["deal.deal"].create(
            {
                "name": "Access website",
                "partner_id": cls.customer.id,
                "user_id": user.id,
                "stage_id": cls.stage_proposal.id,
                "amount": 1000.0,
                "expected_close_date": CLOSE_DATE,
            }
        )

    def test_project_user_sees_the_deal_name_only(self):
        self._timesheet(self.task, 1.5)
        project = self.project.with_user(self.user_project)
        [values] = project.web_read({"deal_id": {"fields": {"display_name": {}}}})
        self.assertEqual(values["deal_id"], {"id": self.deal.id, "display_name": "Access website"})
        groups = project.web_read_group([("id", "=", project.id)], ["deal_id"], ["__count"])["groups"]
        self.assertEqual(groups[0]["deal_id"], (self.deal.id, "Access website"))
        self.assertEqual(project.search([("deal_id", "!=", False), ("id", "=", project.id)]), project)
        deal = self.deal.with_user(self.user_project)
        with self.assertRaises(AccessError):
            deal.read(["name"])
        with self.assertRaises(AccessError):
            deal.read(["budget_hours"])

    @users("deal_salesman")
    def test_salesman_sees_the_budget_of_his_deals(self):
        """Without any project right, the salesman reads the figures of his deal."""
        self._timesheet(self.task, 1.5)
        deal = self.deal.with_env(self.env)
        self.assertFalse(self.env.user.has_group("project.group_project_user"))
        self.assertRecordValues(
            deal, [{"budget_hours": 5.0, "spent_hours": 1.5, "remaining_hours": 3.5, "project_count": 1}]
        )
