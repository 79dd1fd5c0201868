from odoo import api, fields, models
from odoo.tools import SQL

from ..models.deal_stage import OUTCOMES


class DealWinReport(models.Model):
    """One row per active closed deal: won or lost, the amount won, the days from its opening to
    its closing. Per owner, pipeline, tag, customer or period: the deals won and lost, the win
    rate (the average of a 100 or 0 per deal, so the rate of any group of deals), the amount won
    and the average sales cycle. Amounts in the current company's currency, converted as the
    deal's amount in company currency is (at its closing date)."""

    _name = "deal.win.report"
    _description = "Win Analysis"
    _auto = False
    _rec_name = "deal_id"
    _order = "date_closed desc, id desc"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": [
            "active",
            "amount_company",
            "company_id",
            "date_closed",
            "date_open",
            "lost_reason_id",
            "outcome",
            "partner_id",
            "pipeline_id",
            "stage_id",
            "tag_ids",
            "user_id",
        ],
    }

    deal_id = fields.Many2one("deal.deal", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", readonly=True)
    stage_id = fields.Many2one("deal.stage", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    tag_ids = fields.Many2many(
        "deal.tag", relation="deal_deal_deal_tag_rel", column1="deal_deal_id", column2="deal_tag_id", readonly=True
    )
    lost_reason_id = fields.Many2one("deal.lost.reason", readonly=True)
    date_open = fields.Date("Opened On", readonly=True)
    date_closed = fields.Date("Closed On", readonly=True)
    outcome = fields.Selection([(key, label) for key, label in OUTCOMES if key != "open"], readonly=True)
    won_count = fields.Integer("Won Deals", readonly=True)
    lost_count = fields.Integer("Lost Deals", readonly=True)
    win_rate = fields.Float(
        "Win Rate (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the closed deals that were won.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_won = fields.Monetary(readonly=True, help="Estimated amount of the won deals, in the company currency.")
    amount_lost = fields.Monetary(readonly=True, help="Estimated amount of the lost deals, in the company currency.")
    cycle_days = fields.Integer(
        "Sales Cycle (Days)",
        aggregator="avg",
        readonly=True,
        help="Days from the opening of the deal to its closing; averaged over the deals of a group.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT deal.id, deal.id AS deal_id, deal.user_id, deal.pipeline_id, deal.stage_id, deal.partner_id,
                   deal.company_id, deal.lost_reason_id, %(date_open)s AS date_open,
                   %(date_closed)s AS date_closed, deal.outcome,
                   (deal.outcome = 'won')::integer AS won_count, (deal.outcome = 'lost')::integer AS lost_count,
                   CASE WHEN deal.outcome = 'won' THEN 100.0 ELSE 0.0 END AS win_rate,
                   %(currency_id)s AS currency_id,
                   CASE WHEN deal.outcome = 'won' THEN deal.amount_company * account_currency_table.rate
                        ELSE 0.0 END AS amount_won,
                   CASE WHEN deal.outcome = 'lost' THEN deal.amount_company * account_currency_table.rate
                        ELSE 0.0 END AS amount_lost,
                   %(cycle_days)s AS cycle_days
              FROM deal_deal deal
              JOIN %(currency_table)s ON account_currency_table.company_id = deal.company_id
             WHERE %(closed)s
            """,
            currency_id=self.env.company.currency_id.id,
            currency_table=self.env["res.currency"]._get_simple_currency_table(self.env.companies),
            date_open=self._local_date_sql("deal", "date_open"),
            date_closed=self._local_date_sql("deal", "date_closed"),
            cycle_days=self._cycle_days_sql("deal"),
            closed=self._closed_deals_sql("deal"),
        )

    @api.model
    def _closed_deals_sql(self, alias):
        """The deals this report (and the closed side of the sales velocity) counts."""
        return SQL("%(alias)s.active AND %(alias)s.outcome IN ('won', 'lost')", alias=SQL.identifier(alias))

    @api.model
    def _local_date_sql(self, alias, column):
        """The date of a datetime column in the user's time zone, as the deal's form shows it: a
        deal closed on 1 April at 00:30 in Rome (31 March, 22:30 UTC) was closed on 1 April. The
        reports' dates and periods are read this way."""
        return SQL(
            "(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)::date",
            SQL.identifier(alias, column),
            self.env.tz.zone,
        )

    @api.model
    def _cycle_days_sql(self, alias):
        """Days from a closed deal's opening to its closing, calendar days of their dates."""
        return SQL("%s - %s", self._local_date_sql(alias, "date_closed"), self._local_date_sql(alias, "date_open"))
