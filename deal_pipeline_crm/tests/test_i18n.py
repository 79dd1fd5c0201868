from collections import Counter

import polib

from odoo.addons.deal_pipeline.tests.test_deal_i18n import PLACEHOLDER_RE, SAME_IN_ITALIAN, _edge_whitespace, _markup
from odoo.tests import TransactionCase, tagged
from odoo.tools import file_path


@tagged("post_install", "-at_install")
class TestDealCrmI18n(TransactionCase):
    def test_po_file_complete_and_well_formed(self):
        po = polib.pofile(file_path("deal_pipeline_crm/i18n/it.po"))
        pot = polib.pofile(file_path("deal_pipeline_crm/i18n/deal_pipeline_crm.pot"))
        self.assertEqual(po.metadata.get("Language"), "it")
        self.assertFalse(
            {entry.msgid for entry in pot} - {entry.msgid for entry in po.translated_entries()},
            "every term of the .pot is translated in it.po (run 'make i18n', then translate)",
        )
        self.assertFalse([entry.msgid for entry in po.fuzzy_entries()], "no fuzzy translation")
        for entry in po:
            with self.subTest(msgid=entry.msgid):
                self.assertEqual(
                    Counter(PLACEHOLDER_RE.findall(entry.msgstr)), Counter(PLACEHOLDER_RE.findall(entry.msgid))
                )
                self.assertEqual(_markup(entry.msgstr), _markup(entry.msgid), "same tags and attributes")
                self.assertEqual(_edge_whitespace(entry.msgstr), _edge_whitespace(entry.msgid))
                self.assertEqual(entry.msgstr.count("\n"), entry.msgid.count("\n"))
                if entry.msgid not in SAME_IN_ITALIAN | {"id"}:
                    self.assertNotEqual(entry.msgstr, entry.msgid, "translated, not copied")

    def test_summary_in_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env.ref("base.module_deal_pipeline_crm")._update_translations(["it_IT"])
        leads = self.env["crm.lead"].with_context(lang="it_IT")
        summary = leads._deal_convert_summary(self.env["deal.deal"], {"converted": leads})
        self.assertEqual(summary, "0 opportunità convertite in trattative. 0 saltate: già convertite (0).")
