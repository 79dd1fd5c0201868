from odoo.exceptions import ValidationError
from odoo.tests import tagged, users

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestDeal(DealCommon):
    @users("deal_own")
    def test_defaults(self):
        deal = self.env["deal.deal"].create({"name": "Website redesign", "partner_id": self.customer.id})
        self.assertEqual(deal.user_id, self.user_own)
        self.assertEqual(deal.pipeline_id, self.pipeline)
        self.assertEqual(deal.stage_id, self.stage_new)
        self.assertEqual(deal.outcome, "open")
        self.assertEqual(deal.probability, self.stage_new.probability)
        self.assertEqual(deal.currency_id, self.env.company.currency_id)

    def test_negative_amount(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self._create_deal(amount=-1)
