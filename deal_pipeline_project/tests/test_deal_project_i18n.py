import re

import polib

from odoo.tests import tagged
from odoo.tools import file_path

from .common import DealProjectCommon

PLACEHOLDER_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


@tagged("post_install", "-at_install")
class TestDealProjectI18n(DealProjectCommon):
    def test_po_file_complete(self):
        po = polib.pofile(file_path("deal_pipeline_project/i18n/it.po"))
        pot = polib.pofile(file_path("deal_pipeline_project/i18n/deal_pipeline_project.pot"))
        self.assertEqual(po.metadata.get("Language"), "it")
        self.assertFalse(
            {entry.msgid for entry in pot} - {entry.msgid for entry in po.translated_entries()},
            "every term of the .pot is translated in it.po (run 'make i18n', then translate)",
        )
        self.assertFalse([entry.msgid for entry in po.fuzzy_entries()], "no fuzzy translation")
        for entry in po:
            with self.subTest(msgid=entry.msgid):
                self.assertEqual(
                    sorted(PLACEHOLDER_RE.findall(entry.msgstr)), sorted(PLACEHOLDER_RE.findall(entry.msgid))
                )
                if entry.msgid != "ID":
                    self.assertNotEqual(entry.msgstr, entry.msgid, "translated, not copied")

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
