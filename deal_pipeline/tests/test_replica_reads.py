from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common import CLOSE_DATE, DealSaleCommon


@tagged("post_install", "-at_install")
class TestReplicaReads(DealSaleCommon, HttpCase):
    """With a replica (``--db_replica_host``), Odoo serves a web client call of a method marked
    ``@api.readonly`` on a read-only cursor, the replica's, and any other call on the primary.
    The buttons that only read must be marked, and must not write (a write on the read-only
    cursor would make Odoo serve the call again on the primary)."""

    def _cursor_modes(self, model, method, record_ids):
        """The cursors (read-only or not) Odoo opened to serve the button's call."""
        modes = []
        test_cursor = self.registry.cursor

        def spy(readonly=False):
            modes.append("read-only" if readonly else "read/write")
            return test_cursor(readonly)

        with patch.object(self.registry, "cursor", spy):
            self.make_jsonrpc_request(
                f"/web/dataset/call_button/{model}/{method}",
                {"model": model, "method": method, "args": [record_ids], "kwargs": {}},
            )
        return modes

    def test_read_only_buttons_run_on_the_replica(self):
        open_deal = self._create_deal(
            user_id=self.user_salesman.id, stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE
        )
        # a deal with a quotation, and an order confirmed (which wins the deal) and invoiced
        won_deal = self._create_deal(
            user_id=self.user_salesman.id, stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE
        )
        quotation = self._create_quotation(won_deal)
        order = self._create_quotation(won_deal)
        order.action_confirm()
        self._invoice(order)
        self.authenticate("deal_salesman", "deal_salesman")
        for model, method, record in [
            ("deal.pipeline", "action_open_board", self.pipeline),
            ("deal.deal", "action_new_quotation", open_deal),
            ("deal.deal", "action_view_quotations", won_deal),
            ("deal.deal", "action_view_sale_orders", won_deal),
            ("deal.deal", "action_view_invoices", won_deal),
        ]:
            with self.subTest(method=method):
                self.assertEqual(self._cursor_modes(model, method, record.ids), ["read-only"])
        self.assertEqual(quotation.state, "draft")
        self.assertFalse(open_deal.sale_order_ids)

    def test_buttons_that_write_run_on_the_primary(self):
        deal = self._create_deal(
            user_id=self.user_salesman.id, stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE
        )
        self.authenticate("deal_salesman", "deal_salesman")
        self.assertEqual(self._cursor_modes("deal.deal", "action_mark_won", deal.ids), ["read-only", "read/write"])
        self.assertEqual(deal.outcome, "won")
