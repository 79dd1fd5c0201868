from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MailCommon
from odoo.fields import Command
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

# An expected close date for the deals of the tests that enter Proposal Sent or Negotiation, which
# require one (deal.stage.required_field_ids).
CLOSE_DATE = date(2030, 6, 30)


class DealCommon(TransactionCase):
    """Stages, a pipeline, lost reasons and users at the lowest rights each test needs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.pipeline = cls.env.ref("deal_pipeline.pipeline_sales")
        cls.stage_new = cls.env.ref("deal_pipeline.stage_new")
        cls.stage_qualification = cls.env.ref("deal_pipeline.stage_qualification")
        cls.stage_proposal = cls.env.ref("deal_pipeline.stage_proposal_sent")
        cls.stage_negotiation = cls.env.ref("deal_pipeline.stage_negotiation")
        cls.stage_won = cls.env.ref("deal_pipeline.stage_won")
        cls.stage_lost = cls.env.ref("deal_pipeline.stage_lost")
        cls.lost_reason = cls.env.ref("deal_pipeline.lost_reason_price")
        cls.user_own = new_test_user(
            cls.env, login="deal_own", groups="deal_pipeline.group_deal_user_own", name="Olivia Own"
        )
        cls.user_all = new_test_user(
            cls.env, login="deal_all", groups="deal_pipeline.group_deal_user_all", name="Alan All"
        )
        cls.user_manager = new_test_user(
            cls.env, login="deal_manager", groups="deal_pipeline.group_deal_manager", name="Mia Manager"
        )
        cls.customer = cls.env["res.partner"].create({"name": "Azure Interior Test", "is_company": True})

    def _create_deal(self, **values):
        """A deal of the test customer, created as the current test user."""
        return self.env["deal.deal"].create(
            {"name": "Website redesign", "partner_id": self.customer.id, "amount": 1000.0} | values
        )

    @contextmanager
    def _at(self, moment):
        """Run at ``moment`` for Python and for the transaction (``env.cr.now()``, which
        create_date, tracking values and the rotting/duration mixin use)."""
        with freeze_time(moment), patch.object(self.env.cr, "now", lambda: moment):
            yield

    def _flush_tracking(self):
        """Write the pending changes and create their tracking values now."""
        self.env.flush_all()
        self.env.cr.flush()


class DealSaleCommon(DealCommon, AccountTestInvoicingCommon):
    """Quotes and invoices: Odoo's invoicing set-up (a company of its own with the generic chart
    of accounts, no demo data needed), a taxed service invoiced on order, a salesperson and an
    accountant without sales rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls._create_sale_tax(cls.company)
        cls.product = cls.env["product.product"].create(
            {
                "name": "Deal Consulting Day",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 400.0,
                "taxes_id": [Command.set(cls.tax.ids)],
            }
        )
        cls.user_salesman = new_test_user(
            cls.env, login="deal_salesman", groups="sales_team.group_sale_salesman", name="Sam Salesman"
        )
        cls.user_accountant = new_test_user(
            cls.env, login="deal_accountant", groups="account.group_account_invoice", name="Ada Accountant"
        )

    @classmethod
    def setup_independent_user(cls):
        # no accounting manager: the tests act as the superuser or as their low-rights users
        return None

    @classmethod
    def default_env_context(cls):
        # the deal's chatter and tracking are part of what the tests check
        return {}

    @classmethod
    def _create_company(cls, **create_values):
        """A company with the generic chart of accounts, whose bank journal posts the payments of
        the tests with a journal entry, reconciled with the invoices."""
        company = super()._create_company(**create_values)
        bank_journal = cls.env["account.journal"].search(
            [*cls.env["account.journal"]._check_company_domain(company), ("type", "=", "bank")], limit=1
        )
        outstanding = (
            cls.env["account.chart.template"].with_company(company).ref("account_journal_payment_debit_account_id")
        )
        bank_journal.inbound_payment_method_line_ids.payment_account_id = outstanding
        return company

    @classmethod
    def _create_sale_tax(cls, company):
        return cls.env["account.tax"].create(
            {
                "name": "Deal VAT 10%",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )

    def _create_quotation(self, deal, quantity=2.0, price_unit=400.0, **values):
        return deal.env["sale.order"].create(
            {
                "partner_id": deal.partner_id.id,
                "deal_id": deal.id,
                "company_id": deal.company_id.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": quantity, "price_unit": price_unit}
                    )
                ],
            }
            | values
        )

    def _invoice(self, orders, **wizard_values):
        """Invoice the orders through sale's wizard (a down payment when ``wizard_values`` asks for one)."""
        wizard = (
            orders.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create(wizard_values)
        )
        before = orders.invoice_ids
        wizard.create_invoices()
        return orders.invoice_ids - before

    def _register_payment(self, invoices, amount):
        return (
            invoices.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount})
            .action_create_payments()
        )


