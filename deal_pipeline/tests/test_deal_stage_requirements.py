from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .common import DealCommon, DealSaleCommon


@tagged("post_install", "-at_install", "deal_board")
class TestDealStageRequirements(DealCommon):
    @contextmanager
    def _refused(self, message):
        """The block raises a ValidationError whose message contains ``message``; what it wrote
        is rolled back."""
        with self.assertRaises(ValidationError) as error:
            yield
        self.assertIn(message, str(error.exception))

    def _require(self, stage, *field_names):
        stage.required_field_ids = [
            Command.set([self.env["ir.model.fields"]._get("deal.deal", name).id for name in field_names])
        ]

    def test_shipped_requirements(self):
        for stage in (self.stage_proposal, self.stage_negotiation):
            self.assertEqual(sorted(stage.required_field_ids.mapped("name")), ["amount", "expected_close_date"])
        for stage in (self.stage_new, self.stage_qualification, self.stage_won, self.stage_lost):
            self.assertFalse(stage.required_field_ids)

    @users("deal_own")
    def test_write_refused_with_the_missing_fields_then_accepted(self):
        deal = self._create_deal(amount=0.0)
        with self._refused(
            "The deal “Website redesign” cannot enter the stage “Proposal Sent”: "
            "fill in Estimated Amount, Expected Close Date first."
        ):
            deal.write({"stage_id": self.stage_proposal.id})
        self.assertEqual(deal.stage_id, self.stage_new)
        with self._refused("fill in Expected Close Date first"):
            deal.write({"stage_id": self.stage_negotiation.id, "amount": 900.0})
        self.assertEqual(deal.amount, 0.0)

        deal.write({"stage_id": self.stage_proposal.id, "amount": 900.0, "expected_close_date": date(2030, 5, 1)})
        self.assertEqual(deal.stage_id, self.stage_proposal)
        # the requirements are checked when entering a stage only
        deal.write({"stage_id": self.stage_proposal.id, "priority": "1"})
        deal.expected_close_date = False
        self.assertEqual(deal.stage_id, self.stage_proposal)

    @users("deal_own")
    def test_create_and_batch_write_refused_in_one_message(self):
        with self._refused("cannot enter the stage “Negotiation”"):
            self._create_deal(stage_id=self.stage_negotiation.id)
        first = self._create_deal(name="First", expected_close_date=date(2030, 5, 1))
        second = self._create_deal(name="Second", amount=0.0)
        with self.assertRaises(ValidationError) as error:
            (first | second).write({"stage_id": self.stage_proposal.id})
        self.assertEqual(
            str(error.exception),
            "The deal “Second” cannot enter the stage “Proposal Sent”: "
            "fill in Estimated Amount, Expected Close Date first.",
        )
        second.write({"amount": 10.0, "expected_close_date": date(2030, 6, 1)})
        (first | second).write({"stage_id": self.stage_proposal.id})
        self.assertEqual((first | second).stage_id, self.stage_proposal)

    def test_won_and_lost_obey_their_stage(self):
        self._require(self.stage_won.with_user(self.user_manager), "tag_ids")
        self._require(self.stage_lost.with_user(self.user_manager), "description")
        deal = self._create_deal(user_id=self.user_own.id).with_user(self.user_own)
        with self._refused("cannot enter the stage “Closed Won”: fill in Tag first"):
            deal.action_mark_won()
        with self._refused("cannot enter the stage “Closed Lost”: fill in Notes first"):
            deal.action_mark_lost(lost_reason_id=self.lost_reason.id)
        deal.write({"tag_ids": [Command.create({"name": "Hot"})], "description": "<p>Signed</p>"})
        deal.action_mark_won()
        self.assertEqual(deal.outcome, "won")

    def test_required_fields_are_stored_deal_fields(self):
        stage = self.stage_qualification.with_user(self.user_manager)
        for model, name in (("res.partner", "email"), ("deal.deal", "amount_quoted")):
            with self.subTest(field=name), self._refused("cannot be required"):
                self._require_field(stage, model, name)
        with self.assertRaises(AccessError):  # only administrators configure stages
            self._require(self.stage_qualification.with_user(self.user_all), "amount")

    def _require_field(self, stage, model, name):
        stage.required_field_ids = [Command.link(self.env["ir.model.fields"]._get(model, name).id)]
        stage.flush_recordset()


@tagged("post_install", "-at_install", "deal_sale")
class TestDealStageRequirementsSale(DealSaleCommon):
    def test_sending_a_quotation_never_fails_on_requirements(self):
        """A quotation sent for a deal lacking its close date: sent; the deal stays, and says why."""
        deal = self._create_deal(user_id=self.user_salesman.id, stage_id=self.stage_qualification.id)
        quotation = self._create_quotation(deal.with_user(self.user_salesman), user_id=self.user_salesman.id)
        quotation.with_user(self.user_salesman).action_quotation_sent()
        self.assertEqual(quotation.state, "sent")
        self.assertEqual(deal.stage_id, self.stage_qualification)
        self.assertIn("fill in Expected Close Date to move it to “Proposal Sent”", deal.message_ids[0].body)

        deal.expected_close_date = date(2030, 5, 1)
        quotation.with_user(self.user_salesman).action_confirm()
        self.assertEqual(quotation.state, "sale")
        self.assertEqual(deal.outcome, "won")

    def test_confirming_an_order_never_fails_on_requirements(self):
        """The won stage requires tags: the order is confirmed, the deal stays open and says why."""
        self.stage_won.required_field_ids = [Command.link(self.env["ir.model.fields"]._get("deal.deal", "tag_ids").id)]
        deal = self._create_deal(user_id=self.user_salesman.id)
        order = self._create_quotation(deal.with_user(self.user_salesman), user_id=self.user_salesman.id)
        order.with_user(self.user_salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(deal.outcome, "open")
        self.assertIn("but the deal stays open: fill in Tag to move it to “Closed Won”", deal.message_ids[0].body)
