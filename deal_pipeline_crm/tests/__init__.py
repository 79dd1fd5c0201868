from . import test_access_matrix, test_convert, test_i18n
