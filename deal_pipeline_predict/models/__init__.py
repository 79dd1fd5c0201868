from . import deal_deal, deal_win_model, deal_win_model_bin, res_company, res_config_settings
