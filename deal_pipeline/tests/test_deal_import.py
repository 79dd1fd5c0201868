import csv
import io

from odoo.tests import new_test_user, tagged, users

from .common import DealCommon

HUBSPOT_HEADERS = (
    "Deal Name",
    "Associated Company",
    "Deal owner",
    "Amount",
    "Currency",
    "Pipeline",
    "Deal Stage",
    "Close Date",
    "Closed Lost Reason",
    "Priority",
)
# HubSpot's default stages, internal names included, and the deal stage each one becomes
HUBSPOT_STAGES = [
    ("Appointment scheduled", "stage_new"),
    ("qualifiedtobuy", "stage_qualification"),
    ("Decision maker bought-in", "stage_proposal_sent"),
    ("Contract sent", "stage_negotiation"),
    ("Closed won", "stage_won"),
    ("closedlost", "stage_lost"),
]
IMPORT_OPTIONS = {
    "has_headers": True,
    "quoting": '"',
    "separator": ",",
    "encoding": "utf-8",
    "date_format": "%Y-%m-%d",
    "datetime_format": "%Y-%m-%d %H:%M:%S",
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
    "fallback_values": {},
    "name_create_enabled_fields": {},
    "import_set_empty_fields": [],
    "import_skip_records": [],
}


@tagged("post_install", "-at_install")
class TestDealImport(DealCommon):
    """Deals imported through the import dialog's calls (parse_preview, execute_import) from the
    export files of other CRMs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.EUR").active = True
        cls.owners = [
            new_test_user(
                cls.env,
                login=f"import_owner_{i}",
                email=f"owner{i}@hubspot.example.com",
                groups="deal_pipeline.group_deal_user_own",
                name=f"Import Owner {i}",
            )
            for i in range(3)
        ]
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Import Customer {i:02d}", "is_company": True} for i in range(20)]
        )

    def _hubspot_row(self, i):
        stage, _xmlid = HUBSPOT_STAGES[i % len(HUBSPOT_STAGES)]
        return {
            "Deal Name": f"Imported deal {i:04d}",
            "Associated Company": self.customers[i % 20].name,
            "Deal owner": f"OWNER{i % 3}@hubspot.example.com",
            "Amount": f"{1000 + i}.50",
            "Currency": "eur" if i % 2 else "USD",
            "Pipeline": "sales",
            "Deal Stage": stage,
            "Close Date": f"2026-{i % 12 + 1:02d}-15",
            "Closed Lost Reason": "too expensive" if stage == "closedlost" else "",
            "Priority": ["low", "medium", "high", ""][i % 4],
        }

    def _import(self, rows, headers=None):
        """Preview the file and import it with the columns the dialog matched; the preview's
        matches and the import result."""
        headers = headers or HUBSPOT_HEADERS
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
        importer = self.env["base_import.import"].create(
            {
                "res_model": "deal.deal",
                "file": buffer.getvalue().encode(),
                "file_type": "text/csv",
                "file_name": "hubspot-deals.csv",
            }
        )
        preview = importer.parse_preview(dict(IMPORT_OPTIONS))
        self.assertFalse(preview.get("error"), preview.get("error"))
        fields = [
            "/".join(preview["matches"][index]) if index in preview["matches"] else False
            for index in range(len(headers))
        ]
        return fields, importer.execute_import(fields, list(headers), dict(IMPORT_OPTIONS))

    def test_import_templates(self):
        templates = self.env["deal.deal"].get_import_templates()
        self.assertEqual(
            [template["template"] for template in templates],
            [
                "/deal_pipeline/static/xls/deal_import_pipedrive.csv",
                "/deal_pipeline/static/xls/deal_import_hubspot.csv",
            ],
        )

    @users("deal_manager")
    def test_import_hubspot_export(self):
        rows = [self._hubspot_row(i) for i in range(1000)]
        bad = {
            100: {"Deal owner": "nobody@hubspot.example.com"},
            200: {"Amount": "-5"},
            300: {"Deal Stage": "Imaginary stage"},
            400: {"Currency": "XYZ"},
            500: {"Deal Stage": "Closed lost", "Closed Lost Reason": ""},
        }
        for index, change in bad.items():
            rows[index] |= change

        fields, result = self._import(rows)
        self.assertEqual(
            fields,
            [
                "name",
                "partner_id",
                "user_id",
                "amount",
                "currency_id",
                "pipeline_id",
                "stage_id",
                "expected_close_date",
                "lost_reason_id",
                "priority",
            ],
            "the dialog matches HubSpot's column names",
        )
        self.assertFalse(result["ids"], "nothing is imported while some rows are wrong")
        errors = [message for message in result["messages"] if message["type"] == "error"]
        self.assertEqual(sorted({message["record"] for message in errors}), sorted(bad))
        self.assertFalse(self.env["deal.deal"].search_count([("name", "=like", "Imported deal %")]))

        good = [row for index, row in enumerate(rows) if index not in bad]
        _fields, result = self._import(good)
        self.assertFalse([message for message in result["messages"] if message["type"] == "error"], result["messages"])
        self.assertEqual(len(result["ids"]), 995)
        deals = self.env["deal.deal"].browse(result["ids"])
        self.assertEqual(
            len(deals.filtered(lambda deal: deal.outcome == "won")), 164, "1 in 6, rows 100 and 400 left out"
        )

        deal = deals.filtered(lambda deal: deal.name == "Imported deal 0005")
        self.assertEqual(deal.partner_id, self.customers[5])
        self.assertEqual(deal.user_id, self.owners[2])
        self.assertEqual(deal.amount, 1005.5)
        self.assertEqual(deal.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(deal.pipeline_id, self.pipeline)
        self.assertEqual(deal.stage_id, self.stage_lost)
        self.assertEqual(deal.lost_reason_id, self.lost_reason)
        self.assertEqual(str(deal.expected_close_date), "2026-06-15")
        self.assertEqual(deal.priority, "2")
        for i, (_stage, xmlid) in enumerate(HUBSPOT_STAGES):
            imported = deals.filtered(lambda deal, i=i: deal.name == f"Imported deal {i:04d}")
            self.assertEqual(imported.stage_id, self.env.ref(f"deal_pipeline.{xmlid}"))

    @users("deal_manager")
    def test_import_pipedrive_export(self):
        headers = [
            "Deal - Title",
            "Deal - Organization",
            "Deal - Owner",
            "Deal - Value",
            "Deal - Currency",
            "Deal - Stage",
            "Deal - Expected close date",
        ]
        rows = [
            dict(
                zip(
                    headers,
                    [
                        "Pipedrive deal",
                        self.customers[0].name,
                        "owner1@hubspot.example.com",
                        "250",
                        "EUR",
                        "Proposal Made",
                        "2026-09-01",
                    ],
                    strict=True,
                )
            )
        ]
        fields, result = self._import(rows, headers)
        self.assertEqual(
            fields, ["name", "partner_id", "user_id", "amount", "currency_id", "stage_id", "expected_close_date"]
        )
        deal = self.env["deal.deal"].browse(result["ids"])
        self.assertEqual(len(deal), 1, result["messages"])
        self.assertEqual((deal.user_id, deal.stage_id, deal.amount), (self.owners[1], self.stage_proposal, 250.0))
