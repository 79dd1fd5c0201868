# first, as the models below inherit it
from . import deal_api_input_mixin

# isort: split
from . import (
    account_move,
    account_move_line,
    deal_contact,
    deal_contact_role,
    deal_deal,
    deal_deal_import,
    deal_lost_reason,
    deal_pipeline,
    deal_revision,
    deal_stage,
    deal_stage_history,
    deal_tag,
    deal_unassigned_mail,
    mail_thread,
    res_currency,
    sale_order,
)
