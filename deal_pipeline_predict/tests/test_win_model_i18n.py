from odoo.addons.deal_pipeline.tests.po_checks import ItalianPoChecks
from odoo.tests import tagged

from .common import WinModelCommon


@tagged("post_install", "-at_install")
class TestWinModelI18n(WinModelCommon, ItalianPoChecks):
    def test_po_file_complete(self):
        self.assert_italian_po_complete("deal_pipeline_predict")

    def test_labels_in_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env.ref("base.module_deal_pipeline_predict")._update_translations(["it_IT"])
        Deal = self.env["deal.deal"].with_context(lang="it_IT")
        self.assertEqual(
            Deal.fields_get(["predicted_probability"], ["string"])["predicted_probability"]["string"],
            "Probabilità prevista (%)",
        )
        arch = (
            self.env["deal.win.model"].with_context(lang="it_IT").get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('string="Riaddestra ora"', arch)
