from odoo.addons.deal_pipeline.tests.common import CLOSE_DATE
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DealProjectCommon


@tagged("post_install", "-at_install", "deal_sale")
class TestDealProjectTour(DealProjectCommon, HttpCase):
    def test_from_quote_to_project_in_the_browser(self):
        """A salesman who is also a project user: deal in Proposal Sent → New Quote → another
        template of the pipeline, whose budget the dialog shows → confirm → the Projects smart
        button opens the project, named after the deal."""
        user = new_test_user(
            self.env,
            login="deal_tour_pm",
            groups="sales_team.group_sale_salesman,project.group_project_user",
            name="Tess Tour",
        )
        self.pipeline.quotation_template_id = self.template_fixed
        self.pipeline.quotation_template_ids = self.template_fixed | self.template_website
        customer = self.env["res.partner"].create({"name": "Tour Bakery", "is_company": True})
        deal = self._create_deal(
            name="Tour project deal",
            partner_id=customer.id,
            user_id=user.id,
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
        )
        self.start_tour(
            "/odoo/action-deal_pipeline.deal_deal_action", "deal_pipeline_project_tour", login="deal_tour_pm"
        )
        order = deal.sale_order_ids
        self.assertRecordValues(order, [{"state": "sale", "sale_order_template_id": self.template_website.id}])
        self.assertEqual(order.order_line.product_id, self.product_design | self.product_development)
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(deal.project_ids, order.project_ids)
        self.assertEqual(deal.budget_hours, 60.0)
        self.assertEqual(
            sorted(deal.project_ids.mapped("name")), ["Tour project deal", "Tour project deal - Website Build"]
        )
