from odoo import api, fields, models
from odoo.fields import Command


class DealConvertWizard(models.TransientModel):
    _name = "deal.convert.wizard"
    _description = "Convert Opportunities to Deals"

    lead_ids = fields.Many2many("crm.lead", string="Opportunities", context={"active_test": False})
    line_ids = fields.One2many(
        "deal.convert.wizard.line",
        "wizard_id",
        string="Pipelines",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    lead_count = fields.Integer("Selected", compute="_compute_counts")
    converted_count = fields.Integer("Already Converted", compute="_compute_counts")

    @api.model
    def default_get(self, fields):
        """The selected opportunities, or the open opportunities of the selected sales teams."""
        result = super().default_get(fields)
        active_model, active_ids = self.env.context.get("active_model"), self.env.context.get("active_ids") or []
        if "lead_ids" in fields and active_ids:
            if active_model == "crm.lead":
                result["lead_ids"] = [Command.set(active_ids)]
            elif active_model == "crm.team":
                leads = self.env["crm.lead"].search(
                    [("type", "=", "opportunity"), ("team_id", "in", active_ids), ("won_status", "=", "pending")]
                )
                result["lead_ids"] = [Command.set(leads.ids)]
        return result

    @api.depends("lead_ids")
    def _compute_line_ids(self):
        for wizard in self:
            pipelines = wizard.lead_ids._default_deal_pipelines()
            counts = dict(
                self.env["crm.lead"]
                .with_context(active_test=False)
                ._read_group(
                    [("id", "in", wizard.lead_ids.ids), ("type", "=", "opportunity"), ("deal_id", "=", False)],
                    ["team_id"],
                    ["__count"],
                )
            )
            wizard.line_ids = [Command.clear()] + [
                Command.create({"team_id": team.id, "pipeline_id": pipeline.id, "lead_count": counts.get(team, 0)})
                for team, pipeline in sorted(pipelines.items(), key=lambda item: (not item[0], item[0].name or ""))
                if counts.get(team)
            ]

    @api.depends("lead_ids")
    def _compute_counts(self):
        for wizard in self:
            wizard.lead_count = len(wizard.lead_ids)
            wizard.converted_count = len(wizard.lead_ids.filtered("deal_id"))

    def action_convert(self):
        self.ensure_one()
        return self.lead_ids._action_convert_to_deal({line.team_id: line.pipeline_id for line in self.line_ids})
