from datetime import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users

from .common import CLOSE_DATE, DealCommon


@tagged("post_install", "-at_install")
class TestDeal(DealCommon):
    @users("deal_own")
    def test_new_deal_is_open_in_first_stage_of_default_pipeline(self):
        deal = self.env["deal.deal"].create({"name": "Website redesign", "partner_id": self.customer.id})
        self.assertEqual(deal.user_id, self.user_own)
        self.assertEqual(deal.company_id, self.company)
        self.assertEqual(deal.pipeline_id, self.pipeline)
        self.assertEqual(deal.stage_id, self.stage_new, "the first open stage of the pipeline")
        self.assertEqual(deal.outcome, "open")
        self.assertEqual(deal.probability, 10.0)
        self.assertEqual(deal.currency_id, self.company.currency_id)
        self.assertTrue(deal.active)
        self.assertTrue(deal.date_last_stage_update)
        self.assertFalse(deal.date_closed)
        self.assertFalse(deal.lost_reason_id)

    @users("deal_own")
    def test_form_probability_follows_stage_until_set_by_hand(self):
        with Form(self.env["deal.deal"]) as deal_form:
            deal_form.name = "Website redesign"
            deal_form.partner_id = self.customer
            deal_form.amount = 2000.0
            deal_form.expected_close_date = CLOSE_DATE
            self.assertEqual(deal_form.stage_id, self.stage_new)
            self.assertEqual(deal_form.probability, 10.0)
            deal_form.stage_id = self.stage_proposal
            self.assertEqual(deal_form.probability, 50.0, "the stage's probability while editing")
            deal_form.probability = 55.0
        deal = deal_form.record
        self.assertEqual((deal.stage_id, deal.probability, deal.amount_weighted), (self.stage_proposal, 55.0, 1100.0))

    @users("deal_own")
    def test_default_stage_follows_stage_order(self):
        self.stage_new.sudo().sequence = 10
        deal = self._create_deal()
        self.assertEqual(deal.stage_id, self.stage_qualification, "New now comes after Qualification")
        self.assertEqual(deal.probability, 20.0)

    @users("deal_own")
    def test_amounts_in_company_currency(self):
        deal = self._create_deal(amount=1000.0, probability=35.0)
        self.assertEqual(deal.amount_company, 1000.0)
        self.assertEqual(deal.amount_weighted, 350.0)
        deal.amount = 2000.0
        self.assertEqual(deal.amount_company, 2000.0)
        self.assertEqual(deal.amount_weighted, 700.0)

    # ------------------------------------------------------------------------------------------
    # Constraints: the database refuses a bad INSERT (the RPC layer shows the constraint's
    # message); a write hits the Python check first, with the same message.
    # ------------------------------------------------------------------------------------------

    def test_currency_defaults_to_the_deal_company(self):
        other = self.env["res.company"].create({"name": "Deals Other Co", "currency_id": self.env.ref("base.EUR").id})
        self.assertNotEqual(other.currency_id, self.env.company.currency_id)
        deal = self.env["deal.deal"].create({"name": "Abroad", "partner_id": self.customer.id, "company_id": other.id})
        self.assertEqual(deal.currency_id, other.currency_id)

    @users("deal_own")
    def test_negative_amount_is_refused(self):
        """Checked before SQL: a message naming the field, no SQL error in the server log."""
        message = "Wrong value for the field “Estimated Amount” (amount): %s. Give a number of 0 or more."
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            with self.assertRaises(ValidationError) as caught:
                self._create_deal(amount=-1.0)
            self.assertEqual(caught.exception.args[0], message % "-1.0")
            deal = self._create_deal(amount=0.0)
            with self.assertRaises(ValidationError) as caught:
                deal.amount = -0.01
            self.assertEqual(caught.exception.args[0], message % "-0.01")

    @users("deal_own")
    def test_probability_outside_0_to_100_is_refused(self):
        message = "Wrong value for the field “Probability (%%)” (probability): %s. Give a number between 0 and 100."
        deal = self._create_deal(probability=100.0)
        deal.probability = 0.0
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            for probability in (-0.5, 100.5):
                with self.subTest(probability=probability), self.assertRaises(ValidationError) as caught:
                    self._create_deal(probability=probability)
                self.assertEqual(caught.exception.args[0], message % probability)
                with self.subTest(probability=probability), self.assertRaises(ValidationError) as caught:
                    deal.probability = probability
                self.assertEqual(caught.exception.args[0], message % probability)

    @users("deal_own")
    def test_lost_stage_requires_lost_reason(self):
        message = "The deal “Website redesign” is in a lost stage: give it a lost reason (use the Lost button)."
        with self.assertRaises(ValidationError) as caught:
            self._create_deal(stage_id=self.stage_lost.id)
        self.assertEqual(caught.exception.args[0], message)
        deal = self._create_deal()
        with self.assertRaises(ValidationError) as caught:
            deal.stage_id = self.stage_lost
        self.assertEqual(caught.exception.args[0], message)
        deal.write({"stage_id": self.stage_lost.id, "lost_reason_id": self.lost_reason.id})
        self.assertEqual(deal.outcome, "lost")
        with self.assertRaises(ValidationError):
            deal.lost_reason_id = False

    # ------------------------------------------------------------------------------------------
    # Probability, closing date
    # ------------------------------------------------------------------------------------------

    @users("deal_own")
    def test_probability_default_and_override(self):
        deal = self._create_deal()
        self.assertEqual(deal.probability, 10.0)
        deal.probability = 35.0
        deal.write({"name": "Website redesign and hosting", "amount": 4000.0})
        self.assertEqual(deal.probability, 35.0, "other changes keep the probability set on the deal")
        self.assertEqual(deal.amount_weighted, 1400.0)
        deal.stage_id = self.stage_new
        self.assertEqual(deal.probability, 35.0, "writing the same stage again is no stage change")
        deal.stage_id = self.stage_qualification
        self.assertEqual(deal.probability, 20.0, "a stage change brings the stage's probability back")
        self.assertEqual(deal.amount_weighted, 800.0)
        deal.write({"stage_id": self.stage_proposal.id, "probability": 65.0, "expected_close_date": CLOSE_DATE})
        self.assertEqual(deal.probability, 65.0, "a probability written with the stage wins")

        created = self._create_deal(
            stage_id=self.stage_negotiation.id, expected_close_date=CLOSE_DATE, probability=90.0
        )
        self.assertEqual(created.probability, 90.0)

    @users("deal_own")
    def test_stage_probability_change_keeps_deals(self):
        deal = self._create_deal()
        self.stage_new.sudo().probability = 15.0
        self.assertEqual(deal.probability, 10.0, "a stage's default applies when a deal enters it")
        self.assertEqual(self._create_deal().probability, 15.0)

    @users("deal_own")
    def test_closing_date_set_when_closed_and_cleared_on_reopen(self):
        won_at, reopened_at, lost_at = datetime(2025, 3, 3, 9), datetime(2025, 3, 5, 9), datetime(2025, 3, 7, 9)
        deal = self._create_deal()
        with self._at(won_at):
            deal.action_mark_won()
            self.assertEqual(deal.date_closed, won_at)
        with self._at(reopened_at):
            deal.action_reopen()
            self.assertFalse(deal.date_closed)
        with self._at(lost_at):
            deal.action_mark_lost(lost_reason_id=self.lost_reason.id)
            self.assertEqual(deal.date_closed, lost_at)

        closed = self._create_deal(stage_id=self.stage_won.id)
        self.assertTrue(closed.date_closed, "a deal created in a won stage is closed at once")

    @users("deal_own")
    def test_stage_change_stamps_last_stage_update(self):
        created_at, edited_at, moved_at = datetime(2025, 3, 3, 9), datetime(2025, 3, 4, 9), datetime(2025, 3, 5, 9)
        with self._at(created_at):
            deal = self._create_deal()
            self._flush_tracking()
        self.assertEqual(deal.date_last_stage_update, created_at)
        with self._at(edited_at):
            deal.write({"stage_id": self.stage_new.id, "amount": 1500.0})
            self._flush_tracking()
        self.assertEqual(deal.date_last_stage_update, created_at)
        with self._at(moved_at):
            deal.stage_id = self.stage_qualification
            self._flush_tracking()
        self.assertEqual(deal.date_last_stage_update, moved_at)

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------

    @users("deal_own")
    def test_mark_won_moves_to_won_stage_once(self):
        deal = self._create_deal(probability=40.0)
        self.assertTrue(deal.action_mark_won())
        self.assertEqual(deal.stage_id, self.stage_won)
        self.assertEqual(deal.outcome, "won")
        self.assertEqual(deal.probability, 100.0)
        self.assertEqual(deal.amount_weighted, 1000.0)
        with self.assertRaises(UserError) as caught:
            deal.action_mark_won()
        self.assertEqual(caught.exception.args[0], "The deal “Website redesign” is already won.")

    @users("deal_own")
    def test_mark_lost_with_reason_moves_to_lost_stage_once(self):
        deals = self._create_deal() | self._create_deal(
            name="Intranet", stage_id=self.stage_negotiation.id, expected_close_date=CLOSE_DATE
        )
        self.assertTrue(deals.action_mark_lost(lost_reason_id=self.lost_reason.id))
        self.assertEqual(deals.stage_id, self.stage_lost)
        self.assertEqual(deals.lost_reason_id, self.lost_reason)
        self.assertEqual(deals.mapped("probability"), [0.0, 0.0])
        with self.assertRaises(UserError) as caught:
            deals[1].action_mark_lost(lost_reason_id=self.lost_reason.id)
        self.assertEqual(caught.exception.args[0], "The deal “Intranet” is already lost.")

    @users("deal_own")
    def test_mark_lost_refuses_unknown_reason(self):
        deal = self._create_deal()
        missing_id = self.env["deal.lost.reason"].sudo().search([], order="id desc", limit=1).id + 1
        for reason, message in (
            (missing_id, f"“Lost Reason” refers to a record that does not exist (deal.lost.reason id {missing_id})"),
            ("Too expensive", "“Lost Reason” (lost_reason_id): 'Too expensive'. Give the id of a record."),
        ):
            with self.subTest(reason=reason), self.assertRaises(ValidationError) as caught:
                deal.action_mark_lost(lost_reason_id=reason)
            self.assertIn(message, caught.exception.args[0])
        self.assertEqual(deal.outcome, "open")

    @users("deal_own")
    def test_mark_lost_without_reason_asks_for_it(self):
        deals = self._create_deal() | self._create_deal(
            name="Intranet", stage_id=self.stage_proposal.id, expected_close_date=CLOSE_DATE
        )
        action = deals.action_mark_lost()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["res_model"], "deal.lost.wizard")
        self.assertEqual(action["target"], "new")
        self.assertEqual(deals.mapped("outcome"), ["open", "open"], "nothing moves before a reason is given")

        wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(wizard_form.deal_ids.ids, deals.ids)
        wizard_form.lost_reason_id = self.lost_reason
        result = wizard_form.save().action_lost_confirm()
        self.assertEqual(result, {"type": "ir.actions.act_window_close"})
        self.assertEqual(deals.stage_id, self.stage_lost)
        self.assertEqual(deals.lost_reason_id, self.lost_reason)

    @users("deal_own")
    def test_reopen_returns_to_last_open_stage(self):
        deal = self._create_deal(expected_close_date=CLOSE_DATE)
        deal.stage_id = self.stage_negotiation
        deal.action_mark_lost(lost_reason_id=self.lost_reason.id)
        self.assertTrue(deal.action_reopen())
        self.assertEqual(deal.stage_id, self.stage_negotiation, "back to the last open stage")
        self.assertEqual(deal.outcome, "open")
        self.assertEqual(deal.probability, 75.0)
        self.assertFalse(deal.lost_reason_id)
        self.assertFalse(deal.date_closed)
        with self.assertRaises(UserError) as caught:
            deal.action_reopen()
        self.assertEqual(caught.exception.args[0], "The deal “Website redesign” is not closed.")

        won_at_once = self._create_deal(name="Intranet", stage_id=self.stage_won.id)
        won_at_once.action_reopen()
        self.assertEqual(won_at_once.stage_id, self.stage_new, "never open before: the first open stage")

    @users("deal_own")
    def test_closing_without_closing_stage_says_what_to_add(self):
        self.stage_won.sudo().active = False
        deal = self._create_deal()
        with self.assertRaises(UserError) as caught:
            deal.action_mark_won()
        self.assertEqual(
            caught.exception.args[0],
            "The pipeline “Sales” has no Won stage: add one in Configuration > Stages.",
        )
