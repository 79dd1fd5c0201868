from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, date_utils

# The bars of the waterfall, in their order: the open amount at the start, what changed it, the
# open amount at the end.
CATEGORIES = [
    ("start", "Open at Start"),
    ("created", "Created"),
    ("reopened", "Reopened"),
    ("pulled_in", "Pulled In"),
    ("amount", "Amount Changes"),
    ("pushed_out", "Pushed Out"),
    ("won", "Won"),
    ("lost", "Lost"),
    ("end", "Open at End"),
]


class DealWaterfallReport(models.Model):
    """What changed in the pipeline between two dates. The pipeline at a moment: the active deals
    open then whose expected close date then was on or before a horizon (by default the end of
    the quarter), at their amount then, as the stage history and the revisions tell. Each change
    of a deal in the period moves its amount in or out of the pipeline, or changes it: created,
    reopened, pulled in (close date moved to the horizon or before), amount changes, pushed out
    (close date moved past the horizon), won, lost. One row per deal and bar, with the deal's
    part in it, so that open at start + the changes = open at end, deal by deal. Amounts in the
    current company's currency, at each deal's own conversion (that of its amount in company
    currency). The period and the horizon come from the context (``waterfall_date_from``,
    ``waterfall_date_to``, ``waterfall_close_date_to``; the wizard of the menu sets them)."""

    _name = "deal.waterfall.report"
    _description = "Pipeline Changes"
    _auto = False
    _rec_name = "deal_id"
    _order = "id"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": [
            "active",
            "amount",
            "amount_company",
            "company_currency_id",
            "company_id",
            "currency_id",
            "expected_close_date",
            "partner_id",
            "pipeline_id",
            "stage_id",
            "user_id",
        ],
        "deal.revision": ["date", "deal_id", "field_name", "new_amount", "new_date", "old_amount", "old_date"],
        "deal.stage.history": ["date_in", "date_out", "deal_id", "outcome"],
    }

    category = fields.Selection(CATEGORIES, string="Change", readonly=True)
    sequence = fields.Integer(readonly=True)
    deal_id = fields.Many2one("deal.deal", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", readonly=True)
    stage_id = fields.Many2one("deal.stage", string="Stage Now", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        readonly=True, help="The deal's part in the bar: its open amount, or what the change added (negative: removed)."
    )

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):  # noqa: PLR0917 (Odoo's signature)
        # the bars in their order, not in the alphabetical order of their keys
        if not order and "category" in groupby:
            order = ",".join("sequence:min" if spec == "category" else spec for spec in groupby)
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    @api.model
    def _waterfall_period(self):
        """(first day, last day, horizon) of the waterfall: from the context, else the current
        quarter until today, up to its end."""
        today = fields.Date.context_today(self)
        quarter_start, quarter_end = date_utils.get_quarter(today)
        context = self.env.context
        date_from = fields.Date.to_date(context.get("waterfall_date_from")) or quarter_start
        date_to = fields.Date.to_date(context.get("waterfall_date_to")) or today
        close_date_to = fields.Date.to_date(context.get("waterfall_close_date_to")) or quarter_end
        return date_from, date_to, close_date_to

    @api.model
    def _start_of_day(self, day):
        """The moment ``day`` starts in the user's time zone, as the database stores moments (UTC)."""
        moment = self.env.tz.localize(datetime.combine(day, time.min))
        return moment.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _deal_rates(self):
        """SQL of (deal_id, rate) for the deals that cannot be converted as their amount in company
        currency is (no amount now, in another currency than their company's): today's rate."""
        pairs = self.env.execute_query(
            SQL(
                """SELECT DISTINCT currency_id, company_id FROM deal_deal
                    WHERE active AND currency_id != company_currency_id AND COALESCE(amount, 0) = 0"""
            )
        )
        if not pairs:
            return SQL("SELECT NULL::integer AS currency_id, NULL::integer AS company_id, NULL::numeric AS rate")
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].browse({company for _currency, company in pairs}).sudo()
        conversions = {
            (currency, company): (self.env["res.currency"].browse(currency), companies.browse(company).currency_id,
                                  companies.browse(company), today)
            for currency, company in pairs
        }  # fmt: skip
        rates = self.env["res.currency"]._get_conversion_rates(conversions.values())
        keys = list(conversions)
        return SQL(
            "SELECT * FROM unnest(%s::int[], %s::int[], %s::numeric[]) AS rate(currency_id, company_id, rate)",
            [currency for currency, _company in keys],
            [company for _currency, company in keys],
            [rates[conversions[key]] for key in keys],
        )

    @property
    def _table_query(self):
        date_from, date_to, close_date_to = self._waterfall_period()
        return SQL(
            """
            WITH %(moves)s,
                 part AS (
                    SELECT deal_id, 'start' AS category, value AS amount FROM move WHERE kind = 'start' AND counted
                     UNION ALL
                    SELECT deal_id, category, SUM(delta)
                      FROM move
                     WHERE kind != 'start' AND category IS NOT NULL
                     GROUP BY deal_id, category
                    HAVING SUM(delta) != 0 OR BOOL_OR(counted != was_counted)
                     UNION ALL
                    SELECT deal_id, 'end', value FROM move WHERE last AND counted
                 ),
                 category AS (
                    SELECT * FROM unnest(%(categories)s::varchar[]) WITH ORDINALITY AS category(name, sequence)
                 )
            SELECT part.deal_id * 10 + category.sequence AS id, part.category, category.sequence, part.deal_id,
                   deal.user_id, deal.pipeline_id, deal.stage_id, deal.partner_id, deal.company_id,
                   %(currency_id)s AS currency_id,
                   part.amount
                       * CASE WHEN deal.currency_id = deal.company_currency_id THEN 1.0
                              WHEN COALESCE(deal.amount, 0) != 0 THEN deal.amount_company / deal.amount
                              ELSE COALESCE(deal_rate.rate, 1.0) END
                       * account_currency_table.rate AS amount
              FROM part
              JOIN category ON category.name = part.category
              JOIN deal_deal deal ON deal.id = part.deal_id
              JOIN %(currency_table)s ON account_currency_table.company_id = deal.company_id
              LEFT JOIN (%(deal_rates)s) deal_rate ON deal_rate.currency_id = deal.currency_id
                                                  AND deal_rate.company_id = deal.company_id
            """,
            moves=self._query_moves(
                self._start_of_day(date_from), self._start_of_day(date_to + timedelta(days=1)), close_date_to
            ),
            categories=[name for name, _label in CATEGORIES],
            currency_id=self.env.company.currency_id.id,
            currency_table=self.env["res.currency"]._get_simple_currency_table(self.env.companies),
            deal_rates=self._deal_rates(),
        )

    @api.model
    def _query_moves(self, start, end, horizon):
        """CTEs ending with ``move``: per deal open at some moment of [start, end), its state at the
        start and after each of its changes in the period (stage entered, amount or close date
        revised; at one moment, amount then close date then stage), in the deal's currency:
        ``value`` (its amount when it counts in the pipeline, else 0), ``counted``, ``delta`` and
        ``was_counted`` against the step before, the ``category`` of the change, ``last`` step.
        The revisions written when a deal was created hold the values it was created with: they
        count from the beginning."""
        return SQL(
            """
            relevant AS (
                SELECT history.deal_id
                  FROM deal_stage_history history
                  JOIN deal_deal deal ON deal.id = history.deal_id
                 WHERE deal.active AND history.outcome = 'open'
                   AND history.date_in < %(end)s AND (history.date_out IS NULL OR history.date_out >= %(start)s)
                 GROUP BY history.deal_id
            ),
            revision AS (
                SELECT revision.id, revision.deal_id, revision.field_name,
                       CASE WHEN revision.date <= deal.create_date THEN '-infinity'::timestamp
                            ELSE revision.date END AS date,
                       COALESCE(revision.old_amount, 0) AS old_amount, COALESCE(revision.new_amount, 0) AS new_amount,
                       revision.old_date, revision.new_date
                  FROM deal_revision revision
                  JOIN relevant ON relevant.deal_id = revision.deal_id
                  JOIN deal_deal deal ON deal.id = revision.deal_id
            ),
            at_start AS (
                -- per deal and field: the value after the last revision before the start, else the
                -- value before the first revision
                SELECT DISTINCT ON (deal_id, field_name) deal_id, field_name,
                       CASE WHEN date < %(start)s THEN new_amount ELSE old_amount END AS amount,
                       CASE WHEN date < %(start)s THEN new_date ELSE old_date END AS close_date
                  FROM revision
                 ORDER BY deal_id, field_name, date < %(start)s DESC,
                          CASE WHEN date < %(start)s THEN date END DESC, CASE WHEN date < %(start)s THEN id END DESC,
                          date, id
            ),
            event AS (
                SELECT relevant.deal_id, %(start)s::timestamp AS date, 0 AS rank, 0 AS id, 'start' AS kind,
                       COALESCE(amount_start.amount, deal.amount, 0) AS amount,
                       CASE WHEN close_start.deal_id IS NULL THEN deal.expected_close_date
                            ELSE close_start.close_date END AS close_date,
                       EXISTS (
                            SELECT 1
                              FROM deal_stage_history history
                             WHERE history.deal_id = relevant.deal_id AND history.outcome = 'open'
                               AND history.date_in < %(start)s
                               AND (history.date_out IS NULL OR history.date_out >= %(start)s)
                       ) AS open,
                       NULL AS outcome, FALSE AS creation
                  FROM relevant
                  JOIN deal_deal deal ON deal.id = relevant.deal_id
                  LEFT JOIN at_start amount_start ON amount_start.deal_id = relevant.deal_id
                                                 AND amount_start.field_name = 'amount'
                  LEFT JOIN at_start close_start ON close_start.deal_id = relevant.deal_id
                                                AND close_start.field_name = 'expected_close_date'
                 UNION ALL
                SELECT deal_id, date, CASE field_name WHEN 'amount' THEN 1 ELSE 2 END, id, field_name,
                       CASE field_name WHEN 'amount' THEN new_amount END, new_date, NULL, NULL, FALSE
                  FROM revision
                 WHERE date >= %(start)s AND date < %(end)s
                 UNION ALL
                SELECT history.deal_id, history.date_in, 3, history.id, 'stage', NULL, NULL,
                       history.outcome = 'open', history.outcome,
                       NOT EXISTS (
                            SELECT 1 FROM deal_stage_history prior
                             WHERE prior.deal_id = history.deal_id
                               AND (prior.date_in, prior.id) < (history.date_in, history.id)
                       )
                  FROM deal_stage_history history
                  JOIN relevant ON relevant.deal_id = history.deal_id
                 WHERE history.date_in >= %(start)s AND history.date_in < %(end)s
            ),
            grouped AS (
                -- each value holds from the event that sets it until the next one setting it
                SELECT event.*,
                       COUNT(*) FILTER (WHERE kind IN ('start', 'amount')) OVER step AS amount_group,
                       COUNT(*) FILTER (WHERE kind IN ('start', 'expected_close_date')) OVER step AS close_group,
                       COUNT(*) FILTER (WHERE kind IN ('start', 'stage')) OVER step AS open_group
                  FROM event
                WINDOW step AS (PARTITION BY deal_id ORDER BY date, rank, id)
            ),
            state AS (
                SELECT deal_id, date, rank, id, kind, outcome, creation,
                       MAX(amount) OVER (PARTITION BY deal_id, amount_group) AS amount,
                       MAX(close_date) OVER (PARTITION BY deal_id, close_group) AS close_date,
                       BOOL_OR(open) OVER (PARTITION BY deal_id, open_group) AS open
                  FROM grouped
            ),
            counted AS (
                SELECT state.*, COALESCE(open AND close_date <= %(horizon)s, FALSE) AS counted
                  FROM state
            ),
            valued AS (
                SELECT counted.*, CASE WHEN counted THEN amount ELSE 0 END AS value,
                       LAG(open) OVER step AS was_open
                  FROM counted
                WINDOW step AS (PARTITION BY deal_id ORDER BY date, rank, id)
            ),
            move AS (
                SELECT valued.*,
                       value - LAG(value) OVER step AS delta,
                       LAG(counted) OVER step AS was_counted,
                       ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY date DESC, rank DESC, id DESC) = 1 AS last,
                       CASE WHEN kind = 'amount' THEN 'amount'
                            WHEN kind = 'expected_close_date' AND counted AND NOT LAG(counted) OVER step
                                THEN 'pulled_in'
                            WHEN kind = 'expected_close_date' AND NOT counted AND LAG(counted) OVER step
                                THEN 'pushed_out'
                            WHEN kind = 'stage' AND creation THEN 'created'
                            WHEN kind = 'stage' AND was_open AND NOT open THEN outcome
                            WHEN kind = 'stage' AND NOT was_open AND open THEN 'reopened'
                       END AS category
                  FROM valued
                WINDOW step AS (PARTITION BY deal_id ORDER BY date, rank, id)
            )
            """,
            start=start,
            end=end,
            horizon=horizon,
        )
