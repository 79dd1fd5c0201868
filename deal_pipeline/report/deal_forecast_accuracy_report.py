from odoo import fields, models
from odoo.tools import SQL


class DealForecastAccuracyReport(models.Model):
    """One row per active won deal: its won amount against its first estimate, its closing date
    against its first expected close date; summed per owner, how well each one forecasts. Amounts
    in the current company's currency."""

    _name = "deal.forecast.accuracy.report"
    _description = "Forecast Accuracy"
    _auto = False
    _rec_name = "deal_id"
    _order = "date_closed desc, id desc"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": [
            "active",
            "amount_company",
            "close_date_push_count",
            "company_id",
            "date_closed",
            "first_amount_company",
            "first_close_date",
            "outcome",
            "partner_id",
            "pipeline_id",
            "user_id",
        ],
    }

    deal_id = fields.Many2one("deal.deal", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_closed = fields.Date("Closed On", readonly=True)
    first_close_date = fields.Date("First Expected Close Date", readonly=True)
    days_late = fields.Integer(
        aggregator="avg",
        readonly=True,
        help="Days between the first expected close date and the closing date (negative: closed earlier).",
    )
    close_date_push_count = fields.Integer("Close Date Pushes", readonly=True)
    first_amount = fields.Monetary("First Estimate", readonly=True)
    won_amount = fields.Monetary(readonly=True)
    amount_difference = fields.Monetary(
        "Won minus First Estimate", readonly=True, help="Positive: won more than first estimated."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT deal.id, deal.id AS deal_id, deal.partner_id, deal.user_id, deal.pipeline_id, deal.company_id,
                   %(currency_id)s AS currency_id,
                   %(date_closed)s AS date_closed, deal.first_close_date,
                   %(date_closed)s - deal.first_close_date AS days_late,
                   deal.close_date_push_count,
                   deal.first_amount_company * account_currency_table.rate AS first_amount,
                   deal.amount_company * account_currency_table.rate AS won_amount,
                   (deal.amount_company - deal.first_amount_company) * account_currency_table.rate
                       AS amount_difference
              FROM deal_deal deal
              JOIN %(currency_table)s ON account_currency_table.company_id = deal.company_id
             WHERE deal.active AND deal.outcome = 'won'
            """,
            currency_id=self.env.company.currency_id.id,
            currency_table=self.env["res.currency"]._get_simple_currency_table(self.env.companies),
            date_closed=self.env["deal.win.report"]._local_date_sql("deal", "date_closed"),
        )
