from odoo import api, models

# The stages of Pipedrive's and HubSpot's default pipelines (and HubSpot's internal names), by
# meaning: the shipped deal stage they become when no deal stage has their name.
EXTERNAL_STAGES = {
    "lead in": "stage_new",
    "contact made": "stage_new",
    "appointment scheduled": "stage_new",
    "appointmentscheduled": "stage_new",
    "qualified": "stage_qualification",
    "qualified to buy": "stage_qualification",
    "qualifiedtobuy": "stage_qualification",
    "demo scheduled": "stage_qualification",
    "presentation scheduled": "stage_qualification",
    "presentationscheduled": "stage_qualification",
    "proposal made": "stage_proposal_sent",
    "decision maker bought-in": "stage_proposal_sent",
    "decisionmakerboughtin": "stage_proposal_sent",
    "negotiations started": "stage_negotiation",
    "contract sent": "stage_negotiation",
    "contractsent": "stage_negotiation",
    "won": "stage_won",
    "closed won": "stage_won",
    "closedwon": "stage_won",
    "lost": "stage_lost",
    "closed lost": "stage_lost",
    "closedlost": "stage_lost",
}
# HubSpot's deal priorities
EXTERNAL_PRIORITIES = {"low": "1", "medium": "2", "high": "3"}


class DealDeal(models.Model):
    _inherit = "deal.deal"

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._("Import Template for Deals (Pipedrive export)"),
                "template": "/deal_pipeline/static/xls/deal_import_pipedrive.csv",
            },
            {
                "label": self.env._("Import Template for Deals (HubSpot export)"),
                "template": "/deal_pipeline/static/xls/deal_import_hubspot.csv",
            },
        ]

    @api.model
    def load(self, fields, data):
        if self.env.context.get("import_file"):
            data = self._import_normalize(fields, data)
        return super().load(fields, data)

    @api.model
    def _import_normalize(self, fields, data):
        """Turn the values of other CRMs' exports into the names Odoo's import looks up: stage,
        pipeline, lost reason and currency names in any case (and the stages of Pipedrive's and
        HubSpot's default pipelines by meaning), owners by e-mail, HubSpot's priorities. A value
        that matches nothing is left as it is: the import reports it on its row."""
        lookups = {
            "stage_id": self._import_stage_names,
            "pipeline_id": lambda: self._import_names("deal.pipeline"),
            "lost_reason_id": lambda: self._import_names("deal.lost.reason"),
            "currency_id": lambda: self._import_names("res.currency"),
            "user_id": self._import_user_logins,
            "priority": lambda: EXTERNAL_PRIORITIES,
        }
        columns = {index: lookups[field]() for index, field in enumerate(fields) if field in lookups}
        if not columns:
            return data
        rows = []
        for line in data:
            row = list(line)
            for index, names in columns.items():
                value = row[index]
                if isinstance(value, str) and (found := names.get(value.strip().casefold())):
                    row[index] = found
            rows.append(row)
        return rows

    @api.model
    def _import_names(self, model):
        """{name in lower case: name} of the records the user may read."""
        return {record.name.casefold(): record.name for record in self.env[model].search([])}

    @api.model
    def _import_stage_names(self):
        names = self._import_names("deal.stage")
        for external, xmlid in EXTERNAL_STAGES.items():
            stage = self.env.ref(f"deal_pipeline.{xmlid}", raise_if_not_found=False)
            if external not in names and stage and stage.active:
                names[external] = stage.name
        return names

    @api.model
    def _import_user_logins(self):
        """{login, e-mail or name in lower case: login} of the internal users."""
        logins = {}
        for user in self.env["res.users"].search([("share", "=", False)]):
            for key in (user.name, user.email, user.login):
                if key:
                    logins.setdefault(key.casefold(), user.login)
        return logins
