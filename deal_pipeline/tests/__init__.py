from . import (
    test_access,
    test_data_safety,
    test_deal,
    test_deal_currency,
    test_deal_performance,
    test_deal_pipeline,
    test_deal_rotting,
    test_deal_tour,
    test_external_api,
    test_multi_company,
)
