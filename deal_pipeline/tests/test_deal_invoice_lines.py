import random
from collections import defaultdict

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.modules.module import load_script
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import DealSaleCommon

AMOUNTS = ("untaxed", "invoiced", "paid", "due")
INVOICE_TYPES = ("out_invoice", "out_refund")


@tagged("post_install", "-at_install", "deal_sale")
class TestDealInvoiceLines(DealSaleCommon):
    """An invoice line counts for one deal: the deal of the order it invoices, else its invoice's.
    The deal's amounts, the Deal Billing report, the cash forecast and the invoice analysis all read
    that, and never count a line twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deal_a = cls.env["deal.deal"].create({"name": "Deal A", "partner_id": cls.customer.id, "amount": 1000.0})
        cls.deal_b = cls.env["deal.deal"].create({"name": "Deal B", "partner_id": cls.customer.id, "amount": 3000.0})

    def _order(self, deal, price_unit, quantity=1.0, **values):
        order = self._create_quotation(deal, quantity=quantity, price_unit=price_unit, **values)
        order.action_confirm()
        return order

    def _add_order_lines(self, invoice, orders):
        """Invoice ``orders``' lines on ``invoice`` too (a joint invoice), as sale's invoicing does."""
        invoice.write(
            {
                "invoice_line_ids": [
                    Command.create(line._prepare_invoice_line()) for line in orders.order_line if not line.display_type
                ]
            }
        )

    def _refund(self, invoice, **values):
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Test", "journal_id": invoice.journal_id.id} | values)
        )
        return self.env["account.move"].browse(reversal.refund_moves()["res_id"])

    # ------------------------------------------------------------------------------------------
    # The four surfaces, and the invariant
    # ------------------------------------------------------------------------------------------

    def _surfaces(self, deals):
        """{surface: {deal: (untaxed, invoiced, paid, due)}} as each surface reports it (None where
        a surface has no such figure)."""
        self.env.flush_all()
        self.env.invalidate_all()
        deal_fields = {
            deal: (deal.amount_invoiced_untaxed, deal.amount_invoiced, deal.amount_paid, deal.amount_due)
            for deal in deals
        }
        report = {
            deal: tuple(values)
            for deal, *values in self.env["deal.report"]._read_group(
                [("deal_id", "in", deals.ids), ("line_type", "in", ("invoice", "refund"))],
                ["deal_id"],
                [f"amount_{name}:sum" if name != "untaxed" else "amount_invoiced_untaxed:sum" for name in AMOUNTS],
            )
        }
        forecast = dict(
            self.env["deal.cash.forecast.report"]._read_group(
                [("deal_id", "in", deals.ids), ("source", "=", "invoice")], ["deal_id"], ["amount:sum"]
            )
        )
        analysis = dict(
            self.env["account.invoice.report"]._read_group(
                [("deal_id", "in", deals.ids), ("state", "=", "posted")], ["deal_id"], ["price_subtotal:sum"]
            )
        )
        return deal_fields, report, forecast, analysis

    def _assert_surfaces_agree(self, deals):
        deal_fields, report, forecast, analysis = self._surfaces(deals)
        for deal in deals:
            untaxed, invoiced, paid, due = deal_fields[deal]
            with self.subTest(deal=deal.name):
                for name, value, reported in zip(AMOUNTS, deal_fields[deal], report.get(deal, (0.0,) * 4), strict=True):
                    self.assertAlmostEqual(value, reported, delta=0.01, msg=f"{name}: deal vs Deal Billing")
                self.assertAlmostEqual(due, forecast.get(deal, 0.0), delta=0.01, msg="due: deal vs cash forecast")
                self.assertAlmostEqual(untaxed, analysis.get(deal, 0.0), delta=0.01, msg="untaxed: invoice analysis")
                self.assertAlmostEqual(invoiced, paid + due, delta=0.01)
        return deal_fields

    def _expected_shares(self):
        """{deal: [untaxed, invoiced, paid, due]} from the posted customer invoices, line by line, in
        Python: each product line's deal gets its untaxed amount and its untaxed share of the
        invoice's total, paid and due amounts (company currency)."""
        expected = defaultdict(lambda: [0.0] * 4)
        for move in self.env["account.move"].search([("state", "=", "posted"), ("move_type", "in", INVOICE_TYPES)]):
            for line in move.invoice_line_ids.filtered(lambda line: line.display_type == "product" and line.deal_id):
                ratio = -line.balance / move.amount_untaxed_signed if move.amount_untaxed_signed else 0.0
                paid = move.amount_total_signed - move.amount_residual_signed
                for index, value in enumerate(
                    (-line.balance, ratio * move.amount_total_signed, ratio * paid, ratio * move.amount_residual_signed)
                ):
                    expected[line.deal_id][index] += value
        return expected

    def _assert_invariant(self, deals):
        """Per deal, every surface gives the lines' share; summed over the deals, what the posted
        customer invoices' lines that reach a deal add up to, never more; and Deal Billing's total
        is the posted customer invoices' total."""
        deal_fields = self._assert_surfaces_agree(deals)
        expected = self._expected_shares()
        self.assertLessEqual(set(expected), set(deals), "every line on a deal is on one of the test's deals")
        for index, name in enumerate(AMOUNTS):
            self.assertAlmostEqual(
                sum(values[index] for values in deal_fields.values()),
                sum(values[index] for values in expected.values()),
                delta=0.01 * len(deals),
                msg=f"{name}: sum over the deals",
            )
        for deal in deals:
            for index, name in enumerate(AMOUNTS):
                self.assertAlmostEqual(
                    deal_fields[deal][index], expected[deal][index], delta=0.01, msg=f"{deal.name} {name}"
                )
        posted = self.env["account.move"].search([("state", "=", "posted"), ("move_type", "in", INVOICE_TYPES)])
        [[untaxed, total, due]] = self.env["deal.report"]._read_group(
            [("line_type", "in", ("invoice", "refund"))],
            [],
            ["amount_invoiced_untaxed:sum", "amount_invoiced:sum", "amount_due:sum"],
        )
        self.assertAlmostEqual(untaxed, sum(posted.mapped("amount_untaxed_signed")), delta=0.01)
        self.assertAlmostEqual(total, sum(posted.mapped("amount_total_signed")), delta=0.01)
        self.assertAlmostEqual(due, sum(posted.mapped("amount_residual_signed")), delta=0.01)

    # ------------------------------------------------------------------------------------------
    # Named cases
    # ------------------------------------------------------------------------------------------

    def test_re_pointed_draft(self):
        """The issue's case: a draft invoice of deal B's order re-pointed to deal A and posted counts
        for B only; the form says its lines count for another deal than the invoice's."""
        self._order(self.deal_a, 1000.0)
        order_b = self._order(self.deal_b, 3000.0)
        invoice = self._invoice(order_b)
        with Form(invoice.with_user(self.user_accountant)) as form:
            form.deal_id = self.deal_a
        invoice.action_post()
        self.assertEqual(invoice.deal_id, self.deal_a)
        self.assertEqual(invoice.invoice_line_ids.deal_id, self.deal_b)
        self.assertTrue(invoice.deal_lines_differ)
        self.assertRecordValues(
            self.deal_a | self.deal_b,
            [
                {"amount_invoiced_untaxed": 0.0, "amount_invoiced": 0.0},
                {"amount_invoiced_untaxed": 3000.0, "amount_invoiced": 3300.0},
            ],
        )
        self.assertIn(invoice, self.deal_b.invoice_ids)
        self._assert_invariant(self.deal_a | self.deal_b)

    def test_joint_invoice_partial_payment(self):
        """One invoice of both deals' orders and a free line: each line counts for its deal (the free
        line for the invoice's), a partial payment is split in proportion to the lines."""
        order_a = self._order(self.deal_a, 1000.0)
        order_b = self._order(self.deal_b, 3000.0)
        invoice = self._invoice(order_a)
        self._add_order_lines(invoice, order_b)
        invoice.write(
            {
                "invoice_line_ids": [
                    Command.create({"name": "Travel", "quantity": 1, "price_unit": 1000.0, "tax_ids": self.tax.ids})
                ]
            }
        )
        self.assertEqual(invoice.deal_id, self.deal_a)
        self.assertEqual(invoice.invoice_line_ids.mapped("deal_id"), self.deal_a | self.deal_b)
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 5500.0)
        self._register_payment(invoice, 1100.0)
        self.assertRecordValues(
            self.deal_a | self.deal_b,
            [
                {
                    "amount_invoiced_untaxed": 2000.0,
                    "amount_invoiced": 2200.0,
                    "amount_paid": 440.0,
                    "amount_due": 1760.0,
                },
                {
                    "amount_invoiced_untaxed": 3000.0,
                    "amount_invoiced": 3300.0,
                    "amount_paid": 660.0,
                    "amount_due": 2640.0,
                },
            ],
        )
        self.assertEqual(self.deal_a.invoice_ids, invoice)
        self.assertEqual(self.deal_b.invoice_ids, invoice)
        with_deal = self.env["account.move"].search([("invoice_line_ids.deal_id", "!=", False)])
        self.assertIn(invoice, with_deal)
        self._assert_invariant(self.deal_a | self.deal_b)

    def test_credit_note_and_down_payment_deduction(self):
        """A down payment, the final invoice that deducts it, and a credit note of the final
        invoice: each line follows its order's deal, the deduction included."""
        order = self._order(self.deal_a, 1000.0)
        down_payment = self._invoice(order, advance_payment_method="percentage", amount=20.0)
        down_payment.action_post()
        self.assertRecordValues(self.deal_a, [{"amount_invoiced_untaxed": 200.0, "amount_invoiced": 220.0}])
        final = self._invoice(order, advance_payment_method="delivered")
        self.assertEqual(len(final.invoice_line_ids.filtered(lambda line: line.display_type == "product")), 2)
        self.assertEqual(final.invoice_line_ids.deal_id, self.deal_a)
        final.action_post()
        self.assertRecordValues(self.deal_a, [{"amount_invoiced_untaxed": 1000.0, "amount_invoiced": 1100.0}])
        credit_note = self._refund(final)
        self.assertEqual(credit_note.invoice_line_ids.deal_id, self.deal_a)
        credit_note.action_post()
        self.assertRecordValues(
            self.deal_a,
            [{"amount_invoiced_untaxed": 200.0, "amount_invoiced": 220.0, "amount_paid": 0.0, "amount_due": 220.0}],
        )
        self._assert_invariant(self.deal_a | self.deal_b)

    def test_two_currencies(self):
        """An invoice in another currency counts in the company currency at its own rate."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        today = fields.Date.context_today(self.env.user)
        self.env["res.currency.rate"].create(
            {"currency_id": eur.id, "name": today, "rate": 0.5, "company_id": self.company.id}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "currency_id": eur.id,
                "deal_id": self.deal_a.id,
                "invoice_date": today,
                "invoice_line_ids": [
                    Command.create({"name": "Advice", "quantity": 1, "price_unit": 500.0, "tax_ids": self.tax.ids})
                ],
            }
        )
        invoice.action_post()
        self._register_payment(invoice, 275.0)
        self.assertRecordValues(
            self.deal_a,
            [{"amount_invoiced_untaxed": 1000.0, "amount_invoiced": 1100.0, "amount_paid": 550.0, "amount_due": 550.0}],
        )
        self._assert_invariant(self.deal_a | self.deal_b)

    # ------------------------------------------------------------------------------------------
    # Random documents
    # ------------------------------------------------------------------------------------------

    def test_invariant_on_random_documents(self):
        """Deals, orders, joint invoices, down payments and their deductions, free lines, re-pointed
        drafts, credit notes, partial payments, two currencies: the four surfaces agree per deal and
        the lines' shares add up to the invoices', never more."""
        rng = random.Random(22)
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "name": fields.Date.context_today(self.env.user),
                "rate": 0.8,
                "company_id": self.company.id,
            }
        )
        eur_pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        other = self.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        deals = self.deal_a | self.deal_b
        deals |= self.env["deal.deal"].create(
            [{"name": f"Random {n}", "partner_id": (self.customer, other)[n % 2].id} for n in range(4)]
        )
        invoices = self.env["account.move"]
        for _round in range(3):
            for deal in deals:
                pricelist = {"pricelist_id": eur_pricelist.id} if rng.random() < 0.3 else {}
                order = self._order(deal, rng.choice([100.0, 250.0, 999.99]), rng.randint(1, 3), **pricelist)
                if rng.random() < 0.4:
                    invoices |= self._invoice(order, advance_payment_method="percentage", amount=rng.choice([10, 30]))
                invoice = self._invoice(order)
                partners = deals.filtered(lambda other_deal, deal=deal: other_deal.partner_id == deal.partner_id)
                joint_with = (partners - deal)[:1]
                if joint_with and rng.random() < 0.4 and joint_with.sale_order_ids[:1].currency_id == order.currency_id:
                    self._add_order_lines(invoice, joint_with.sale_order_ids[:1])
                if rng.random() < 0.4:
                    invoice.write(
                        {"invoice_line_ids": [Command.create({"name": "Extra", "quantity": 1, "price_unit": 50.0})]}
                    )
                if joint_with and rng.random() < 0.3:
                    invoice.deal_id = joint_with  # re-pointed draft
                if rng.random() < 0.2:
                    invoice.deal_id = False
                invoices |= invoice
        invoices |= self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": other.id,
                "invoice_line_ids": [Command.create({"name": "No deal", "quantity": 1, "price_unit": 70.0})],
            }
        )
        invoices.action_post()
        for invoice in invoices:
            if rng.random() < 0.5:
                self._register_payment(invoice, invoice.amount_residual * rng.choice([0.3, 0.5, 1.0]))
        for invoice in invoices.filtered(lambda move: move.payment_state != "paid")[:4]:
            self._refund(invoice).action_post()
        self._assert_invariant(deals)
        # the accountant's filters: the invoices with a line on a deal, and those with a line on none
        with_deal = self.env["account.move"].search(
            [("move_type", "in", INVOICE_TYPES), ("invoice_line_ids.deal_id", "!=", False)]
        )
        self.assertEqual(
            with_deal,
            invoices.filtered(lambda move: move.invoice_line_ids.deal_id) | with_deal.filtered("reversed_entry_id"),
        )

    # ------------------------------------------------------------------------------------------
    # Migration
    # ------------------------------------------------------------------------------------------

    def test_migration_fills_the_lines_deal_as_the_compute(self):
        """The 19.0.1.2.0 post-migration gives the lines of existing invoices, posted or draft,
        credit notes included, the deal the compute gives them."""
        order_a = self._order(self.deal_a, 1000.0)
        order_b = self._order(self.deal_b, 3000.0)
        invoice = self._invoice(order_b)
        invoice.deal_id = self.deal_a  # re-pointed draft: its line still counts for B
        self._add_order_lines(invoice, order_a)
        invoice.write({"invoice_line_ids": [Command.create({"name": "Travel", "quantity": 1, "price_unit": 50.0})]})
        invoice.action_post()
        credit_note = self._refund(invoice)
        draft = self._invoice(self._order(self.deal_b, 10.0))
        moves = invoice | credit_note | draft
        self.env.flush_all()
        lines = moves.line_ids
        computed = {line.id: line.deal_id.id or None for line in lines}
        self.assertEqual(set(computed.values()), {self.deal_a.id, self.deal_b.id, None})
        self.env.cr.execute(SQL("UPDATE account_move_line SET deal_id = NULL WHERE id IN %s", tuple(lines.ids)))
        migration = load_script("deal_pipeline/migrations/19.0.1.2.0/post-migrate.py", "post_migrate")
        migration.migrate(self.env.cr, "19.0.1.1.0")
        self.assertEqual(
            dict(
                self.env.execute_query(
                    SQL("SELECT id, deal_id FROM account_move_line WHERE id IN %s", tuple(lines.ids))
                )
            ),
            computed,
        )

    # ------------------------------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------------------------------

    def test_line_deal_is_never_written(self):
        order = self._order(self.deal_a, 1000.0)
        invoice = self._invoice(order)
        line = invoice.invoice_line_ids.with_user(self.user_accountant)
        with self.assertRaisesRegex(UserError, "comes from the order it invoices"):
            line.write({"deal_id": self.deal_b.id, "name": "Renamed"})
        self.assertEqual(line.deal_id, self.deal_a)
        self.assertNotEqual(line.name, "Renamed")
        with self.assertRaisesRegex(UserError, "Free line"):
            invoice.with_user(self.user_accountant).write(
                {
                    "invoice_line_ids": [
                        Command.create({"name": "Free line", "price_unit": 1.0, "deal_id": self.deal_b.id})
                    ]
                }
            )

    def test_posted_line_keeps_its_deal(self):
        """Posted, a line keeps its deal; reset to draft, it follows the invoice again."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "deal_id": self.deal_a.id,
                "invoice_line_ids": [Command.create({"name": "Advice", "quantity": 1, "price_unit": 100.0})],
            }
        )
        invoice.action_post()
        with self.assertRaisesRegex(UserError, "posted or cancelled"):
            invoice.with_user(self.user_accountant).deal_id = self.deal_b
        self.assertEqual(invoice.invoice_line_ids.deal_id, self.deal_a)
        invoice.button_draft()
        invoice.with_user(self.user_accountant).deal_id = self.deal_b
        self.assertEqual(invoice.invoice_line_ids.deal_id, self.deal_b)

    def test_deal_of_another_customer_or_company(self):
        other = self.env["res.partner"].create({"name": "Someone Else", "is_company": True})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": other.id,
                "invoice_line_ids": [Command.create({"name": "Advice", "quantity": 1, "price_unit": 100.0})],
            }
        )
        saved = self._saved_deals(invoice)
        self.assertEqual(saved, (None, [("Advice", None)]))
        # each call runs in a savepoint that stands for its request's transaction: the request
        # saves (flushes) when the call returns, and is rolled back as a whole when that fails
        with (
            self.assertRaisesRegex(
                ValidationError, "Azure Interior Test.*Someone Else|Someone Else.*Azure Interior Test"
            ),
            self.env.cr.savepoint(),
        ):
            invoice.with_user(self.user_accountant).deal_id = self.deal_a
        self.assertEqual(self._saved_deals(invoice), saved)
        # a line of an order of another customer's deal: refused when the request saves, naming the line
        order = self._order(self.deal_a, 1000.0)
        with (
            self.assertRaisesRegex(ValidationError, "Deal Consulting Day.*cannot count for that deal"),
            self.env.cr.savepoint(),
        ):
            self._add_order_lines(invoice.with_user(self.user_accountant), order)
        self.assertEqual(self._saved_deals(invoice), saved)

    def _saved_deals(self, invoice):
        """(the invoice's deal, [(name, deal) of each product line]) as the database holds them."""
        self.env.invalidate_all()  # after a rolled back call, nothing is left to save
        [[deal]] = self.env.execute_query(SQL("SELECT deal_id FROM account_move WHERE id = %s", invoice.id))
        lines = self.env.execute_query(
            SQL(
                """SELECT name, deal_id FROM account_move_line
                    WHERE move_id = %s AND display_type = 'product' ORDER BY id""",
                invoice.id,
            )
        )
        return deal, [tuple(line) for line in lines]
