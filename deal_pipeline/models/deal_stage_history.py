from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .deal_stage import OUTCOMES


class DealStageHistory(models.Model):
    """One stay of a deal in a stage of a pipeline: from ``date_in``, when the deal entered it,
    to ``date_out``, when it left it (empty while the deal is there). Written only by the deal's
    own create() and write() (``_log_created``, ``_log_moves``), by a deals administrator's
    import of stays (``_import_stays``) and by the upgrade that reads the stage tracking
    (``_tracked_stays``); read by whoever may read the deal."""

    _name = "deal.stage.history"
    _description = "Deal Stage History"
    _order = "date_in desc, id desc"
    _rec_name = "stage_id"

    deal_id = fields.Many2one("deal.deal", required=True, index=True, ondelete="cascade", readonly=True)
    stage_id = fields.Many2one("deal.stage", required=True, index=True, ondelete="restrict", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", index=True, ondelete="restrict", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Owner", readonly=True, help="The deal's owner when it entered the stage."
    )
    company_id = fields.Many2one(related="deal_id.company_id", store=True, index=True)
    outcome = fields.Selection(OUTCOMES, readonly=True, help="The outcome of the stage when the deal entered it.")
    date_in = fields.Datetime("Entered On", required=True, readonly=True)
    date_out = fields.Datetime("Left On", readonly=True, help="Empty while the deal is in the stage.")
    duration_days = fields.Float(
        "Days in Stage",
        compute="_compute_duration_days",
        store=True,
        aggregator="avg",
        help="Days from entering to leaving the stage; empty while the deal is in it, so that averages "
        "count finished stays only.",
    )

    # What the funnel reads, kept by _refresh_funnel_facts whenever the deal's stays change: set on
    # the deal's first stay in each stage, so that the funnel adds up one row per deal and stage.
    is_first_stay = fields.Boolean(
        "First Stay", readonly=True, help="The deal's first stay in the stage: when it reached the stage."
    )
    stage_days = fields.Float(
        "Days in Stage (All Stays)",
        readonly=True,
        help="On the deal's first stay in the stage: the days of all its stays in the stage, once it has left "
        "the stage; empty while it is there.",
    )
    went_further = fields.Boolean(
        readonly=True,
        help="On the deal's first stay in the stage: the deal reached a later stage of the stage order since "
        "(a won stage included, a lost one not).",
    )

    # a deal's stays in order, and its current stay (the one without date_out)
    _deal_date_index = models.Index("(deal_id, date_in, id)")
    _current_index = models.Index("(deal_id) WHERE date_out IS NULL")

    @api.depends("date_in", "date_out")
    def _compute_duration_days(self):
        for stay in self:
            stay.duration_days = (
                (stay.date_out - stay.date_in).total_seconds() / 86400 if stay.date_in and stay.date_out else False
            )

    @api.model
    def _count_deals_through(self, field_name, records):
        """{record: deals whose history went through it, archived ones included} for the
        ``records`` of ``field_name`` (stage_id, pipeline_id): a count, whoever may read them."""
        return dict(
            self.sudo()._read_group([(field_name, "in", records.ids)], [field_name], ["deal_id:count_distinct"])
        )

    @api.model
    def _log_created(self, deals, vals_list):
        """Start the first stays of new ``deals`` (created from ``vals_list``, in the same order),
        at their ``date_open``. A deal created closed with a closing date given after its opening
        (an import of its history) first stays in its last open stage, or else its pipeline's
        first open stage (where every deal starts; an export does not tell the stages between),
        from ``date_open`` to ``date_closed``, then in its closing stage from ``date_closed``."""
        deals = deals.sudo()
        stays = []
        for deal, vals in zip(deals, vals_list, strict=True):
            if deal.outcome != "open" and vals.get("date_closed") and deal.date_closed > deal.date_open:
                open_stage = deal.last_open_stage_id or deal.pipeline_id._stage_for_outcome("open")
                stays.append(
                    {"deal": deal, "stage": open_stage, "date_in": deal.date_open, "date_out": deal.date_closed}
                )
                stays.append({"deal": deal, "stage": deal.stage_id, "date_in": deal.date_closed})
            else:
                stays.append({"deal": deal, "stage": deal.stage_id, "date_in": deal.date_open})
        self._insert_stays(stays)
        deals.invalidate_recordset(["stage_history_ids"])

    @api.model
    def _log_moves(self, deals):
        """End the current stay of ``deals`` and start one in their current stage and pipeline, at
        the transaction's time, in two queries for any number of deals. Written whatever the user's
        rights: the user's own write moved the deals."""
        if not deals:
            return
        now = self.env.cr.now()
        self._end_stays(deals.ids, now)
        self._insert_stays([{"deal": deal, "stage": deal.stage_id, "date_in": now} for deal in deals.sudo()])
        deals.invalidate_recordset(["stage_history_ids"])

    @api.model
    def _end_stays(self, deal_ids, date):
        self.env.cr.execute(
            SQL(
                """UPDATE deal_stage_history
                      SET date_out = %(date)s,
                          duration_days = GREATEST(EXTRACT(EPOCH FROM %(date)s - date_in) / 86400, 0),
                          write_uid = %(uid)s, write_date = %(now)s
                    WHERE deal_id IN %(ids)s AND date_out IS NULL""",
                date=date,
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=tuple(deal_ids),
            )
        )
        self.invalidate_model(["date_out", "duration_days"])

    @api.model
    def _insert_stays(self, stays):
        """Insert ``stays`` (dicts of ``deal``, ``stage``, ``date_in`` and optionally ``date_out``;
        the pipeline, owner and company are the deal's) in one INSERT."""
        if not stays:
            return
        columns = {
            "deal_id": [stay["deal"].id for stay in stays],
            "stage_id": [stay["stage"].id for stay in stays],
            "pipeline_id": [stay["deal"].pipeline_id.id or None for stay in stays],
            "user_id": [stay["deal"].user_id.id or None for stay in stays],
            "company_id": [stay["deal"].company_id.id for stay in stays],
            "outcome": [stay["stage"].outcome for stay in stays],
            "date_in": [stay["date_in"] for stay in stays],
            "date_out": [stay.get("date_out") for stay in stays],
        }
        self.env.cr.execute(
            SQL(
                """INSERT INTO deal_stage_history (deal_id, stage_id, pipeline_id, user_id, company_id, outcome,
                                                   date_in, date_out, duration_days,
                                                   create_uid, create_date, write_uid, write_date)
                   SELECT deal_id, stage_id, pipeline_id, user_id, company_id, outcome, date_in, date_out,
                          GREATEST(EXTRACT(EPOCH FROM date_out - date_in) / 86400, 0),
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM unnest(%(deal_id)s::int[], %(stage_id)s::int[], %(pipeline_id)s::int[],
                                 %(user_id)s::int[], %(company_id)s::int[], %(outcome)s::varchar[],
                                 %(date_in)s::timestamp[], %(date_out)s::timestamp[])
                       AS stay(deal_id, stage_id, pipeline_id, user_id, company_id, outcome, date_in, date_out)""",
                uid=self.env.uid,
                now=self.env.cr.now(),
                **columns,
            )
        )
        self._refresh_funnel_facts(set(columns["deal_id"]))

    @api.model
    def _refresh_funnel_facts(self, deal_ids=None):
        """Set ``is_first_stay``, ``stage_days`` and ``went_further`` on the stays of ``deal_ids``
        (all deals if None) from their stays, in one UPDATE that writes only the rows that change.
        Later is by the order of the stages (sequence, id), as the board shows them."""
        deal_filter = SQL("TRUE") if deal_ids is None else SQL("stay.deal_id = ANY(%s)", list(deal_ids))
        self.env.cr.execute(
            SQL(
                """
                WITH stage_rank AS (
                        SELECT id, ROW_NUMBER() OVER (ORDER BY sequence, id) AS rank FROM deal_stage
                     ),
                     reached AS (
                        SELECT stay.deal_id, stay.stage_id, MIN(stage_rank.rank) AS rank,
                               (ARRAY_AGG(stay.id ORDER BY stay.date_in, stay.id))[1] AS first_id,
                               CASE WHEN BOOL_OR(stay.date_out IS NULL) THEN NULL
                                    ELSE SUM(stay.duration_days) END AS days,
                               BOOL_OR(stay.outcome != 'lost') AS counted
                          FROM deal_stage_history stay
                          JOIN stage_rank ON stage_rank.id = stay.stage_id
                         WHERE %(deal_filter)s
                         GROUP BY stay.deal_id, stay.stage_id
                     ),
                     fact AS (
                        SELECT reached.*,
                               MAX(reached.rank) FILTER (WHERE reached.counted) OVER (PARTITION BY reached.deal_id)
                                   AS furthest
                          FROM reached
                     )
                UPDATE deal_stage_history stay
                   SET is_first_stay = stay.id = fact.first_id,
                       stage_days = CASE WHEN stay.id = fact.first_id THEN fact.days END,
                       went_further = stay.id = fact.first_id AND COALESCE(fact.furthest > fact.rank, FALSE)
                  FROM fact
                 WHERE stay.deal_id = fact.deal_id AND stay.stage_id = fact.stage_id
                   AND (stay.is_first_stay, stay.stage_days, stay.went_further) IS DISTINCT FROM (
                           stay.id = fact.first_id,
                           CASE WHEN stay.id = fact.first_id THEN fact.days END,
                           stay.id = fact.first_id AND COALESCE(fact.furthest > fact.rank, FALSE))
                """,
                deal_filter=deal_filter,
            )
        )
        self.invalidate_model(["is_first_stay", "stage_days", "went_further"])

    @api.model
    def _cron_refresh_funnel_facts(self):
        """After the stages were put in another order: what went further, for every deal."""
        parameters = self.env["ir.config_parameter"].sudo()
        if not parameters.get_param("deal_pipeline.funnel_facts_stale"):
            return
        parameters.set_param("deal_pipeline.funnel_facts_stale", False)
        self._refresh_funnel_facts()

    @api.model
    def _tracked_stays(self, model, field_name, records):
        """SQL of the stays of ``records`` of ``model`` in the values of its tracked many2one or
        boolean field ``field_name``, read from its tracking (mail.tracking.value), each change
        dated by the creation of its tracking value, as Odoo's mail.tracking.duration.mixin reads
        them: users write a message's date, never a tracking value. A first stay from the opening
        in the value the first tracked change left (the current value when none was tracked), one
        stay per tracked change, and a last stay in the current value from its last update when the
        tracking missed the last change.

        :param SQL records: the records, with the columns ``id``, ``value`` (the current value),
            ``date_open`` (the start of the first stay) and ``date_update`` (when the value last
            changed, or NULL to count the current value from the last tracked change)
        :return: SQL of the rows ``res_id``, ``value``, ``date_in``, ``date_out`` (NULL for the
            current stay), ``seq`` (the order of stays of the same time)
        """
        field = self.env["ir.model.fields"]._get(model, field_name)
        return SQL(
            """WITH records AS (%(records)s),
               moves AS (
                   SELECT msg.res_id, tracking.create_date AS date, tracking.id AS seq,
                          tracking.old_value_integer AS old_value, tracking.new_value_integer AS new_value
                     FROM mail_message msg
                     JOIN mail_tracking_value tracking ON tracking.mail_message_id = msg.id
                    WHERE msg.model = %(model)s AND msg.res_id = ANY(ARRAY(SELECT id FROM records))
                      AND tracking.field_id = %(field)s
               ),
               firsts AS (
                   SELECT DISTINCT ON (res_id) res_id, old_value, date FROM moves ORDER BY res_id, date, seq
               ),
               lasts AS (
                   SELECT DISTINCT ON (res_id) res_id, new_value, date FROM moves ORDER BY res_id, date DESC, seq DESC
               ),
               stays AS (
                   SELECT r.id AS res_id, COALESCE(f.old_value, r.value) AS value,
                          LEAST(r.date_open, f.date) AS date_in, 0 AS seq
                     FROM records r
                     LEFT JOIN firsts f ON f.res_id = r.id
                   UNION ALL
                   SELECT m.res_id, m.new_value, m.date, m.seq FROM moves m
                   UNION ALL
                   SELECT r.id, r.value, GREATEST(r.date_update, l.date), 2147483647
                     FROM records r JOIN lasts l ON l.res_id = r.id
                    WHERE l.new_value IS DISTINCT FROM r.value
               )
               SELECT res_id, value, date_in, seq,
                      LEAD(date_in) OVER (PARTITION BY res_id ORDER BY date_in, seq) AS date_out
                 FROM stays""",
            records=records,
            model=model,
            field=field.id,
        )

    @api.model
    def _import_stays(self, stays):
        """Replace the history of deals by ``stays`` (dicts of ``deal_id``, ``stage_id`` and
        ``date_in``): each stay lasts until the deal's next one, the last ends in the deal's
        current stage. The deal opens at its first stay and a closed deal closes at its last one.
        For deals administrators (a full stage log of another CRM, the demo data)."""
        if not (self.env.su or self.env.user.has_group("deal_pipeline.group_deal_manager")):
            raise AccessError(self.env._("Only a deals administrator may import the stage history of deals."))
        by_deal = defaultdict(list)
        for stay in sorted(stays, key=lambda stay: fields.Datetime.to_datetime(stay["date_in"])):
            by_deal[stay["deal_id"]].append(stay)
        deals = self.env["deal.deal"].sudo().browse(by_deal)
        self.env.cr.execute(SQL("DELETE FROM deal_stage_history WHERE deal_id IN %s", tuple(deals.ids)))
        rows = []
        for deal in deals:
            deal_stays = by_deal[deal.id]
            if deal_stays[-1]["stage_id"] != deal.stage_id.id:
                raise UserError(
                    self.env._(
                        "The last stay of the deal “%(deal)s” is not in its stage “%(stage)s”.",
                        deal=deal.name,
                        stage=deal.stage_id.name,
                    )
                )
            dates = [fields.Datetime.to_datetime(stay["date_in"]) for stay in deal_stays]
            for stay, date_in, date_out in zip(deal_stays, dates, [*dates[1:], None], strict=True):
                stage = self.env["deal.stage"].browse(stay["stage_id"])
                rows.append({"deal": deal, "stage": stage, "date_in": date_in, "date_out": date_out})
            # one write per deal: its dates differ from every other deal's
            deal.write({"date_open": dates[0]} | ({"date_closed": dates[-1]} if deal.outcome != "open" else {}))
        self._insert_stays(rows)
        deals.invalidate_recordset(["stage_history_ids"])
