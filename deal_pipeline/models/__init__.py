# first, as the models below inherit them
from . import deal_api_input_mixin, deal_document_mixin

# isort: split
from . import (
    account_move,
    account_move_line,
    deal_contact,
    deal_contact_role,
    deal_deal,
    deal_deal_board,
    deal_deal_import,
    deal_deal_invoice,
    deal_deal_mail,
    deal_deal_revision,
    deal_deal_sale,
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
