from . import deal_report
