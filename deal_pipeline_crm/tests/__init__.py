from . import test_convert, test_i18n
