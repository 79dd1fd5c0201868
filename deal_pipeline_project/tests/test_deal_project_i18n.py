from odoo.addons.deal_pipeline.tests.po_checks import ItalianPoChecks
from odoo.tests import tagged

from .common import DealProjectCommon


@tagged("post_install", "-at_install")
class TestDealProjectI18n(DealProjectCommon, ItalianPoChecks):
    def test_po_file_complete(self):
        self.assert_italian_po_complete("deal_pipeline_project")

    def test_labels_and_views_in_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env.ref("base.module_deal_pipeline_project")._update_translations(["it_IT"])
        Deal = self.env["deal.deal"].with_context(lang="it_IT")
        fields = Deal.fields_get(["budget_hours", "spent_hours", "remaining_hours"], ["string"])
        self.assertEqual(
            [fields[name]["string"] for name in ("budget_hours", "spent_hours", "remaining_hours")],
            ["Ore a budget", "Ore impiegate", "Ore residue"],
        )
        self.assertIn('string="Crea progetto"', Deal.get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertRegex(Deal.get_views([(False, "kanban")])["views"]["kanban"]["arch"], r">\s*Oltre il budget\s*<")