# The headers of a customer's mail as a mail server delivers it.
MAIL_HEADERS = """Return-Path: {return_path}
To: {to}
cc: {cc}
From: {email_from}
Subject: {subject}
Date: {date}
Message-ID: {msg_id}
MIME-Version: 1.0
"""
# A customer's mail: text and HTML parts.
MAIL_PLAIN = (
    MAIL_HEADERS
    + """Content-Type: multipart/alternative; boundary="deal-alt-boundary"
{extra}
--deal-alt-boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

We need a quote for 20 desks, delivered in March.
--deal-alt-boundary
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>We need a quote for 20 desks, delivered in March.</p>
--deal-alt-boundary--
"""
)


class DealMailCommon(DealCommon, MailCommon):
    """A pipeline with its own address on the test mail domain of ``MailCommon``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pipeline.write({"alias_name": "deals", "alias_contact": "everyone", "mail_user_id": cls.user_own.id})
        cls.pipeline_email = f"deals@{cls.alias_domain}"

    def _receive(self, subject, email_from, to=None, template=MAIL_PLAIN, **kwargs):
        """The deals named ``subject`` after the gateway processed the mail."""
        return self.format_and_process(
            template,
            email_from,
            to or self.pipeline_email,
            subject=subject,
            target_model="deal.deal",
            **({"return_path": email_from} | kwargs),
        )


FORECAST_TODAY = "2026-06-15"


class DealForecastCommon(DealSaleCommon):
    """The data set of the forecasts, made by hand: the company works in USD, 1 EUR = 0.5 USD; two
    customers who pay differently, one without any paid invoice. Subclasses run at
    ``@freeze_time(FORECAST_TODAY)``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.company.currency_id
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        cls.prompt = cls.env["res.partner"].create({"name": "Prompt Payer", "is_company": True})
        cls.prompt_contact = cls.env["res.partner"].create({"name": "Pat Prompt", "parent_id": cls.prompt.id})
        cls.slow = cls.env["res.partner"].create({"name": "Slow Payer", "is_company": True})
        cls.newcomer = cls.env["res.partner"].create({"name": "New Customer", "is_company": True})

        # Paid invoices of the last 24 months: Prompt pays 10 and 14 days after the invoice date
        # (20 and 16 days before the due date), Slow 60 days after it (30 days late).
        # The invoice of Pat Prompt counts for his company.
        cls._paid_invoice(cls.prompt_contact, ("2026-01-10", "2026-02-09", "2026-01-20"), 500.0, cls.usd)
        cls._paid_invoice(cls.prompt, ("2026-03-01", "2026-03-31", "2026-03-15"), 300.0, cls.usd)
        cls._paid_invoice(cls.slow, ("2026-02-01", "2026-03-03", "2026-04-02"), 1000.0, cls.eur)
        # Older than 24 months: no longer a habit.
        cls._paid_invoice(cls.prompt, ("2024-01-05", "2024-02-04", "2024-12-31"), 100.0, cls.usd)

    @classmethod
    def _invoice_of(cls, partner, dates, amount, currency, *, deal=None):
        """A posted invoice of ``amount`` without taxes; ``dates``: its invoice and due dates."""
        invoice_date, due_date = dates
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "currency_id": currency.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date,
                "deal_id": deal and deal.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1.0, "price_unit": amount, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _pay(cls, invoice, payment_date, amount=None):
        cls.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"payment_date": payment_date} | ({"amount": amount} if amount else {})
        )._create_payments()

    @classmethod
    def _paid_invoice(cls, partner, dates, amount, currency, *, deal=None):
        """An invoice paid in full; ``dates``: its invoice, due and payment dates."""
        invoice = cls._invoice_of(partner, dates[:2], amount, currency, deal=deal)
        cls._pay(invoice, dates[2])
        return invoice

    def _deal(self, partner, amount, stage, close_date, currency=None, **values):
        return self.env["deal.deal"].create(
            {
                "name": f"{partner.name} {amount}",
                "partner_id": partner.id,
                "amount": amount,
                "currency_id": (currency or self.usd).id,
                "stage_id": stage.id,
                "expected_close_date": close_date,
                "user_id": self.user_salesman.id,
            }
            | values
        )
