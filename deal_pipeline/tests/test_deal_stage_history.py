from datetime import datetime

from odoo.exceptions import AccessError
from odoo.modules.module import load_script
from odoo.tests import tagged, users
from odoo.tools import SQL

from .common import CLOSE_DATE, DealCommon

MONDAY = datetime(2026, 3, 2, 9, 0)
WEDNESDAY = datetime(2026, 3, 4, 9, 0)
FRIDAY = datetime(2026, 3, 6, 21, 0)


@tagged("post_install", "-at_install")
class TestDealStageHistory(DealCommon):
    def _stays(self, deal):
        """(stage, date_in, date_out, duration_days) of the deal's stays, oldest first."""
        return [
            (stay.stage_id, stay.date_in, stay.date_out, stay.duration_days)
            for stay in self.env["deal.stage.history"].sudo().search([("deal_id", "=", deal.id)], order="date_in, id")
        ]

    @users("deal_own")
    def test_creation_starts_a_stay_at_the_opening(self):
        with self._at(MONDAY):
            deal = self._create_deal()
        self.assertEqual(deal.date_open, MONDAY)
        self.assertEqual(self._stays(deal), [(self.stage_new, MONDAY, False, 0.0)])
        stay = deal.stage_history_ids
        self.assertRecordValues(
            stay,
            [
                {
                    "pipeline_id": self.pipeline.id,
                    "user_id": self.user_own.id,
                    "company_id": self.company.id,
                    "outcome": "open",
                }
            ],
        )

    @users("deal_own")
    def test_moves_wins_losses_and_reopenings_end_and_start_stays(self):
        with self._at(MONDAY):
            deal = self._create_deal(expected_close_date=CLOSE_DATE)
        with self._at(WEDNESDAY):
            deal.stage_id = self.stage_qualification
            deal.write({"stage_id": self.stage_qualification.id, "name": "Same stage: no new stay"})
        with self._at(FRIDAY):
            deal.action_mark_won()
        saturday = datetime(2026, 3, 7, 9, 0)
        with self._at(saturday):
            deal.action_reopen()
        sunday = datetime(2026, 3, 8, 9, 0)
        with self._at(sunday):
            deal.action_mark_lost(lost_reason_id=self.lost_reason.id)
        self.assertEqual(
            self._stays(deal),
            [
                (self.stage_new, MONDAY, WEDNESDAY, 2.0),
                (self.stage_qualification, WEDNESDAY, FRIDAY, 2.5),
                (self.stage_won, FRIDAY, saturday, 0.5),
                (self.stage_qualification, saturday, sunday, 1.0),
                (self.stage_lost, sunday, False, 0.0),
            ],
        )
        self.assertEqual(deal.stage_history_ids.mapped("outcome"), ["lost", "open", "won", "open", "open"])

    @users("deal_all")
    def test_pipeline_change_starts_a_stay(self):
        other = self.env["deal.pipeline"].sudo().create({"name": "Renewals"})
        with self._at(MONDAY):
            deal = self._create_deal()
        with self._at(WEDNESDAY):
            deal.pipeline_id = other
        stays = deal.stage_history_ids.sorted("id")
        self.assertEqual(stays.pipeline_id.ids, [self.pipeline.id, other.id])
        self.assertEqual(stays.mapped("date_out"), [WEDNESDAY, False])

    def test_one_write_of_many_deals_runs_the_same_queries(self):
        """Moving 3 or 30 deals in one write runs as many queries: the stays of all the deals are
        ended in one UPDATE and started in one INSERT."""
        Deal = self.env["deal.deal"].with_context(tracking_disable=True)
        warm, few, many = (
            Deal.create([{"name": f"Batch {i}", "partner_id": self.customer.id} for i in range(count)])
            for count in (3, 3, 30)
        )

        def move(deals):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            deals.write({"stage_id": self.stage_qualification.id})
            self.env.flush_all()
            return self.cr.sql_log_count - before

        move(warm)
        self.assertEqual(move(many), move(few))
        self.assertEqual(
            len(many.stage_history_ids.filtered(lambda stay: stay.stage_id == self.stage_qualification)), 30
        )

    def test_nobody_writes_the_history(self):
        deal = self._create_deal()
        stay = deal.stage_history_ids
        for user in (self.user_own, self.user_all, self.user_manager):
            History = self.env["deal.stage.history"].with_user(user)
            with self.assertRaises(AccessError):
                History.create({"deal_id": deal.id, "stage_id": self.stage_won.id, "date_in": MONDAY})
            with self.assertRaises(AccessError):
                stay.with_user(user).write({"stage_id": self.stage_won.id})
            with self.assertRaises(AccessError):
                stay.with_user(user).unlink()

    def test_a_salesman_reads_the_stays_of_his_deals_only(self):
        own = self._create_deal(user_id=self.user_own.id)
        other = self._create_deal(user_id=self.user_all.id)
        History = self.env["deal.stage.history"]
        self.assertEqual(History.with_user(self.user_own).search([("deal_id", "in", (own | other).ids)]).deal_id, own)
        self.assertEqual(History.with_user(self.user_all).search_count([("deal_id", "in", (own | other).ids)]), 2)

    def test_imported_stays_replace_the_history_and_date_the_deal(self):
        deal = self._create_deal()
        deal.action_mark_won()
        stays = [
            {"deal_id": deal.id, "stage_id": self.stage_won.id, "date_in": FRIDAY},
            {"deal_id": deal.id, "stage_id": self.stage_new.id, "date_in": MONDAY},
        ]
        with self.assertRaises(AccessError):
            self.env["deal.stage.history"].with_user(self.user_all)._import_stays(stays)
        self.env["deal.stage.history"].with_user(self.user_manager)._import_stays(stays)
        self.assertEqual(
            self._stays(deal), [(self.stage_new, MONDAY, FRIDAY, 4.5), (self.stage_won, FRIDAY, False, 0.0)]
        )
        self.assertEqual((deal.date_open, deal.date_closed), (MONDAY, FRIDAY))

    def test_deleting_a_deal_deletes_its_stays(self):
        deal = self._create_deal()
        deal.stage_id = self.stage_qualification
        deal.unlink()
        self.assertFalse(self.env["deal.stage.history"].sudo().search_count([("deal_id", "=", deal.id)]))


