"""The stage entry requirements shipped in data/deal_stage_data.xml (noupdate) reach databases
installed before they were: set on the shipped stages whose requirements are empty, never over
an administrator's choice."""

from odoo import SUPERUSER_ID, Command, api

REQUIRED_FIELDS = ["amount", "expected_close_date"]
STAGES = ["deal_pipeline.stage_proposal_sent", "deal_pipeline.stage_negotiation"]


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    field_ids = [env["ir.model.fields"]._get("deal.deal", name).id for name in REQUIRED_FIELDS]
    for xmlid in STAGES:
        stage = env.ref(xmlid, raise_if_not_found=False)
        if stage and not stage.required_field_ids:
            stage.required_field_ids = [Command.set(field_ids)]
