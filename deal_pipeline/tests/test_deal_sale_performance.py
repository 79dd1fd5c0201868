from lxml import etree

from odoo.fields import Command
from odoo.tests import tagged

from .common import DealSaleCommon
from .web_client import field_specification

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


@tagged("post_install", "-at_install")
class TestDealSalePerformance(DealSaleCommon):
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
        self.env.invalidate_all()  # the warm-up reads what the measured calls read, not the cache
        deals[0].web_read(form_spec)
        Deal.web_search_read([("id", "in", deals.ids)], list_spec)
        self.env.invalidate_all()
        with self.assertQueryCount(24):  # 24 before invoice lines had a deal of their own
            deals[0].web_read(form_spec)
        self.env.invalidate_all()
        with self.assertQueryCount(12):  # 12 before invoice lines had a deal of their own
            Deal.web_search_read([("id", "in", deals.ids)], list_spec)
