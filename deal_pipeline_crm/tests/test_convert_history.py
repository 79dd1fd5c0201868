from datetime import datetime

from odoo.tests import tagged, users

from .common import DealCrmCommon

# an opportunity's life, two weeks a stage
CREATED = datetime(2025, 1, 6, 9, 0)
QUALIFIED = datetime(2025, 1, 20, 9, 0)
PROPOSED = datetime(2025, 2, 3, 9, 0)
CLOSED = datetime(2025, 2, 17, 15, 0)
CONVERTED = datetime(2025, 6, 2, 10, 0)


@tagged("post_install", "-at_install")
class TestConvertHistory(DealCrmCommon):
    """A converted opportunity's deal keeps its past: opened when the opportunity was created,
    closed when it was won or lost, its stays in its stages read from the stage tracking."""

    def _new_lead(self, name, **values):
        """An opportunity of the current user, created now (the test's time)."""
        lead = self.env["crm.lead"].create(
            {
                "type": "opportunity",
                "name": name,
                "partner_id": self.customer.id,
                "user_id": self.env.uid,
                "team_id": self.team_direct.id,
                "stage_id": self.crm_stage_new.id,
                "expected_revenue": 8000.0,
                "date_deadline": "2025-03-31",
            }
            | values
        )
        self._flush_tracking()
        return lead

    def _move(self, lead, moment, stage=None, lost=False, won=False):
        with self._at(moment):
            if stage:
                lead.stage_id = stage
            if won:
                lead.action_set_won()
            if lost:
                lead.action_set_lost(lost_reason_id=self.crm_reason_price.id)
            self._flush_tracking()

    def _live_opportunity(self, name, end="won"):
        """Created on CREATED in New, Qualified two weeks later, Proposition two weeks later, then
        won or lost (or left open) on CLOSED."""
        with self._at(CREATED):
            lead = self._new_lead(name)
        self._move(lead, QUALIFIED, stage=self.crm_stage_qualified)
        self._move(lead, PROPOSED, stage=self.crm_stage_proposition)
        if end != "open":
            self._move(lead, CLOSED, won=end == "won", lost=end == "lost")
        return lead

    def _convert(self, leads):
        with self._at(CONVERTED):
            leads.action_convert_to_deal()
            self._flush_tracking()
        deal = self._deals_of(leads)
        self.assertEqual(len(deal), len(leads))
        return deal

    def _stays(self, deal):
        """(stage, date_in, date_out, duration_days) of the deal's stays, oldest first, read as the
        deal's reader reads them."""
        return [
            (stay.stage_id, stay.date_in, stay.date_out, stay.duration_days)
            for stay in self.env["deal.stage.history"].search([("deal_id", "=", deal.id)], order="date_in, id")
        ]

    def _days(self, start, end):
        return (end - start).total_seconds() / 86400

    @users("crm_sara")
    def test_won_opportunity_keeps_its_past(self):
        lead = self._live_opportunity("Won in February")
        deal = self._convert(lead)
        self.assertEqual((deal.date_open, deal.date_closed), (CREATED, CLOSED))
        self.assertEqual(deal.stage_id, self.stage_won)
        # New, Qualified, Proposition: the 1st, 2nd and 3rd of the team's open CRM stages
        self.assertEqual(
            self._stays(deal),
            [
                (self.stage_new, CREATED, QUALIFIED, 14.0),
                (self.stage_qualification, QUALIFIED, PROPOSED, 14.0),
                (self.stage_proposal, PROPOSED, CLOSED, self._days(PROPOSED, CLOSED)),
                (self.stage_won, CLOSED, False, 0.0),
            ],
        )
        # the win report's sales cycle: calendar days from the opening to the closing
        report = self.env["deal.win.report"].search([("deal_id", "=", deal.id)])
        self.assertEqual(
            (report.date_open, report.date_closed, report.outcome, report.cycle_days),
            (CREATED.date(), CLOSED.date(), "won", (CLOSED.date() - CREATED.date()).days),
        )
        self.assertEqual(report.cycle_days, 42)
        body = deal.message_ids[0].body
        self.assertIn("History from the opportunity: opened on", body)
        self.assertIn("closed on", body)

    @users("crm_sara")
    def test_lost_opportunity_ends_in_the_lost_stage_from_its_loss(self):
        lead = self._live_opportunity("Lost in February", end="lost")
        deal = self._convert(lead)
        self.assertEqual((deal.stage_id, deal.lost_reason_id), (self.stage_lost, self.lost_reason))
        self.assertEqual((deal.date_open, deal.date_closed), (CREATED, CLOSED))
        self.assertEqual(
            self._stays(deal),
            [
                (self.stage_new, CREATED, QUALIFIED, 14.0),
                (self.stage_qualification, QUALIFIED, PROPOSED, 14.0),
                (self.stage_proposal, PROPOSED, CLOSED, self._days(PROPOSED, CLOSED)),
                (self.stage_lost, CLOSED, False, 0.0),
            ],
        )
        report = self.env["deal.win.report"].search([("deal_id", "=", deal.id)])
        self.assertEqual((report.outcome, report.cycle_days), ("lost", 42))

    @users("crm_sara")
    def test_open_opportunity_stays_in_its_stage_since_it_entered_it(self):
        lead = self._live_opportunity("Still open", end="open")
        deal = self._convert(lead)
        self.assertEqual((deal.date_open, deal.date_closed), (CREATED, False))
        self.assertEqual(
            self._stays(deal),
            [
                (self.stage_new, CREATED, QUALIFIED, 14.0),
                (self.stage_qualification, QUALIFIED, PROPOSED, 14.0),
                (self.stage_proposal, PROPOSED, False, 0.0),
            ],
        )
        self.assertNotIn("closed on", deal.message_ids[0].body)
        self.assertFalse(self.env["deal.win.report"].search([("deal_id", "=", deal.id)]))

    @users("crm_sara")
    def test_untracked_opportunity_stays_in_its_stage_since_its_creation(self):
        with self._at(CREATED):
            lead = self._new_lead("Moved without tracking")
        with self._at(QUALIFIED):
            lead.with_context(tracking_disable=True).stage_id = self.crm_stage_qualified
            self._flush_tracking()
        with self._at(CLOSED):
            lead.with_context(tracking_disable=True).action_set_lost(lost_reason_id=self.crm_reason_price.id)
            self._flush_tracking()
        deal = self._convert(lead)
        # nothing tells when it moved or was lost: one stay, in its current stage, since its creation
        self.assertEqual((deal.date_open, deal.date_closed), (CREATED, CREATED))
        self.assertEqual(self._stays(deal), [(self.stage_lost, CREATED, False, 0.0)])
        report = self.env["deal.win.report"].search([("deal_id", "=", deal.id)])
        self.assertEqual(report.cycle_days, 0)

    @users("crm_sara")
    def test_crm_stages_of_one_deal_stage_make_one_stay(self):
        """Five open CRM stages on four open deal stages: New and Onboarding (the 2nd of 5) both
        stand for New, and the opportunity's time in them is one stay."""
        onboarding, _quote = (
            self.env["crm.stage"]
            .sudo()
            .create([{"name": "Onboarding", "sequence": 1}, {"name": "Quote", "sequence": 2}])
        )
        with self._at(CREATED):
            lead = self._new_lead("Five stages")
        self._move(lead, datetime(2025, 1, 13, 9, 0), stage=onboarding)
        self._move(lead, QUALIFIED, stage=self.crm_stage_qualified)  # the 3rd of 5: Qualification
        self._move(lead, CLOSED, won=True)
        deal = self._convert(lead)
        self.assertEqual(
            self._stays(deal),
            [
                (self.stage_new, CREATED, QUALIFIED, 14.0),
                (self.stage_qualification, QUALIFIED, CLOSED, self._days(QUALIFIED, CLOSED)),
                (self.stage_won, CLOSED, False, 0.0),
            ],
        )

    @users("crm_sara")
    def test_salesman_cannot_give_the_deal_another_past(self):
        lead = self._live_opportunity("Forged", end="won")
        # over the API a salesperson writes CRM's closing date and the date of the stage messages...
        forged = datetime(2019, 1, 1)
        lead.date_closed = forged
        lead.date_last_stage_update = forged
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "crm.lead"), ("res_id", "=", lead.id), ("tracking_value_ids", "!=", False)])
            .with_env(self.env)
        )
        self.assertEqual(len(messages), 3)
        messages.write({"date": forged})
        self.env.invalidate_all()
        self.assertEqual(lead.date_closed, forged)
        self.assertEqual(set(messages.mapped("date")), {forged})
        # ... and asks the deals' dates as defaults of the conversion
        lead = lead.with_context(default_date_open=forged, default_date_closed=forged)
        deal = self._convert(lead)
        # none of it reaches the deal: only the creation and the tracking values are read
        self.assertEqual((deal.date_open, deal.date_closed), (CREATED, CLOSED))
        self.assertEqual([stay[1] for stay in self._stays(deal)], [CREATED, QUALIFIED, PROPOSED, CLOSED])
