import logging
import time
from bisect import bisect_left
from collections import defaultdict

import numpy as np

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .. import learning

_logger = logging.getLogger(__name__)

# Snapshots of a closed deal: at the start of each stay in an open stage and again after these
# days in it, while it was still there; so "days in stage" is learnt as a deal shows it.
SNAPSHOT_DAYS = [0, 7, 30, 90]
# The newest snapshots a training reads at most: memory stays bounded whatever the history.
MAX_SNAPSHOTS = 200_000
# Rows fetched from the database at a time.
FETCH_SIZE = 10_000
# The mails counted as activity: in and out, in the days before the snapshot.
ACTIVITY_DAYS = 30
MAIL_TYPES = ("email", "email_outgoing", "comment")
# What a training measures; emptied when it cannot measure.
MEASURES = [
    "holdout_deal_count",
    "holdout_sample_count",
    *(f"brier_{name}" for name in ("model", "stage", "crm", "base")),
    *(f"auc_{name}" for name in ("model", "stage", "crm")),
]


class DealWinModel(models.Model):
    """The learned win probability of one company: the last training's model (coefficients as
    JSON, never code) and its measures on a time-ordered hold-out, next to two baselines."""

    _name = "deal.win.model"
    _description = "Win Probability Model"
    _order = "company_id"
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date_trained = fields.Datetime("Trained On", readonly=True)
    training_seconds = fields.Float("Training Time (s)", readonly=True, digits=(16, 1))
    kind = fields.Selection(
        [("logistic", "Learned from the history"), ("base_rate", "Base rate only")],
        readonly=True,
        help="Base rate only: too few closed deals to learn from; every open deal gets the company's win rate.",
    )
    note = fields.Char(readonly=True)
    deal_count = fields.Integer("Closed Deals", readonly=True, help="The closed deals the model learned from.")
    won_count = fields.Integer("Won", readonly=True)
    lost_count = fields.Integer("Lost", readonly=True)
    sample_count = fields.Integer(
        "Snapshots", readonly=True, help="The closed deals as they were while open: one per stay in a stage and check."
    )
    base_rate = fields.Float("Base Rate (%)", readonly=True, digits=(16, 1))
    holdout_deal_count = fields.Integer("Hold-out Deals", readonly=True)
    holdout_sample_count = fields.Integer("Hold-out Snapshots", readonly=True)
    has_measures = fields.Boolean(readonly=True)
    brier_model = fields.Float("Brier: Model", readonly=True, digits=(16, 4))
    brier_stage = fields.Float("Brier: Stage Win Rate", readonly=True, digits=(16, 4))
    brier_crm = fields.Float("Brier: CRM Naive Bayes", readonly=True, digits=(16, 4))
    brier_base = fields.Float("Brier: Base Rate", readonly=True, digits=(16, 4))
    auc_model = fields.Float("AUC: Model", readonly=True, digits=(16, 3))
    auc_stage = fields.Float("AUC: Stage Win Rate", readonly=True, digits=(16, 3))
    auc_crm = fields.Float("AUC: CRM Naive Bayes", readonly=True, digits=(16, 3))
    model_data = fields.Json("Coefficients", readonly=True, copy=False)
    bin_ids = fields.One2many("deal.win.model.bin", "model_id", string="Reliability", readonly=True)

    _company_unique = models.Constraint("UNIQUE(company_id)", "A company has one win probability model.")

    def action_retrain(self):
        """The Retrain button of the model's screen."""
        self.env["deal.deal"].action_retrain_win_model()
        return True

    @api.model
    def _cron_retrain(self):
        """Retrain the model of every company that has deals."""
        deals = self.env["deal.deal"].sudo().with_context(active_test=False)
        for (company,) in deals._read_group([], ["company_id"]):
            self._train(company)

    @api.model
    def _check_retrain_rights(self):
        if not self.env.su and not self.env.user.has_group("deal_pipeline.group_deal_manager"):
            raise AccessError(self.env._("Only deal administrators may retrain the win probability model."))

    # ------------------------------------------------------------------------------------------
    # Training
    # ------------------------------------------------------------------------------------------

    @api.model
    def _train(self, company):
        """Learn ``company``'s model from its closed deals, measure it, store it, and score its
        open deals with it. Returns the model record."""
        started = time.perf_counter()
        WinModel = self.sudo()
        self.env.flush_all()
        snapshots = learning.Snapshots(WinModel._training_columns(company))
        values = {"company_id": company.id, "date_trained": self.env.cr.now()} | dict.fromkeys(MEASURES, 0)
        values["has_measures"] = False
        values |= WinModel._measure(company, snapshots)
        model = learning.fit(snapshots)
        won, lost = snapshots.outcome_counts()
        values |= {
            "kind": model["kind"],
            "model_data": model,
            "deal_count": won + lost,
            "won_count": won,
            "lost_count": lost,
            "sample_count": len(snapshots),
            "base_rate": 100 * model["base_rate"],
            "note": WinModel._thin_note(won, lost) if model["kind"] == "base_rate" else False,
        }
        record = WinModel.search([("company_id", "=", company.id)])
        if record:
            record.bin_ids.unlink()
            record.write(values)
        else:
            record = WinModel.create(values)
        record._score_open_deals()
        record.training_seconds = time.perf_counter() - started
        _logger.info(
            "win model of %s: %s from %s closed deals (%s snapshots) in %.1f s",
            company.name,
            model["kind"],
            won + lost,
            len(snapshots),
            record.training_seconds,
        )
        return record

    def _thin_note(self, won, lost):
        return self.env._(
            "Too few closed deals to learn from: %(won)s won and %(lost)s lost; at least %(deals)s closed deals "
            "with %(each)s of each outcome are needed. Every open deal gets the company's win rate.",
            won=won,
            lost=lost,
            deals=learning.MIN_DEALS,
            each=learning.MIN_DEALS_PER_OUTCOME,
        )

    @api.model
    def _measure(self, company, snapshots):
        """The measures of a model learnt on the older closed deals, on the newest ones (the
        hold-out), next to the stage's win rate, CRM's naive Bayes and the base rate, all learnt
        from the same older deals; and the reliability bands of its predictions."""
        older, holdout = snapshots.split_by_close(learning.HOLDOUT_SHARE)
        won, lost = older.outcome_counts()
        if not len(holdout) or len(set(holdout.won)) < 2 or not won or not lost:
            return {}
        model = learning.fit(older)
        predictions = learning.predict(model, holdout)
        rates, overall = learning.stage_rates(older)
        stage = learning.predict_stage_rates(rates, overall, holdout)
        crm = learning.predict_crm(
            learning.crm_frequencies(self._closed_deals_as_crm_sees(company, older), self._stage_sequences()),
            holdout,
        )
        base = np.full(len(holdout), (won + 1) / (won + lost + 2))
        (brier_model, auc_model), (brier_stage, auc_stage) = (
            learning.measures(predictions, holdout.won),
            learning.measures(stage, holdout.won),
        )
        brier_crm, auc_crm = learning.measures(crm, holdout.won)
        brier_base, _auc = learning.measures(base, holdout.won)
        bins = [
            {
                "lower": 100 * lower,
                "upper": 100 * upper,
                "prediction_count": count,
                "won_count": won_count,
                "mean_prediction": 100 * mean,
            }
            for lower, upper, count, won_count, mean in learning.reliability(predictions, holdout.won)
        ]
        return {
            "has_measures": True,
            "holdout_deal_count": len(np.unique(holdout.deal_id)),
            "holdout_sample_count": len(holdout),
            "brier_model": brier_model,
            "brier_stage": brier_stage,
            "brier_crm": brier_crm,
            "brier_base": brier_base,
            "auc_model": auc_model,
            "auc_stage": auc_stage,
            "auc_crm": auc_crm,
            "bin_ids": [fields.Command.create(values) for values in bins],
        }

    @api.model
    def _stage_sequences(self):
        stages = self.env["deal.stage"].with_context(active_test=False).search([("outcome", "=", "open")])
        return {stage.id: (stage.sequence, stage.id) for stage in stages}

    @api.model
    def _closed_deals_as_crm_sees(self, company, snapshots):
        """The deals of ``snapshots`` as CRM's scoring counts a lead when it is won or lost: its
        last open stage, pipeline, owner and tags."""
        deal_ids = np.unique(snapshots.deal_id).tolist()
        won = dict(zip(snapshots.deal_id.tolist(), snapshots.won.tolist(), strict=True))
        self.env.cr.execute(
            SQL(
                """SELECT d.id,
                          COALESCE(d.last_open_stage_id, (
                              SELECT h.stage_id FROM deal_stage_history h WHERE h.deal_id = d.id AND h.outcome = 'open'
                            ORDER BY h.date_in DESC, h.id DESC LIMIT 1)),
                          d.pipeline_id, d.user_id,
                          ARRAY(SELECT rel.deal_tag_id FROM deal_deal_deal_tag_rel rel WHERE rel.deal_deal_id = d.id)
                     FROM deal_deal d WHERE d.id = ANY(%s) AND d.company_id = %s""",
                deal_ids,
                company.id,
            )
        )
        return [
            {"stage": stage or 0, "pipeline": pipeline or 0, "owner": owner or 0, "tags": tags, "won": bool(won[deal])}
            for deal, stage, pipeline, owner, tags in self.env.cr.fetchall()
        ]

    @api.model
    def _training_columns(self, company):
        """The snapshots of ``company``'s closed deals while they were open, newest first (at most
        MAX_SNAPSHOTS), as columns: the deal's stage, pipeline and owner of the stay (deal.stage.history), and
        what was known at the snapshot's time only: the amount of the revisions until then, the
        close date pushes, quotations and mails until then, the customer's deals closed before."""
        snapshots = SQL(
            """SELECT h.deal_id, h.stage_id, h.pipeline_id, h.user_id,
                      h.date_in + make_interval(days => k.day) AS at, k.day AS stage_days, k.day = 0 AS first_of_stay,
                      d.outcome = 'won' AS won, d.date_closed
                 FROM deal_stage_history h
                 JOIN deal_deal d ON d.id = h.deal_id
           CROSS JOIN unnest(%(days)s::int[]) AS k(day)
                WHERE d.company_id = %(company)s AND d.outcome IN ('won', 'lost') AND d.date_closed IS NOT NULL
                  AND h.outcome = 'open'
                  AND h.date_in + make_interval(days => k.day)
                      < LEAST(COALESCE(h.date_out, d.date_closed), d.date_closed)
             ORDER BY at DESC, h.id DESC
                LIMIT %(limit)s""",
            days=SNAPSHOT_DAYS,
            company=company.id,
            limit=MAX_SNAPSHOTS,
        )
        query = SQL(
            """WITH s AS (%(snapshots)s)
               SELECT s.deal_id, s.stage_id, s.pipeline_id, s.user_id, s.at, s.stage_days, s.first_of_stay,
                      s.won, EXTRACT(EPOCH FROM s.date_closed)::float8, p.commercial_partner_id,
                      EXTRACT(EPOCH FROM s.at - d.date_open)::float8 / 86400,
                      COALESCE(
                          (SELECT r.new_amount FROM deal_revision r
                            WHERE r.deal_id = s.deal_id AND r.field_name = 'amount' AND r.date <= s.at
                         ORDER BY r.date DESC, r.id DESC LIMIT 1),
                          d.first_amount, d.amount
                      )::float8 * CASE WHEN d.amount > 0 THEN (d.amount_company / d.amount)::float8 ELSE 1 END,
                      (SELECT COUNT(*) FROM deal_revision r
                        WHERE r.deal_id = s.deal_id AND r.field_name = 'expected_close_date' AND r.days_pushed > 0
                          AND r.date <= s.at),
                      (SELECT COUNT(*) FROM sale_order o WHERE o.deal_id = s.deal_id AND o.create_date <= s.at),
                      (SELECT COUNT(*) FROM mail_message m
                        WHERE m.model = 'deal.deal' AND m.res_id = s.deal_id AND m.message_type IN %(mail_types)s
                          AND m.date <= s.at AND m.date > s.at - make_interval(days => %(activity)s)),
                      ARRAY(SELECT rel.deal_tag_id FROM deal_deal_deal_tag_rel rel WHERE rel.deal_deal_id = s.deal_id)
                 FROM s
                 JOIN deal_deal d ON d.id = s.deal_id
                 JOIN res_partner p ON p.id = d.partner_id""",
            snapshots=snapshots,
            activity=ACTIVITY_DAYS,
            mail_types=MAIL_TYPES,
        )
        history = self._customer_history(company)
        names = ["deal_id", "stage", "pipeline", "owner", "at", "stage_days", "first_of_stay", "won", "closed"]
        names += ["partner", "age_days", "amount", "close_date_pushes", "quotations", "messages", "tags"]
        columns = {name: [] for name in [*names, "customer_won", "customer_lost"]}
        self.env.cr.execute(query)
        while rows := self.env.cr.fetchmany(FETCH_SIZE):
            for row in rows:
                for name, value in zip(names, row, strict=True):
                    columns[name].append(value)
                won_before, lost_before = self._customer_counts(history, row[9], row[4])
                columns["customer_won"].append(won_before)
                columns["customer_lost"].append(lost_before)
        return columns

    @api.model
    def _customer_history(self, company, partner_ids=None):
        """{commercial partner: (closing dates sorted, won so far at each)} of ``company``'s
        closed deals (of ``partner_ids`` only, when given)."""
        where = SQL("d.company_id = %s AND d.outcome IN ('won', 'lost') AND d.date_closed IS NOT NULL", company.id)
        if partner_ids is not None:
            where = SQL("%s AND p.commercial_partner_id = ANY(%s)", where, list(partner_ids))
        self.env.cr.execute(
            SQL(
                """SELECT p.commercial_partner_id, d.date_closed, d.outcome = 'won'
                     FROM deal_deal d JOIN res_partner p ON p.id = d.partner_id
                    WHERE %s ORDER BY p.commercial_partner_id, d.date_closed""",
                where,
            )
        )
        history = defaultdict(lambda: ([], []))
        for partner, date_closed, won in self.env.cr.fetchall():
            dates, wins = history[partner]
            wins.append((wins[-1] if wins else 0) + won)
            dates.append(date_closed)
        return history

    @api.model
    def _customer_counts(self, history, partner, moment):
        """(won, lost) deals of ``partner`` closed before ``moment``."""
        if partner not in history:
            return 0, 0
        dates, wins = history[partner]
        closed = bisect_left(dates, moment)
        won = wins[closed - 1] if closed else 0
        return won, closed - won

    # ------------------------------------------------------------------------------------------
    # Predictions
    # ------------------------------------------------------------------------------------------

    def _score_open_deals(self):
        """Recompute the predicted probability of the company's open deals with this model."""
        self.ensure_one()
        deals = (
            self.env["deal.deal"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.company_id.id), ("outcome", "=", "open")])
        )
        self.env.add_to_compute(deals._fields["predicted_probability"], deals)
        deals.flush_recordset(["predicted_probability"])
