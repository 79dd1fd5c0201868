from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_stage import OUTCOMES


class DealVelocityReport(models.Model):
    """Sales velocity: what the pipeline brings in per day, as open deals times average won amount
    times win rate divided by the average sales cycle of the won deals. One row per active open deal (counted as
    open) and per closed deal of the win analysis (``deal.win.report``: its win rate, its amount
    won and its cycle when won); each term is an aggregate of the rows of a group, and the
    velocity is computed from the terms of that group, not summed over its rows."""

    _name = "deal.velocity.report"
    _description = "Sales Velocity"
    _auto = False
    _rec_name = "deal_id"
    _order = "id desc"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": [
            "active",
            "amount_company",
            "company_id",
            "date_closed",
            "date_open",
            "outcome",
            "pipeline_id",
            "user_id",
        ],
    }
    # the terms of the velocity: (field, aggregate)
    _velocity_terms = (("open_count", "sum"), ("won_amount", "avg"), ("win_rate", "avg"), ("cycle_days", "avg"))

    deal_id = fields.Many2one("deal.deal", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    date_closed = fields.Date("Closed On", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    open_count = fields.Integer("Open Deals", readonly=True)
    open_amount = fields.Monetary(readonly=True)
    won_amount = fields.Monetary(
        "Average Won Amount", aggregator="avg", readonly=True, help="Average estimated amount of the won deals."
    )
    win_rate = fields.Float("Win Rate (%)", aggregator="avg", readonly=True, help="Share of the closed deals won.")
    cycle_days = fields.Float(
        "Sales Cycle (Days)",
        aggregator="avg",
        readonly=True,
        help="Average days from the opening to the closing of the won deals.",
    )
    velocity = fields.Monetary(
        "Velocity per Day",
        readonly=True,
        help="Open deals times average won amount times win rate, divided by the sales cycle: the amount the open "
        "deals are expected to bring in per day, at the pace of the closed deals.",
    )

    @property
    def _table_query(self):
        Win = self.env["deal.win.report"]
        return SQL(
            """
            SELECT deal.id, deal.id AS deal_id, deal.user_id, deal.pipeline_id, deal.company_id, deal.outcome,
                   %(date_closed)s AS date_closed, %(currency_id)s AS currency_id,
                   (deal.outcome = 'open')::integer AS open_count,
                   CASE WHEN deal.outcome = 'open' THEN deal.amount_company * account_currency_table.rate
                        ELSE 0.0 END AS open_amount,
                   CASE WHEN deal.outcome = 'won' THEN deal.amount_company * account_currency_table.rate
                        END AS won_amount,
                   CASE WHEN deal.outcome = 'won' THEN 100.0 WHEN deal.outcome = 'lost' THEN 0.0 END AS win_rate,
                   CASE WHEN deal.outcome = 'won' THEN %(cycle_days)s END AS cycle_days,
                   NULL::numeric AS velocity
              FROM deal_deal deal
              JOIN %(currency_table)s ON account_currency_table.company_id = deal.company_id
             WHERE (deal.active AND deal.outcome = 'open') OR %(closed)s
            """,
            currency_id=self.env.company.currency_id.id,
            currency_table=self.env["res.currency"]._get_simple_currency_table(self.env.companies),
            date_closed=Win._local_date_sql("deal", "date_closed"),
            cycle_days=Win._cycle_days_sql("deal"),
            closed=Win._closed_deals_sql("deal"),
        )

    def _read_group_select(self, aggregate_spec, query):
        # The velocity of a group: from the terms of the group, whatever aggregate is asked
        if aggregate_spec.split(":")[0] == "velocity":
            terms = []
            for name, aggregate in self._velocity_terms:
                terms.append(super()._read_group_select(f"{name}:{aggregate}", query))
            return SQL("%s * %s * %s / 100.0 / NULLIF(%s, 0)", *terms)
        return super()._read_group_select(aggregate_spec, query)
