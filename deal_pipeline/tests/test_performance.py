from lxml import etree

from odoo.tests import tagged, users, warmup

from .common import CLOSE_DATE, DealCommon
from .web_client import field_specification

# The web client's page size: both sizes below fit in one page, so that a query per row shows up
# as well as a query whose count depends on the number of deals.
LIST_LIMIT = 80


@tagged("post_install", "-at_install")
class TestQueryCountScaling(DealCommon):
    """Opening the list or a form runs the same number of queries with 20 or with 60 deals (the
    board: test_deal_performance; bench/run.py measures the same calls up to 100,000 deals)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.customer | cls.env["res.partner"].create(
            [{"name": f"Scaling Customer {i}", "is_company": True} for i in range(2)]
        )
        cls.tags = cls.env["deal.tag"].create([{"name": "Scaling A"}, {"name": "Scaling B"}])
        cls.open_stages = cls.stage_new | cls.stage_qualification | cls.stage_proposal | cls.stage_negotiation
        cls.open_domain = [("pipeline_id", "=", cls.pipeline.id), ("outcome", "=", "open")]
        cls.deal = cls.env["deal.deal"].create(
            {
                "name": "Website redesign",
                "partner_id": cls.customer.id,
                "tag_ids": cls.tags.ids,
                "user_id": cls.user_all.id,
            }
        )
        cls._add_deals(20)

    @classmethod
    def _add_deals(cls, count):
        """Deals of the same shape whatever their number: every open stage, customer, owner, tag."""
        owners = cls.user_own | cls.user_all
        cls.env["deal.deal"].create(
            [
                {
                    "name": f"Scaling deal {i}",
                    "partner_id": cls.customers[i % len(cls.customers)].id,
                    "user_id": owners[i % 2].id,
                    "stage_id": cls.open_stages[i % len(cls.open_stages)].id,
                    "amount": 100.0 * i,
                    "expected_close_date": CLOSE_DATE,
                    "tag_ids": [cls.tags[i % 2].id],
                }
                for i in range(count)
            ]
        )

    def _spec(self, view_type):
        """The field specification the web client sends for the default view of that type."""
        arch = self.env["deal.deal"].get_views([(False, view_type)])["views"][view_type]["arch"]
        return field_specification(self.env["deal.deal"], etree.fromstring(arch))

    def _query_count(self, call):
        self.env.flush_all()
        self.env.invalidate_all()
        count0 = self.cr.sql_log_count
        call()
        self.env.flush_all()
        return self.cr.sql_log_count - count0

    def _assert_same_count_with_more_deals(self, call):
        count = self._query_count(call)
        self._add_deals(40)
        self.env.invalidate_all()
        with self.assertQueryCount(count):
            call()

    @users("deal_all")
    @warmup
    def test_list_open_queries_do_not_grow(self):
        spec = self._spec("list")

        def list_open():
            result = self.env["deal.deal"].web_search_read(self.open_domain, spec, limit=LIST_LIMIT)
            self.assertEqual(len(result["records"]), result["length"])

        self._assert_same_count_with_more_deals(list_open)

    @users("deal_all")
    @warmup
    def test_form_open_queries_do_not_grow(self):
        spec = self._spec("form")

        def form_open():
            [values] = self.deal.with_env(self.env).web_read(spec)
            self.assertEqual(values["partner_id"]["id"], self.customer.id)

        self._assert_same_count_with_more_deals(form_open)
