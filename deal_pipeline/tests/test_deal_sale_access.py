from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged, users

from .common import CLOSE_DATE, DealSaleCommon


@tagged("post_install", "-at_install", "deal_sale")
class TestDealSaleAccess(DealSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman_2 = new_test_user(
            cls.env, login="deal_salesman_2", groups="sales_team.group_sale_salesman", name="Sue Salesman"
        )
        cls.deal = cls.env["deal.deal"].create(
            {
                "name": "Shared deal",
                "partner_id": cls.customer.id,
                "user_id": cls.user_salesman.id,
                "amount": 2000.0,
                "stage_id": cls.stage_proposal.id,
                "expected_close_date": CLOSE_DATE,
                "message_partner_ids": [Command.link(cls.user_salesman_2.partner_id.id)],
            }
        )
        # One order per salesperson, both confirmed and invoiced.
        cls.orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "deal_id": cls.deal.id,
                    "user_id": user.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "price_unit": price})],
                }
                for user, price in ((cls.user_salesman, 400.0), (cls.user_salesman_2, 100.0))
            ]
        )
        cls.orders.action_confirm()
        cls.invoices = cls.orders._create_invoices(grouped=True)
        cls.invoices.action_post()

    @users("deal_salesman")
    def test_salesman_sees_only_what_odoo_lets_him_see(self):
        self.env.invalidate_all()  # the orders of the deal as the set-up (superuser) cached them
        deal = self.deal.with_env(self.env)
        self.assertEqual(deal.sale_order_ids, self.orders[0])
        self.assertRecordValues(
            deal,
            [{"sale_order_count": 1, "amount_ordered": 400.0, "invoice_count": 1, "amount_invoiced": 440.0}],
        )
        self.assertEqual(deal.invoice_ids, self.invoices.filtered(lambda move: move.invoice_user_id == self.env.user))

    @users("deal_own")
    def test_deal_user_without_sales_rights_sees_empty_counters(self):
        """Counters are empty for who may not read orders nor invoices, and reading them fails not."""
        deal = self.env["deal.deal"].create({"name": "Mine", "partner_id": self.customer.id})
        self._create_quotation(deal.sudo())
        self.assertRecordValues(deal, [{"quotation_count": 0, "sale_order_count": 0, "invoice_count": 0}])
        self.assertEqual(deal.amount_invoiced, 0.0)

    @users("deal_accountant")
    def test_accountant_reads_deal_of_invoice(self):
        invoice = self.invoices[0].with_env(self.env)
        self.assertEqual(invoice.deal_id.name, "Shared deal")
        self.assertEqual(invoice.deal_id.partner_id, self.customer)
        deal = self.deal.with_env(self.env)
        self.assertEqual(deal.invoice_ids, self.invoices)
        self.assertRecordValues(
            deal,
            [{"amount_invoiced_untaxed": 500.0, "amount_invoiced": 550.0, "amount_due": 550.0, "amount_paid": 0.0}],
        )
        with self.assertRaises(AccessError):
            deal.name = "Renamed by accounting"
        with self.assertRaises(AccessError):
            self.env["deal.deal"].create({"name": "New", "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            self.env["deal.stage"].search([])

    @users("deal_accountant")
    def test_accountant_links_draft_invoice_to_deal(self):
        invoice_form = Form(self.env["account.move"].with_context(default_move_type="out_invoice"))
        invoice_form.partner_id = self.customer
        invoice_form.deal_id = self.deal
        with invoice_form.invoice_line_ids.new() as line:
            line.product_id = self.product
            line.price_unit = 50.0
        invoice = invoice_form.save()
        self.assertEqual(invoice.deal_id, self.deal)
        invoice.action_post()
        self.assertEqual(self.deal.with_env(self.env).amount_invoiced_untaxed, 550.0)

    @users("deal_accountant")
    def test_report_sums_per_deal_what_the_deal_shows(self):
        """The report sums per deal what the deal shows; invoiced (taxes included) = paid + due."""
        self.deal.sudo().action_reopen()  # a won deal takes no new quotation
        quotation = self._create_quotation(self.deal.sudo(), quantity=1.0, price_unit=300.0)
        self._register_payment(self.invoices[1].with_env(self.env), 110.0)
        self.assertEqual(quotation.state, "draft")
        [row] = self.env["deal.report"]._read_group(
            [("deal_id", "=", self.deal.id)],
            [],
            [f"{name}:sum" for name in AMOUNTS],
        )
        self.assertEqual(
            dict(zip(AMOUNTS, row, strict=True)),
            {
                "amount_estimated": 2000.0,
                "amount_quoted": 300.0,
                "amount_ordered": 500.0,
                "amount_invoiced_untaxed": 500.0,
                "amount_invoiced": 550.0,
                "amount_paid": 110.0,
                "amount_due": 440.0,
            },
        )
        deal = self.deal.with_env(self.env)
        self.assertEqual(
            [
                deal.amount_company,
                deal.amount_quoted,
                deal.amount_ordered,
                deal.amount_invoiced_untaxed,
                deal.amount_invoiced,
                deal.amount_paid,
                deal.amount_due,
            ],
            [2000.0, 300.0, 500.0, 500.0, 550.0, 110.0, 440.0],
        )
        not_paid = self.env["deal.report"].search([("deal_id", "=", self.deal.id), ("payment_state", "=", "not_paid")])
        self.assertEqual(not_paid.move_id, self.invoices[0])

    def test_report_closed_to_salesmen_and_deal_users(self):
        for login in ("deal_salesman", "deal_own"):
            with self.subTest(login=login), self.assertRaises(AccessError):
                self.env["deal.report"].with_user(self.env["res.users"].search([("login", "=", login)])).search([])


AMOUNTS = (
    "amount_estimated",
    "amount_quoted",
    "amount_ordered",
    "amount_invoiced_untaxed",
    "amount_invoiced",
    "amount_paid",
    "amount_due",
)
