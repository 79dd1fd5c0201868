from . import (
    test_access_matrix,
    test_convert,
    test_convert_history,
    test_converted_lead,
    test_deal_crm_tour,
    test_i18n,
)
