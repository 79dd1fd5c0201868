from odoo.tests import tagged

from .common import DealSaleCommon

COUNTERS = ("quotation_count", "sale_order_count", "invoice_count")
AMOUNTS = ("amount_invoiced", "amount_paid", "amount_due")


@tagged("post_install", "-at_install", "deal_sale")
class TestDealCounters(DealSaleCommon):
    """The counters and amounts of a deal follow its orders and invoices, read alone (the form)
    and with other deals (the board's cards), as the salesperson who owns them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deal, cls.other_deal = cls.env["deal.deal"].create(
            [
                {"name": name, "partner_id": cls.customer.id, "user_id": cls.user_salesman.id, "amount": 1000.0}
                for name in ("Counted deal", "Other deal")
            ]
        )
        # the pipeline does not close the deal on a confirmed order: its quotations may still move
        cls.deal.pipeline_id.close_won_on_order = False

    def _quote(self, deal, price_unit=400.0):
        return self._create_quotation(deal, quantity=1.0, price_unit=price_unit, user_id=self.user_salesman.id)

    def assertCounters(self, expected, fields=COUNTERS):
        """``expected``: {deal: values}; checked for each deal alone, then for all of them read
        together."""
        for deal, values in expected.items():
            self.env.invalidate_all()
            self.assertRecordValues(deal.with_user(self.user_salesman), [dict(zip(fields, values, strict=True))])
        self.env.invalidate_all()
        deals = self.env["deal.deal"].browse([deal.id for deal in expected]).with_user(self.user_salesman)
        self.assertRecordValues(deals, [dict(zip(fields, values, strict=True)) for values in expected.values()])

    def test_order_confirmed_cancelled_relinked(self):
        order = self._quote(self.deal)
        self.assertCounters({self.deal: (1, 0, 0), self.other_deal: (0, 0, 0)})
        order.action_confirm()
        self.assertCounters({self.deal: (0, 1, 0), self.other_deal: (0, 0, 0)})
        order._action_cancel()
        self.assertCounters({self.deal: (0, 0, 0), self.other_deal: (0, 0, 0)})
        order.action_draft()
        order.deal_id = self.other_deal
        self.assertCounters({self.deal: (0, 0, 0), self.other_deal: (1, 0, 0)})

    def test_invoice_posted_paid_reversed_deleted(self):
        order = self._quote(self.deal)
        order.action_confirm()
        invoice = self._invoice(order)
        self.assertCounters({self.deal: (0, 1, 1), self.other_deal: (0, 0, 0)})
        self.assertCounters({self.deal: (0.0, 0.0, 0.0)}, AMOUNTS)  # a draft counts, its amount does not

        invoice.action_post()
        self.assertCounters({self.deal: (440.0, 0.0, 440.0)}, AMOUNTS)

        self._register_payment(invoice, 140.0)
        self.assertCounters({self.deal: (440.0, 140.0, 300.0)}, AMOUNTS)

        # the salesperson's credit note (the record rules show him his own invoices only)
        credit_note = invoice._reverse_moves([{"invoice_user_id": self.user_salesman.id}])
        self.assertEqual(credit_note.deal_id, self.deal)
        self.assertCounters({self.deal: (0, 1, 2), self.other_deal: (0, 0, 0)})
        credit_note.action_post()
        self.assertCounters({self.deal: (0.0, 140.0, -140.0)}, AMOUNTS)

        credit_note.button_draft()
        credit_note.unlink()
        self.assertCounters({self.deal: (0, 1, 1), self.other_deal: (0, 0, 0)})
        self.assertCounters({self.deal: (440.0, 140.0, 300.0)}, AMOUNTS)

    def test_hidden_documents_are_not_counted(self):
        """Orders and invoices of another salesperson stay out of the salesperson's counters, as
        the record rules hide them from him."""
        self._quote(self.deal)
        foreign = self._quote(self.deal, price_unit=100.0)
        foreign.user_id = self.user_accountant
        foreign.action_confirm()
        self._invoice(foreign).action_post()
        self.assertCounters({self.deal: (1, 0, 0), self.other_deal: (0, 0, 0)})
        self.env.invalidate_all()
        self.assertRecordValues(self.deal, [{"quotation_count": 1, "sale_order_count": 1, "invoice_count": 1}])
