from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import CLOSE_DATE, DealSaleCommon


@tagged("post_install", "-at_install", "deal_sale")
class TestDealQuoteRules(DealSaleCommon):
    """The business rules of a quotation's link to a deal, at the API as a salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create({"name": "Azure Buyer", "parent_id": cls.customer.id})
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Customer Test", "is_company": True})

    def _quotation_values(self, deal, partner=None):
        return {
            "partner_id": (partner or deal.partner_id).id,
            "deal_id": deal.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1.0})],
        }

    @users("deal_salesman")
    def test_link_to_open_deal_of_same_commercial_customer(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        order = self.env["sale.order"].create(self._quotation_values(deal, partner=self.contact))
        self.assertEqual(order.deal_id, deal)
        # a deal of the contact takes a quotation of the company, and the other way round
        contact_deal = self._create_deal(
            partner_id=self.contact.id, stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE
        )
        order.deal_id = contact_deal
        self.assertEqual(contact_deal.sale_order_ids, order)

    @users("deal_salesman")
    def test_link_to_other_customer_refused(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        with self.assertRaisesRegex(ValidationError, "same customer"):
            self.env["sale.order"].create(self._quotation_values(deal, partner=self.other_customer))
        other_deal = self._create_deal(
            partner_id=self.other_customer.id, stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE
        )
        order = self.env["sale.order"].create(self._quotation_values(deal))
        with self.assertRaisesRegex(ValidationError, "same customer"):
            order.write({"deal_id": other_deal.id})
        order = self.env["sale.order"].create(self._quotation_values(deal))
        with self.assertRaisesRegex(ValidationError, "same customer"):
            order.write({"partner_id": self.other_customer.id})

    @users("deal_salesman")
    def test_link_to_closed_deal_refused(self):
        won = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        won.action_mark_won()
        lost = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        lost.action_mark_lost(lost_reason_id=self.lost_reason.id)
        open_deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        order = self.env["sale.order"].create(self._quotation_values(open_deal))
        for closed in won + lost:
            with self.assertRaisesRegex(ValidationError, "is closed: it takes no new quotation"):
                self.env["sale.order"].create(self._quotation_values(closed))
            with self.assertRaisesRegex(ValidationError, "is closed"):
                order.write({"deal_id": closed.id})
        self.assertEqual(order.deal_id, open_deal)
        self.assertFalse(self.env["sale.order"].search([("deal_id", "in", (won + lost).ids)]))
        # reopened, the deal takes quotations again
        won.action_reopen()
        order.deal_id = won
        self.assertEqual(won.sale_order_ids, order)

    def test_link_to_deal_of_other_company_refused(self):
        company = self.env["res.company"].create({"name": "Deal Other Company"})
        self.user_salesman.company_ids += company
        deal = self._create_deal(
            stage_id=self.stage_proposal.id,
            expected_close_date=CLOSE_DATE,
            company_id=company.id,
            user_id=self.user_salesman.id,
        )
        quotations = self.env["sale.order"].with_user(self.user_salesman)
        quotations = quotations.with_context(allowed_company_ids=[self.company.id, company.id])
        with self.assertRaisesRegex(UserError, "company"):
            quotations.create(self._quotation_values(deal) | {"company_id": self.company.id})

    @users("deal_salesman")
    def test_deal_field_offers_open_deals_of_the_customer(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        contact_deal = self._create_deal(partner_id=self.contact.id, stage_id=self.stage_new.id)
        self._create_deal(
            partner_id=self.other_customer.id, stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE
        )
        self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE).action_mark_won()
        order = self.env["sale.order"].create(self._quotation_values(deal, partner=self.contact))
        field = order._fields["deal_id"]
        domain = safe_eval(field.domain, {"commercial_partner_id": order.commercial_partner_id.id})
        offered = self.env["deal.deal"].search(domain)
        self.assertEqual(offered, deal + contact_deal)


@tagged("post_install", "-at_install", "deal_sale")
class TestDealQuoteMovesDeal(DealSaleCommon):
    """Sending a quotation moves its deal to the first stage that allows quotations."""

    @users("deal_salesman")
    def test_sent_quotation_moves_deal_forward(self):
        deal = self._create_deal(stage_id=self.stage_new.id, expected_close_date=CLOSE_DATE)
        order = self._create_quotation(deal)
        self.assertEqual(deal.stage_id, self.stage_new)
        order.action_quotation_sent()
        self.assertEqual(deal.stage_id, self.stage_proposal)
        self.assertIn(order.name, deal.message_ids[0].body)
        self.assertIn("Proposal Sent", deal.message_ids[0].body)

    @users("deal_salesman")
    def test_sent_by_email_moves_deal_forward(self):
        deal = self._create_deal(stage_id=self.stage_qualification.id, expected_close_date=CLOSE_DATE)
        order = self._create_quotation(deal)
        order.with_context(mark_so_as_sent=True).message_post(body="Your quotation")
        self.assertEqual(order.state, "sent")
        self.assertEqual(deal.stage_id, self.stage_proposal)

    @users("deal_salesman")
    def test_sent_quotation_never_moves_backwards_nor_closed(self):
        ahead = self._create_deal(stage_id=self.stage_negotiation.id, expected_close_date=CLOSE_DATE)
        self._create_quotation(ahead).action_quotation_sent()
        self.assertEqual(ahead.stage_id, self.stage_negotiation)
        won = self._create_deal(stage_id=self.stage_new.id)
        order = self._create_quotation(won)
        won.action_mark_won(open_quotations="keep")
        order.action_quotation_sent()
        self.assertEqual(won.stage_id, self.stage_won)

    def test_sent_quotation_of_deal_the_salesman_cannot_write(self):
        """Sending is the trigger: the deal moves whoever sends the quotation."""
        deal = self._create_deal(stage_id=self.stage_new.id, user_id=self.user_own.id, expected_close_date=CLOSE_DATE)
        order = self._create_quotation(deal, user_id=self.user_salesman.id)
        self.assertFalse(deal.with_user(self.user_salesman).has_access("write"))
        order.with_user(self.user_salesman).action_quotation_sent()
        self.assertEqual(deal.stage_id, self.stage_proposal)


@tagged("post_install", "-at_install", "deal_sale")
class TestDealWon(DealSaleCommon):
    """Won, like lost, decides on the open quotations; it shows the celebration effect."""

    @users("deal_salesman")
    def test_won_without_quotations_celebrates(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        result = deal.action_mark_won()
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(result["effect"]["type"], "rainbow_man")
        self.assertIn(deal.name, result["effect"]["message"])

    @users("deal_salesman")
    def test_won_with_open_quotations_asks(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        draft, sent, cancelled = (self._create_quotation(deal) for _index in range(3))
        sent.action_quotation_sent()
        cancelled.action_cancel()
        action = deal.action_mark_won()
        self.assertEqual(action["res_model"], "deal.won.wizard")
        self.assertEqual(deal.outcome, "open")
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertEqual(wizard.quotation_ids, draft + sent)
        result = wizard.action_won_cancel_quotations()
        self.assertEqual(result["effect"]["type"], "rainbow_man")
        self.assertEqual(deal.outcome, "won")
        self.assertEqual((draft + sent).mapped("state"), ["cancel", "cancel"])

    @users("deal_salesman")
    def test_won_keeping_quotations(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        quotation = self._create_quotation(deal)
        deal.action_mark_won(open_quotations="keep")
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(quotation.state, "draft")
        with self.assertRaisesRegex(UserError, "either cancelled or kept"):
            self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE).action_mark_won(
                open_quotations="delete"
            )

    @users("deal_salesman")
    def test_won_and_lost_in_the_stage_dropped_on(self):
        """The board's drop on a won or lost column: the same calls as the buttons, with the
        stage of that column; keeping or cancelling the quotations is said in the chatter."""
        stages = (
            self.env["deal.stage"]
            .sudo()
            .create(
                [
                    {"name": name, "sequence": 90, "outcome": outcome, "pipeline_ids": [Command.link(self.pipeline.id)]}
                    for name, outcome in (("Won Renewal", "won"), ("No Decision", "lost"))
                ]
            )
        )
        won_stage, lost_stage = stages.with_env(self.env)
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        quotation = self._create_quotation(deal)
        action = deal.action_mark_won(None, won_stage.id)
        self.assertEqual(deal.outcome, "open")
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        wizard.action_won_keep_quotations()
        self.assertEqual(deal.stage_id, won_stage)
        self.assertEqual(quotation.state, "draft")
        self.assertIn(f"kept: {quotation.name}", deal.message_ids[0].body)

        other = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        cancelled = self._create_quotation(other)
        other.action_mark_won("cancel", won_stage.id)
        self.assertEqual(cancelled.state, "cancel")
        self.assertIn(f"cancelled: {cancelled.name}", other.message_ids[0].body)

        lost = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        action = lost.action_mark_lost(None, lost_stage.id)
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"lost_reason_id": self.lost_reason.id})
        )
        wizard.action_lost_confirm()
        self.assertRecordValues(lost, [{"stage_id": lost_stage.id, "lost_reason_id": self.lost_reason.id}])
        # without a stage, the pipeline's first won or lost stage, as before
        first = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        first.action_mark_lost(self.lost_reason.id)
        self.assertEqual(first.stage_id, self.stage_lost)

    @users("deal_salesman")
    def test_closing_stage_must_fit(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        with self.assertRaisesRegex(UserError, "is not a won stage"):
            deal.action_mark_won("keep", self.stage_lost.id)
        with self.assertRaisesRegex(UserError, "is not a lost stage"):
            deal.action_mark_lost(self.lost_reason.id, self.stage_won.id)
        with self.assertRaisesRegex(ValidationError, "does not exist"):
            deal.action_mark_won("keep", 999999)
        elsewhere = (
            self.env["deal.stage"]
            .sudo()
            .create(
                {
                    "name": "Won Elsewhere",
                    "outcome": "won",
                    "pipeline_ids": [Command.create({"name": "Other Pipeline"})],
                }
            )
        )
        with self.assertRaisesRegex(ValidationError, "is not used by the pipeline"):
            deal.action_mark_won("keep", elsewhere.id)

    @users("deal_salesman")
    def test_confirmation_lists_other_open_quotations(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        confirmed, still_open = self._create_quotation(deal), self._create_quotation(deal)
        confirmed.action_confirm()
        self.assertEqual(deal.outcome, "won")
        body = deal.message_ids[0].body
        self.assertIn(confirmed.name, body)
        self.assertIn(f'Still open: <a href="#" data-oe-model="sale.order" data-oe-id="{still_open.id}"', body)


@tagged("post_install", "-at_install", "deal_sale")
class TestDealQuoteCurrency(DealSaleCommon):
    """A quotation is in its deal's currency; without a pricelist in it, the quotation says so."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.user_sale_manager = new_test_user(
            cls.env, login="deal_sale_manager", groups="sales_team.group_sale_manager", name="Sue Sales Manager"
        )
        cls.env["product.pricelist"].search([("currency_id", "=", cls.eur.id)]).active = False

    @users("deal_salesman")
    def test_quotation_of_deal_takes_pricelist_in_deal_currency(self):
        eur_pricelist = self.env["product.pricelist"].sudo().create({"name": "Euro", "currency_id": self.eur.id})
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, currency_id=self.eur.id
        )
        order = self._create_quotation(deal)
        self.assertEqual(order.pricelist_id, eur_pricelist)
        self.assertEqual(order.currency_id, self.eur)
        self.assertFalse(order.deal_currency_warning)

    @users("deal_salesman")
    def test_no_pricelist_in_deal_currency_warns(self):
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, currency_id=self.eur.id
        )
        order = self._create_quotation(deal)
        self.assertNotEqual(order.currency_id, self.eur)
        self.assertIn("no pricelist in EUR exists", order.deal_currency_warning)
        self.assertFalse(order.deal_currency_fixable)
        with self.assertRaises(AccessError):
            order.action_use_deal_currency()
        self.env.invalidate_all()
        self.assertNotEqual(order.currency_id, self.eur)
        # once a pricelist in EUR exists, the salesperson switches to it
        eur_pricelist = self.env["product.pricelist"].sudo().create({"name": "Euro", "currency_id": self.eur.id})
        order.invalidate_recordset(["deal_currency_warning", "deal_currency_fixable"])
        self.assertIn("use the pricelist “Euro”", order.deal_currency_warning)
        self.assertTrue(order.deal_currency_fixable)
        order.action_use_deal_currency()
        self.assertEqual(order.pricelist_id, eur_pricelist)
        self.assertEqual(order.currency_id, self.eur)
        self.assertFalse(order.deal_currency_warning)

    @users("deal_sale_manager")
    def test_sales_manager_creates_the_pricelist(self):
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, currency_id=self.eur.id
        )
        order = self._create_quotation(deal)
        self.assertTrue(order.deal_currency_fixable)
        order.action_use_deal_currency()
        self.assertEqual(order.currency_id, self.eur)
        self.assertEqual(order.pricelist_id.currency_id, self.eur)
        self.assertFalse(order.deal_currency_warning)
