from odoo import SUPERUSER_ID, api

# Deals per statement: the stays of a batch are grouped and sorted in memory.
BATCH = 20000


def migrate(cr, version):
    """What the funnel reads from the stays of the existing deals: the first stay of each deal in
    each stage, the days of all its stays there, and whether it went further."""
    history = api.Environment(cr, SUPERUSER_ID, {})["deal.stage.history"]
    cr.execute("SELECT COALESCE(MIN(deal_id), 0), COALESCE(MAX(deal_id), -1) FROM deal_stage_history")
    first, last = cr.fetchone()
    for low in range(first, last + 1, BATCH):
        history._refresh_funnel_facts(range(low, low + BATCH))
