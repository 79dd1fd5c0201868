from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_stage import OUTCOMES


class DealFunnelReport(models.Model):
    """The funnel, from the stage history: one row per active deal and stage it reached (open or
    won stages; a stage entered again counts once: the deal's first stay there, which holds the
    figures of all its stays, see deal.stage.history._refresh_funnel_facts). Per stage: the deals
    that reached it, the share that went further (reached a later stage of the stage order, won
    included), the share won in the end, and the days spent in it. The shares are averages of a
    100 or 0 per deal over the deals whose answer is known: a deal still open and not further yet,
    or not closed yet, counts in neither; days are those of the deals that have left the stage."""

    _name = "deal.funnel.report"
    _description = "Funnel"
    _auto = False
    _rec_name = "deal_id"
    _order = "date_in desc, id desc"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": ["active", "company_id", "date_open", "outcome", "partner_id", "pipeline_id", "user_id"],
        "deal.stage.history": [
            "date_in",
            "deal_id",
            "is_first_stay",
            "outcome",
            "stage_days",
            "stage_id",
            "went_further",
        ],
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
        return SQL(
            """
            SELECT stay.id, stay.deal_id, stay.stage_id, deal.pipeline_id, deal.user_id, deal.partner_id,
                   deal.company_id, deal.outcome, %(date_open)s AS date_open, %(date_in)s AS date_in,
                   1 AS reached_count,
                   CASE WHEN stay.outcome = 'won' THEN NULL
                        WHEN stay.went_further THEN 100.0
                        WHEN deal.outcome = 'open' THEN NULL
                        ELSE 0.0 END AS next_rate,
                   CASE deal.outcome WHEN 'won' THEN 100.0 WHEN 'lost' THEN 0.0 END AS won_rate,
                   CASE WHEN stay.outcome != 'won' THEN stay.stage_days END AS days_in_stage
              FROM deal_stage_history stay
              JOIN deal_deal deal ON deal.id = stay.deal_id
             WHERE stay.is_first_stay AND stay.outcome != 'lost' AND deal.active
            """,
            date_open=self.env["deal.win.report"]._local_date_sql("deal", "date_open"),
            date_in=self.env["deal.win.report"]._local_date_sql("stay", "date_in"),
        )
