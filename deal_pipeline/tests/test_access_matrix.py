"""The core's access matrix (README: Access rights → Who sees which deals), one test per cell."""

# ruff: noqa: E501 (the matrix is a table: one row per line)

from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from .access_matrix import DEALS, AccessMatrixCase

COLUMNS = (
    *DEALS,
    "name_on_documents",
    "revisions",
    "stage_history",
    "deal_billing",
    "cash_forecast",
    "forecast_accuracy",
    "deal_contacts",
    "sales_reports",
)
# Deal cells: edit, read or none (not found, not readable). name_on_documents: the name of a
# colleague's deal on an order or invoice the user reads (none: he reads no such document, or not
# its deal field). Reports and revisions: the rows of his own deals (own), of every deal (all), or
# none (no row, or the model refused). Stage history and deal contacts (deal.stage.history,
# deal.contact): likewise. sales_reports: the win analysis, funnel, sales velocity and pipeline
# changes, all alike. Columns, in the order of COLUMNS: the four deals, name on documents,
# revisions, stage history, the three reports, contacts, sales reports.
# fmt: off
MATRIX = {
    #                        own     own cl. other   oth.cl. name    revis.  history billing cash    accur.  contacts sales
    "salesman_own":         ("edit", "edit", "none", "none", "name", "own",  "own",  "none", "none", "none", "own",  "own"),
    "salesman_all":         ("edit", "edit", "edit", "edit", "name", "all",  "all",  "none", "none", "none", "all",  "all"),
    "salesman_own_billing": ("edit", "edit", "none", "none", "name", "own",  "own",  "own",  "own",  "none", "own",  "own"),
    "billing":              ("read", "read", "read", "read", "name", "none", "none", "all",  "all",  "none", "all",  "none"),
    "accountant":           ("read", "read", "read", "read", "name", "none", "none", "all",  "all",  "none", "all",  "none"),
    "auditor":              ("read", "read", "read", "read", "name", "none", "none", "all",  "all",  "none", "all",  "none"),
    "deal_admin":           ("edit", "edit", "edit", "edit", "none", "all",  "all",  "all",  "all",  "all",  "all",  "all"),
    "portal":               ("none", "none", "none", "none", "none", "none", "none", "none", "none", "none", "none", "none"),
    "other_company":        ("none", "none", "none", "none", "none", "none", "none", "none", "none", "none", "none", "none"),
}
# fmt: on


@tagged("post_install", "-at_install")
class TestAccessMatrixApi(AccessMatrixCase):
    rows = {
        "salesman_own": "sales_team.group_sale_salesman",
        "salesman_all": "sales_team.group_sale_salesman_all_leads",
        "salesman_own_billing": "sales_team.group_sale_salesman,account.group_account_invoice",
        "billing": "account.group_account_invoice",
        "accountant": "account.group_account_manager",
        "auditor": "account.group_account_readonly",
        "deal_admin": "deal_pipeline.group_deal_manager",
        "portal": "base.group_portal",
        "other_company": "sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
    }

    def _check_name_on_documents(self, row, expected):
        """A colleague's deal on an order and an invoice of the user (his as salesperson)."""
        user = self.users[row]
        salesperson = self.colleague if user.share else user
        deal = self.deals[row]["other_open"]
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "user_id": salesperson.id, "deal_id": deal.id}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_user_id": salesperson.id,
                "deal_id": deal.id,
                "invoice_line_ids": [Command.create({"name": "Consulting", "quantity": 1, "price_unit": 100.0})],
            }
        )
        self._check_deal_name(row, (order, invoice), deal, expected)

    def _check_revisions(self, row, expected):
        self._check_rows(row, "deal.revision", expected, ("own_open", "other_open"))

    def _check_stage_history(self, row, expected):
        self._check_rows(row, "deal.stage.history", expected, ("own_open", "other_open"))

    def _check_deal_billing(self, row, expected):
        self._check_rows(row, "deal.report", expected, ("own_open", "other_open"), [("line_type", "=", "estimate")])

    def _check_cash_forecast(self, row, expected):
        self._check_rows(row, "deal.cash.forecast.report", expected, ("own_open", "other_open"))

    def _check_forecast_accuracy(self, row, expected):
        self._check_rows(row, "deal.forecast.accuracy.report", expected, ("own_closed", "other_closed"))

    def _check_deal_contacts(self, row, expected):
        contact = self.env["res.partner"].create({"name": "Matrix Buyer", "parent_id": self.customer.id})
        for key in ("own_open", "other_open"):
            self.deals[row][key].contact_ids = [Command.create({"partner_id": contact.id, "is_primary": True})]
        self._check_rows(row, "deal.contact", expected, ("own_open", "other_open"))

    def _check_sales_reports(self, row, expected):
        """The win analysis (closed deals), funnel, sales velocity and pipeline changes (of today,
        the pipeline closing by far ahead: the open deals were created today)."""
        today = date.today()
        context = {
            "waterfall_date_from": str(today - timedelta(days=1)),
            "waterfall_date_to": str(today),
            "waterfall_close_date_to": str(today + timedelta(days=3650)),
        }
        for model, keys in (
            ("deal.win.report", ("own_closed", "other_closed")),
            ("deal.funnel.report", ("own_open", "other_open")),
            ("deal.velocity.report", ("own_open", "other_open")),
            ("deal.waterfall.report", ("own_open", "other_open")),
        ):
            own, other = (self.deals[row][key].id for key in keys)
            status, rows = self._call(
                row, model, "search_read", domain=[("deal_id", "in", [own, other])], fields=["deal_id"], context=context
            )
            grouped_status, grouped = self._call(
                row, model, "web_read_group", domain=[("deal_id", "in", [own, other])], groupby=["deal_id"],
                aggregates=["__count"], context=context,
            )  # fmt: skip
            with self.subTest(model=model):
                self.assertEqual(status, grouped_status, rows)
                found = set()
                if status == 200:
                    found = {record["deal_id"][0] for record in rows}
                    self.assertEqual({group["deal_id"][0] for group in grouped["groups"]}, found)
                else:
                    self.assertEqual(rows["name"], "odoo.exceptions.AccessError")
                self.assertEqual(found, {"none": set(), "own": {own}, "all": {own, other}}[expected])


TestAccessMatrixApi.add_cell_tests(MATRIX, COLUMNS)
