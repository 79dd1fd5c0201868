from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, mute_logger, new_test_user, tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import CLOSE_DATE, DealSaleCommon


class DealQuoteWizardCommon(DealSaleCommon):
    """Quotation templates: two of the pipeline, one of the company not in the pipeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        line = [Command.create({"product_id": cls.product.id, "product_uom_qty": 3.0})]
        cls.template_web, cls.template_print, cls.template_other = cls.env["sale.order.template"].create(
            [{"name": name, "sale_order_template_line_ids": line} for name in ("Web (test)", "Print (test)", "Other")]
        )
        cls.pipeline.quotation_template_ids = cls.template_web | cls.template_print


@tagged("post_install", "-at_install")
class TestDealQuoteWizard(DealQuoteWizardCommon):
    """The New Quote dialog, as a salesperson."""

    def _wizard(self, deal):
        return self.env["deal.quote.wizard"].create({"deal_id": deal.id})

    @users("deal_salesman")
    def test_offers_the_pipeline_templates_or_all(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        wizard = self._wizard(deal)
        self.assertEqual(wizard.offered_template_ids, self.template_web | self.template_print)
        self.assertRecordValues(wizard, [{"start_from": "template", "template_id": self.template_web.id}])
        self.pipeline.sudo().quotation_template_ids = False
        self.assertIn(self.template_other, self._wizard(deal).offered_template_ids)

    @users("deal_salesman")
    def test_customer_last_template_first(self):
        old = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        self._create_quotation(old, sale_order_template_id=self.template_print.id)
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        wizard = self._wizard(deal)
        self.assertRecordValues(
            wizard,
            [{"last_template_id": self.template_print.id, "start_from": "last", "template_id": self.template_print.id}],
        )
        context = wizard.action_new_quotation()["context"]
        self.assertEqual(context["default_sale_order_template_id"], self.template_print.id)
        self.assertEqual(context["default_deal_id"], deal.id)

    @users("deal_salesman")
    def test_blank_quote_has_no_template(self):
        self.env.company.sudo().sale_order_template_id = self.template_web
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        wizard = self._wizard(deal)
        wizard.start_from = "blank"
        self.assertFalse(wizard.template_id)
        self.assertIs(wizard.action_new_quotation()["context"]["default_sale_order_template_id"], False)
        quote = wizard._new_quote()
        self.assertFalse(quote.sale_order_template_id)
        self.assertFalse(quote.order_line)
        wizard.start_from = "template"
        self.assertEqual(wizard._new_quote().order_line.product_uom_qty, 3.0)

    @users("deal_salesman")
    def test_template_not_offered_refused(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        wizard = self._wizard(deal)
        wizard.template_id = self.template_other
        with self.assertRaisesRegex(UserError, "is not offered"):
            wizard.action_new_quotation()
        wizard.start_from = "last"  # no last template for this customer
        with self.assertRaisesRegex(UserError, "Choose the quotation template"):
            wizard.action_new_quotation()

    @users("deal_salesman")
    def test_only_deals_that_take_a_quote(self):
        before = self._create_deal(stage_id=self.stage_qualification.id)
        with self.assertRaisesRegex(UserError, "does not allow quotations"):
            self._wizard(before)
        won = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        won.action_mark_won()
        with self.assertRaisesRegex(UserError, "does not allow quotations"):
            self._wizard(won)
        colleague = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        colleague.sudo().write({"user_id": self.user_own.id, "message_follower_ids": [Command.clear()]})
        with self.assertRaises(AccessError):
            self._wizard(colleague)

    def test_quotation_stage_named(self):
        """The Quotes tab tells where quotes become available: the pipeline's first open stage
        that allows them, the stage a sent quotation moves its deal to."""
        deal = self._create_deal()
        self.assertEqual(deal.quotation_stage_id, self.stage_proposal)
        self.stage_qualification.allow_quotation = True
        self.env.invalidate_all()
        self.assertEqual(deal.quotation_stage_id, self.stage_qualification)


@tagged("post_install", "-at_install")
class TestDealQuoteApi(DealQuoteWizardCommon, HttpCase):
    """The dialog and the quotation's deal field over /json/2, as a salesperson with an API key:
    the same rules as in the form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api_salesman = new_test_user(
            cls.env, login="deal_quote_api", groups="sales_team.group_sale_salesman", name="Api Salesman"
        )
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.api_salesman)
            ._generate(scope="rpc", name="quotes", expiration_date=datetime.now() + timedelta(days=1))
        )
        cls.contact = cls.env["res.partner"].create({"name": "Azure Buyer API", "parent_id": cls.customer.id})
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Customer API", "is_company": True})
        Deal = cls.env["deal.deal"].with_context(tracking_disable=True)
        common = {"user_id": cls.api_salesman.id, "amount": 100.0, "expected_close_date": CLOSE_DATE}
        cls.deal_proposal = Deal.create(
            common | {"name": "API proposal", "partner_id": cls.customer.id, "stage_id": cls.stage_proposal.id}
        )
        cls.deal_contact = Deal.create(
            common | {"name": "API contact deal", "partner_id": cls.contact.id, "stage_id": cls.stage_new.id}
        )
        cls.deal_other_customer = Deal.create(
            common | {"name": "API other", "partner_id": cls.other_customer.id, "stage_id": cls.stage_proposal.id}
        )
        cls.deal_won = Deal.create(
            common | {"name": "API won", "partner_id": cls.customer.id, "stage_id": cls.stage_proposal.id}
        )
        cls.deal_won.action_mark_won()
        cls.deal_colleague = Deal.create(
            common
            | {
                "name": "API colleague",
                "partner_id": cls.customer.id,
                "stage_id": cls.stage_proposal.id,
                "user_id": cls.user_own.id,
            }
        )

    def _call(self, model, method, **params):
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/json/2/{model}/{method}", json=params, headers={"Authorization": f"Bearer {self.key}"}
            )
        return response.status_code, response.json()

    def test_dialog_over_the_api(self):
        status, ids = self._call(
            "deal.quote.wizard", "create", vals_list=[{"deal_id": self.deal_proposal.id}], context={}
        )
        self.assertEqual(status, 200, ids)
        status, action = self._call("deal.quote.wizard", "action_new_quotation", ids=ids)
        self.assertEqual(status, 200, action)
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(action["context"]["default_deal_id"], self.deal_proposal.id)
        self.assertEqual(action["context"]["default_sale_order_template_id"], self.template_web.id)
        # a template the pipeline does not offer, a deal before Proposal Sent, a colleague's deal
        status, error = self._call("deal.quote.wizard", "write", ids=ids, vals={"template_id": self.template_other.id})
        self.assertEqual(status, 200, error)
        status, error = self._call("deal.quote.wizard", "action_new_quotation", ids=ids)
        self.assertEqual((status, error["name"]), (422, "odoo.exceptions.UserError"), error)
        for deal, exception in (
            (self.deal_contact, "odoo.exceptions.UserError"),
            (self.deal_won, "odoo.exceptions.UserError"),
            (self.deal_colleague, "odoo.exceptions.AccessError"),
        ):
            status, error = self._call("deal.quote.wizard", "create", vals_list=[{"deal_id": deal.id}])
            self.assertEqual(error["name"], exception, deal.name)
        self.assertEqual(self.env["deal.quote.wizard"].search_count([]), 1)

    def test_deal_field_offers_what_the_api_accepts(self):
        """The quotation form's deal field offers the deals a quotation may be linked to, and
        creating or re-linking a quotation over the API accepts exactly those."""
        domain = safe_eval(
            self.env["sale.order"]._fields["deal_id"].domain, {"commercial_partner_id": self.customer.id}
        )
        status, offered = self._call("deal.deal", "search_read", domain=domain, fields=["name"])
        self.assertEqual(status, 200, offered)
        offered_ids = {deal["id"] for deal in offered}
        self.assertEqual(offered_ids, {self.deal_proposal.id, self.deal_contact.id})
        candidates = (
            self.deal_proposal | self.deal_contact | self.deal_other_customer | self.deal_won | self.deal_colleague
        )
        line = {"product_id": self.product.id, "product_uom_qty": 1.0}
        status, [order_id] = self._call(
            "sale.order",
            "create",
            vals_list=[{"partner_id": self.customer.id, "order_line": [Command.create(line)]}],
        )
        self.assertEqual(status, 200)
        for deal in candidates:
            status, result = self._call(
                "sale.order",
                "create",
                vals_list=[{"partner_id": self.customer.id, "deal_id": deal.id, "order_line": [Command.create(line)]}],
            )
            self.assertEqual(status == 200, deal.id in offered_ids, f"create on {deal.name}: {result}")
            status, result = self._call("sale.order", "write", ids=[order_id], vals={"deal_id": deal.id})
            self.assertEqual(status == 200, deal.id in offered_ids, f"write on {deal.name}: {result}")
        self.assertEqual(
            set(self.env["sale.order"].search([("deal_id", "in", candidates.ids)]).deal_id.ids), offered_ids
        )
