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
        # the bars in their order, not in the alphabetical order of their keys (the web client
        # orders its groups by their key: formatted_read_group's default order is the groupby)
        if "category" in groupby:
            terms = [term.strip() for term in (order or ",".join(groupby)).split(",")]
            order = ",".join(
                "sequence:min" + term[len("category") :] if term.split()[0] == "category" else term for term in terms
            )
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
        start and after each change in the period that may move its amount in or out of the
        pipeline or change it (entering a stage of another outcome, a revision of its amount or
        close date; at one moment, amount then close date then stage), in the deal's currency:
        ``value`` (its amount when it counts in the pipeline, else 0), ``counted``, ``delta`` and
        ``was_counted`` against the step before, the ``category`` of the change, ``last`` step.
        The value of a field at the start is the one its first revision since then changed, else
        its current value: only the revisions since the start are read. One sort of the steps,
        whatever their number."""
        return SQL(
            """
            relevant AS (
                SELECT history.deal_id,
                       BOOL_OR(history.date_in < %(start)s) AS open_at_start
                  FROM deal_stage_history history
                  JOIN deal_deal deal ON deal.id = history.deal_id
                 WHERE deal.active AND history.outcome = 'open'
                   AND history.date_in < %(end)s AND (history.date_out IS NULL OR history.date_out >= %(start)s)
                 GROUP BY history.deal_id
            ),
            revision AS (
                -- the changes from the start on of the deals that count (the revisions written when a
                -- deal was created hold the values it was created with: not changes)
                SELECT revision.id, revision.deal_id, revision.field_name, revision.date,
                       COALESCE(revision.old_amount, 0) AS old_amount, COALESCE(revision.new_amount, 0) AS new_amount,
                       revision.old_date, revision.new_date
                  FROM deal_revision revision
                  JOIN relevant ON relevant.deal_id = revision.deal_id
                  JOIN deal_deal deal ON deal.id = revision.deal_id
                 WHERE revision.date >= %(start)s AND revision.date > deal.create_date
            ),
            at_start AS (
                -- per deal and field revised since the start: the value its first revision since
                -- then changed (the value at the start), the least [time, id, value] (no sort);
                -- a field not revised since the start has its current value
                SELECT deal_id,
                       BOOL_OR(field_name = 'amount') AS amount_revised,
                       (MIN(ARRAY[EXTRACT(EPOCH FROM date), id, old_amount])
                            FILTER (WHERE field_name = 'amount'))[3] AS amount,
                       BOOL_OR(field_name = 'expected_close_date') AS close_revised,
                       (MIN(ARRAY[EXTRACT(EPOCH FROM date), id, old_date - DATE '2000-01-01'])
                            FILTER (WHERE field_name = 'expected_close_date'))[3]::integer
                           + DATE '2000-01-01' AS close_date
                  FROM revision
                 GROUP BY deal_id
            ),
            stage_change AS (
                -- the stays begun in the period: the first one of a deal (its creation), or one of
                -- another outcome than the stay it ends (a stay ends when the next one begins)
                SELECT stay.deal_id, stay.date_in, stay.id, stay.outcome, previous.id IS NULL AS creation
                  FROM deal_stage_history stay
                  JOIN relevant ON relevant.deal_id = stay.deal_id
                  LEFT JOIN deal_stage_history previous ON previous.deal_id = stay.deal_id
                                                       AND previous.date_out = stay.date_in
                                                       AND previous.id != stay.id
                                                       AND previous.date_out >= %(start)s
                                                       AND previous.date_out < %(end)s
                 WHERE stay.date_in >= %(start)s AND stay.date_in < %(end)s
                   AND (previous.id IS NULL OR (previous.outcome = 'open') != (stay.outcome = 'open'))
            ),
            event AS (
                SELECT relevant.deal_id, %(start)s::timestamp AS date, 0 AS rank, 0 AS id, 'start' AS kind,
                       CASE WHEN at_start.amount_revised THEN at_start.amount
                            ELSE COALESCE(deal.amount, 0) END AS amount,
                       CASE WHEN at_start.close_revised THEN at_start.close_date
                            ELSE deal.expected_close_date END AS close_date,
                       relevant.open_at_start AS open, NULL AS outcome, FALSE AS creation
                  FROM relevant
                  JOIN deal_deal deal ON deal.id = relevant.deal_id
                  LEFT JOIN at_start ON at_start.deal_id = relevant.deal_id
                 UNION ALL
                SELECT deal_id, date, CASE field_name WHEN 'amount' THEN 1 ELSE 2 END, id, field_name,
                       CASE field_name WHEN 'amount' THEN new_amount END, new_date, NULL, NULL, FALSE
                  FROM revision
                 WHERE date >= %(start)s AND date < %(end)s
                 UNION ALL
                SELECT deal_id, date_in, 3, id, 'stage', NULL, NULL, outcome = 'open', outcome, creation
                  FROM stage_change
            ),
            state AS (
                -- each value holds from the step that sets it until the next one setting it
                SELECT deal_id, date, rank, id, kind, outcome, creation,
                       ARRAY_AGG(amount) FILTER (WHERE kind IN ('start', 'amount')) OVER step AS amounts,
                       ARRAY_AGG(close_date) FILTER (WHERE kind IN ('start', 'expected_close_date')) OVER step
                           AS close_dates,
                       ARRAY_AGG(open) FILTER (WHERE kind IN ('start', 'stage')) OVER step AS opens
                  FROM event
                WINDOW step AS (PARTITION BY deal_id ORDER BY date, rank, id)
            ),
            counted AS (
                SELECT deal_id, date, rank, id, kind, outcome, creation,
                       amounts[CARDINALITY(amounts)] AS amount, opens[CARDINALITY(opens)] AS open,
                       COALESCE(opens[CARDINALITY(opens)] AND close_dates[CARDINALITY(close_dates)] <= %(horizon)s,
                                FALSE) AS counted
                  FROM state
            ),
            move AS (
                SELECT deal_id, kind, counted,
                       CASE WHEN counted THEN amount ELSE 0 END AS value,
                       CASE WHEN counted THEN amount ELSE 0 END
                           - LAG(CASE WHEN counted THEN amount ELSE 0 END) OVER step AS delta,
                       LAG(counted) OVER step AS was_counted,
                       LEAD(deal_id) OVER step IS NULL AS last,
                       CASE WHEN kind = 'amount' THEN 'amount'
                            WHEN kind = 'expected_close_date' AND counted AND NOT LAG(counted) OVER step
                                THEN 'pulled_in'
                            WHEN kind = 'expected_close_date' AND NOT counted AND LAG(counted) OVER step
                                THEN 'pushed_out'
                            WHEN kind = 'stage' AND creation THEN 'created'
                            WHEN kind = 'stage' AND open AND NOT LAG(open) OVER step THEN 'reopened'
                            WHEN kind = 'stage' AND NOT open AND LAG(open) OVER step THEN outcome
                       END AS category
                  FROM counted
                WINDOW step AS (PARTITION BY deal_id ORDER BY date, rank, id)
            )
            """,
            start=start,
            end=end,
            horizon=horizon,
        )
