from . import deal_cash_forecast_report, deal_report
