from . import deal_forecast_accuracy_report, deal_report
