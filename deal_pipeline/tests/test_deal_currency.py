from datetime import date, datetime

from odoo.tests import tagged, users

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestDealCurrency(DealCommon):
    """Amounts in a foreign currency, converted with dated rates created here (units of the
    foreign currency for one unit of the company currency)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency_foreign = cls.env["res.currency"].create(
            {"name": "XTS", "symbol": "¤", "rounding": 0.01, "active": True}
        )
        cls._add_rate(date(2025, 1, 1), 2.0)
        cls._add_rate(date(2025, 6, 1), 4.0)

    @classmethod
    def _add_rate(cls, day, rate):
        cls.env["res.currency.rate"].create(
            {"currency_id": cls.currency_foreign.id, "company_id": cls.company.id, "name": day, "rate": rate}
        )

    def _create_foreign_deal(self, **values):
        return self._create_deal(currency_id=self.currency_foreign.id, amount=1000.0, **values)

    @users("deal_own")
    def test_rate_of_expected_close_date(self):
        deal = self._create_foreign_deal(expected_close_date=date(2025, 3, 15), probability=30.0)
        self.assertEqual(deal.company_currency_id, self.company.currency_id)
        self.assertEqual(deal.amount_company, 500.0)
        self.assertEqual(deal.amount_weighted, 150.0)
        deal.expected_close_date = date(2025, 7, 1)
        self.assertEqual(deal.amount_company, 250.0)
        self.assertEqual(deal.amount_weighted, 75.0)
        deal.amount = 3000.0
        self.assertEqual(deal.amount_company, 750.0)
        deal.currency_id = self.company.currency_id
        self.assertEqual(deal.amount_company, 3000.0)

    @users("deal_own")
    def test_rate_of_today_without_expected_close_date(self):
        with self._at(datetime(2025, 3, 10, 12)):
            deal = self._create_foreign_deal()
            self.assertEqual(deal.amount_company, 500.0)
        with self._at(datetime(2025, 8, 10, 12)):
            deal.amount = 2000.0
            self.assertEqual(deal.amount_company, 500.0, "today's rate is now the one of June")

    @users("deal_own")
    def test_amount_frozen_once_closed(self):
        with self._at(datetime(2025, 3, 10, 12)):
            deal = self._create_foreign_deal(expected_close_date=date(2025, 7, 1))
            self.assertEqual(deal.amount_company, 250.0)
            deal.action_mark_won()
            self.assertEqual(deal.amount_company, 500.0, "converted at the rate of the closing day")

        with self._at(datetime(2025, 9, 1, 12)):
            self.env["res.currency.rate"].sudo().create(
                {
                    "currency_id": self.currency_foreign.id,
                    "company_id": self.company.id,
                    "name": date(2025, 9, 1),
                    "rate": 8.0,
                }
            )
            deal.expected_close_date = date(2025, 9, 30)
            deal.write({"name": "Website redesign (signed)", "probability": 100.0})
            self.env.invalidate_all()
            self.assertEqual(deal.amount_company, 500.0, "neither a new rate nor the expected date moves it")
            self.assertEqual(deal.amount_weighted, 500.0)
            deal.amount = 1200.0
            self.assertEqual(deal.amount_company, 600.0, "a new amount is still converted at the closing rate")

            deal.action_reopen()
            self.assertEqual(deal.amount_company, 150.0, "reopened: the rate of the expected close date again")

    @users("deal_own")
    def test_amount_frozen_once_lost(self):
        with self._at(datetime(2025, 5, 20, 12)):
            deal = self._create_foreign_deal(expected_close_date=date(2025, 6, 15))
            self.assertEqual(deal.amount_company, 250.0)
            deal.action_mark_lost(lost_reason_id=self.lost_reason.id)
            self.assertEqual(deal.amount_company, 500.0)
        with self._at(datetime(2025, 6, 20, 12)):
            deal.expected_close_date = date(2025, 6, 30)
            self.assertEqual(deal.amount_company, 500.0)

    @users("deal_all")
    def test_conversion_rates_are_odoo_rates(self):
        """res.currency._get_conversion_rates gives, in one query, the rates Odoo's conversion uses:
        the company's rate before the shared one, the latest of the day or before, the earliest
        one before any rate, in either direction; the deals' company amounts read it."""
        currency_shared = self.env["res.currency"].sudo().create({"name": "XTT", "symbol": "¤", "active": True})
        self.env["res.currency.rate"].sudo().create(
            [
                {"currency_id": currency_shared.id, "name": date(2025, 2, 1), "rate": 3.0},
                {"currency_id": currency_shared.id, "name": date(2025, 8, 1), "rate": 5.0},
                {"currency_id": self.currency_foreign.id, "name": date(2025, 4, 1), "rate": 7.0},
                {"currency_id": self.company.currency_id.id, "name": date(2025, 3, 1), "rate": 1.25},
            ]
        )
        days = [date(2024, 12, 1), date(2025, 1, 1), date(2025, 3, 15), date(2025, 4, 1), date(2025, 9, 1)]
        company_currency = self.company.currency_id
        Currency = self.env["res.currency"]
        conversions = [
            (from_currency, to_currency, self.company, day)
            for currency in (self.currency_foreign, currency_shared, company_currency)
            for from_currency, to_currency in ((currency, company_currency), (company_currency, currency))
            for day in days
        ]
        expected = {conversion: Currency._get_conversion_rate(*conversion) for conversion in conversions}
        Currency._get_conversion_rates(conversions[:1])  # the record rules of the rates, read once
        with self.assertQueriesContain(["FROM unnest("]):
            rates = Currency._get_conversion_rates(conversions)
        self.assertEqual(set(rates), set(conversions))
        for conversion in conversions:
            self.assertAlmostEqual(rates[conversion], expected[conversion], places=12, msg=str(conversion))
        # 1 for the company currency, 5 different rates across the cases above, and their inverses
        self.assertEqual(len({round(rate, 6) for rate in rates.values()}), 11)
        deals = self.env["deal.deal"].create(
            [
                {
                    "name": f"{currency.name} {day}",
                    "partner_id": self.customer.id,
                    "currency_id": currency.id,
                    "amount": 1000.0,
                    "expected_close_date": day,
                }
                for currency in (self.currency_foreign, currency_shared)
                for day in days
            ]
        )
        for deal in deals:
            rate = rates[deal.currency_id, company_currency, self.company, deal.expected_close_date]
            self.assertEqual(deal.amount_company, company_currency.round(1000.0 * rate), deal.name)
