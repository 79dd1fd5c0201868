import re
from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged, users

from .common import CLOSE_DATE, DealSaleCommon

UNKNOWN_ID = 999_999_999
HIDDEN = r"“Deal” \(deal_id\) refers to a deal you are not allowed to see"
READ_ONLY = r"“Deal” \(deal_id\) refers to a deal you are not allowed to change"
# Fields that the deal computes and that have no inverse, with a plausible value for each.
COMPUTED = {
    "outcome": "won",
    "last_open_stage_id": None,  # a stage id, set in the test
    "date_last_stage_update": "2020-01-01 00:00:00",
    "company_currency_id": None,  # a currency id, set in the test
    "amount_company": 1.0,
    "amount_weighted": 1.0,
    "is_rotting": True,
    "display_name": "Renamed",
}


@tagged("post_install", "-at_install")
class TestSideDoors(DealSaleCommon):
    """What the external API calls (create, write, copy, name_create, web_save, action methods) as
    low-rights users: nobody reaches, through an order, an invoice, a wizard or a nested value, a
    deal they may not see, nor corrupts one. The methods are called as the ORM receives them from
    /json/2 (and from the legacy XML-RPC and JSON-RPC); test_external_api.py sends them over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman_b = new_test_user(
            cls.env, login="deal_salesman_b", groups="sales_team.group_sale_salesman", name="Bea Salesman"
        )
        cls.user_portal = new_test_user(cls.env, login="deal_portal", groups="base.group_portal", name="Pat Portal")
        cls.user_sales_manager = new_test_user(
            cls.env,
            login="deal_sales_manager",
            groups="sales_team.group_sale_manager,account.group_account_invoice",
            name="Max Manager",
        )
        cls.company_2 = cls.env["res.company"].create({"name": "Deal Company 2"})
        cls.user_company_2 = new_test_user(
            cls.env,
            login="deal_company_2",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )
        cls.portal_customer = cls.user_portal.partner_id
        cls.deal_a = cls.env["deal.deal"].create(
            {"name": "Deal of A", "partner_id": cls.portal_customer.id, "user_id": cls.user_salesman.id}
        )
        cls.deal_b = cls.env["deal.deal"].create(
            {
                "name": "INTERNAL: customer is price-sensitive, push 20%",
                "partner_id": cls.portal_customer.id,
                "user_id": cls.user_salesman_b.id,
                "stage_id": cls.stage_proposal.id,
                "amount": 1000.0,
                "expected_close_date": CLOSE_DATE,
            }
        )

    @contextmanager
    def _refused(self, error, message):
        """The call fails with ``error`` matching ``message`` and, as for an API call, what it did
        before failing is rolled back."""
        with self.assertRaisesRegex(error, message), self.env.cr.savepoint():
            yield
        self.env.invalidate_all()

    def _invoice_values(self, **values):
        return {
            "move_type": "out_invoice",
            "partner_id": self.portal_customer.id,
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "price_unit": 100.0})],
        } | values

    # ------------------------------------------------------------------------------------------
    # 1. Orders and invoices are linked only to deals the user may see
    # ------------------------------------------------------------------------------------------

    @users("deal_salesman")
    def test_quotation_cannot_be_linked_to_a_hidden_deal(self):
        SaleOrder = self.env["sale.order"]
        deal_b = self.deal_b.with_env(self.env)
        self.assertFalse(deal_b.has_access("read"))
        values = {"partner_id": self.portal_customer.id}
        for label, call in (
            ("create", lambda: SaleOrder.create(values | {"deal_id": deal_b.id})),
            ("default in the context", lambda: SaleOrder.with_context(default_deal_id=deal_b.id).create(values)),
            ("web_save", lambda: SaleOrder.web_save(values | {"deal_id": deal_b.id}, {"deal_id": {}})),
        ):
            with self.subTest(label), self._refused(AccessError, HIDDEN):
                call()
        quotation = SaleOrder.create(values | {"deal_id": self.deal_a.id})
        with self._refused(AccessError, HIDDEN):
            quotation.write({"deal_id": deal_b.id})
        with self._refused(AccessError, HIDDEN):
            quotation.copy({"deal_id": deal_b.id})
        self.assertEqual(quotation.deal_id, self.deal_a)
        self.assertEqual(SaleOrder.sudo().search_count([("deal_id", "=", deal_b.id)]), 0)
        self.assertEqual(self.deal_b.stage_id, self.stage_proposal)

    def test_quotation_cannot_be_linked_to_a_deal_the_user_only_reads(self):
        """An accountant reads every deal but edits none: the quotation he may edit cannot be
        linked to a deal, which its confirmation would win."""
        quotation = self.env["sale.order"].create({"partner_id": self.portal_customer.id})
        quotation = quotation.with_user(self.user_accountant)
        deal_b = self.deal_b.with_user(self.user_accountant)
        self.assertTrue(deal_b.has_access("read"))
        self.assertFalse(deal_b.has_access("write"))
        with self._refused(AccessError, READ_ONLY):
            quotation.write({"deal_id": deal_b.id})
        with self._refused(AccessError, READ_ONLY):
            quotation.web_save({"deal_id": deal_b.id}, {"deal_id": {}})
        self.assertFalse(self.env["sale.order"].search_count([("deal_id", "=", self.deal_b.id)]))

    def test_billing_rights_do_not_open_a_colleagues_deal(self):
        """A salesman with Billing rights still sees only his own deals (Billing adds no rule to
        deals): his quotation cannot be linked to another salesman's deal, nor does he learn it
        exists."""
        billing_salesman = new_test_user(
            self.env,
            login="deal_billing_salesman",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
        )
        SaleOrder = self.env["sale.order"].with_user(billing_salesman)
        deal_b = self.deal_b.with_user(billing_salesman)
        self.assertFalse(deal_b.has_access("read"))
        values = {"partner_id": self.portal_customer.id}
        for label, call in (
            ("create", lambda: SaleOrder.create(values | {"deal_id": deal_b.id})),
            ("default in the context", lambda: SaleOrder.with_context(default_deal_id=deal_b.id).create(values)),
            ("web_save", lambda: SaleOrder.web_save(values | {"deal_id": deal_b.id}, {"deal_id": {}})),
        ):
            with self.subTest(label), self._refused(AccessError, HIDDEN):
                call()
        quotation = SaleOrder.create(values)
        with self._refused(AccessError, HIDDEN):
            quotation.write({"deal_id": deal_b.id})
        quotation.sudo().order_line = [Command.create({"product_id": self.product.id})]
        quotation.action_confirm()
        self.assertEqual(self.deal_b.stage_id, self.stage_proposal)
        self.assertFalse(self.env["sale.order"].search_count([("deal_id", "=", self.deal_b.id)]))

    @users("deal_company_2")
    def test_invoice_cannot_be_linked_to_a_hidden_deal(self):
        """Accountants read every deal of their companies: a deal of another company is hidden."""
        Move = self.env["account.move"]
        with self._refused(AccessError, HIDDEN):
            Move.create(self._invoice_values(deal_id=self.deal_a.id))
        with self._refused(AccessError, HIDDEN):
            Move.with_context(default_deal_id=self.deal_a.id).create(self._invoice_values())
        self.assertFalse(Move.sudo().search_count([("deal_id", "=", self.deal_a.id)]))

    @users("deal_salesman")
    def test_link_to_an_unknown_deal_or_a_wrong_value(self):
        quotation = self.env["sale.order"].create({"partner_id": self.portal_customer.id})
        with self._refused(ValidationError, rf"“Deal” refers to a record that does not exist.*{UNKNOWN_ID}"):
            quotation.write({"deal_id": UNKNOWN_ID})
        with self._refused(ValidationError, r"“Deal” \(deal_id\): 'abc'. Give the id of a record."):
            quotation.write({"deal_id": "abc"})
        self.assertFalse(quotation.deal_id)

    def test_accountant_links_a_draft_invoice_to_any_deal_he_reads(self):
        invoice = self.env["account.move"].with_user(self.user_accountant).create(self._invoice_values())
        invoice.deal_id = self.deal_b
        self.assertEqual(invoice.deal_id, self.deal_b)

    def test_confirmation_wins_a_legitimately_linked_deal(self):
        """Salesman B quotes his deal; the portal customer accepts it online (the portal confirms as
        superuser): the deal is won."""
        quotation = self._create_quotation(self.deal_b.with_user(self.user_salesman_b))
        quotation.with_user(self.user_portal).sudo().action_confirm()
        self.assertEqual(self.deal_b.stage_id, self.stage_won)

    # ------------------------------------------------------------------------------------------
    # 2. Portal customers never read a deal
    # ------------------------------------------------------------------------------------------

    def test_portal_customer_does_not_read_the_deal_of_his_order_or_invoice(self):
        order = self._create_quotation(self.deal_b)
        order.action_confirm()
        invoice = self._invoice(order)
        invoice.action_post()
        for document in (order.with_user(self.user_portal), invoice.with_user(self.user_portal)):
            with self.subTest(document._name):
                self.assertTrue(document.has_access("read"))
                self.assertNotIn("deal_id", document.fields_get())
                with self.assertRaises(AccessError):
                    document.read(["deal_id"])
                with self.assertRaises(AccessError):
                    document.web_read({"deal_id": {"fields": {"display_name": {}}}})
                with self.assertRaises(AccessError):
                    document.search([("deal_id", "!=", False)])

    # ------------------------------------------------------------------------------------------
    # 3. Computed fields without inverse are not written
    # ------------------------------------------------------------------------------------------

    @users("deal_all")
    def test_computed_fields_are_refused(self):
        deal = self.deal_b.with_env(self.env)
        before = deal.read(list(COMPUTED))
        values = COMPUTED | {
            "last_open_stage_id": self.stage_negotiation.id,
            "company_currency_id": self.env.ref("base.EUR").id,
        }
        for name, value in values.items():
            label = re.escape(deal._fields[name]._description_string(self.env))
            message = rf"“{label}” \({name}\) is computed and cannot be written"
            with self.subTest(name):
                with self._refused(UserError, message):
                    deal.write({name: value})
                with self._refused(UserError, message):
                    self._create_deal(**{name: value})
                with self._refused(UserError, message):
                    deal.copy({name: value})
        # the closing date, computed too, is given only by a deals administrator creating a deal
        # (test_deal_history_import): refused to this user on create, write and copy
        message = r"“Closed On” \(date_closed\)"
        for call in (
            lambda: deal.write({"date_closed": "2025-01-01 00:00:00"}),
            lambda: self._create_deal(date_closed="2025-01-01 00:00:00"),
            lambda: deal.copy({"date_closed": "2025-01-01 00:00:00"}),
        ):
            with self._refused(UserError, message):
                call()
        self.assertEqual(deal.read(list(COMPUTED)), before)
        # what they are computed from is written
        deal.action_mark_won()
        self.assertRecordValues(deal, [{"outcome": "won", "last_open_stage_id": self.stage_proposal.id}])

    # ------------------------------------------------------------------------------------------
    # 4. Links the form shows as fixed are fixed
    # ------------------------------------------------------------------------------------------

    @users("deal_sales_manager")
    def test_confirmed_order_keeps_its_deal(self):
        deal = self._create_deal(name="Deal with an order")
        order = self._create_quotation(deal)
        order.action_confirm()
        for value in (False, self.deal_a.id):
            with self.subTest(value=value), self._refused(UserError, r"is confirmed or cancelled: its deal"):
                order.write({"deal_id": value})
        with self._refused(UserError, r"is confirmed or cancelled: its deal"):
            deal.write({"sale_order_ids": [Command.unlink(order.id)]})
        order.write({"deal_id": deal.id})  # the same deal again is no change
        orphan = self._create_quotation(self.deal_a, deal_id=False)
        orphan.action_confirm()
        orphan.write({"deal_id": self.deal_a.id})  # a confirmed order without a deal may get one
        self.assertEqual(orphan.deal_id, self.deal_a)
        self.assertEqual(order.deal_id, deal)
        with self._refused(UserError, r"has 1 confirmed sale order\(s\).*cannot be deleted"):
            deal.unlink()
        order._action_cancel()
        with self._refused(UserError, r"is confirmed or cancelled: its deal"):
            order.write({"deal_id": False})
        order.action_draft()
        order.write({"deal_id": False})
        self.assertFalse(order.deal_id)

    @users("deal_accountant")
    def test_posted_invoice_keeps_its_deal(self):
        invoice = self.env["account.move"].create(self._invoice_values(deal_id=self.deal_a.id))
        invoice.action_post()
        for value in (False, self.deal_b.id):
            with self.subTest(value=value), self._refused(UserError, r"is posted or cancelled: its deal"):
                invoice.write({"deal_id": value})
        self.assertEqual(invoice.deal_id, self.deal_a)
        invoice.button_draft()
        invoice.write({"deal_id": self.deal_b.id})
        self.assertEqual(invoice.deal_id, self.deal_b)

    def test_only_customer_invoices_have_a_deal(self):
        bill = self.env["account.move"].create(self._invoice_values(move_type="in_invoice"))
        with self._refused(ValidationError, r"only customer invoices and credit notes belong to a deal"):
            bill.with_user(self.user_accountant).deal_id = self.deal_a

    # ------------------------------------------------------------------------------------------
    # 5. Bad values
    # ------------------------------------------------------------------------------------------

    @users("deal_all")
    def test_bad_values_are_refused(self):
        deal = self.deal_a.with_env(self.env)
        before = deal.read(["name", "amount", "tag_ids", "user_id", "active"])
        wrong = "Wrong value for the field “%s” \\(%s\\)"
        cases = [
            ({"name": ["a", "list"]}, ValidationError, wrong % ("Deal", "name") + r".*Give a text"),
            ({"name": {"en_US": "a dict"}}, ValidationError, wrong % ("Deal", "name") + r".*Give a text"),
            ({"amount": 1e308}, ValidationError, wrong % ("Estimated Amount", "amount") + r".*between"),
            ({"amount": 10**12 + 1}, ValidationError, wrong % ("Estimated Amount", "amount")),
            ({"probability": 1e308}, ValidationError, wrong % (r"Probability \(%\)", "probability")),
            ({"color": 2**31}, ValidationError, wrong % ("Color Index", "color") + ".*whole number"),
            ({"active": "no"}, ValidationError, wrong % ("Active", "active") + ".*true or false"),
            ({"user_id": self.user_portal.id}, ValidationError, r"“Owner” \(user_id\): Pat Portal is a portal"),
            ({"tag_ids": [Command.link(UNKNOWN_ID)]}, ValidationError, r"“Tag” refers to a record that does not exist"),
            ({"tag_ids": [Command.set([UNKNOWN_ID])]}, ValidationError, r"“Tag” refers to a record that does not"),
            ({"tag_ids": [UNKNOWN_ID]}, ValidationError, r"“Tag” refers to a record that does not exist"),
            ({"tag_ids": "abc"}, ValidationError, wrong % ("Tag", "tag_ids") + ".*list of record ids or of commands"),
            ({"tag_ids": [(99, 1)]}, ValidationError, wrong % ("Tag", "tag_ids")),
            ({"tag_ids": [Command.create({"name": ["nested"]})]}, ValidationError, wrong % ("Tag Name", "name")),
        ]  # fmt: skip
        for values, error, message in cases:
            with self.subTest(values=values):
                with self._refused(error, message):
                    deal.write(values)
                with self._refused(error, message):
                    self._create_deal(**values)
        self.assertEqual(deal.read(["name", "amount", "tag_ids", "user_id", "active"]), before)
        deal.write({"amount": 10**12})
        self.assertEqual(deal.amount, 10**12)

    @users("deal_all")
    def test_bad_values_through_other_methods(self):
        Deal = self.env["deal.deal"]
        count = Deal.search_count([])
        with self._refused(ValidationError, r"“Deal” \(name\).*Give a text"):
            Deal.name_create(["a", "list"])
        with self._refused(ValidationError, r"“Deal” \(name\).*Give a text"):
            Deal.web_save({"name": {"a": 1}, "partner_id": self.customer.id}, {})
        with self._refused(ValidationError, r"“Tag Name” \(name\).*Give a text"):
            Deal.web_save(
                {"name": "Nested", "partner_id": self.customer.id, "tag_ids": [Command.create({"name": [1]})]},
                {"tag_ids": {}},
            )
        with self._refused(
            ValidationError, rf"“Pipeline” refers to a record that does not exist \(deal.pipeline id {UNKNOWN_ID}\)"
        ):
            Deal.with_context(default_pipeline_id=UNKNOWN_ID).create({"name": "X", "partner_id": self.customer.id})
        with self._refused(ValidationError, r"“Pipeline” \(default_pipeline_id in the context\)"):
            Deal.with_context(default_pipeline_id="abc").create({"name": "X", "partner_id": self.customer.id})
        with self._refused(ValidationError, r"“Pipeline” refers to a record that does not exist"):
            Deal.with_context(default_pipeline_id=UNKNOWN_ID).action_open_board_of()
        self.assertEqual(Deal.search_count([]), count)

    @users("deal_own")
    def test_mark_lost_with_a_wrong_reason(self):
        deal = self._create_deal()
        for reason, message in (
            (True, r"“Lost Reason” \(lost_reason_id\): True. Give the id of a record."),
            ("Too expensive", r"“Lost Reason” \(lost_reason_id\): 'Too expensive'"),
            (UNKNOWN_ID, rf"“Lost Reason” refers to a record that does not exist \(deal.lost.reason id {UNKNOWN_ID}\)"),
        ):
            with self.subTest(reason=reason), self._refused(ValidationError, message):
                deal.action_mark_lost(lost_reason_id=reason)
        self.assertEqual(deal.outcome, "open")

    # ------------------------------------------------------------------------------------------
    # Siblings: the lost wizard, copy
    # ------------------------------------------------------------------------------------------

    @users("deal_salesman")
    def test_lost_wizard_only_for_deals_the_user_edits(self):
        quotation = self._create_quotation(self.deal_b)
        with self.assertRaises(AccessError):
            self.env["deal.lost.wizard"].create({"deal_ids": self.deal_b.ids, "lost_reason_id": self.lost_reason.id})
        with self.assertRaises(AccessError):
            self.env["deal.lost.wizard"].with_context(default_deal_ids=self.deal_b.ids).create(
                {"lost_reason_id": self.lost_reason.id}
            )
        self.assertEqual(self.deal_b.sudo().outcome, "open")
        self.assertEqual(quotation.sudo().state, "draft")

    @users("deal_salesman")
    def test_copy_of_a_hidden_deal(self):
        with self.assertRaises(AccessError):
            self.deal_b.with_env(self.env).copy()

    # ------------------------------------------------------------------------------------------
    # 6. read() without a field list, for every user who reads deals
    # ------------------------------------------------------------------------------------------

    def test_read_all_fields(self):
        readonly_accountant = new_test_user(self.env, login="deal_ro", groups="account.group_account_readonly")
        for user in (self.user_own, self.user_salesman, self.user_accountant, readonly_accountant, self.user_manager):
            with self.subTest(user=user.login):
                deal = self.deal_a.with_user(user)
                if user == self.user_own:
                    deal = (
                        self.env["deal.deal"].with_user(user).create({"name": "Mine", "partner_id": self.customer.id})
                    )
                [values] = deal.read()
                self.assertEqual(values["id"], deal.id)
                deal.web_read({name: {} for name in deal.fields_get(attributes=["type"])})
