import random

from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import WinModelCommon


@tagged("post_install", "-at_install")
class TestWinModel(WinModelCommon):
    def _open_deals(self, tags_list):
        return self.env["deal.deal"].create(
            [
                {"name": f"Open {i}", "partner_id": self.customer.id, "amount": 1000.0, "tag_ids": [(6, 0, tags)]}
                for i, tags in enumerate(tags_list)
            ]
        )

    def test_a_feature_that_decides_the_outcome_is_learned_and_measured(self):
        """Referral deals are won 9 times in 10, the others lost 9 times in 10: the model's AUC on
        the newest deals is well above 0.5 and above both baselines, its Brier score below the
        base rate's, and it ranks an open referral deal far above a cold one."""
        rng = random.Random(7)
        referral = [rng.random() < 0.5 for _ in range(200)]
        outcomes = [rng.random() < (0.9 if tagged_ else 0.1) for tagged_ in referral]
        tags = [[self.tag_referral] if tagged_ else [self.tag_cold] for tagged_ in referral]
        deals = self._closed_history(outcomes, tags=tags)
        model = self.WinModel._train(self.company)

        self.assertEqual(model.kind, "logistic")
        self.assertEqual((model.deal_count, model.won_count), (200, sum(outcomes)))
        self.assertTrue(model.has_measures)
        self.assertGreater(model.auc_model, 0.8)
        self.assertAlmostEqual(model.auc_stage, 0.5, delta=0.05, msg="every deal went through the same stages")
        self.assertLess(model.brier_model, model.brier_base - 0.1)
        self.assertLess(model.brier_model, model.brier_stage)

        # the hold-out: the newest fifth of the deals, two snapshots in each of their two open stays
        holdout = deals.sorted("date_closed")[-40:]
        self.assertEqual(model.holdout_deal_count, 40)
        self.assertEqual(model.holdout_sample_count, 4 * 40)
        self.assertEqual(sum(model.bin_ids.mapped("prediction_count")), 4 * 40)
        won_holdout = holdout.filtered(lambda deal: deal.outcome == "won")
        self.assertEqual(sum(model.bin_ids.mapped("won_count")), 4 * len(won_holdout))

        warm, cold = self._open_deals([self.tag_referral.ids, self.tag_cold.ids])
        self.assertGreater(warm.predicted_probability, 75)
        self.assertLess(cold.predicted_probability, 25)

    def test_noise_leaves_the_prediction_at_the_base_rate(self):
        """Outcomes drawn at random (40 % won) whatever the tags and amounts: the model cannot
        rank the newest deals (AUC near 0.5) and gives every open deal about the base rate."""
        rng = random.Random(11)
        outcomes = [rng.random() < 0.4 for _ in range(200)]
        tags = [[rng.choice([self.tag_referral, self.tag_cold])] for _ in outcomes]
        amounts = [rng.uniform(500, 50000) for _ in outcomes]
        self._closed_history(outcomes, tags=tags, amounts=amounts)
        model = self.WinModel._train(self.company)

        self.assertEqual(model.kind, "logistic")
        self.assertAlmostEqual(model.auc_model, 0.5, delta=0.12)
        base_rate = 100 * (sum(outcomes) + 1) / (len(outcomes) + 2)
        self.assertAlmostEqual(model.base_rate, base_rate, delta=0.05)
        open_deals = self._open_deals([self.tag_referral.ids, self.tag_cold.ids, []])
        open_deals[2].amount = 40000.0
        for deal in open_deals:
            self.assertAlmostEqual(deal.predicted_probability, base_rate, delta=10)

    def test_thin_history_gives_the_smoothed_base_rate(self):
        self._closed_history([True] * 7 + [False] * 3)
        model = self.WinModel._train(self.company)
        self.assertEqual(model.kind, "base_rate")
        self.assertTrue(model.note)
        self.assertFalse(model.has_measures, "3 lost deals cannot be split into learning and measuring")
        (deal,) = self._open_deals([[]])
        # (7 + 1) / (10 + 2): a thin history is pulled towards one half
        self.assertAlmostEqual(deal.predicted_probability, 66.7)

    def test_snapshots_know_only_the_past(self):
        """A closed deal is learnt from as it was while open: its open stages only, never its
        closing stage, and the customer's deals closed before each snapshot only."""
        deals = self._closed_history([True, False, True])
        columns = self.WinModel._training_columns(self.company)
        open_stages = {self.stage_new.id, self.stage_qualification.id}
        self.assertEqual(set(columns["stage"]), open_stages)
        self.assertEqual(set(columns["deal_id"]), set(deals.ids))
        for deal_id, at, won_before, lost_before in zip(
            columns["deal_id"], columns["at"], columns["customer_won"], columns["customer_lost"], strict=True
        ):
            before = deals.filtered(lambda deal, at=at: deal.date_closed < at)
            self.assertNotIn(deal_id, before.ids)
            self.assertEqual(won_before, len(before.filtered(lambda deal: deal.outcome == "won")))
            self.assertEqual(lost_before, len(before.filtered(lambda deal: deal.outcome == "lost")))
        # New (10 days) is seen at 0 and 7 days, Qualification (30 days) at 0, 7 and 30 days: no
        # snapshot at 90 days, where the deal was already closed
        self.assertEqual(sorted(columns["stage_days"]), sorted([0, 7, 0, 7] * 3))

    def test_the_weighted_amount_follows_the_setting(self):
        rng = random.Random(3)
        referral = [rng.random() < 0.5 for _ in range(120)]
        self._closed_history(
            [tagged_ == (rng.random() < 0.9) for tagged_ in referral],
            tags=[[self.tag_referral] if tagged_ else [] for tagged_ in referral],
        )
        self.WinModel._train(self.company)
        deal, won = self._open_deals([self.tag_referral.ids, []])
        won.action_mark_won()
        deal.amount = 2000.0
        self.assertEqual(deal.amount_weighted, round(2000.0 * deal.probability / 100, 2))

        self.company.deal_weight_by_prediction = True
        self.assertNotEqual(deal.predicted_probability, deal.probability)
        self.assertEqual(deal.amount_weighted, round(2000.0 * deal.predicted_probability / 100, 2))
        self.assertEqual(won.amount_weighted, won.amount_company, "a won deal weighs its whole amount")
        total = sum(self.env["deal.deal"].search([("outcome", "=", "open")]).mapped("amount_weighted"))
        (grouped,) = self.env["deal.deal"]._read_group([("outcome", "=", "open")], [], ["amount_weighted:sum"])
        self.assertAlmostEqual(grouped[0], total, places=2)

        self.company.deal_weight_by_prediction = False
        self.assertEqual(deal.amount_weighted, round(2000.0 * deal.probability / 100, 2))

    def test_turning_weighting_on_trains_the_first_model(self):
        # as in a database where the install trained no model for this company
        self.WinModel.search([]).unlink()
        self.assertFalse(self.WinModel.search([("company_id", "=", self.company.id)]))
        self.env["res.config.settings"].create({"deal_weight_by_prediction": True}).execute()
        self.assertTrue(self.WinModel.search([("company_id", "=", self.company.id)]))

    def test_a_stage_move_updates_the_prediction(self):
        """New deals are lost 8 times in 10 in New and won 8 times in 10 once qualified: moving an
        open deal to Qualification raises its predicted probability at once."""
        rng = random.Random(5)
        qualified = [rng.random() < 0.5 for _ in range(150)]
        deals = self._closed_history([q == (rng.random() < 0.8) for q in qualified])
        # the deals never qualified lose their Qualification stay
        unqualified = deals.filtered(lambda deal: not qualified[deals.ids.index(deal.id)])
        self.env.cr.execute(
            "DELETE FROM deal_stage_history WHERE deal_id = ANY(%s) AND stage_id = %s",
            [unqualified.ids, self.stage_qualification.id],
        )
        self.WinModel._train(self.company)
        (deal,) = self._open_deals([[]])
        before = deal.predicted_probability
        deal.stage_id = self.stage_qualification
        self.assertGreater(deal.predicted_probability, before + 10)

    def test_a_closed_deal_keeps_its_last_prediction(self):
        self._closed_history([True, False] * 20)
        self.WinModel._train(self.company)
        (deal,) = self._open_deals([[]])
        predicted = deal.predicted_probability
        deal.action_mark_won()
        self.assertEqual(deal.predicted_probability, predicted)

    @users("deal_all")
    def test_only_deal_administrators_retrain(self):
        with self.assertRaises(AccessError):
            self.env["deal.deal"].action_retrain_win_model()
        with self.assertRaises(AccessError):
            self.env["deal.win.model"].search([])

    @users("deal_manager")
    def test_a_deal_administrator_retrains_and_reads_the_measures(self):
        self.env["deal.deal"].action_retrain_win_model()
        model = self.env["deal.win.model"].search([])
        self.assertEqual(model.company_id, self.env.company)
        self.assertTrue(model.date_trained)

    def test_the_daily_cron_retrains(self):
        """Every company with deals gets its model."""
        self.WinModel.search([]).unlink()
        self._open_deals([[]])
        cron = self.env.ref("deal_pipeline_predict.ir_cron_deal_win_model_retrain")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))
        self.assertEqual(cron.code.strip(), "model._cron_retrain()")
        # what the scheduled action runs, in the test's transaction
        self.env[cron.model_id.model]._cron_retrain()
        self.assertTrue(self.WinModel.search([("company_id", "=", self.company.id)]).date_trained)

    def test_the_stored_model_is_data(self):
        self._closed_history([True, False] * 20)
        model = self.WinModel._train(self.company)
        self.assertEqual(model.model_data["kind"], "logistic")
        self.assertEqual(len(model.model_data["coefficients"]), len(model.model_data["columns"]))
