"""The browser tours of deal_pipeline_crm (HttpCase, headless Chromium), tagged by function:
deal_board (a converted opportunity gone from CRM's pipeline)."""

from odoo.tests import HttpCase, tagged

from .common import DealCrmCommon


@tagged("post_install", "-at_install", "deal_board")
class TestConvertedLeadTour(HttpCase, DealCrmCommon):
    def test_converted_opportunity_gone_from_crm_pipeline(self):
        self.lead_open_direct.with_user(self.sara).action_convert_to_deal()
        self.start_tour("/odoo/crm", "deal_pipeline_crm_converted_tour", login="crm_sara")
