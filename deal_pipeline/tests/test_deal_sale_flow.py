from odoo.fields import Command
from odoo.tests import tagged

from .common import CLOSE_DATE, DealSaleCommon


@tagged("post_install", "-at_install", "deal_sale")
class TestDealSaleFlow(DealSaleCommon):
    def test_confirm_wins_open_deal_only_when_pipeline_says_so(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        self.pipeline.close_won_on_order = False
        self._create_quotation(deal).action_confirm()
        self.assertEqual(deal.outcome, "open")
        self.pipeline.close_won_on_order = True
        self._create_quotation(deal).action_confirm()
        self.assertEqual(deal.stage_id, self.stage_won)

    def test_confirm_by_salesman_without_rights_on_deal(self):
        """The order's salesperson may not follow the deal: the deal is won all the same."""
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, user_id=self.user_own.id
        )
        order = self._create_quotation(deal, user_id=self.user_salesman.id)
        self.assertFalse(deal.with_user(self.user_salesman).has_access("write"))
        order.with_user(self.user_salesman).action_confirm()
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(deal.message_ids[0].author_id, self.user_salesman.partner_id)

    def test_cancel_all_orders_of_won_deal_warns_owner(self):
        deal = self._create_deal(
            stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE, user_id=self.user_own.id
        )
        orders = self._create_quotation(deal) + self._create_quotation(deal)
        orders.action_confirm()
        self.assertEqual(deal.outcome, "won")
        orders[0].action_cancel()
        self.assertFalse(deal.activity_ids)
        orders[1].action_cancel()
        self.assertEqual(deal.outcome, "won")
        self.assertRecordValues(
            deal.activity_ids,
            [
                {
                    "activity_type_id": self.env.ref("mail.mail_activity_data_warning").id,
                    "user_id": self.user_own.id,
                    "summary": "All orders cancelled",
                }
            ],
        )
        self.assertEqual(deal.sale_order_count, 0)

    def test_lost_wizard_cancels_open_quotations(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        sent, draft, cancelled = (
            self._create_quotation(deal) + self._create_quotation(deal) + self._create_quotation(deal)
        )
        sent.state = "sent"
        cancelled.action_cancel()
        other_deal_quotation = self._create_quotation(
            self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        )
        action = deal.action_mark_lost()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"lost_reason_id": self.lost_reason.id})
        )
        self.assertEqual(wizard.quotation_ids, sent + draft)
        self.assertTrue(wizard.cancel_quotations)
        wizard.action_lost_confirm()
        self.assertEqual(deal.outcome, "lost")
        self.assertEqual((sent + draft).mapped("state"), ["cancel", "cancel"])
        self.assertEqual(other_deal_quotation.state, "draft")

    def test_lost_wizard_can_keep_quotations(self):
        deal = self._create_deal(stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE)
        quotation = self._create_quotation(deal)
        wizard = self.env["deal.lost.wizard"].create(
            {"deal_ids": deal.ids, "lost_reason_id": self.lost_reason.id, "cancel_quotations": False}
        )
        wizard.action_lost_confirm()
        self.assertEqual(deal.outcome, "lost")
        self.assertEqual(quotation.state, "draft")

    def test_consolidated_invoice_never_mixes_deals(self):
        deal_a, deal_b = self._create_deal(name="A"), self._create_deal(name="B")
        orders = self._create_quotation(deal_a) + self._create_quotation(deal_a) + self._create_quotation(deal_b)
        orders.action_confirm()
        invoices = self._invoice(orders, consolidated_billing=True)
        self.assertEqual(len(invoices), 2)
        invoice_a = invoices.filtered(lambda move: move.deal_id == deal_a)
        self.assertEqual(invoice_a.line_ids.sale_line_ids.order_id, orders[:2])
        self.assertEqual(deal_a.invoice_ids, invoice_a)
        self.assertEqual(deal_b.invoice_ids, invoices - invoice_a)

    def test_invoice_through_orders_only(self):
        """An invoice made from a deal's order belongs to the deal even when the link on the invoice
        was removed; an invoice linked by hand to a deal belongs to it."""
        deal, other_deal = self._create_deal(), self._create_deal(name="Other")
        order = self._create_quotation(deal)
        order.action_confirm()
        invoice = self._invoice(order)
        invoice.deal_id = False
        manual_invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "deal_id": other_deal.id,
                "invoice_line_ids": [Command.create({"product_id": self.product.id, "price_unit": 100.0})],
            }
        )
        (invoice + manual_invoice).action_post()
        self.assertEqual(deal.invoice_ids, invoice)
        self.assertEqual(deal.amount_invoiced, 880.0)
        self.assertEqual(other_deal.invoice_ids, manual_invoice)
        self.assertEqual(other_deal.amount_invoiced, 110.0)
        self.assertEqual(other_deal.amount_due, 110.0)
