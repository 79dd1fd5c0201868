from lxml import etree

from odoo.tests import new_test_user, tagged, users

from .common import DealCommon


@tagged("post_install", "-at_install", "deal_board")
class TestDealNavigation(DealCommon):
    """Menus, board URLs and the activity filters a salesperson lands on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman = new_test_user(
            cls.env, login="deal_nav_salesman", groups="sales_team.group_sale_salesman", name="Nina Navigator"
        )
        cls.user_sale_manager = new_test_user(
            cls.env, login="deal_nav_manager", groups="sales_team.group_sale_manager", name="Max Navigator"
        )
        # a company the salespeople do not belong to
        cls.other_company = cls.env["res.company"].create({"name": "Deal Hidden Company"})

    @staticmethod
    def _first_action_menu(menus, menu_id, skip=lambda menu: False):
        """The menu whose action opens when the app ``menu_id`` is clicked (the first one with an
        action, depth first), ignoring the menus ``skip`` selects."""
        menu = menus[menu_id]
        if skip(menu):
            return None
        if menu["action_id"]:
            return menu
        for child_id in menu["children"]:
            if found := TestDealNavigation._first_action_menu(menus, child_id, skip):
                return found
        return None

    @users("deal_nav_salesman")
    def test_sales_app_opens_where_it_did(self):
        menus = self.env["ir.ui.menu"].load_menus(debug=False)
        sales_root = self.env.ref("sale.sale_menu_root").id
        first = self._first_action_menu(menus, sales_root)
        without_addon = self._first_action_menu(
            menus, sales_root, skip=lambda menu: menu["xmlid"].startswith("deal_pipeline.")
        )
        self.assertEqual(first["xmlid"], without_addon["xmlid"])
        self.assertEqual(first["xmlid"], "sale.menu_sale_quotations")
        # Deals sits right after Orders
        children = [menus[child]["xmlid"] for child in menus[sales_root]["children"]]
        self.assertEqual(children.index("deal_pipeline.deal_deal_menu"), children.index("sale.sale_order_menu") + 1)

    @users("deal_nav_manager")
    def test_report_menus_have_distinct_names(self):
        menus = self.env["ir.ui.menu"].load_menus(debug=False)
        reporting = menus[self.env.ref("sale.menu_sale_report").id]
        names = [menus[child]["name"] for child in reporting["children"]]
        self.assertIn("Pipeline Analysis", names)
        self.assertIn("Deal Billing", names)
        self.assertEqual(len(names), len(set(names)))

    @users("deal_nav_salesman")
    def test_board_url_names_the_pipeline(self):
        renewals = self.env["deal.pipeline"].sudo().create({"name": "Renewals"})
        server_action = self.env.ref("deal_pipeline.deal_deal_action_board").sudo()
        self.assertEqual(server_action.path, "deals")
        # what /odoo/<pipeline id>/deals runs: the server action with the id as active_id
        action = self.env["deal.deal"].action_open_board_of(renewals.id)
        self.assertEqual(action["domain"], [("pipeline_id", "=", renewals.id)])
        self.assertEqual(
            action["context"],
            {"default_pipeline_id": renewals.id, "active_id": renewals.id, "search_default_my_deals": 1},
        )
        self.assertEqual(action["path"], "deals")
        self.assertEqual(action["display_name"], "Deals · Renewals")
        # the menu (no id) opens the first pipeline's board, with its id in the URL
        action = self.env["deal.deal"].action_open_board_of()
        self.assertEqual(action["context"]["active_id"], self.pipeline.id)
        # an id the user cannot read falls back on the first pipeline
        hidden = self.env["deal.pipeline"].sudo().create({"name": "Hidden", "company_id": self.other_company.id})
        self.assertFalse(hidden.with_env(self.env).has_access("read"))
        self.assertEqual(
            self.env["deal.deal"].action_open_board_of(hidden.id)["context"]["active_id"], self.pipeline.id
        )

    def test_board_opens_on_my_deals_for_salespeople_only(self):
        """A salesperson's board starts filtered on his deals (a filter he can remove); a
        manager's on every deal of the pipeline."""
        salesman_action = self.pipeline.with_user(self.user_salesman).action_open_board()
        manager_action = self.pipeline.with_user(self.user_sale_manager).action_open_board()
        self.assertEqual(salesman_action["context"].get("search_default_my_deals"), 1)
        self.assertNotIn("search_default_my_deals", manager_action["context"])
        arch = self.env["deal.deal"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="my_deals"', arch)

    @users("deal_nav_salesman")
    def test_systray_activity_filters_exist(self):
        """The activity menu opens the deals with these search defaults: each names a filter."""
        arch = self.env["deal.deal"].get_views([(False, "search")])["views"]["search"]["arch"]
        filters = {node.get("name") for node in etree.fromstring(arch).iter("filter")}
        for name in ("filter_activities_my", "activities_overdue", "activities_today", "activities_upcoming_all"):
            self.assertIn(name, filters)
        deal = self._create_deal(user_id=self.env.user.id)
        deal.activity_schedule("mail.mail_activity_data_todo", user_id=self.env.user.id)
        self.assertEqual(self.env["deal.deal"].search([("my_activity_date_deadline", "=", "today")]), deal)

    @users("deal_nav_salesman")
    def test_progressbar_only_on_numbers(self):
        """The form's progress bars are on float or integer fields (the widget refuses monetary)."""
        arch = self.env["deal.deal"].get_views([(False, "form")])["views"]["form"]["arch"]
        for node in etree.fromstring(arch).iter("field"):
            if node.get("widget") == "progressbar":
                self.assertIn(self.env["deal.deal"]._fields[node.get("name")].type, ("float", "integer"))
