from datetime import date, datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, mute_logger, new_test_user, tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import FORECAST_TODAY, DealForecastCommon

TODAY = FORECAST_TODAY


@freeze_time(TODAY)
@tagged("post_install", "-at_install", "deal_forecast")
class TestDealForecast(DealForecastCommon):
    """Forecast of the deals and cash forecast, on the hand-made data set of DealForecastCommon."""

    def _cash_rows(self):
        rows = self.env["deal.cash.forecast.report"].search([])
        return {(row.source, row.deal_id.name, row.move_id): (row.date, row.delay, row.amount) for row in rows}

    def _cash_by_month(self, domain=()):
        groups = self.env["deal.cash.forecast.report"]._read_group(list(domain), ["date:month"], ["amount:sum"])
        return {month or None: round(amount, 2) for month, amount in groups}

    def test_cash_forecast_figures(self):
        """Open deals: weighted amount at the close date + the customer's delay (the company's when he
        has none); unpaid invoices of deals: residual at the due date + the customer's lateness, never
        before today; all in USD."""
        # Prompt: delay (10 + 14 + 12) / 3 = 12 days, lateness (-20 - 16 - 18) / 3 = -18 days. Slow: delay 60,
        # lateness 30. The company: delay (10 + 14 + 60 + 12) / 4 = 24, lateness (-20 - 16 + 30 - 18) / 4 = -6.
        prompt_deal = self._deal(self.prompt, 10000.0, self.stage_proposal, "2026-07-20")  # 50 %: 5000
        # A paid invoice of the deal: nothing more to expect, but a habit: paid 12 days after the invoice
        # date, 18 days before the due date.
        self._paid_invoice(self.prompt, ("2026-05-01", "2026-05-31", "2026-05-13"), 50.0, self.usd, deal=prompt_deal)
        slow_deal = self._deal(
            self.slow, 4000.0, self.stage_negotiation, "2026-07-10", self.eur
        )  # 2000 USD, 75 %: 1500
        newcomer_deal = self._deal(self.newcomer, 1000.0, self.stage_new, "2026-06-20")  # 10 %: 100 on 07-14
        undated_deal = self._deal(self.slow, 2000.0, self.stage_qualification, False)  # 20 %: 400
        self._deal(self.prompt, 7000.0, self.stage_won, "2026-07-01")  # closed: no forecast
        self._deal(self.prompt, 7000.0, self.stage_lost, "2026-07-01", lost_reason_id=self.lost_reason.id)
        self._deal(self.prompt, 7000.0, self.stage_proposal, "2026-07-01", active=False)
        # Slow's invoices: 2000 EUR (1000 USD) due 2026-05-01, + 30 = 2026-05-31: today;
        # 600 EUR (300 USD) due 2026-07-01, + 30 = 2026-07-31.
        overdue = self._invoice_of(self.slow, ("2026-04-01", "2026-05-01"), 2000.0, self.eur, deal=slow_deal)
        upcoming = self._invoice_of(self.slow, ("2026-06-01", "2026-07-01"), 600.0, self.eur, deal=slow_deal)
        # Prompt's invoice: 1000 USD, 400 paid, 600 due 2026-08-10, - 18 = 2026-07-23.
        partial = self._invoice_of(
            self.prompt_contact, ("2026-06-10", "2026-08-10"), 1000.0, self.usd, deal=prompt_deal
        )
        self._pay(partial, "2026-06-12", 400.0)
        # An invoice without a deal: not in the forecast.
        self._invoice_of(self.slow, ("2026-06-01", "2026-07-01"), 80.0, self.usd)

        no_move = self.env["account.move"]
        self.assertEqual(
            self._cash_rows(),
            {
                ("deal", prompt_deal.name, no_move): (date(2026, 8, 1), 12, 5000.0),
                ("deal", slow_deal.name, no_move): (date(2026, 9, 8), 60, 1500.0),
                ("deal", newcomer_deal.name, no_move): (date(2026, 7, 14), 24, 100.0),
                ("deal", undated_deal.name, no_move): (False, 60, 400.0),
                ("invoice", slow_deal.name, overdue): (date(2026, 6, 15), 30, 1000.0),
                ("invoice", slow_deal.name, upcoming): (date(2026, 7, 31), 30, 300.0),
                ("invoice", prompt_deal.name, partial): (date(2026, 7, 23), -18, 600.0),
            },
        )
        self.assertEqual(
            self._cash_by_month(),
            {
                None: 400.0,
                date(2026, 6, 1): 1000.0,
                date(2026, 7, 1): 1000.0,  # 100 + 300 + 600
                date(2026, 8, 1): 5000.0,
                date(2026, 9, 1): 1500.0,
            },
        )
        # a filter per owner and per pipeline
        prompt_deal.user_id = self.user_manager
        self.assertEqual(
            self._cash_by_month([("user_id", "=", self.user_manager.id)]),
            {date(2026, 7, 1): 600.0, date(2026, 8, 1): 5000.0},
        )
        self.assertEqual(self._cash_by_month([("pipeline_id", "!=", self.pipeline.id)]), {})

    def test_cash_forecast_months_without_cash(self):
        """As in the graph and the pivot (fill_temporal), the months without cash are shown."""
        self._deal(self.prompt, 1000.0, self.stage_proposal, "2026-07-20")  # 500 on 2026-08-01
        self._deal(self.slow, 1000.0, self.stage_proposal, "2026-08-20")  # 500 on 2026-10-19
        groups = (
            self.env["deal.cash.forecast.report"]
            .with_context(fill_temporal=True)
            .formatted_read_group([], ["date:month"], ["amount:sum"])
        )
        self.assertEqual(
            [(group["date:month"][1], group["amount:sum"]) for group in groups],
            [("August 2026", 500.0), ("September 2026", 0.0), ("October 2026", 500.0)],
        )

    def test_forecast_figures(self):
        """The Forecast action: open deals by expected close month, the won ones of the last 12
        months beside them, the empty months shown; estimated and weighted in USD."""
        self._deal(self.prompt, 1000.0, self.stage_proposal, "2026-07-20")  # 1000 / 500
        self._deal(self.slow, 4000.0, self.stage_negotiation, "2026-09-10", self.eur)  # 2000 / 1500
        self._deal(self.prompt, 3000.0, self.stage_won, "2026-04-10")  # won: 3000 / 3000
        self._deal(self.prompt, 3000.0, self.stage_won, "2025-05-10")  # won over 12 months ago
        self._deal(self.prompt, 500.0, self.stage_lost, "2026-05-01", lost_reason_id=self.lost_reason.id)
        action = self.env.ref("deal_pipeline.deal_deal_action_forecast")
        context = safe_eval(action.context)
        arch = etree.fromstring(
            self.env["deal.deal"].get_views([(action.search_view_id.id, "search")])["views"]["search"]["arch"]
        )
        domain = safe_eval(arch.xpath("//filter[@name='forecast']")[0].get("domain"), {"uid": self.env.uid})
        self.assertTrue(context["search_default_forecast"])
        groups = (
            self.env["deal.deal"]
            .with_context(**context)
            .formatted_read_group(
                domain, ["expected_close_date:month", "outcome"], ["amount_company:sum", "amount_weighted:sum"]
            )
        )
        self.assertEqual(
            [
                (
                    group["expected_close_date:month"][1],
                    group["outcome"],
                    group["amount_company:sum"],
                    group["amount_weighted:sum"],
                )
                for group in groups
            ],
            [
                ("April 2026", "won", 3000.0, 3000.0),
                ("May 2026", False, 0.0, 0.0),
                ("June 2026", False, 0.0, 0.0),
                ("July 2026", "open", 1000.0, 500.0),
                ("August 2026", False, 0.0, 0.0),
                ("September 2026", "open", 2000.0, 1500.0),
            ],
        )

    @users("deal_salesman")
    def test_cash_forecast_hidden_from_salesmen(self):
        """A salesman has neither the menu nor the model, also over the API."""
        menus = self.env["ir.ui.menu"]._visible_menu_ids()
        self.assertNotIn(self.env.ref("deal_pipeline.deal_cash_forecast_report_menu_sales").id, menus)
        report = self.env["deal.cash.forecast.report"]
        for method, args in (
            ("search_read", ([], ["amount"])),
            ("formatted_read_group", ([], ["date:month"], ["amount:sum"])),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(report, method)(*args)

    def test_cash_forecast_readers(self):
        """Accountants and deals administrators read the cash forecast of their companies only."""
        self._deal(self.prompt, 1000.0, self.stage_proposal, "2026-07-20")  # 500 on 2026-08-01
        other_company = self.setup_other_company()["company"]
        self.env["deal.deal"].create(
            {
                "name": "Other company's deal",
                "partner_id": self.newcomer.id,
                "amount": 1000.0,
                "company_id": other_company.id,
                "expected_close_date": "2026-07-20",
                "user_id": False,
            }
        )
        readonly = new_test_user(self.env, login="deal_auditor", groups="account.group_account_readonly")
        self.sale_manager = new_test_user(self.env, login="deal_sale_manager", groups="sales_team.group_sale_manager")
        both = self.env.user.company_ids | other_company
        self.user_accountant.company_ids = both
        for user in (self.user_accountant, readonly, self.user_manager):
            with self.subTest(user=user.login):
                report = self.env["deal.cash.forecast.report"].with_user(user).with_company(self.company)
                self.assertEqual(report.search([]).mapped("amount"), [500.0])
        for user, menu in (
            (self.user_accountant, "deal_cash_forecast_report_menu_invoicing"),
            (readonly, "deal_cash_forecast_report_menu_invoicing"),
            (self.sale_manager, "deal_cash_forecast_report_menu_sales"),
        ):
            with self.subTest(user=user.login, menu=menu):
                visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                self.assertIn(self.env.ref(f"deal_pipeline.{menu}").id, visible)
        # with both companies selected, the other one's deal (converted from its currency) is there too
        report = (
            self.env["deal.cash.forecast.report"]
            .with_user(self.user_accountant)
            .with_context(allowed_company_ids=both.ids)
        )
        self.assertEqual(len(report.search([])), 2)


@tagged("post_install", "-at_install", "deal_forecast")
class TestDealCashForecastApi(HttpCase):
    """The cash forecast over JSON-RPC with an API key: refused to a salesman, read by a deals
    administrator."""

    def test_cash_forecast_over_the_api(self):
        customer = self.env["res.partner"].create({"name": "Cash API Customer", "is_company": True})
        self.env["deal.deal"].create(
            {
                "name": "Cash API deal",
                "partner_id": customer.id,
                "amount": 1000.0,
                "stage_id": self.env.ref("deal_pipeline.stage_proposal_sent").id,
                "expected_close_date": date.today() + timedelta(days=40),
            }
        )
        salesman = new_test_user(self.env, login="cash_api_salesman", groups="sales_team.group_sale_salesman")
        manager = new_test_user(self.env, login="cash_api_manager", groups="deal_pipeline.group_deal_manager")
        for user, status in ((salesman, 403), (manager, 200)):
            key = (
                self.env["res.users.apikeys"]
                .with_user(user)
                ._generate(scope="rpc", name="cash", expiration_date=datetime.now() + timedelta(days=1))
            )
            with self.subTest(user=user.login), mute_logger("odoo.http"):
                response = self.url_open(
                    "/json/2/deal.cash.forecast.report/search_read",
                    json={"domain": [["deal_id.name", "=", "Cash API deal"]], "fields": ["amount"]},
                    headers={"Authorization": f"Bearer {key}"},
                )
                self.assertEqual(response.status_code, status, response.text)
                if status == 200:
                    self.assertEqual([row["amount"] for row in response.json()], [500.0])
                else:
                    self.assertEqual(response.json()["name"], "odoo.exceptions.AccessError")
