from . import deal_lost_wizard, deal_waterfall_wizard, deal_won_wizard
