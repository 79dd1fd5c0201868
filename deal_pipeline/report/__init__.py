from . import deal_cash_forecast_report, deal_forecast_accuracy_report, deal_report
