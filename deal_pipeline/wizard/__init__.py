from . import deal_lost_wizard
