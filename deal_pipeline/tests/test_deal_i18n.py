import re
from collections import Counter
from html.parser import HTMLParser

import polib
from psycopg2.errors import CheckViolation

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import file_path, mute_logger

from .common import DealCommon

# printf-style placeholders of Python and Odoo strings: %s, %(name)s, %d, %%...
PLACEHOLDER_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
# attributes whose values are text for people, translated with the rest of the term
TEXT_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-tooltip", "string", "help"}
# terms that are the same word in Italian
SAME_IN_ITALIAN = {"ID", "Pipeline"}


class _MarkupCollector(HTMLParser):
    """The tags of a term with their attributes, text attribute values left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.markup = []

    def handle_starttag(self, tag, attrs):
        self.markup.append(
            (tag, tuple(sorted((name, None if name in TEXT_ATTRIBUTES else value) for name, value in attrs)))
        )

    def handle_endtag(self, tag):
        self.markup.append(("/" + tag, ()))


def _markup(text):
    collector = _MarkupCollector()
    collector.feed(text)
    collector.close()
    return collector.markup


def _edge_whitespace(text):
    return re.match(r"\s*", text).group(), re.search(r"\s*$", text).group()


@tagged("post_install", "-at_install")
class TestDealI18n(DealCommon):
    """The Italian translation is complete, well-formed, and what an Italian user sees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("it_IT")
        cls.env.ref("base.module_deal_pipeline")._update_translations(["it_IT"])
        cls.user_it = new_test_user(
            cls.env, login="deal_it", groups="deal_pipeline.group_deal_user_own", name="Giulia Rossi", lang="it_IT"
        )

    def _as_user_language(self):
        """The environment of the current user in their own language, as the web client sends it."""
        self.env = self.env(context=dict(self.env.context, **self.env["res.users"].context_get()))

    # ------------------------------------------------------------------------------------------
    # The file
    # ------------------------------------------------------------------------------------------

    def test_po_file_complete_and_well_formed(self):
        po = polib.pofile(file_path("deal_pipeline/i18n/it.po"))
        pot = polib.pofile(file_path("deal_pipeline/i18n/deal_pipeline.pot"))
        self.assertEqual(po.metadata.get("Language"), "it")
        self.assertEqual(po.metadata.get("Plural-Forms"), "nplurals=2; plural=(n != 1);")
        self.assertIn("charset=UTF-8", po.metadata.get("Content-Type", ""))
        self.assertFalse(
            {entry.msgid for entry in pot} - {entry.msgid for entry in po.translated_entries()},
            "every term of the .pot is translated in it.po (run 'make i18n', then translate)",
        )
        self.assertFalse([entry.msgid for entry in po.fuzzy_entries()], "no fuzzy translation")
        for entry in po:
            with self.subTest(msgid=entry.msgid):
                self.assertTrue(entry.msgstr.strip())
                self.assertEqual(
                    Counter(PLACEHOLDER_RE.findall(entry.msgstr)), Counter(PLACEHOLDER_RE.findall(entry.msgid))
                )
                self.assertEqual(_markup(entry.msgstr), _markup(entry.msgid), "same tags and attributes")
                self.assertEqual(_edge_whitespace(entry.msgstr), _edge_whitespace(entry.msgid))
                self.assertEqual(entry.msgstr.count("\n"), entry.msgid.count("\n"))
                if entry.msgid not in SAME_IN_ITALIAN:
                    self.assertNotEqual(entry.msgstr, entry.msgid, "translated, not copied")

    # ------------------------------------------------------------------------------------------
    # What an Italian user sees
    # ------------------------------------------------------------------------------------------

    def test_shipped_data_in_italian(self):
        stages = self.stage_new | self.stage_qualification | self.stage_proposal | self.stage_negotiation
        stages |= self.stage_won | self.stage_lost
        self.assertEqual(
            stages.with_context(lang="it_IT").mapped("name"),
            ["Nuovo", "Qualifica", "Proposta inviata", "Negoziazione", "Chiuso vinto", "Chiuso perso"],
        )
        self.assertEqual(self.stage_won.with_context(lang="en_US").name, "Closed Won", "English stays")
        self.assertEqual(
            self.stage_proposal.with_context(lang="it_IT").requirements,
            "Al cliente è stato inviato un preventivo o un'offerta.",
        )
        self.assertEqual(self.pipeline.with_context(lang="it_IT").name, "Vendite")
        self.assertEqual(self.lost_reason.with_context(lang="it_IT").name, "Troppo costoso")

    def test_labels_views_and_menus_in_italian(self):
        Deal = self.env["deal.deal"].with_context(lang="it_IT")
        fields = Deal.fields_get(["name", "stage_id", "user_id", "amount", "outcome"], ["string", "selection"])
        self.assertEqual(
            [fields[name]["string"] for name in ("name", "stage_id", "user_id", "amount")],
            ["Trattativa", "Fase", "Addetto vendite", "Importo stimato"],
        )
        self.assertEqual(fields["outcome"]["selection"], [("open", "Aperta"), ("won", "Vinta"), ("lost", "Persa")])
        self.assertEqual(self.env["ir.model"]._get("deal.deal").with_context(lang="it_IT").name, "Trattativa")

        arch = Deal.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('string="Riapri"', arch)
        self.assertIn('placeholder="es. Riprogettazione del sito web"', arch)
        menu = self.env.ref("deal_pipeline.deal_deal_menu").with_context(lang="it_IT")
        self.assertEqual(menu.name, "Trattative")

    def test_menus_distinct_in_italian(self):
        """The Deals menu and the two reports have distinct names in Italian too."""

        def names(*xmlids):
            return [self.env.ref(f"deal_pipeline.{xmlid}").with_context(lang="it_IT").name for xmlid in xmlids]

        self.assertEqual(
            names("deal_deal_menu_board", "deal_deal_menu_all", "deal_pipeline_menu_boards"),
            ["Pipeline", "Tutte le trattative", "Tutte le pipeline"],
        )
        self.assertEqual(
            names("deal_deal_menu_report", "deal_report_menu_sales", "deal_report_menu_invoicing"),
            ["Analisi pipeline", "Fatturazione trattative", "Fatturazione trattative"],
        )

    @users("deal_it")
    def test_errors_in_the_user_language(self):
        self._as_user_language()
        self.assertEqual(self.env.lang, "it_IT")
        deal = self._create_deal()
        with self.assertRaises(UserError) as caught:
            deal.action_reopen()
        self.assertEqual(caught.exception.args[0], "La trattativa “Website redesign” non è chiusa.")
        with self.assertRaises(ValidationError) as caught:
            self._create_deal(name="Intranet", stage_id=self.stage_lost.id)
        self.assertEqual(
            caught.exception.args[0],
            "La trattativa “Intranet” è in una fase persa: indica un motivo di perdita (usa il pulsante Persa).",
        )
        deal.action_mark_won()
        with self.assertRaises(UserError) as caught:
            deal.action_mark_won()
        self.assertEqual(caught.exception.args[0], "La trattativa “Website redesign” è già vinta.")

    @users("deal_it")
    def test_missing_stage_error_names_pipeline_and_outcome_in_italian(self):
        self._as_user_language()
        deal = self._create_deal()
        self.stage_won.sudo().active = False
        with self.assertRaises(UserError) as caught:
            deal.action_mark_won()
        self.assertEqual(
            caught.exception.args[0],
            "La pipeline “Vendite” non ha una fase Vinta: aggiungine una in Configurazione > Fasi.",
        )

    @users("deal_it")
    def test_sql_constraint_message_in_the_user_language(self):
        self._as_user_language()
        with self.assertRaises(CheckViolation) as caught, mute_logger("odoo.sql_db"):
            self._create_deal(amount=-1.0)
        self.assertEqual(
            self.env["deal.deal"]._sql_error_to_message(caught.exception),
            "L'importo stimato di una trattativa non può essere negativo.",
        )
