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
