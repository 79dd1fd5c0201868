from itertools import count

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DealCommon

Y, N = True, False

# Columns of MATRIX: one user per column, with only the groups named here.
COLUMNS = {
    "portal": "base.group_portal",
    "public": "base.group_public",
    "accountant": "account.group_account_invoice",
    "own": "deal_pipeline.group_deal_user_own",
    "all": "deal_pipeline.group_deal_user_all",
    "manager": "deal_pipeline.group_deal_manager",
    "salesman": "sales_team.group_sale_salesman",
    "salesman_all": "sales_team.group_sale_salesman_all_leads",
    "sales_manager": "sales_team.group_sale_manager",
}

# (model, which record, operation) -> allowed for each column, in the order of COLUMNS.
# Deals: "mine" is owned by the user, "followed" is owned by someone else and followed by the
# user, "other" is owned by someone else. "deal name on invoice" reads the deal of an invoice
# (owned by someone else) the way the invoice form does.
# fmt: off
MATRIX = {
    #                                            portal public accountant own all manager salesman s_all s_manager
    ("deal.deal", "mine", "read"):                (N,    N,     Y,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.deal", "mine", "write"):               (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.deal", "mine", "create"):              (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.deal", "mine", "unlink"):              (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.deal", "followed", "read"):            (N,    N,     Y,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.deal", "followed", "write"):           (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.deal", "followed", "unlink"):          (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.deal", "other", "read"):               (N,    N,     Y,         N,  Y,  Y,      N,       Y,    Y),
    ("deal.deal", "other", "write"):              (N,    N,     N,         N,  Y,  Y,      N,       Y,    Y),
    ("deal.deal", "other", "create"):             (N,    N,     N,         N,  Y,  Y,      N,       Y,    Y),
    ("deal.deal", "other", "unlink"):             (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.stage", "any", "read"):                (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.stage", "any", "write"):               (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.stage", "any", "create"):              (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.stage", "any", "unlink"):              (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.pipeline", "any", "read"):             (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.pipeline", "any", "write"):            (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.pipeline", "any", "create"):           (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.pipeline", "any", "unlink"):           (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.lost.reason", "any", "read"):          (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.lost.reason", "any", "write"):         (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.lost.reason", "any", "create"):        (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.lost.reason", "any", "unlink"):        (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("deal.tag", "any", "read"):                  (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.tag", "any", "write"):                 (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.tag", "any", "create"):                (N,    N,     N,         Y,  Y,  Y,      Y,       Y,    Y),
    ("deal.tag", "any", "unlink"):                (N,    N,     N,         N,  N,  Y,      N,       N,    Y),
    ("account.move", "deal name on invoice", "read"): (N, N,    Y,         N,  N,  N,      N,       Y,    Y),
}
# fmt: on


@tagged("post_install", "-at_install")
class TestAccessMatrix(DealCommon):
    serial = count()  # unique names: tag names are unique

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nosubscribe=True))
        cls.matrix_users = {
            column: new_test_user(cls.env, login=f"matrix_{column}", groups=groups)
            for column, groups in COLUMNS.items()
        }
        cls.other_owner = new_test_user(cls.env, login="matrix_other", groups="deal_pipeline.group_deal_user_own")
        cls.deal_of_invoice = cls.env["deal.deal"].create(
            {"name": "Invoiced deal", "partner_id": cls.customer.id, "user_id": cls.other_owner.id}
        )
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_user_id": cls.other_owner.id,
                "deal_id": cls.deal_of_invoice.id,
                "invoice_line_ids": [Command.create({"name": "Consulting", "quantity": 1, "price_unit": 100.0})],
            }
        )

    def _deal_values(self, which, user):
        # a portal or public user cannot own a deal: "mine" is someone else's for them
        owner = user if which == "mine" and not user.share else self.other_owner
        return {"name": "Matrix deal", "partner_id": self.customer.id, "user_id": owner.id}

    def _target(self, model, which, user):
        """A fresh record for one cell, created by the superuser."""
        if model == "deal.deal":
            deal = self.env["deal.deal"].create(self._deal_values(which, user))
            if which == "followed":
                deal.message_subscribe(partner_ids=user.partner_id.ids)
            return deal
        return self.env[model].create({"name": f"Matrix {model} {next(self.serial)}"})

    def _attempt(self, user, model, which, operation):
        """Run one cell as ``user``: True when allowed, False on AccessError."""
        try:
            with self.env.cr.savepoint():
                if model == "account.move":
                    values = self.invoice.with_user(user).web_read({"deal_id": {"fields": {"display_name": {}}}})
                    self.assertEqual(values[0]["deal_id"]["display_name"], "Invoiced deal")
                elif operation == "create":
                    values = (
                        self._deal_values(which, user)
                        if model == "deal.deal"
                        else {"name": f"Created {next(self.serial)}"}
                    )
                    self.env[model].with_user(user).create(values)
                else:
                    record = self._target(model, which, user).with_user(user)
                    if operation == "read":
                        record.read(["name"])
                    elif operation == "write":
                        record.write({"name": f"Renamed {next(self.serial)}"})
                    else:
                        record.unlink()
        except AccessError:
            return False
        return True

    def test_access_matrix(self):
        mismatches = []
        for (model, which, operation), expected_row in MATRIX.items():
            for column, expected in zip(COLUMNS, expected_row, strict=True):
                allowed = self._attempt(self.matrix_users[column], model, which, operation)
                if allowed != expected:
                    mismatches.append(
                        f"{column:>13} {operation:<6} {model} ({which}): "
                        f"{'allowed' if allowed else 'denied'}, expected {'allowed' if expected else 'denied'}"
                    )
        self.assertFalse(mismatches, "Access matrix differs:\n" + "\n".join(mismatches))

    def test_own_user_cannot_follow_to_gain_access(self):
        """Following is how an own-deals user reaches a deal; they cannot add themselves."""
        deal = self._target("deal.deal", "other", self.user_own)
        self.assertFalse(deal.with_user(self.user_own).message_subscribe(partner_ids=self.user_own.partner_id.ids))
        with self.assertRaises(AccessError):
            self.env["mail.followers"].with_user(self.user_own).create(
                {"res_model": "deal.deal", "res_id": deal.id, "partner_id": self.user_own.partner_id.id}
            )
        self.assertNotIn(self.user_own.partner_id, deal.message_partner_ids)

    def test_own_user_sees_only_own_and_followed_deals(self):
        mine = self._target("deal.deal", "mine", self.user_own)
        followed = self._target("deal.deal", "followed", self.user_own)
        other = self._target("deal.deal", "other", self.user_own)
        visible = self.env["deal.deal"].with_user(self.user_own).search([("id", "in", (mine + followed + other).ids)])
        self.assertEqual(visible, mine + followed)
        self.assertEqual(
            self.env["deal.deal"].with_user(self.user_own).search_count([("id", "=", other.id)]),
            0,
            "a count must not reveal the deals of others either",
        )
