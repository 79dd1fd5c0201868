from . import (
    account_invoice_report,
    deal_cash_forecast_report,
    deal_forecast_accuracy_report,
    deal_funnel_report,
    deal_report,
    deal_velocity_report,
    deal_waterfall_report,
    deal_win_report,
)
