from . import (
    test_deal_project,
    test_deal_project_access,
    test_deal_project_access_matrix,
    test_deal_project_i18n,
    test_deal_project_queries,
    test_deal_project_tour,
    test_deal_quote_budget,
)
