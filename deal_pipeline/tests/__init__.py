from . import test_deal
