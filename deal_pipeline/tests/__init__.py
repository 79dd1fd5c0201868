from . import (
    test_deal,
    test_deal_currency,
    test_deal_performance,
    test_deal_pipeline,
    test_deal_quote_tour,
    test_deal_rotting,
    test_deal_sale,
    test_deal_sale_access,
    test_deal_sale_flow,
    test_deal_sale_performance,
)
