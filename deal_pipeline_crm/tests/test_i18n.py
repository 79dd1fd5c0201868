from odoo.addons.deal_pipeline.tests.po_checks import ItalianPoChecks
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDealCrmI18n(TransactionCase, ItalianPoChecks):
    def test_po_file_complete_and_well_formed(self):
        self.assert_italian_po_complete("deal_pipeline_crm")

    def test_summary_in_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env.ref("base.module_deal_pipeline_crm")._update_translations(["it_IT"])
        leads = self.env["crm.lead"].with_context(lang="it_IT")
        summary = leads._deal_convert_summary(self.env["deal.deal"], {"converted": leads})
        self.assertEqual(summary, "0 opportunità convertite in trattative. 0 saltate: già convertite (0).")
