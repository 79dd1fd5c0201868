from . import (
    base_import_import,
    deal_lost_wizard,
    deal_quote_wizard,
    deal_waterfall_wizard,
    deal_won_wizard,
)
