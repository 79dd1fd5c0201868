# Deals per statement: each batch reads its deals' stage tracking through the (model, res_id)
# index of the messages, so the work grows with the deals, not with the whole chatter.
BATCH = 20000


def migrate(cr, version):
    """The opening date and the stage history of the existing deals: ``date_open`` is their
    creation; their stays are read from the stage tracking (mail.tracking.value on stage_id): a
    first stay from the opening in the stage the first tracked change left (or the current stage
    when none was tracked), one stay per tracked change from the message's date, and a last stay
    in the current stage from its last update when the tracking missed the last move. The stays
    carry the deal's current pipeline and owner (the tracking of those is not replayed)."""
    cr.execute("SELECT id FROM ir_model_fields WHERE model = 'deal.deal' AND name = 'stage_id'")
    field_id = cr.fetchone()[0]
    cr.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM deal_deal")
    first, last = cr.fetchone()
    for low in range(first, last + 1, BATCH):
        bounds = {"low": low, "high": low + BATCH, "field": field_id}
        cr.execute(
            """UPDATE deal_deal SET date_open = create_date
                WHERE id >= %(low)s AND id < %(high)s AND create_date IS NOT NULL""",
            bounds,
        )
        cr.execute(
            """WITH deals AS (
                   SELECT d.id, d.stage_id, d.pipeline_id, d.user_id, d.company_id, d.date_open,
                          d.date_last_stage_update
                     FROM deal_deal d
                    WHERE d.id >= %(low)s AND d.id < %(high)s
                      AND NOT EXISTS (SELECT 1 FROM deal_stage_history h WHERE h.deal_id = d.id)
               ),
               moves AS (
                   SELECT msg.res_id AS deal_id, msg.date, value.id AS seq,
                          value.old_value_integer AS old_stage, value.new_value_integer AS new_stage
                     FROM mail_message msg
                     JOIN mail_tracking_value value ON value.mail_message_id = msg.id
                    WHERE msg.model = 'deal.deal' AND msg.res_id >= %(low)s AND msg.res_id < %(high)s
                      AND value.field_id = %(field)s
               ),
               firsts AS (
                   SELECT DISTINCT ON (deal_id) deal_id, old_stage, date FROM moves ORDER BY deal_id, date, seq
               ),
               lasts AS (
                   SELECT DISTINCT ON (deal_id) deal_id, new_stage, date FROM moves
                    ORDER BY deal_id, date DESC, seq DESC
               ),
               stays AS (
                   SELECT d.id AS deal_id, COALESCE(f.old_stage, d.stage_id) AS stage_id,
                          LEAST(d.date_open, f.date) AS date_in, 0 AS seq
                     FROM deals d
                     LEFT JOIN firsts f ON f.deal_id = d.id
                   UNION ALL
                   SELECT m.deal_id, m.new_stage, m.date, m.seq FROM moves m JOIN deals d ON d.id = m.deal_id
                   UNION ALL
                   SELECT d.id, d.stage_id, GREATEST(d.date_last_stage_update, l.date), 2147483647
                     FROM deals d JOIN lasts l ON l.deal_id = d.id
                    WHERE l.new_stage IS DISTINCT FROM d.stage_id
               ),
               ordered AS (
                   SELECT stays.*, LEAD(date_in) OVER (PARTITION BY deal_id ORDER BY date_in, seq) AS date_out
                     FROM stays
               )
               INSERT INTO deal_stage_history (deal_id, stage_id, pipeline_id, user_id, company_id, outcome,
                                               date_in, date_out, duration_days,
                                               create_uid, create_date, write_uid, write_date)
               SELECT o.deal_id, o.stage_id, d.pipeline_id, d.user_id, d.company_id, stage.outcome,
                      o.date_in, o.date_out, GREATEST(EXTRACT(EPOCH FROM o.date_out - o.date_in) / 86400, 0),
                      1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
                 FROM ordered o
                 JOIN deals d ON d.id = o.deal_id
                 JOIN deal_stage stage ON stage.id = o.stage_id""",
            bounds,
        )
