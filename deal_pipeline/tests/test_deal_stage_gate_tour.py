from odoo.tests import HttpCase, new_test_user, tagged

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestDealStageGateTour(HttpCase, DealCommon):
    def test_drop_refused_by_the_stage_requirements(self):
        """A drop into a stage whose requirements the deal misses: the card goes back, the message says why."""
        salesman = new_test_user(
            self.env, login="deal_gate_salesman", groups="sales_team.group_sale_salesman", name="Gina Gate"
        )
        deal = self._create_deal(name="Gate Deal", user_id=salesman.id, amount=2500.0)
        self.start_tour(f"/odoo/{self.pipeline.id}/deals", "deal_pipeline_stage_gate_tour", login="deal_gate_salesman")
        self.assertEqual(deal.stage_id, self.stage_new)
        self.assertFalse(
            self.env["mail.tracking.value"].search_count(
                [("mail_message_id.res_id", "=", deal.id), ("field_id.name", "=", "stage_id")]
            )
        )
