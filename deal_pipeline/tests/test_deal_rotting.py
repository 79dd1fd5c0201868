from datetime import datetime, timedelta

from odoo.tests import tagged, users

from .common import DealCommon

DAY = 24 * 3600


@tagged("post_install", "-at_install", "deal_board")
class TestDealRotting(DealCommon):
    """Time in stage and rotting come from mail.tracking.duration.mixin, driven by the stages'
    rotting_threshold_days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new.rotting_threshold_days = 5
        cls.stage_qualification.rotting_threshold_days = 3
        cls.stage_won.rotting_threshold_days = 1
        cls.start = datetime(2025, 2, 3, 9, 0)

    def _rotting(self, deals):
        deals.invalidate_recordset(["is_rotting", "rotting_days"])
        return [(deal.is_rotting, deal.rotting_days) for deal in deals]

    def _search_rotting(self, deals):
        return self.env["deal.deal"].search([("id", "in", deals.ids), ("is_rotting", "=", True)])

    @users("deal_own")
    def test_open_deal_rots_past_stage_threshold_closed_deal_never(self):
        with self._at(self.start):
            idle, moved, edited, won = deals = (
                self._create_deal(name="Idle")
                | self._create_deal(name="Moved")
                | self._create_deal(name="Edited")
                | self._create_deal(name="Won", stage_id=self.stage_won.id)
            )
            self._flush_tracking()

        with self._at(self.start + timedelta(days=4)):
            self.assertEqual(self._rotting(deals), [(False, 0)] * 4)
            moved.stage_id = self.stage_qualification
            self._flush_tracking()

        with self._at(self.start + timedelta(days=6)):
            edited.write({"stage_id": self.stage_new.id, "description": "<p>Called the customer</p>"})
            self._flush_tracking()
            self.assertEqual(
                self._rotting(deals),
                [(True, 6), (False, 0), (True, 6), (False, 0)],
                "New rots after 5 days, also when the deal is edited; Qualification after 3 days; closed deals never",
            )
            self.assertEqual(self._search_rotting(deals), idle | edited)

        with self._at(self.start + timedelta(days=8)):
            self.assertEqual(self._rotting(moved), [(True, 4)])
            self.assertEqual(self._search_rotting(deals), idle | moved | edited)
            moved.action_mark_won()
            self.assertEqual(self._rotting(moved), [(False, 0)])
            self.stage_new.sudo().rotting_threshold_days = 0
            self.assertEqual(self._rotting(idle | edited), [(False, 0)] * 2, "0 days: never rots")
            self.assertFalse(self._search_rotting(deals))
            self.assertEqual(self._rotting(won), [(False, 0)])

    @users("deal_own")
    def test_time_in_stage_adds_up_per_stage(self):
        with self._at(self.start):
            deal = self._create_deal()
            self._flush_tracking()
        with self._at(self.start + timedelta(days=2)):
            deal.stage_id = self.stage_qualification
            self._flush_tracking()
        with self._at(self.start + timedelta(days=2, hours=12)):
            deal.write({"stage_id": self.stage_qualification.id, "amount": 1800.0})
            self._flush_tracking()
        with self._at(self.start + timedelta(days=5)):
            deal.action_mark_won()
            self._flush_tracking()
        with self._at(self.start + timedelta(days=6)):
            deal.action_reopen()
            self._flush_tracking()
        with self._at(self.start + timedelta(days=7)):
            deal.invalidate_recordset(["duration_tracking"])
            self.assertEqual(
                deal.duration_tracking,
                {
                    str(self.stage_new.id): 2 * DAY,
                    str(self.stage_qualification.id): 3 * DAY + 1 * DAY,
                    str(self.stage_won.id): 1 * DAY,
                },
            )
