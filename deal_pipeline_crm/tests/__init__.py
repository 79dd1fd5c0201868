from . import test_access_matrix, test_convert, test_converted_lead, test_i18n
