from contextlib import contextmanager
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase


class DealCommon(TransactionCase):
    """Stages, a pipeline, lost reasons and users at the lowest rights each test needs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.ref("base.main_company")
        cls.pipeline = cls.env.ref("deal_pipeline.pipeline_sales")
        cls.stage_new = cls.env.ref("deal_pipeline.stage_new")
        cls.stage_qualification = cls.env.ref("deal_pipeline.stage_qualification")
        cls.stage_proposal = cls.env.ref("deal_pipeline.stage_proposal_sent")
        cls.stage_negotiation = cls.env.ref("deal_pipeline.stage_negotiation")
        cls.stage_won = cls.env.ref("deal_pipeline.stage_won")
        cls.stage_lost = cls.env.ref("deal_pipeline.stage_lost")
        cls.lost_reason = cls.env.ref("deal_pipeline.lost_reason_price")
        cls.user_own = new_test_user(
            cls.env, login="deal_own", groups="deal_pipeline.group_deal_user_own", name="Olivia Own"
        )
        cls.user_all = new_test_user(
            cls.env, login="deal_all", groups="deal_pipeline.group_deal_user_all", name="Alan All"
        )
        cls.user_manager = new_test_user(
            cls.env, login="deal_manager", groups="deal_pipeline.group_deal_manager", name="Mia Manager"
        )
        cls.customer = cls.env["res.partner"].create({"name": "Azure Interior Test", "is_company": True})

    def _create_deal(self, **values):
        """A deal of the test customer, created as the current test user."""
        return self.env["deal.deal"].create(
            {"name": "Website redesign", "partner_id": self.customer.id, "amount": 1000.0} | values
        )

    @contextmanager
    def _at(self, moment):
        """Run at ``moment`` for Python and for the transaction (``env.cr.now()``, which
        create_date, tracking values and the rotting/duration mixin use)."""
        with freeze_time(moment), patch.object(self.env.cr, "now", lambda: moment):
            yield

    def _flush_tracking(self):
        """Write the pending changes and create their tracking values now."""
        self.env.flush_all()
        self.env.cr.flush()
