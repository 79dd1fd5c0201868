from psycopg2.errors import CheckViolation

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import mute_logger

from .common import DealCommon
from .po_checks import ItalianPoChecks


@tagged("post_install", "-at_install")
class TestDealI18n(DealCommon, ItalianPoChecks):
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
        self.assert_italian_po_complete("deal_pipeline")

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
    def test_amount_message_in_the_user_language(self):
        """The check before SQL speaks the user's language; the SQL constraint, the last guard,
        too."""
        self._as_user_language()
        with self.assertRaises(ValidationError) as caught:
            self._create_deal(amount=-1.0)
        self.assertEqual(
            caught.exception.args[0],
            "Valore errato per il campo “Importo stimato” (amount): -1.0. Inserisci un numero pari o superiore a 0.",
        )
        deal = self._create_deal()
        deal.flush_recordset()
        with self.assertRaises(CheckViolation) as caught, mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE deal_deal SET amount = -1 WHERE id = %s", [deal.id])
        self.assertEqual(
            self.env["deal.deal"]._sql_error_to_message(caught.exception),
            "L'importo stimato di una trattativa non può essere negativo.",
        )
