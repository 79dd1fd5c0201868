"""Replays an access matrix (README: Access rights → Who sees which deals) as each row's user
over /json/2 with an API key: the integrator's calls (search_read, write) and the web client's
(web_read, web_read_group). The bridges add their rows and columns with the same checks."""

from datetime import date, datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, mute_logger, new_test_user

# Deals of each row: the user's own (owned by him, when he may own one) or a colleague's; open,
# or closed (won).
DEALS = ("own_open", "own_closed", "other_open", "other_closed")


class AccessMatrixCase(HttpCase):
    """Subclasses set ``rows`` ({row: groups}, a user each, "other_company" working only in a
    company of his own) and call ``add_cell_tests`` with their matrix: one test per cell."""

    rows = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company_b = cls.env["res.company"].create({"name": "Matrix Company B"})
        cls.colleague = new_test_user(
            cls.env, login="matrix_colleague", groups="sales_team.group_sale_salesman", name="Colin Colleague"
        )
        cls.users = {}
        for row, groups in cls.rows.items():
            extra = {}
            if row == "other_company":
                extra = {"company_id": cls.company_b.id, "company_ids": [Command.set(cls.company_b.ids)]}
            elif row == "salesman_own_billing":
                extra = {"name": "Bill Salesman"}
            cls.users[row] = new_test_user(cls.env, login=f"matrix_api_{row}", groups=groups, **extra)
        cls.customer = cls.env["res.partner"].create({"name": "Matrix Customer", "is_company": True})
        if "portal" in cls.users:
            # the portal user is a contact of the customer: the deals are his company's
            cls.users["portal"].partner_id.parent_id = cls.customer
        cls.keys = {
            row: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(scope="rpc", name="matrix", expiration_date=datetime.now() + timedelta(days=1))
            for row, user in cls.users.items()
        }
        cls.deals = {row: cls._deals_of(user) for row, user in cls.users.items()}

    @classmethod
    def _deals_of(cls, user):
        """The four deals of a row, open in Proposal Sent with an amount and a close date (so in
        the cash forecast and with revisions) or won (so in the forecast accuracy)."""
        owner = user if not user.share and user.company_id == cls.env.company else cls.colleague
        deals = {}
        for key in DEALS:
            deals[key] = cls.env["deal.deal"].create(
                {
                    "name": f"Matrix {key} of {user.login}",
                    "partner_id": cls.customer.id,
                    "user_id": (owner if key.startswith("own") else cls.colleague).id,
                    "stage_id": cls.env.ref("deal_pipeline.stage_proposal_sent").id,
                    "amount": 1000.0,
                    "expected_close_date": date.today() + timedelta(days=30),
                }
            )
            if key.endswith("closed"):
                deals[key].action_mark_won()
        return deals

    def _call(self, row, model, method, **params):
        """(status, result) of one /json/2 call as the row's user."""
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/json/2/{model}/{method}", json=params, headers={"Authorization": f"Bearer {self.keys[row]}"}
            )
        return response.status_code, response.json()

    def _visible(self, row, model, deal_ids, extra_domain=()):
        """The deals of ``deal_ids`` whose rows of ``model`` the user finds, by search_read and by
        the web client's grouped read; None when the model is refused to him."""
        domain = [("deal_id", "in", deal_ids), *extra_domain]
        status, rows = self._call(row, model, "search_read", domain=domain, fields=["deal_id"])
        grouped_status, grouped = self._call(
            row, model, "web_read_group", domain=domain, groupby=["deal_id"], aggregates=["__count"]
        )
        self.assertEqual(status, grouped_status, rows)
        if status == 403:
            self.assertEqual(rows["name"], "odoo.exceptions.AccessError")
            return None
        self.assertEqual(status, 200, rows)
        found = {record["deal_id"][0] for record in rows}
        self.assertEqual({group["deal_id"][0] for group in grouped["groups"]}, found)
        return found

    # ------------------------------------------------------------------------------------------
    # Checks of the cells
    # ------------------------------------------------------------------------------------------

    def _check_deal(self, row, key, expected):
        """edit, read, or none (not found, not readable)."""
        deal = self.deals[row][key]
        status, found = self._call(row, "deal.deal", "search_read", domain=[("id", "=", deal.id)], fields=["name"])
        found_ids = [record["id"] for record in found] if status == 200 else []
        self.assertEqual(found_ids, [deal.id] if expected != "none" else [])
        read_status, values = self._call(row, "deal.deal", "web_read", ids=deal.ids, specification={"amount": {}})
        self.assertEqual(read_status, 403 if expected == "none" else 200, values)
        grouped_status, grouped = self._call(
            row, "deal.deal", "web_read_group", domain=[("id", "=", deal.id)], groupby=["stage_id"],
            aggregates=["__count"],
        )  # fmt: skip
        count = sum(group["__count"] for group in grouped["groups"]) if grouped_status == 200 else 0
        self.assertEqual(count, int(expected != "none"))
        write_status, result = self._call(row, "deal.deal", "write", ids=deal.ids, vals={"description": "<p>x</p>"})
        self.assertEqual(write_status, 200 if expected == "edit" else 403, result)

    def _check_deal_name(self, row, documents, deal, expected):
        """name: the user reads one of ``documents`` and the name of its deal ``deal`` on it; none:
        he reads none of them, or not their deal field."""
        names = set()
        for document in documents:
            specification = {"deal_id": {"fields": {"display_name": {}}}}
            status, values = self._call(row, document._name, "web_read", ids=document.ids, specification=specification)
            if status == 200 and values[0]["deal_id"]:
                names.add(values[0]["deal_id"]["display_name"])
        self.assertEqual(names, {deal.name} if expected == "name" else set())

    def _check_rows(self, row, model, expected, keys, extra_domain=()):
        """own: the rows of the user's own deal only; all: of his and his colleague's; none: no
        row, or the model refused."""
        own, other = (self.deals[row][key].id for key in keys)
        found = self._visible(row, model, [own, other], extra_domain) or set()
        self.assertEqual(found, {"none": set(), "own": {own}, "all": {own, other}}[expected])

    def _check_cell(self, row, column, expected):
        if column in DEALS:
            self._check_deal(row, column, expected)
        else:
            getattr(self, f"_check_{column}")(row, expected)

    @classmethod
    def add_cell_tests(cls, matrix, columns):
        """One test per cell of ``matrix`` ({row: expected value per column of ``columns``})."""
        for row, cells in matrix.items():
            for column, expected in zip(columns, cells, strict=True):
                setattr(cls, f"test_{row}__{column}", cls._cell_test(row, column, expected))

    @staticmethod
    def _cell_test(row, column, expected):
        def test(self):
            self._check_cell(row, column, expected)

        test.__doc__ = f"{row}: {column} is {expected}"
        return test
