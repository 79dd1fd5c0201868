from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

# Deals per statement: each batch reads its deals' stage tracking through the (model, res_id)
# index of the messages, so the work grows with the deals, not with the whole chatter.
BATCH = 20000


def migrate(cr, version):
    """The opening date and the stage history of the existing deals: ``date_open`` is their
    creation; their stays are read from the stage tracking (``deal.stage.history._tracked_stays``):
    a first stay from the opening in the stage the first tracked change left (or the current stage
    when none was tracked), one stay per tracked change, and a last stay in the current stage from
    its last update when the tracking missed the last move. The stays carry the deal's current
    pipeline and owner (the tracking of those is not replayed)."""
    History = api.Environment(cr, SUPERUSER_ID, {})["deal.stage.history"]
    cr.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM deal_deal")
    first, last = cr.fetchone()
    for low in range(first, last + 1, BATCH):
        cr.execute(
            """UPDATE deal_deal SET date_open = create_date
                WHERE id >= %(low)s AND id < %(high)s AND create_date IS NOT NULL""",
            {"low": low, "high": low + BATCH},
        )
        deals = SQL(
            """SELECT d.id, d.stage_id AS value, d.date_open, d.date_last_stage_update AS date_update
                 FROM deal_deal d
                WHERE d.id >= %(low)s AND d.id < %(high)s
                  AND NOT EXISTS (SELECT 1 FROM deal_stage_history h WHERE h.deal_id = d.id)""",
            low=low,
            high=low + BATCH,
        )
        cr.execute(
            SQL(
                """INSERT INTO deal_stage_history (deal_id, stage_id, pipeline_id, user_id, company_id, outcome,
                                                   date_in, date_out, duration_days,
                                                   create_uid, create_date, write_uid, write_date)
                   SELECT d.id, stay.value, d.pipeline_id, d.user_id, d.company_id, stage.outcome,
                          stay.date_in, stay.date_out,
                          GREATEST(EXTRACT(EPOCH FROM stay.date_out - stay.date_in) / 86400, 0),
                          1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
                     FROM (%(stays)s) stay
                     JOIN deal_deal d ON d.id = stay.res_id
                     JOIN deal_stage stage ON stage.id = stay.value""",
                stays=History._tracked_stays("deal.deal", "stage_id", deals),
            )
        )
