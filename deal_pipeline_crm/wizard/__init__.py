from . import deal_convert_wizard, deal_convert_wizard_line
