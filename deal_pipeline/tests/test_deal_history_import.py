import csv
import io
from datetime import date, datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, mute_logger, new_test_user, tagged, users

from .common import DealCommon
from .test_deal_import import IMPORT_OPTIONS

OPENED = datetime(2025, 3, 3, 9, 0)
CLOSED = datetime(2025, 4, 14, 15, 30)
PIPEDRIVE_HEADERS = [
    "Deal - Title",
    "Deal - Organization",
    "Deal - Stage",
    "Deal - Lost reason",
    "Deal - Deal created",
    "Deal - Won time",
    "Deal - Lost time",
]


@tagged("post_install", "-at_install")
class TestDealHistoryImport(DealCommon):
    """A deals administrator gives the opening and closing dates of the deals he creates (imports);
    their stage history follows those dates."""

    def _stays(self, deal):
        return [
            (stay.stage_id, stay.date_in, stay.date_out)
            for stay in self.env["deal.stage.history"].sudo().search([("deal_id", "=", deal.id)], order="date_in, id")
        ]

    @users("deal_manager")
    def test_a_deal_created_won_keeps_its_dates_and_history(self):
        deal = self._create_deal(stage_id=self.stage_won.id, date_open=OPENED, date_closed=CLOSED)
        self.assertEqual((deal.date_open, deal.date_closed, deal.outcome), (OPENED, CLOSED, "won"))
        self.assertEqual(self._stays(deal), [(self.stage_new, OPENED, CLOSED), (self.stage_won, CLOSED, False)])
        self.assertAlmostEqual(deal.stage_history_ids.sorted("date_in")[0].duration_days, 42.27, places=2)
        self.assertIn("History imported", deal.message_ids[0].body)
        opened = self._create_deal(date_open=OPENED)
        self.assertEqual(self._stays(opened), [(self.stage_new, OPENED, False)])

    @users("deal_manager")
    def test_nobody_changes_the_dates_afterwards(self):
        deal = self._create_deal(stage_id=self.stage_won.id, date_open=OPENED, date_closed=CLOSED)
        for vals in ({"date_open": OPENED - timedelta(days=1)}, {"date_closed": CLOSED + timedelta(days=1)}):
            with self.assertRaisesRegex(UserError, next(iter(vals))):
                deal.write(vals)
        self.assertEqual((deal.date_open, deal.date_closed), (OPENED, CLOSED))

    @users("deal_manager")
    def test_wrong_dates_are_refused(self):
        future = datetime.now() + timedelta(days=2)
        for values, field in [
            ({"date_open": future}, "date_open"),
            ({"stage_id": self.stage_won.id, "date_open": OPENED, "date_closed": future}, "date_closed"),
            ({"stage_id": self.stage_won.id, "date_open": CLOSED, "date_closed": OPENED}, "date_closed"),
            ({"stage_id": self.stage_won.id, "date_open": OPENED}, "date_closed"),
            ({"date_open": OPENED, "date_closed": CLOSED}, "date_closed"),
        ]:
            with self.subTest(values=values), self.assertRaisesRegex(UserError, rf"\({field}\)"):
                self._create_deal(**values)

    def _import(self, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(PIPEDRIVE_HEADERS)
        writer.writerows(rows)
        importer = self.env["base_import.import"].create(
            {
                "res_model": "deal.deal",
                "file": buffer.getvalue().encode(),
                "file_type": "text/csv",
                "file_name": "p.csv",
            }
        )
        preview = importer.parse_preview(dict(IMPORT_OPTIONS))
        fields = ["/".join(preview["matches"][index]) for index in range(len(PIPEDRIVE_HEADERS))]
        self.assertEqual(
            fields, ["name", "partner_id", "stage_id", "lost_reason_id", "date_open", "date_closed", "date_closed"]
        )
        return importer.execute_import(fields, PIPEDRIVE_HEADERS, dict(IMPORT_OPTIONS))

    def _row(self, i, stage="Won", created="2025-01-10 08:00:00", won="", lost=""):
        reason = self.lost_reason.name if stage == "Lost" else ""
        return [f"History deal {i:03d}", self.customer.name, stage, reason, created, won, lost]

    @users("deal_manager")
    def test_import_of_a_pipedrive_export_keeps_the_history(self):
        rows = [
            self._row(0, "Won", won="2025-02-20 10:00:00"),
            self._row(1, "Lost", lost="2025-03-01 12:00:00"),
            self._row(2, "Qualified"),
        ]
        result = self._import(rows)
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        won, lost, still_open = self.env["deal.deal"].browse(result["ids"])
        self.assertEqual(
            self._stays(won),
            [(self.stage_new, datetime(2025, 1, 10, 8)), (self.stage_won, datetime(2025, 2, 20, 10))]
            and [
                (self.stage_new, datetime(2025, 1, 10, 8), datetime(2025, 2, 20, 10)),
                (self.stage_won, datetime(2025, 2, 20, 10), False),
            ],
        )
        self.assertEqual(lost.date_closed, datetime(2025, 3, 1, 12), "the lost time, the won time being empty")
        self.assertEqual(self._stays(lost)[-1], (self.stage_lost, datetime(2025, 3, 1, 12), False))
        self.assertEqual(self._stays(still_open), [(self.stage_qualification, datetime(2025, 1, 10, 8), False)])

    @users("deal_manager")
    def test_import_refuses_wrong_rows_on_their_row_and_stores_nothing(self):
        future = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
        rows = [self._row(i, "Won", won="2025-02-20 10:00:00") for i in range(12)]
        bad = {
            2: (self._row(2, "Won", created="2025-03-01 08:00:00", won="2025-02-20 10:00:00"), "date_closed"),
            5: (self._row(5, "Won"), "date_closed"),
            7: (self._row(7, "Won", created=future, won=future), "date_open"),
            9: (self._row(9, "Imaginary stage"), "Stage"),
        }
        for index, (row, _field) in bad.items():
            rows[index] = row
        result = self._import(rows)
        self.assertFalse(result["ids"])
        errors = {m["record"]: m for m in result["messages"] if m["type"] == "error"}
        self.assertEqual(sorted(errors), sorted(bad))
        for index, (_row, field) in bad.items():
            self.assertEqual(errors[index]["rows"], {"from": index, "to": index})
            self.assertIn(field, errors[index]["message"])
        self.assertFalse(self.env["deal.deal"].search_count([("name", "=like", "History deal %")]))
        self.assertFalse(self.env["deal.stage.history"].search_count([("deal_id.name", "=like", "History deal %")]))

    @users("deal_manager", "deal_own")
    def test_an_empty_opening_date_opens_the_deal_at_its_creation(self):
        """An export's open deal without opening date (an empty cell) opens when it is created; a
        salesman whose file has empty date columns gives no date and is not refused."""
        result = self._import([self._row(0, "Qualified", created="")])
        self.assertFalse(result["messages"])
        deal = self.env["deal.deal"].browse(result["ids"])
        self.assertEqual((deal.date_open, deal.date_closed), (deal.create_date, False))
        self.assertEqual(self._stays(deal), [(self.stage_qualification, deal.create_date, False)])

    @users("deal_manager")
    def test_dates_without_time_are_the_days_of_the_administrator_and_of_the_reports(self):
        """A CRM export with dates only (M/D/YYYY), imported by an administrator in Rome: each date
        is his midnight (22:00 or 23:00 UTC the day before), and the reports, read in Rome, show
        the days of the file, their quarters and the days between them."""
        rome = {"tz": "Europe/Rome"}
        headers = ["Deal", "Customer", "Stage", "Lost Reason", "Opened On", "Closed On"]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(
            [
                headers,
                ["Rome won", self.customer.name, "Won", "", "10/1/2024", "4/1/2025"],
                ["Rome lost", self.customer.name, "Lost", self.lost_reason.name, "1/1/2025", "3/31/2025"],
            ]
        )
        importer = (
            self.env["base_import.import"]
            .with_context(**rome)
            .create({"res_model": "deal.deal", "file": buffer.getvalue().encode(), "file_type": "text/csv"})
        )
        result = importer.execute_import(
            ["name", "partner_id", "stage_id", "lost_reason_id", "date_open", "date_closed"],
            headers,
            dict(IMPORT_OPTIONS, date_format="%m/%d/%Y"),
        )
        self.assertFalse(result["messages"])
        won, lost = self.env["deal.deal"].browse(result["ids"])
        self.assertEqual((won.date_open, won.date_closed), (datetime(2024, 9, 30, 22), datetime(2025, 3, 31, 22)))
        self.assertEqual((lost.date_open, lost.date_closed), (datetime(2024, 12, 31, 23), datetime(2025, 3, 30, 22)))
        deals = [("deal_id", "in", result["ids"])]
        win = self.env["deal.win.report"].with_context(**rome)
        self.assertEqual(
            {row.deal_id: (row.date_open, row.date_closed, row.cycle_days) for row in win.search(deals)},
            {won: (date(2024, 10, 1), date(2025, 4, 1), 182), lost: (date(2025, 1, 1), date(2025, 3, 31), 89)},
        )
        quarters = win.formatted_read_group(deals, ["date_closed:quarter"], ["won_count:sum", "lost_count:sum"])
        self.assertEqual(
            [(group["date_closed:quarter"][1], group["won_count:sum"], group["lost_count:sum"]) for group in quarters],
            [("Q1 2025", 0, 1), ("Q2 2025", 1, 0)],
        )
        velocity = self.env["deal.velocity.report"].with_context(**rome).search(deals)
        self.assertEqual(
            {row.deal_id: row.date_closed for row in velocity}, {won: date(2025, 4, 1), lost: date(2025, 3, 31)}
        )
        funnel = (
            self.env["deal.funnel.report"].with_context(**rome).search([*deals, ("stage_id", "=", self.stage_new.id)])
        )
        self.assertEqual({row.deal_id: row.date_in for row in funnel}, {won: date(2024, 10, 1), lost: date(2025, 1, 1)})


@tagged("post_install", "-at_install")
class TestDealHistoryApi(HttpCase):
    """Over /json/2 as a salesman: the dates are refused, naming the field."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, login="history_salesman", groups="sales_team.group_sale_salesman")
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.salesman)
            ._generate(scope="rpc", name="history", expiration_date=datetime.now() + timedelta(days=1))
        )
        cls.customer = cls.env["res.partner"].create({"name": "History Customer", "is_company": True})

    def test_a_salesman_cannot_give_the_dates(self):
        won = self.env.ref("deal_pipeline.stage_won")
        for vals, field in (
            ({"date_open": "2025-01-10 08:00:00"}, "date_open"),
            ({"stage_id": won.id, "date_closed": "2025-01-10 08:00:00"}, "date_closed"),
        ):
            with mute_logger("odoo.http"):
                response = self.url_open(
                    "/json/2/deal.deal/create",
                    json={"vals_list": [{"name": "Backdated", "partner_id": self.customer.id} | vals]},
                    headers={"Authorization": f"Bearer {self.key}"},
                )
            self.assertEqual(response.status_code, 403, response.text)
            self.assertIn(f"({field})", response.json()["message"])
        self.assertFalse(self.env["deal.deal"].search_count([("name", "=", "Backdated")]))

    def test_a_salesman_cannot_give_the_dates_as_defaults(self):
        """The context's defaults give the dates too: refused to a salesman as the values are."""
        won = self.env.ref("deal_pipeline.stage_won")
        for context, field in (
            ({"default_date_open": "2025-01-10 08:00:00"}, "date_open"),
            ({"default_stage_id": won.id, "default_date_closed": "2025-01-10 08:00:00"}, "date_closed"),
        ):
            with mute_logger("odoo.http"):
                response = self.url_open(
                    "/json/2/deal.deal/create",
                    json={
                        "vals_list": [{"name": "Backdated by default", "partner_id": self.customer.id}],
                        "context": context,
                    },
                    headers={"Authorization": f"Bearer {self.key}"},
                )
            self.assertEqual(response.status_code, 403, response.text)
            self.assertIn(f"({field})", response.json()["message"])
        self.assertFalse(self.env["deal.deal"].search_count([("name", "=", "Backdated by default")]))
