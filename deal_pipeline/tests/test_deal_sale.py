from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, tagged, users

from .common import CLOSE_DATE, DealSaleCommon


@tagged("post_install", "-at_install", "deal_sale")
class TestDealSale(DealSaleCommon):
    @users("deal_salesman")
    def test_new_quotation_prefilled(self):
        tag = self.env["deal.tag"].sudo().create({"name": "Web"})
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, tag_ids=[Command.set(tag.ids)]
        )
        action = deal.action_new_quotation()
        self.assertEqual(action["res_model"], "sale.order")
        order_form = Form(self.env["sale.order"].with_context(**action["context"]))
        with order_form.order_line.new() as line:
            line.product_id = self.product
        order = order_form.save()
        self.assertRecordValues(
            order,
            [
                {
                    "deal_id": deal.id,
                    "partner_id": self.customer.id,
                    "user_id": self.user_salesman.id,
                    "company_id": self.company.id,
                    "currency_id": deal.currency_id.id,
                    "origin": "Website redesign / Sales / Web",
                    "state": "draft",
                }
            ],
        )
        self.assertEqual(deal.sale_order_ids, order)
        self.assertEqual(deal.quotation_count, 1)
        self.assertEqual(deal.amount_quoted, 400.0)

    @users("deal_salesman")
    def test_new_quotation_needs_stage_allowing_quotations(self):
        deal = self._create_deal(stage_id=self.stage_qualification.id)
        self.assertFalse(deal.allow_quotation)
        with self.assertRaisesRegex(UserError, "does not allow quotations"):
            deal.action_new_quotation()
        self.stage_qualification.sudo().allow_quotation = True
        self.assertEqual(deal.action_new_quotation()["context"]["default_deal_id"], deal.id)

    def test_quotation_pricelist_in_deal_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        eur_pricelist = self.env["product.pricelist"].create({"name": "Euro prices", "currency_id": eur.id})
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, currency_id=eur.id)
        context = deal.action_new_quotation()["context"]
        self.assertEqual(context["default_pricelist_id"], eur_pricelist.id)
        order = Form(self.env["sale.order"].with_context(**context)).save()
        self.assertEqual(order.pricelist_id, eur_pricelist)
        self.assertEqual(order.currency_id, eur)
        # No pricelist in the deal's currency: the quotation keeps the customer's.
        eur_pricelist.active = False
        self.assertNotIn("default_pricelist_id", deal.action_new_quotation()["context"])

    def test_deal_amounts_from_quote_to_credit_note(self):
        """Deal → New Quote → confirm (won) → down payment + final invoice → post → partial
        payment → credit note: the deal's amounts at each step."""
        deal = self._create_deal(
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
            user_id=self.user_salesman.id,
            amount=1000.0,
        )

        # The salesperson quotes 2 days at 400 (10% tax) and confirms.
        deal_as_salesman = deal.with_user(self.user_salesman)
        action = deal_as_salesman.action_new_quotation()
        order_form = Form(self.env["sale.order"].with_user(self.user_salesman).with_context(**action["context"]))
        with order_form.order_line.new() as line:
            line.product_id = self.product
            line.product_uom_qty = 2.0
        order = order_form.save()
        self.assertRecordValues(
            deal_as_salesman,
            [{"quotation_count": 1, "sale_order_count": 0, "amount_quoted": 800.0, "amount_ordered": 0.0}],
        )
        order.action_confirm()
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(deal.stage_id, self.stage_won)
        self.assertIn(order.name, deal.message_ids[0].body)
        self.assertRecordValues(
            deal_as_salesman,
            [{"quotation_count": 0, "sale_order_count": 1, "amount_quoted": 0.0, "amount_ordered": 800.0}],
        )

        # The salesperson invoices a 25% down payment, then the rest.
        order = order.with_user(self.user_salesman)
        down_payment = self._invoice(order, advance_payment_method="percentage", amount=25.0)
        final = self._invoice(order, advance_payment_method="delivered")
        self.assertEqual((down_payment + final).deal_id, deal)
        self.assertRecordValues(
            deal_as_salesman, [{"invoice_count": 2, "amount_invoiced": 0.0, "amount_paid": 0.0, "amount_due": 0.0}]
        )

        # The accountant posts both and registers 300 on the final invoice.
        invoices = (down_payment + final).with_user(self.user_accountant)
        invoices.action_post()
        self.assertRecordValues(invoices, [{"amount_total": 220.0}, {"amount_total": 660.0}])
        self._register_payment(final.with_user(self.user_accountant), 300.0)
        self.assertEqual(final.payment_state, "partial")
        self.assertEqual(deal_as_salesman.invoice_ids, down_payment + final)
        self.assertRecordValues(
            deal_as_salesman,
            [
                {
                    "amount_ordered": 800.0,
                    "amount_invoiced_untaxed": 800.0,
                    "amount_invoiced": 880.0,
                    "amount_paid": 300.0,
                    "amount_due": 580.0,
                }
            ],
        )

        # A credit note of the down payment lowers what was invoiced, and what is due.
        reversal = (
            self.env["account.move.reversal"]
            .with_user(self.user_accountant)
            .with_context(active_model="account.move", active_ids=down_payment.ids)
            .create({"reason": "Goodwill", "journal_id": down_payment.journal_id.id})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.deal_id, deal)
        credit_note.with_user(self.user_accountant).action_post()
        self.assertEqual(deal_as_salesman.invoice_ids, down_payment + final + credit_note)
        self.assertRecordValues(
            deal_as_salesman,
            [
                {
                    "invoice_count": 3,
                    "amount_invoiced_untaxed": 600.0,
                    "amount_invoiced": 660.0,
                    "amount_paid": 300.0,
                    "amount_due": 360.0,
                }
            ],
        )

    def test_amounts_in_company_currency_at_each_document_rate(self):
        """A EUR deal of a CHF company with a USD order: every amount in CHF, at the rate of each
        document's date."""
        chf, eur, usd = (self.env.ref(f"base.{code}") for code in ("CHF", "EUR", "USD"))
        (chf + eur + usd).active = True
        company = self._create_company(name="Deal Swiss", currency_id=chf.id)
        tax = self._create_sale_tax(company)
        self.product.taxes_id = self.tax + tax
        today = fields.Date.context_today(self.env.user)
        last_month = today - timedelta(days=40)
        self.env["res.currency.rate"].create(
            [
                # Units of the currency for 1 CHF.
                {"currency_id": usd.id, "name": last_month, "rate": 1.25, "company_id": company.id},
                {"currency_id": usd.id, "name": today, "rate": 1.1, "company_id": company.id},
                {"currency_id": eur.id, "name": last_month, "rate": 1.0, "company_id": company.id},
                {"currency_id": eur.id, "name": today, "rate": 1.05, "company_id": company.id},
            ]
        )
        usd_pricelist = self.env["product.pricelist"].create(
            {"name": "USD", "currency_id": usd.id, "company_id": company.id}
        )
        self.env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        deal = self._create_deal(
            company_id=company.id,
            currency_id=eur.id,
            amount=1050.0,
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
        )
        self.assertEqual(deal.amount_company, 1000.0)

        # A USD quotation of last month: 880 USD at 1.25.
        order = self._create_quotation(
            deal, quantity=2.0, price_unit=440.0, pricelist_id=usd_pricelist.id, date_order=last_month
        )
        self.assertEqual(order.currency_id, usd)
        self.assertEqual(deal.amount_quoted, 704.0)

        # Confirmed today (1.1), invoiced today and half paid in USD.
        order.action_confirm()
        self.assertEqual(deal.amount_ordered, 800.0)
        invoice = self._invoice(order)
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 968.0)
        self._register_payment(invoice, 484.0)
        self.assertRecordValues(
            deal,
            [
                {
                    "amount_quoted": 0.0,
                    "amount_ordered": 800.0,
                    "amount_invoiced_untaxed": 800.0,
                    "amount_invoiced": 880.0,
                    "amount_paid": 440.0,
                    "amount_due": 440.0,
                }
            ],
        )

        # Reopened, the deal takes a second quotation in its currency (EUR, 1.05 today): it adds to
        # the quoted amount.
        deal.action_reopen()
        self._create_quotation(
            deal,
            quantity=1.0,
            price_unit=525.0,
            pricelist_id=self.env["product.pricelist"]
            .create({"name": "EUR", "currency_id": eur.id, "company_id": company.id})
            .id,
        )
        self.assertEqual(deal.amount_quoted, 500.0)
