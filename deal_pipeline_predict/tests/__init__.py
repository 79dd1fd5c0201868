from . import test_win_model, test_win_model_api
