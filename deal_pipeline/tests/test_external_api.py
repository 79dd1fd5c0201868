import ast
import contextlib
import io
import os
import re
import runpy
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, mute_logger, new_test_user, tagged

UNKNOWN_ID = 999_999_999
SNAPSHOT_FIELDS = [
    "name",
    "partner_id",
    "user_id",
    "company_id",
    "pipeline_id",
    "stage_id",
    "outcome",
    "probability",
    "lost_reason_id",
    "expected_close_date",
    "currency_id",
    "amount",
    "amount_company",
    "amount_weighted",
    "active",
]


@tagged("post_install", "-at_install")
class TestExternalApi(HttpCase):
    """Bad input sent the way integrators send it: JSON over HTTP to /json/2/<model>/<method>
    with an API key. Each call must end in a clear Odoo error, with the database unchanged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Deal Company B"})
        cls.customer = cls.env["res.partner"].create({"name": "Azure Interior API", "is_company": True})
        cls.pipeline = cls.env.ref("deal_pipeline.pipeline_sales")
        cls.other_pipeline = cls.env["deal.pipeline"].create({"name": "Partners"})
        cls.stage_of_other_pipeline = cls.env["deal.stage"].create(
            {"name": "Partner review", "pipeline_ids": [Command.link(cls.other_pipeline.id)]}
        )
        cls.api_manager = new_test_user(
            cls.env,
            login="deal_api_manager",
            groups="deal_pipeline.group_deal_manager,account.group_account_invoice",
            company_ids=[Command.set((cls.env.company + cls.company_b).ids)],
        )
        cls.api_own = new_test_user(cls.env, login="deal_api_own", groups="deal_pipeline.group_deal_user_own")
        cls.api_salesman = new_test_user(cls.env, login="deal_api_salesman", groups="sales_team.group_sale_salesman")
        cls.portal_user = new_test_user(cls.env, login="deal_api_portal", groups="base.group_portal")
        cls.keys = {
            user: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(scope="rpc", name="integration", expiration_date=datetime.now() + timedelta(days=1))
            for user in (cls.api_manager, cls.api_own, cls.api_salesman)
        }
        Deal = cls.env["deal.deal"].with_context(tracking_disable=True)
        cls.deal = Deal.create(
            {"name": "Website redesign", "partner_id": cls.customer.id, "amount": 1000.0, "user_id": cls.api_manager.id}
        )
        cls.won_deal = Deal.create({"name": "Support contract", "partner_id": cls.customer.id, "amount": 500.0})
        cls.won_deal.action_mark_won()
        cls.deal_b = Deal.create(
            {"name": "Deal of B", "partner_id": cls.customer.id, "company_id": cls.company_b.id, "user_id": False}
        )
        cls.invoice = cls.env["account.move"].create({"move_type": "out_invoice", "partner_id": cls.customer.id})

    def _call(self, user, model, method, **params):
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/json/2/{model}/{method}",
                json=params,
                headers={"Authorization": f"Bearer {self.keys[user]}"},
            )
        return response, response.json()

    def _snapshot(self):
        self.env.invalidate_all()
        deals = self.env["deal.deal"].with_context(active_test=False).search([], order="id")
        return {
            "deals": deals.read(SNAPSHOT_FIELDS),
            "messages": self.env["mail.message"].search_count([("model", "=", "deal.deal")]),
            "invoice deal": self.invoice.deal_id,
            "orders": self.env["sale.order"].search_count([]),
            "tags": self.env["deal.tag"].search_count([]),
        }

    def test_bad_input_is_refused_and_nothing_is_written(self):
        deal, manager = self.deal, self.api_manager
        valid = {"name": "New deal", "partner_id": self.customer.id}
        lost_stage = self.env.ref("deal_pipeline.stage_lost")
        denied = "doesn't have '%s' access to:\n- Deal \\(deal.deal\\)"
        # (label, user, model, method, params, error, status, message regex)
        cases = [
            ("negative amount (create)", manager, "deal.deal", "create",
             {"vals_list": [valid | {"amount": -5}]}, "ValidationError", 422,
             r"“Estimated Amount” \(amount\): -5. Give a number of 0 or more."),
            ("negative amount (write)", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"amount": -5}}, "ValidationError", 422,
             r"“Estimated Amount” \(amount\): -5. Give a number of 0 or more."),
            ("non-numeric amount", manager, "deal.deal", "create",
             {"vals_list": [valid | {"amount": "a lot"}]}, "ValidationError", 422,
             "Wrong value for the field “Estimated Amount” \\(amount\\): 'a lot'. Give a number."),
            ("unknown currency", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"currency_id": UNKNOWN_ID}}, "ValidationError", 422,
             rf"“Currency” refers to a record that does not exist \(res.currency id {UNKNOWN_ID}\)"),
            ("unknown stage", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"stage_id": UNKNOWN_ID}}, "ValidationError", 422,
             rf"“Stage” refers to a record that does not exist \(deal.stage id {UNKNOWN_ID}\)"),
            ("unknown pipeline", manager, "deal.deal", "create",
             {"vals_list": [valid | {"pipeline_id": UNKNOWN_ID}]}, "ValidationError", 422,
             rf"“Pipeline” refers to a record that does not exist \(deal.pipeline id {UNKNOWN_ID}\)"),
            ("unknown partner", manager, "deal.deal", "create",
             {"vals_list": [valid | {"partner_id": UNKNOWN_ID}]}, "ValidationError", 422,
             rf"“Customer” refers to a record that does not exist \(res.partner id {UNKNOWN_ID}\)"),
            ("unknown user", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"user_id": UNKNOWN_ID}}, "ValidationError", 422,
             rf"“Owner” refers to a record that does not exist \(res.users id {UNKNOWN_ID}\)"),
            ("stage of another pipeline", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"stage_id": self.stage_of_other_pipeline.id}}, "ValidationError", 422,
             "The stage “Partner review” is not used by the pipeline “Sales”"),
            ("lost stage without reason", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"stage_id": lost_stage.id}}, "ValidationError", 422,
             "is in a lost stage: give it a lost reason"),
            ("won deal won again", manager, "deal.deal", "action_mark_won",
             {"ids": self.won_deal.ids}, "UserError", 422, "The deal “Support contract” is already won."),
            ("probability 150 (write)", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"probability": 150}}, "ValidationError", 422, "between 0 and 100"),
            ("probability 150 (create)", manager, "deal.deal", "create",
             {"vals_list": [valid | {"probability": 150}]}, "ValidationError", 422, "between 0 and 100"),
            ("date in a wrong format", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"expected_close_date": "31/12/2025"}}, "ValidationError", 422,
             "“Expected Close Date” \\(expected_close_date\\): '31/12/2025'. Give a date as YYYY-MM-DD."),
            ("amount in company currency (write)", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"amount_company": 1}}, "UserError", 422,
             "“Estimated Amount \\(Company Currency\\)” \\(amount_company\\) is computed and cannot be written"),
            ("weighted amount (write)", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"amount_weighted": 1}}, "UserError", 422,
             "“Weighted Amount” \\(amount_weighted\\) is computed and cannot be written"),
            ("amount in company currency (create)", manager, "deal.deal", "create",
             {"vals_list": [valid | {"amount_company": 1}]}, "UserError", 422, "is computed and cannot be written"),
            ("outcome (write)", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"outcome": "won"}}, "UserError", 422,
             r"“Outcome” \(outcome\) is computed and cannot be written"),
            ("last open stage (write)", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"last_open_stage_id": lost_stage.id}}, "UserError", 422,
             r"\(last_open_stage_id\) is computed and cannot be written"),
            ("closing date (copy)", manager, "deal.deal", "copy",
             {"ids": deal.ids, "default": {"date_closed": "2020-01-01 00:00:00"}}, "ValidationError", 422,
             r"\(date_closed\) is given for a deal in an open stage"),
            ("list as name", manager, "deal.deal", "create",
             {"vals_list": [valid | {"name": ["a", "b"]}]}, "ValidationError", 422,
             r"“Deal” \(name\): \['a', 'b'\]. Give a text."),
            ("name_create with a dict", manager, "deal.deal", "name_create",
             {"name": {"a": 1}}, "ValidationError", 422, r"“Deal” \(name\): \{'a': 1\}. Give a text."),
            ("huge amount", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"amount": 1e308}}, "ValidationError", 422,
             r"\(amount\): 1e\+308. Give a number between -1,000,000,000,000 and 1,000,000,000,000."),
            ("lost reason True", manager, "deal.deal", "action_mark_lost",
             {"ids": deal.ids, "lost_reason_id": True}, "ValidationError", 422,
             r"“Lost Reason” \(lost_reason_id\): True. Give the id of a record."),
            ("unknown tag", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"tag_ids": [[4, UNKNOWN_ID]]}}, "ValidationError", 422,
             rf"“Tag” refers to a record that does not exist \(deal.tag id {UNKNOWN_ID}\)"),
            ("unknown default pipeline", manager, "deal.deal", "create",
             {"vals_list": [valid], "context": {"default_pipeline_id": UNKNOWN_ID}}, "ValidationError", 422,
             rf"“Pipeline” refers to a record that does not exist \(deal.pipeline id {UNKNOWN_ID}\)"),
            ("portal owner", manager, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"user_id": self.portal_user.id}}, "ValidationError", 422,
             r"“Owner” \(user_id\): .* is a portal or public user"),
            ("nested tag with a list as name", manager, "deal.deal", "web_save",
             {"ids": deal.ids, "vals": {"tag_ids": [[0, 0, {"name": ["x"]}]]}, "specification": {}},
             "ValidationError", 422, r"“Tag Name” \(name\): \['x'\]. Give a text."),
            ("quotation linked to a hidden deal", self.api_salesman, "sale.order", "create",
             {"vals_list": [{"partner_id": self.customer.id, "deal_id": deal.id}]}, "AccessError", 403,
             r"“Deal” \(deal_id\) refers to a deal you are not allowed to see"),
            ("invoice linked to a hidden deal", self.api_salesman, "account.move", "write",
             {"ids": self.invoice.ids, "vals": {"deal_id": deal.id}}, "AccessError", 403,
             r"“Deal” \(deal_id\) refers to a deal you are not allowed to see"),
            ("invoice linked to a deal of another company", manager, "account.move", "write",
             {"ids": self.invoice.ids, "vals": {"deal_id": self.deal_b.id}}, "UserError", 422,
             r"“Deal” \(deal_id: 'Deal of B'\) belongs to another company"),
            ("salesman writes a deal they do not own", self.api_own, "deal.deal", "write",
             {"ids": deal.ids, "vals": {"amount": 1}}, "AccessError", 403, denied % "(read|write)"),
            ("salesman wins a deal they cannot read", self.api_own, "deal.deal", "action_mark_won",
             {"ids": deal.ids}, "AccessError", 403, denied % "read"),
        ]  # fmt: skip
        for label, user, model, method, params, error, status, message in cases:
            with self.subTest(label):
                before = self._snapshot()
                response, body = self._call(user, model, method, **params)
                self.assertEqual(body.get("name"), f"odoo.exceptions.{error}", body)
                self.assertRegex(body["message"], message)
                self.assertEqual(response.status_code, status)
                self.assertEqual(self._snapshot(), before, "the database changed")

    def test_user_mistakes_are_messages_not_sql_errors(self):
        """A salesman's negative amount or out-of-range probability is refused before SQL, with a
        message naming the field, and writes no ERROR (no "bad query") to the server log."""
        valid = {"name": "New deal", "partner_id": self.customer.id}
        cases = [
            ({"amount": -5}, "“Estimated Amount” \\(amount\\): -5. Give a number of 0 or more."),
            ({"probability": 150}, "“Probability \\(%\\)” \\(probability\\): 150. Give a number between 0 and 100."),
            ({"probability": -1}, "“Probability \\(%\\)” \\(probability\\): -1. Give a number between 0 and 100."),
        ]
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            for values, message in cases:
                with self.subTest(values=values):
                    response, body = self._call(self.api_own, "deal.deal", "create", vals_list=[valid | values])
                    self.assertEqual((response.status_code, body.get("name")), (422, "odoo.exceptions.ValidationError"))
                    self.assertRegex(body["message"], message)

    def test_long_name_is_accepted(self):
        name = "D" * 10_000
        response, body = self._call(
            self.api_manager, "deal.deal", "create", vals_list=[{"name": name, "partner_id": self.customer.id}]
        )
        self.assertEqual(response.status_code, 200, body)
        self.assertEqual(self.env["deal.deal"].browse(body).name, name)

    def test_good_input_is_written(self):
        """The same calls with correct values go through (the errors above come from the values)."""
        response, body = self._call(
            self.api_manager,
            "deal.deal",
            "write",
            ids=self.deal.ids,
            vals={"amount": 1500, "expected_close_date": "2030-12-31", "probability": 60},
        )
        self.assertEqual((response.status_code, body), (200, True))
        self.env.invalidate_all()
        self.assertRecordValues(
            self.deal, [{"amount": 1500, "expected_close_date": datetime(2030, 12, 31).date(), "probability": 60}]
        )
        response, body = self._call(self.api_manager, "deal.deal", "action_mark_won", ids=self.deal.ids)
        self.assertEqual((response.status_code, body["effect"]["type"]), (200, "rainbow_man"))

    def test_readme_example(self):
        """The example of the README's External API section runs as written, with the URL, API key
        and database of this server (its requests sent by the test's opener, which lets them in)."""
        readme = (Path(__file__).parents[1] / "README.md").read_text()
        section = readme.split("\n### External API\n", 1)[1]
        example = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
        self.env["res.partner"].create({"name": "Azure Interior", "is_company": True})
        environ = {
            "ODOO_URL": self.base_url(),
            "ODOO_API_KEY": self.keys[self.api_manager],
            "ODOO_DB": self.env.cr.dbname,
        }
        output = io.StringIO()
        with (
            tempfile.NamedTemporaryFile("w", suffix=".py") as script,
            patch.dict(os.environ, environ),
            patch("requests.post", self.opener.post),
            contextlib.redirect_stdout(output),
        ):
            script.write(example)
            script.flush()
            runpy.run_path(script.name)
        [row] = ast.literal_eval(output.getvalue())
        deal = self.env["deal.deal"].browse(row["id"])
        self.assertRecordValues(deal, [{"name": "Website redesign", "outcome": "won", "amount": 12000}])
        self.assertEqual(row["outcome"], "won")
