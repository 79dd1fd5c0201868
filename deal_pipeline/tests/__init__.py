from . import test_deal, test_deal_tour
