from . import test_deal, test_performance
