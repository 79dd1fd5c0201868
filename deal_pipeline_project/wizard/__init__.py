from . import deal_quote_wizard
