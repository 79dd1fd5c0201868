"""The query counts of deal_pipeline (absolute, tagged is_query_count): the board, the list and
the form as the web client reads them (its field specification: web_client.py), the creation of
deals, the counters and amounts of deals with orders and invoices, and the cash forecast."""

import json

from freezegun import freeze_time
from lxml import etree

from odoo.fields import Command
from odoo.tests import tagged, users, warmup

from .common import CLOSE_DATE, FORECAST_TODAY, DealCommon, DealForecastCommon, DealSaleCommon
from .web_client import field_specification

# The web client's page size: both sizes below fit in one page, so that a query per row shows up
# as well as a query whose count depends on the number of deals.
LIST_LIMIT = 80
COUNTERS = [
    "quotation_count",
    "sale_order_count",
    "invoice_count",
    "amount_quoted",
    "amount_ordered",
    "amount_invoiced",
    "amount_paid",
    "amount_due",
]


@tagged("post_install", "-at_install", "is_query_count", "deal_board")
class TestDealBoardQueries(DealCommon):
    """Opening the board costs the same number of queries whatever the number of deals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owners = cls.user_own | cls.user_all | cls.user_manager
        cls.customers = cls.env["res.partner"].create([{"name": f"Customer {index}"} for index in range(4)])
        cls.tags = cls.env["deal.tag"].create([{"name": "Hot", "color": 1}, {"name": "Renewal", "color": 2}])
        cls.open_stages = cls.stage_new | cls.stage_qualification | cls.stage_proposal | cls.stage_negotiation
        currency_foreign = cls.env["res.currency"].create({"name": "XTS", "symbol": "¤", "active": True})
        cls.currencies = cls.company.currency_id | currency_foreign
        cls.open_domain = [("pipeline_id", "=", cls.pipeline.id), ("outcome", "=", "open")]

    def _create_deals(self, count):
        """``count`` open deals spread over owners and stages (every owner has a deal in every
        open stage from 12 deals on), customers, currencies and tags, every third one with a
        planned activity; plus a won and a lost deal."""
        # created by a manager: the test user sees what the record rules give them
        deals = (
            self.env["deal.deal"]
            .with_user(self.user_manager)
            .create(
                [
                    {
                        "name": f"Deal {index}",
                        "partner_id": self.customers[index % 4].id,
                        "user_id": self.owners[index % 3].id,
                        "stage_id": self.open_stages[index // 3 % 4].id,
                        "currency_id": self.currencies[index % 2].id,
                        "amount": 1000.0 + index,
                        "expected_close_date": CLOSE_DATE,
                        "priority": str(index % 4),
                        "tag_ids": [(6, 0, self.tags[: index % 3].ids)],
                    }
                    for index in range(count)
                ]
            )
        )
        for deal in deals[::3]:
            deal.activity_schedule("mail.mail_activity_data_todo", user_id=deal.user_id.id)
        won, lost = deals[0].copy(), deals[1].copy()
        won.action_mark_won()
        lost.action_mark_lost(lost_reason_id=self.lost_reason.id)
        self.env.flush_all()

    def _board_calls(self):
        """The calls of the web client on the board of the Sales pipeline (Deals menu, default
        "Open" filter): opening it (the columns with their sums and first cards, then the activity
        progress bars) and reloading one column (a progress bar segment clicked, "Load more")."""
        action = self.pipeline.action_open_board()
        Deal = self.env["deal.deal"].with_context(action["context"], read_group_expand=True)
        arch = etree.fromstring(Deal.get_views([(False, "kanban")])["views"]["kanban"]["arch"])
        group_by, progressbar = arch.get("default_group_by"), arch.find(".//progressbar")
        domain = [*action["domain"], ("outcome", "=", "open")]
        specification = field_specification(Deal, arch)

        def open_board():
            board = Deal.web_read_group(
                domain,
                [group_by],
                [f"{progressbar.get('sum_field')}:sum"],
                auto_unfold=True,
                unfold_read_specification=specification,
                unfold_read_default_limit=40,
            )
            Deal.read_progress_bar(
                domain,
                group_by,
                {"field": progressbar.get("field"), "colors": json.loads(progressbar.get("colors"))},
            )
            return board

        def load_column(stage):
            return Deal.web_search_read([*domain, (group_by, "=", stage.id)], specification, limit=40)

        return open_board, load_column

    def _check_board(self, board):
        visible = self.env["deal.deal"].search(self.open_domain)
        cards = [card["id"] for group in board["groups"] for card in group.get("__records", [])]
        self.assertEqual(sorted(cards), sorted(visible.ids), "every open deal the user may read is on the board")
        for group in board["groups"]:
            in_column = visible.filtered(lambda deal, group=group: deal.stage_id.id == group["stage_id"][0])
            self.assertAlmostEqual(group["amount_company:sum"], sum(in_column.mapped("amount_company")))

    def _assert_board_queries(self, board_queries, column_queries):
        open_board, load_column = self._board_calls()
        self._create_deals(12)
        # warm the caches of the registry (access rights, record rules)
        self.env.invalidate_all()
        open_board()
        self.env.invalidate_all()
        load_column(self.stage_new)
        for size, new_deals in ((12, 0), (120, 108)):
            if new_deals:
                self._create_deals(new_deals)
            self.assertEqual(self.env["deal.deal"].sudo().search_count(self.open_domain), size)

            self.env.invalidate_all()
            with self.assertQueryCount(board_queries):
                board = open_board()
            self._check_board(board)

            self.env.invalidate_all()
            with self.assertQueryCount(column_queries):
                column = load_column(self.stage_new)
            self.assertEqual(
                [card["id"] for card in column["records"]],
                self.env["deal.deal"].search([*self.open_domain, ("stage_id", "=", self.stage_new.id)]).ids,
            )

    @users("deal_own")
    def test_board_queries_own_deals(self):
        self._assert_board_queries(18, 14)

    @users("deal_all")
    def test_board_queries_all_deals(self):
        self._assert_board_queries(24, 19)

    @users("deal_all")
    def test_board_sums_as_odoo_computes_them(self):
        """The column sums and currencies the kanban asks for are the same whether the deals are
        also grouped by currency and merged (deal.deal._read_group, the board's order) or
        aggregated by Odoo's own query (an order on an aggregate skips the merge)."""
        self._create_deals(12)
        Deal = self.env["deal.deal"]
        aggregates = [
            "amount_company:sum",
            "company_currency_id:array_agg_distinct",
            "amount_company:sum_currency",
            "amount:sum",
            "__count",
        ]

        def by_stage(rows):
            return {
                stage: [round(value, 2) if isinstance(value, float) else value for value in values]
                for stage, *values in rows
            }

        merged = Deal._read_group(self.open_domain, ["stage_id"], aggregates, order="stage_id")
        odoo = Deal._read_group(self.open_domain, ["stage_id"], aggregates, order="__count DESC, stage_id")
        self.assertEqual(len(merged), 4)
        self.assertEqual(by_stage(merged), by_stage(odoo))
        self.assertEqual(merged[0][2], self.company.currency_id.ids)
        self.assertEqual(sum(row[5] for row in merged), 12)

    @users("deal_all")
    def test_batch_create_queries_do_not_grow(self):
        """Creating deals in one call costs the same queries for 5 or 50 deals, each in a foreign
        currency at its own expected close date (the rates of the batch are read at once, the
        creation's revisions recompute nothing)."""
        currency_foreign = self.currencies[1]
        self.env["res.currency.rate"].sudo().create(
            [
                {"currency_id": currency_foreign.id, "name": f"2025-{month:02d}-01", "rate": 1.0 + month / 10}
                for month in range(1, 13)
            ]
        )
        self.env.flush_all()

        def create(count):
            vals_list = [
                {
                    "name": f"Deal {index}",
                    "partner_id": self.customers[index % 4].id,
                    "stage_id": self.open_stages[index % 4].id,
                    "currency_id": currency_foreign.id,
                    "amount": 1000.0 + index,
                    "expected_close_date": f"2025-{index % 12 + 1:02d}-{index % 28 + 1:02d}",
                }
                for index in range(count)
            ]
            self.env.invalidate_all()
            return self.env["deal.deal"].create(vals_list)

        create(5)  # warm the registry caches
        with self.assertQueryCount(29):  # 26 before the stage history (its three statements)
            create(5)
        with self.assertQueryCount(29):
            many = create(50)
        self.assertEqual(len(many.revision_ids), 100)
        self.assertEqual(many.mapped("first_amount"), many.mapped("amount"))
        self.assertEqual(many.mapped("first_amount_company"), many.mapped("amount_company"))
        self.assertEqual(set(many.mapped("close_date_push_count")), {0})


@tagged("post_install", "-at_install", "is_query_count", "deal_board")
class TestDealListFormQueries(DealCommon):
    """Opening the list or a form runs the same number of queries with 20 or with 60 deals (the
    board: TestDealBoardQueries; bench/run.py measures the same calls up to 100,000 deals)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.customer | cls.env["res.partner"].create(
            [{"name": f"Scaling Customer {i}", "is_company": True} for i in range(2)]
        )
        cls.tags = cls.env["deal.tag"].create([{"name": "Scaling A"}, {"name": "Scaling B"}])
        cls.open_stages = cls.stage_new | cls.stage_qualification | cls.stage_proposal | cls.stage_negotiation
        cls.open_domain = [("pipeline_id", "=", cls.pipeline.id), ("outcome", "=", "open")]
        cls.deal = cls.env["deal.deal"].create(
            {
                "name": "Website redesign",
                "partner_id": cls.customer.id,
                "tag_ids": cls.tags.ids,
                "user_id": cls.user_all.id,
            }
        )
        cls._add_deals(20)

    @classmethod
    def _add_deals(cls, count):
        """Deals of the same shape whatever their number: every open stage, customer, owner, tag."""
        owners = cls.user_own | cls.user_all
        cls.env["deal.deal"].create(
            [
                {
                    "name": f"Scaling deal {i}",
                    "partner_id": cls.customers[i % len(cls.customers)].id,
                    "user_id": owners[i % 2].id,
                    "stage_id": cls.open_stages[i % len(cls.open_stages)].id,
                    "amount": 100.0 * i,
                    "expected_close_date": CLOSE_DATE,
                    "tag_ids": [cls.tags[i % 2].id],
                }
                for i in range(count)
            ]
        )

    def _spec(self, view_type):
        """The field specification the web client sends for the default view of that type."""
        arch = self.env["deal.deal"].get_views([(False, view_type)])["views"][view_type]["arch"]
        return field_specification(self.env["deal.deal"], etree.fromstring(arch))

    def _assert_queries_with_more_deals(self, call, queries):
        """At most ``queries`` for ``call`` with the deals of the set-up, and again with 40 more."""
        for more in (0, 40):
            self._add_deals(more)
            self.env.invalidate_all()
            with self.assertQueryCount(queries):
                call()

    @users("deal_all")
    @warmup
    def test_list_open_queries_do_not_grow(self):
        spec = self._spec("list")

        def list_open():
            result = self.env["deal.deal"].web_search_read(self.open_domain, spec, limit=LIST_LIMIT)
            self.assertEqual(len(result["records"]), result["length"])

        self._assert_queries_with_more_deals(list_open, 11)

    @users("deal_all")
    @warmup
    def test_form_open_queries_do_not_grow(self):
        spec = self._spec("form")

        def form_open():
            [values] = self.deal.with_env(self.env).web_read(spec)
            self.assertEqual(values["partner_id"]["id"], self.customer.id)

        self._assert_queries_with_more_deals(form_open, 16)  # 14 before the Stage History tab (its ids, its rows)


@tagged("post_install", "-at_install", "is_query_count", "deal_sale")
class TestDealSaleQueries(DealSaleCommon):
    """The counters, amounts, form and list of deals with orders and invoices."""

    def _board(self, size):
        """``size`` deals, each with a quotation and two orders invoiced with a posted down payment
        and a draft final invoice."""
        deals = self.env["deal.deal"].create(
            [
                {"name": f"Board deal {index}", "partner_id": self.customer.id, "user_id": self.user_salesman.id}
                for index in range(size)
            ]
        )
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "deal_id": deal.id,
                    "user_id": self.user_salesman.id,
                    "order_line": [Command.create({"product_id": self.product.id, "price_unit": 100.0 * (n + 1)})],
                }
                for deal in deals
                for n in range(3)
            ]
        )
        confirmed = orders.filtered(lambda order: order.amount_untaxed > 100.0)
        confirmed.action_confirm()
        for deal in deals:
            deal_orders = confirmed.filtered(lambda order, deal=deal: order.deal_id == deal)
            for order in deal_orders:
                self._invoice(order, advance_payment_method="percentage", amount=20.0).action_post()
            self._invoice(deal_orders)
        return deals

    def test_board_counters_queries_do_not_grow(self):
        """Reading the counters and amounts of a board costs the same few queries for 2 or 6 deals."""
        boards = [self._board(size).with_user(self.user_salesman) for size in (2, 6)]
        self.env.invalidate_all()
        boards[0].read(COUNTERS)  # warm the registry's caches (access rules of the models read)
        for deals in boards:
            self.env.invalidate_all()
            with self.subTest(size=len(deals)), self.assertQueryCount(8):  # 11 before invoice lines had a deal
                values = deals.read(COUNTERS)
            self.assertEqual(
                values[0] | {"id": 0},
                {
                    "id": 0,
                    "quotation_count": 1,
                    "sale_order_count": 2,
                    "invoice_count": 3,
                    "amount_quoted": 100.0,
                    "amount_ordered": 500.0,
                    "amount_invoiced": 110.0,
                    "amount_paid": 0.0,
                    "amount_due": 110.0,
                },
            )

    def test_form_and_list_with_invoices_queries(self):
        """The form and the list of deals with orders and invoices, as the web client reads them:
        a fixed number of queries, whatever the number of deals, orders and invoices."""
        deals = self._board(2).with_user(self.user_salesman)
        Deal = deals.env["deal.deal"]
        form_spec = field_specification(
            Deal, etree.fromstring(Deal.get_views([(False, "form")])["views"]["form"]["arch"])
        )
        list_spec = field_specification(
            Deal, etree.fromstring(Deal.get_views([(False, "list")])["views"]["list"]["arch"])
        )
        # each call is warmed up right before it is measured: the form's read leaves the stages'
        # record rules to be looked up again by the list's
        self.env.invalidate_all()  # the warm-up reads what the measured call reads, not the cache
        deals[0].web_read(form_spec)
        self.env.invalidate_all()
        with self.assertQueryCount(24):  # 24 before invoice lines had a deal of their own
            deals[0].web_read(form_spec)
        self.env.invalidate_all()
        Deal.web_search_read([("id", "in", deals.ids)], list_spec)
        self.env.invalidate_all()
        with self.assertQueryCount(12):  # 12 before invoice lines had a deal of their own
            Deal.web_search_read([("id", "in", deals.ids)], list_spec)


@freeze_time(FORECAST_TODAY)
@tagged("post_install", "-at_install", "is_query_count", "deal_forecast")
class TestDealForecastQueries(DealForecastCommon):
    def test_cash_forecast_query_count(self):
        """The report is one query whatever the number of customers, deals and invoices."""
        report = self.env["deal.cash.forecast.report"]

        def assert_one_query():
            self.env.invalidate_all()
            report._read_group([], ["date:month", "partner_id"], ["amount:sum"])  # warm the caches
            with self.assertQueryCount(1):
                report._read_group([], ["date:month", "partner_id"], ["amount:sum"])

        deal = self._deal(self.prompt, 1000.0, self.stage_proposal, "2026-07-20")
        self._invoice_of(self.prompt, ("2026-06-01", "2026-07-01"), 100.0, self.usd, deal=deal)
        assert_one_query()
        for index in range(8):
            customer = self.env["res.partner"].create({"name": f"Customer {index}", "is_company": True})
            for month in (1, 2, 3):
                self._paid_invoice(customer, (f"2026-0{month}-01", f"2026-0{month}-28", "2026-04-01"), 100.0, self.eur)
            deal = self._deal(customer, 1000.0, self.stage_proposal, "2026-07-20", self.eur)
            self._invoice_of(customer, ("2026-06-01", "2026-07-01"), 100.0, self.eur, deal=deal)
        self.assertEqual(len(report.search([])), 2 + 8 * 2)
        assert_one_query()
