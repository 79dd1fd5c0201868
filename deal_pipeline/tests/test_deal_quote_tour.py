from odoo.tests import HttpCase, tagged

from .common import CLOSE_DATE, DealSaleCommon


@tagged("post_install", "-at_install")
class TestDealQuoteTour(DealSaleCommon, HttpCase):
    def test_new_quote_from_deal(self):
        """A salesperson opens a deal in Proposal Sent, makes a quote from it, and finds it on the
        deal's Quotes tab and on its card."""
        customer = self.env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        deal = self._create_deal(
            name="Tour quote deal",
            partner_id=customer.id,
            user_id=self.user_salesman.id,
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
        )
        self.start_tour(
            "/odoo/action-deal_pipeline.deal_deal_action", "deal_pipeline_quote_tour", login="deal_salesman"
        )
        self.assertRecordValues(
            deal.sale_order_ids,
            [{"partner_id": customer.id, "user_id": self.user_salesman.id, "state": "draft", "amount_untaxed": 400.0}],
        )
        self.assertEqual(deal.quotation_count, 1)
