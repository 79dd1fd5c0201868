from . import test_win_model, test_win_model_api, test_win_model_i18n
