from . import deal_lost_wizard, deal_quote_wizard, deal_won_wizard
