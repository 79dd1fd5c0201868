from datetime import date, datetime
from unittest.mock import patch

from lxml import etree

from odoo.addons.deal_pipeline.models.deal_revision import DealRevision
from odoo.exceptions import AccessError
from odoo.tests import tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestDealRevision(DealCommon):
    def _revisions(self, deals):
        return (
            self.env["deal.revision"]
            .sudo()
            .search([("deal_id", "in", deals.ids)], order="id")
            .read(["deal_id", "field_name", "old_amount", "new_amount", "old_date", "new_date", "user_id"], load=None)
        )

    @users("deal_own")
    def test_create_keeps_the_first_values(self):
        deal = self._create_deal(amount=1500.0, expected_close_date=date(2030, 3, 1))
        no_values = self._create_deal(amount=0.0)
        self.assertEqual(
            [
                (rev["field_name"], rev["old_date"], rev["new_date"], rev["old_amount"], rev["new_amount"])
                for rev in self._revisions(deal)
            ],
            [("expected_close_date", False, date(2030, 3, 1), 0.0, 0.0), ("amount", False, False, 0.0, 1500.0)],
        )
        self.assertEqual({rev["user_id"] for rev in self._revisions(deal)}, {self.user_own.id})
        self.assertFalse(self._revisions(no_values))
        self.assertRecordValues(
            deal,
            [
                {
                    "first_amount": 1500.0,
                    "first_close_date": date(2030, 3, 1),
                    "close_date_push_count": 0,
                    "close_date_slip_days": 0,
                }
            ],
        )

    @users("deal_own")
    def test_write_keeps_changes_of_date_and_amount_only(self):
        deal = self._create_deal(amount=1000.0, expected_close_date=date(2030, 3, 1))
        created = len(self._revisions(deal))
        deal.write({"name": "Renamed", "probability": 35.0, "priority": "2", "description": "<p>Notes</p>"})
        deal.write({"amount": 1000.0, "expected_close_date": date(2030, 3, 1)})  # same values: no change
        self.assertEqual(len(self._revisions(deal)), created)

        deal.write({"amount": 1200.0, "expected_close_date": date(2030, 4, 10)})
        deal.expected_close_date = date(2030, 4, 1)
        changes = self._revisions(deal)[created:]
        self.assertEqual(
            [
                (rev["field_name"], rev["old_date"], rev["new_date"], rev["old_amount"], rev["new_amount"])
                for rev in changes
            ],
            [
                ("expected_close_date", date(2030, 3, 1), date(2030, 4, 10), 0.0, 0.0),
                ("amount", False, False, 1000.0, 1200.0),
                ("expected_close_date", date(2030, 4, 10), date(2030, 4, 1), 0.0, 0.0),
            ],
        )
        # pushed once by 40 days, then pulled in: a pull does not count
        self.assertRecordValues(
            deal,
            [
                {
                    "amount": 1200.0,
                    "first_amount": 1000.0,
                    "first_close_date": date(2030, 3, 1),
                    "close_date_push_count": 1,
                    "close_date_slip_days": 40,
                }
            ],
        )

    @users("deal_all")
    @users("deal_own")
    def test_old_and_new_values_shown_in_the_user_language(self):
        """The history shows each change's old and new value in one column each (a card per
        change on a phone), as the user's language writes dates and amounts."""
        deal = self._create_deal(expected_close_date=date(2030, 1, 15))
        deal.write({"expected_close_date": date(2030, 2, 26), "amount": 1500.0})
        latest = deal.revision_ids.sorted("id")[-2:]
        self.assertEqual(
            {(revision.field_name, revision.old_value, revision.new_value) for revision in latest},
            {("expected_close_date", "01/15/2030", "02/26/2030"), ("amount", "$\xa01,000.00", "$\xa01,500.00")},
        )
        self.env["res.lang"].sudo()._activate_lang("it_IT")
        italian = latest.with_context(lang="it_IT")
        self.assertEqual(
            {(revision.old_value, revision.new_value) for revision in italian},
            {("15/01/2030", "26/02/2030"), ("$\xa01.000,00", "$\xa01.500,00")},
        )
        arch = etree.fromstring(self.env["deal.revision"].get_view(view_type="kanban")["arch"])
        self.assertEqual(
            {node.get("name") for node in arch.iter("field")},
            {"field_name", "date", "old_value", "new_value", "days_pushed", "user_id"},
        )

    def test_batch_write_is_one_log(self):
        deals = self.env["deal.deal"].create(
            [
                {"name": f"Deal {index}", "partner_id": self.customer.id, "amount": 100.0 * index}
                for index in range(1, 6)
            ]
        )
        with patch.object(DealRevision, "_log", autospec=True, side_effect=DealRevision._log) as log:
            deals.write({"expected_close_date": date(2030, 6, 30), "amount": 700.0})
        self.assertEqual(log.call_count, 1)
        self.assertEqual(len(log.call_args.args[1]), 10)
        self.assertEqual(deals.mapped("first_amount"), [100.0, 200.0, 300.0, 400.0, 500.0])
        self.assertEqual(deals.mapped("first_close_date"), [date(2030, 6, 30)] * 5)
        self.assertEqual(len(deals.revision_ids), 15)

    @users("deal_own")
    def test_slipping_deals(self):
        """Slipping: pushed at least twice, or by 30 days or more in total."""
        with self._at(datetime(2030, 1, 5, 9)):
            twice = self._create_deal(name="Twice", expected_close_date=date(2030, 2, 1))
            far = self._create_deal(name="Far", expected_close_date=date(2030, 2, 1))
            once = self._create_deal(name="Once", expected_close_date=date(2030, 2, 1))
            pulled = self._create_deal(name="Pulled", expected_close_date=date(2030, 2, 1))
            set_late = self._create_deal(name="Set late")
        with self._at(datetime(2030, 1, 20, 9)):
            (twice | once).expected_close_date = date(2030, 2, 10)
            far.expected_close_date = date(2030, 3, 3)
            pulled.expected_close_date = date(2030, 1, 25)
            set_late.expected_close_date = date(2030, 6, 1)
        with self._at(datetime(2030, 2, 1, 9)):
            twice.expected_close_date = date(2030, 2, 15)
            pulled.expected_close_date = date(2030, 2, 20)
        self.assertEqual(
            [(deal.close_date_push_count, deal.close_date_slip_days) for deal in (twice, far, once, pulled, set_late)],
            [(2, 14), (1, 30), (1, 9), (1, 26), (0, 0)],
        )
        self.assertEqual(pulled.first_close_date, date(2030, 2, 1))
        self.assertEqual(set_late.first_close_date, date(2030, 6, 1))
        arch = etree.fromstring(self.env.ref("deal_pipeline.deal_deal_view_search").sudo().arch)
        slipping_domain = safe_eval(arch.xpath("//filter[@name='slipping']")[0].get("domain"))
        deals = twice | far | once | pulled | set_late
        slipping = self.env["deal.deal"].search([("id", "in", deals.ids), *slipping_domain])
        self.assertEqual(slipping, twice | far)
        # the history, latest first: two pushes, then the creation (close date and amount)
        history = twice.revision_ids.sorted()
        self.assertEqual(
            [(revision.date, revision.field_name) for revision in history],
            [
                (datetime(2030, 2, 1, 9), "expected_close_date"),
                (datetime(2030, 1, 20, 9), "expected_close_date"),
                (datetime(2030, 1, 5, 9), "amount"),
                (datetime(2030, 1, 5, 9), "expected_close_date"),
            ],
        )

    def test_revisions_follow_the_deal_rules(self):
        mine = self._create_deal(name="Mine", user_id=self.user_own.id, amount=10.0)
        followed = self._create_deal(name="Followed", user_id=self.user_all.id, amount=20.0)
        followed.message_subscribe(partner_ids=self.user_own.partner_id.ids)
        other = self._create_deal(name="Other", user_id=self.user_all.id, amount=30.0)
        Revision = self.env["deal.revision"].with_user(self.user_own)
        self.assertEqual(Revision.search([]).deal_id, mine | followed)
        with self.assertRaises(AccessError):
            Revision.browse(other.revision_ids.ids).read(["new_amount"])
        self.assertEqual(
            self.env["deal.revision"].with_user(self.user_all).search_count([("deal_id", "=", other.id)]), 1
        )

    def test_nobody_writes_revisions_over_the_api(self):
        deal = self._create_deal(user_id=self.user_own.id, amount=10.0)
        for user in (self.user_own, self.user_all, self.user_manager):
            revision = deal.revision_ids.with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    revision.write({"new_amount": 99.0})
                with self.assertRaises(AccessError):
                    revision.unlink()
                with self.assertRaises(AccessError):
                    revision.create({"deal_id": deal.id, "field_name": "amount", "new_amount": 1.0})

    def test_forecast_accuracy_per_owner(self):
        with self._at(datetime(2030, 1, 5, 9)):
            deal = self._create_deal(user_id=self.user_own.id, amount=1000.0, expected_close_date=date(2030, 2, 1))
            on_time = self._create_deal(user_id=self.user_all.id, amount=500.0, expected_close_date=date(2030, 3, 1))
        with self._at(datetime(2030, 2, 20, 9)):
            deal.write({"amount": 1300.0, "expected_close_date": date(2030, 2, 28)})
        with self._at(datetime(2030, 3, 1, 9)):
            (deal | on_time).action_mark_won()
            self.env.flush_all()
        report = self.env["deal.forecast.accuracy.report"].with_user(self.user_manager)
        self.assertRecordValues(
            report.search([("deal_id", "in", (deal | on_time).ids)], order="id"),
            [
                {
                    "deal_id": deal.id,
                    "user_id": self.user_own.id,
                    "first_close_date": date(2030, 2, 1),
                    "date_closed": date(2030, 3, 1),
                    "days_late": 28,
                    "close_date_push_count": 1,
                    "first_amount": 1000.0,
                    "won_amount": 1300.0,
                    "amount_difference": 300.0,
                },
                {
                    "deal_id": on_time.id,
                    "user_id": self.user_all.id,
                    "first_close_date": date(2030, 3, 1),
                    "date_closed": date(2030, 3, 1),
                    "days_late": 0,
                    "close_date_push_count": 0,
                    "first_amount": 500.0,
                    "won_amount": 500.0,
                    "amount_difference": 0.0,
                },
            ],
        )
        with self.assertRaises(AccessError):
            self.env["deal.forecast.accuracy.report"].with_user(self.user_all).search([])
