"""The board's reads of deals: its columns, its column sums and its activity bars, and the board
a menu or a bookmarked URL opens."""

from odoo import api, models
from odoo.fields import Domain

# Aggregates whose value over a group is the sum of their values over its sub-groups (a sum
# over no value, NULL in SQL, is False in _read_group).
SUMMABLE_AGGREGATES = ("sum", "sum_currency", "count")


class DealDeal(models.Model):
    # one file per concern of the deal (README, Architecture)
    _inherit = "deal.deal"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """Board columns: the stages of the pipeline in context (its own and the shared ones),
        plus any stage that holds deals."""
        stage_domain = Domain("pipeline_ids", "=", False)
        if pipeline_id := self.env.context.get("default_pipeline_id"):
            stage_domain |= Domain("pipeline_ids", "in", [pipeline_id])
        stage_ids = stages._search(Domain("id", "in", stages.ids) | stage_domain, order=stages._order)
        return stages.browse(stage_ids)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):  # noqa: PLR0917 (Odoo's signature)
        """The column sums of the board ask for the distinct currencies of each column
        (``<many2one>:array_agg_distinct``, e.g. ``company_currency_id``), which makes PostgreSQL
        sort every row of the board; grouping by that field too and merging the sub-groups gives
        the same result with a hash aggregate, several times faster on large pipelines."""
        distinct = [spec for spec in aggregates if spec.endswith(":array_agg_distinct")]
        fnames = [spec.split(":")[0] for spec in distinct]
        others = [spec for spec in aggregates if spec not in distinct]
        if (
            len(distinct) != 1
            or having
            or offset
            or limit
            or self._fields[fnames[0]].type != "many2one"
            or not self._fields[fnames[0]].store
            or fnames[0] in groupby
            or any(spec != "__count" and spec.split(":")[-1] not in SUMMABLE_AGGREGATES for spec in others)
            or any(term.split()[0] not in groupby for term in (order or "").split(",") if term.strip())
        ):
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        rows = super()._read_group(domain, [*groupby, fnames[0]], others, order=order)
        merged = {}
        for row in rows:
            key, value, values = row[: len(groupby)], row[len(groupby)], row[len(groupby) + 1 :]
            merged.setdefault(key, ([], []))
            merged[key][0].append(value)
            merged[key][1].append(values)
        result = []
        for key, (distinct_values, values) in merged.items():
            columns = dict(zip(others, zip(*values, strict=True), strict=True))
            ids = sorted({record.id for record in distinct_values if record})
            ids += [None] * (not all(distinct_values))  # ARRAY_AGG puts NULL last
            sums = {
                spec: sum(value for value in column if value is not False) if any(column) else column[0]
                for spec, column in columns.items()
            }
            result.append(key + tuple(ids if spec in distinct else sums[spec] for spec in aggregates))
        return result

    @api.model
    def read_progress_bar(self, domain, group_by, progress_bar):
        """The activity bar counts the deals by activity state; a deal without activities has no
        state and no segment, so only the deals with activities are grouped (the same bars
        without going through every deal of the board)."""
        if progress_bar.get("field") == "activity_state":
            domain = Domain(domain) & Domain("activity_ids", "!=", False)
        return super().read_progress_bar(domain, group_by, progress_bar)

    @api.model
    def action_open_board_of(self, pipeline_id=None):
        """The board of the pipeline ``pipeline_id`` (the id a bookmarked or shared board URL
        carries), or of the current company's first pipeline (the Deals menu)."""
        pipeline = self.env["deal.pipeline"]
        if isinstance(pipeline_id, int):
            pipeline = pipeline.browse(pipeline_id).exists()._filtered_access("read")
        pipeline = pipeline or self._default_pipeline()
        if not pipeline:
            return self.env["ir.actions.act_window"]._for_xml_id("deal_pipeline.deal_deal_action")
        return pipeline.action_open_board()
