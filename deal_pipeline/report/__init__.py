from . import account_invoice_report, deal_cash_forecast_report, deal_forecast_accuracy_report, deal_report
