from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_stage import OUTCOMES


class DealFunnelReport(models.Model):
    """The funnel, from the stage history: one row per active deal and stage it reached (open or
    won stages; a stage entered again counts once). Per stage: the deals that reached it, the share
    that went further (reached a later stage of the stage order, won included), the share won in
    the end, and the days spent in it. The shares are averages of a 100 or 0 per deal over the
    deals whose answer is known: a deal still open and not further yet, or not closed yet, counts
    in neither; days are those of the deals that have left the stage."""

    _name = "deal.funnel.report"
    _description = "Funnel"
    _auto = False
    _rec_name = "deal_id"
    _order = "date_in desc, id desc"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": ["active", "company_id", "date_open", "outcome", "partner_id", "pipeline_id", "user_id"],
        "deal.stage": ["outcome", "sequence"],
        "deal.stage.history": ["date_in", "date_out", "deal_id", "duration_days", "stage_id"],
    }

    deal_id = fields.Many2one("deal.deal", readonly=True)
    stage_id = fields.Many2one("deal.stage", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    outcome = fields.Selection(OUTCOMES, string="Outcome of the Deal", readonly=True)
    date_open = fields.Date("Opened On", readonly=True, help="When the deal was opened: the period of the funnel.")
    date_in = fields.Date("Reached On", readonly=True, help="When the deal first entered the stage.")
    reached_count = fields.Integer("Deals Reached", readonly=True)
    next_rate = fields.Float(
        "Went Further (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the deals that reached a later stage, among those that did or are closed.",
    )
    won_rate = fields.Float(
        "Won in the End (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the deals won, among those that reached the stage and are closed.",
    )
    days_in_stage = fields.Float(
        "Days in Stage",
        aggregator="avg",
        digits=(16, 1),
        readonly=True,
        help="Days the deals spent in the stage (all their stays), among those that have left it.",
    )

    @property
    def _table_query(self):
        # The deal's fields are grouped by and partitioned by with the deal (they depend on it), so
        # that a filter on them (period, pipeline, owner) applies before the stays are added up.
        deal_fields = SQL(
            "deal.date_open, deal.pipeline_id, deal.user_id, deal.partner_id, deal.company_id, deal.outcome"
        )
        return SQL(
            """
            WITH stage_rank AS (
                    SELECT id, ROW_NUMBER() OVER (ORDER BY sequence, id) AS rank FROM deal_stage
                 ),
                 reached AS (
                    SELECT MIN(history.id) AS id, history.deal_id, history.stage_id, %(deal_fields)s,
                           MIN(stage_rank.rank) AS rank, BOOL_OR(history.outcome = 'won') AS won_stage,
                           MIN(history.date_in) AS date_in, SUM(history.duration_days) AS days,
                           BOOL_OR(history.date_out IS NULL) AS current
                      FROM deal_stage_history history
                      JOIN deal_deal deal ON deal.id = history.deal_id
                      JOIN stage_rank ON stage_rank.id = history.stage_id
                     WHERE deal.active AND history.outcome != 'lost'
                     GROUP BY history.deal_id, history.stage_id, %(deal_fields)s
                 ),
                 furthest AS (
                    SELECT reached.*, MAX(reached.rank) OVER (PARTITION BY reached.deal_id, %(reached_fields)s)
                               AS last_rank
                      FROM reached
                 )
            SELECT furthest.id, furthest.deal_id, furthest.stage_id, furthest.pipeline_id, furthest.user_id,
                   furthest.partner_id, furthest.company_id, furthest.outcome,
                   %(date_open)s AS date_open, %(date_in)s AS date_in, 1 AS reached_count,
                   CASE WHEN furthest.won_stage THEN NULL
                        WHEN furthest.last_rank > furthest.rank THEN 100.0
                        WHEN furthest.outcome = 'open' THEN NULL
                        ELSE 0.0 END AS next_rate,
                   CASE furthest.outcome WHEN 'won' THEN 100.0 WHEN 'lost' THEN 0.0 END AS won_rate,
                   CASE WHEN NOT furthest.won_stage AND NOT furthest.current THEN furthest.days END AS days_in_stage
              FROM furthest
            """,
            deal_fields=deal_fields,
            date_open=self.env["deal.win.report"]._local_date_sql("furthest", "date_open"),
            date_in=self.env["deal.win.report"]._local_date_sql("furthest", "date_in"),
            reached_fields=SQL(
                "reached.date_open, reached.pipeline_id, reached.user_id, reached.partner_id, reached.company_id, "
                "reached.outcome"
            ),
        )
