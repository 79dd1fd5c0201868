from . import (
    test_deal,
    test_deal_currency,
    test_deal_i18n,
    test_deal_performance,
    test_deal_pipeline,
    test_deal_rotting,
    test_deal_tour,
)
