from psycopg2.errors import CheckViolation

from odoo.tests import tagged, users
from odoo.tools import mute_logger

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

    @mute_logger("odoo.sql_db")
    def test_negative_amount(self):
        # The SQL check fires at flush, before the Python constraint (the RPC layer turns it into
        # a ValidationError with the constraint's message).
        with self.assertRaises(CheckViolation):
            self._create_deal(amount=-1)