@tagged("post_install", "-at_install")
class TestStageHistoryBackfill(DealCommon):
    """The 19.0.1.4.0 upgrade builds the history of existing deals from their stage tracking."""

    def test_backfill_rebuilds_the_history_from_the_tracking(self):
        with self._at(MONDAY):
            moved = self._create_deal(expected_close_date=CLOSE_DATE)
            untouched = self._create_deal(name="Never moved")
            untracked = self._create_deal(name="Last moved without tracking", expected_close_date=CLOSE_DATE)
            self._flush_tracking()
        with self._at(WEDNESDAY):
            (moved | untracked).stage_id = self.stage_proposal
            self._flush_tracking()
        with self._at(FRIDAY):
            moved.action_mark_lost(lost_reason_id=self.lost_reason.id)
            untracked.with_context(tracking_disable=True).stage_id = self.stage_negotiation
            self._flush_tracking()
        saturday = datetime(2026, 3, 7, 9, 0)
        with self._at(saturday):
            moved.action_reopen()
            self._flush_tracking()
        deals = moved | untouched | untracked
        fields = ["deal_id", "stage_id", "pipeline_id", "user_id", "company_id", "outcome", "date_in", "date_out"]
        History = self.env["deal.stage.history"]
        live = History.search_read([("deal_id", "in", deals.ids)], [*fields, "duration_days"], order="id", load=None)
        self.assertEqual(len(live), 4 + 1 + 3)
        # a database before 19.0.1.4.0: no history, and date_open just added (the upgrade's time)
        self.env.flush_all()
        self.env.cr.execute(SQL("DELETE FROM deal_stage_history WHERE deal_id IN %s", tuple(deals.ids)))
        self.env.cr.execute(SQL("UPDATE deal_deal SET date_open = NOW() WHERE id IN %s", tuple(deals.ids)))
        self.env.invalidate_all()
        migration = load_script("deal_pipeline/migrations/19.0.1.4.0/post-stage-history.py", "post_stage_history")
        migration.migrate(self.env.cr, "19.0.1.3.0")
        self.env.invalidate_all()
        rebuilt = History.search_read([("deal_id", "in", deals.ids)], [*fields, "duration_days"], order="id", load=None)
        key = lambda row: (row["deal_id"], row["date_in"], row["date_out"] or datetime.max)  # noqa: E731
        strip = lambda rows: sorted(({k: v for k, v in row.items() if k != "id"} for row in rows), key=key)  # noqa: E731
        self.assertEqual(strip(rebuilt), strip(live))
        self.assertEqual(set(deals.mapped("date_open")), {MONDAY})
        # a second run adds nothing
        migration.migrate(self.env.cr, "19.0.1.3.0")
        self.assertEqual(History.search_count([("deal_id", "in", deals.ids)]), len(live))

    def _funnel_facts(self, deal):
        """(stage, is_first_stay, stage_days, went_further) of the deal's stays, oldest first."""
        return [
            (stay.stage_id, stay.is_first_stay, stay.stage_days, stay.went_further)
            for stay in self.env["deal.stage.history"].sudo().search([("deal_id", "=", deal.id)], order="date_in, id")
        ]

    @users("deal_own")
    def test_funnel_facts_follow_the_moves(self):
        """The first stay of a deal in a stage holds the days of all its stays there once the deal
        has left it, and whether the deal reached a later stage since (won counts, lost does not)."""
        tuesday, thursday = datetime(2026, 3, 3, 9, 0), datetime(2026, 3, 5, 9, 0)
        with self._at(MONDAY):
            deal = self._create_deal(expected_close_date=CLOSE_DATE)
        for moment, stage in [
            (tuesday, self.stage_qualification),
            (WEDNESDAY, self.stage_new),
            (thursday, self.stage_proposal),
        ]:
            with self._at(moment):
                deal.stage_id = stage
        new, qualification, proposal = self.stage_new, self.stage_qualification, self.stage_proposal
        self.assertEqual(
            self._funnel_facts(deal),
            [
                (new, True, 2.0, True),
                (qualification, True, 1.0, True),
                (new, False, 0.0, False),
                (proposal, True, 0.0, False),  # the deal is there: no days yet
            ],
        )
        with self._at(datetime(2026, 3, 6, 9, 0)):
            deal.action_mark_lost(lost_reason_id=self.lost_reason.id)
        self.assertEqual(
            self._funnel_facts(deal)[3:], [(proposal, True, 1.0, False), (self.stage_lost, True, 0.0, False)]
        )
        with self._at(datetime(2026, 3, 9, 9, 0)):
            deal.action_reopen()
        with self._at(datetime(2026, 3, 10, 9, 0)):
            deal.action_mark_won()
        facts = self._funnel_facts(deal)
        # back in Proposal after the reopening, then won: Proposal went further, its two stays add up
        self.assertEqual(facts[3], (proposal, True, 2.0, True))
        self.assertEqual(facts[-1], (self.stage_won, True, 0.0, False))

    def test_reordering_stages_counts_again_what_went_further(self):
        with self._at(MONDAY):
            deal = self._create_deal(expected_close_date=CLOSE_DATE)
        with self._at(WEDNESDAY):
            deal.stage_id = self.stage_proposal
        self.assertEqual(self._funnel_facts(deal)[0][3], True)
        cron = self.env.ref("deal_pipeline.ir_cron_deal_funnel_facts")
        triggers = self.env["ir.cron.trigger"].sudo()
        # the same sequence again is not a new order
        self.stage_proposal.with_user(self.user_manager).sequence = self.stage_proposal.sequence
        self.assertFalse(triggers.search_count([("cron_id", "=", cron.id)]))
        self.stage_proposal.with_user(self.user_manager).sequence = self.stage_new.sequence - 1
        self.assertTrue(triggers.search_count([("cron_id", "=", cron.id)]))
        # New now comes after Proposal: the deal went back, not further
        self.env["deal.stage.history"]._cron_refresh_funnel_facts()
        self.assertEqual(self._funnel_facts(deal)[0][3], False)
        self.assertEqual(self._funnel_facts(deal)[1][3], True)
        [[reached, further]] = self.env["deal.funnel.report"]._read_group(
            [("deal_id", "=", deal.id), ("stage_id", "=", self.stage_proposal.id)], [], ["__count", "next_rate:avg"]
        )
        self.assertEqual((reached, further), (1, 100.0))

    def test_upgrade_sets_the_funnel_facts(self):
        with self._at(MONDAY):
            deals = self._create_deal() | self._create_deal(name="Second")
        with self._at(WEDNESDAY):
            deals.stage_id = self.stage_qualification
        with self._at(FRIDAY):
            deals[0].stage_id = self.stage_new
        History = self.env["deal.stage.history"]
        fields = ["is_first_stay", "stage_days", "went_further"]
        live = History.search_read([("deal_id", "in", deals.ids)], fields, order="id")
        # a database of 19.0.1.4.0: the columns just added, empty
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE deal_stage_history SET is_first_stay = NULL, stage_days = NULL, went_further = NULL"
                " WHERE deal_id IN %s",
                tuple(deals.ids),
            )
        )
        self.env.invalidate_all()
        migration = load_script("deal_pipeline/migrations/19.0.1.5.0/post-funnel-facts.py", "post_funnel_facts")
        migration.migrate(self.env.cr, "19.0.1.4.0")
        self.env.invalidate_all()
        self.assertEqual(History.search_read([("deal_id", "in", deals.ids)], fields, order="id"), live)
        self.assertEqual([row["is_first_stay"] for row in live], [True, True, True, True, False])
