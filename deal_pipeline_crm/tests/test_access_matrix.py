"""The CRM bridge's column of the access matrix (README: Access rights): a converted
opportunity's deal."""

from odoo.addons.deal_pipeline.tests.access_matrix import DEALS, AccessMatrixCase
from odoo.tests import tagged

COLUMNS = (*DEALS, "converted_deal")
# converted_deal: the name of the deal of an opportunity the user reads, converted and then given
# to a colleague (none: he reads no such opportunity); his converting it again reaches no deal.
# fmt: off
MATRIX = {
    #                        own_open own_closed other_open other_closed converted_deal
    "salesman_own":         ("edit",  "edit",    "none",    "none",      "name"),
    "salesman_own_billing": ("edit",  "edit",    "none",    "none",      "name"),
    "billing":              ("read",  "read",    "read",    "read",      "none"),
}
# fmt: on


@tagged("post_install", "-at_install")
class TestDealCrmAccessMatrix(AccessMatrixCase):
    rows = {
        "salesman_own": "sales_team.group_sale_salesman",
        "salesman_own_billing": "sales_team.group_sale_salesman,account.group_account_invoice",
        "billing": "account.group_account_invoice",
    }

    def _check_converted_deal(self, row, expected):
        user = self.users[row]
        salesperson = user if user.has_group("sales_team.group_sale_salesman") else self.colleague
        lead = self.env["crm.lead"].create(
            {
                "name": "Matrix opportunity",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "user_id": salesperson.id,
            }
        )
        lead.with_user(salesperson)._convert_to_deals()
        deal = lead.deal_id
        self.assertTrue(deal)
        deal.user_id = self.colleague
        deal.message_unsubscribe(partner_ids=user.partner_id.ids)
        self._check_deal_name(row, [lead], deal, expected)
        status, action = self._call(row, "crm.lead", "action_convert_to_deal", ids=lead.ids)
        if status == 200:
            self.assertNotIn(deal.id, action["params"]["next"].get("domain", [[None, None, []]])[0][2])
            self.assertNotEqual(action["params"]["next"].get("res_id"), deal.id)


TestDealCrmAccessMatrix.add_cell_tests(MATRIX, COLUMNS)
