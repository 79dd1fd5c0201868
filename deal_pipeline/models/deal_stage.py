from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

OUTCOMES = [
    ("open", "Open"),
    ("won", "Won"),
    ("lost", "Lost"),
]


class DealStage(models.Model):
    _name = "deal.stage"
    _description = "Deal Stage"
    _inherit = ["deal.api.input.mixin"]
    _order = "sequence, id"

    name = fields.Char("Stage Name", required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(
        "Folded in Pipeline", help="This stage is folded in the kanban view when there are no deals to display."
    )
    probability = fields.Float(
        "Probability (%)",
        default=10.0,
        aggregator="avg",
        help="Default win probability of the deals of this stage; a deal can override it.",
    )
    outcome = fields.Selection(
        OUTCOMES,
        required=True,
        default="open",
        help="Won and lost stages close the deal; open stages keep it in progress.",
    )
    requirements = fields.Text(
        translate=True, help="What a deal needs to reach this stage, shown as a tooltip on the board column."
    )
    required_field_ids = fields.Many2many(
        "ir.model.fields",
        "deal_stage_required_field_rel",
        "stage_id",
        "field_id",
        string="Required Fields",
        domain=[("model", "=", "deal.deal"), ("store", "=", True)],
        help="Fields a deal must have filled in to enter this stage.",
    )
    rotting_threshold_days = fields.Integer(
        "Days to rot", default=0, help="A deal that stays longer in this stage is marked as rotting. 0 = never."
    )
    pipeline_ids = fields.Many2many(
        "deal.pipeline",
        help="Pipelines that use this stage. Leave empty to share the stage with every pipeline.",
    )
    active = fields.Boolean(default=True)
    allow_quotation = fields.Boolean(
        "Quotations Allowed",
        default=True,
        help="The deals of this stage show the New Quote button.",
    )

    _api_input_bounds = {"probability": (0, 100)}
    _probability_range = models.Constraint(
        "CHECK(probability >= 0 AND probability <= 100)",
        "The probability of a stage must be between 0 and 100.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._api_input_check(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._api_input_check([vals])
        reordered = "sequence" in vals and any(stage.sequence != vals["sequence"] for stage in self)
        result = super().write(vals)
        if reordered:
            # what went further depends on the order of the stages: counted again in the background
            self.env["ir.config_parameter"].sudo().set_param("deal_pipeline.funnel_facts_stale", True)
            self.env.ref("deal_pipeline.ir_cron_deal_funnel_facts")._trigger()
        return result

    @api.constrains("required_field_ids")
    def _check_required_fields(self):
        if wrong := self.required_field_ids.filtered(lambda field: field.model != "deal.deal" or not field.store)[:1]:
            raise ValidationError(
                self.env._(
                    "The field “%(field)s” (%(model)s) cannot be required to enter a stage: "
                    "choose a stored field of the deals.",
                    field=wrong.field_description,
                    model=wrong.model,
                )
            )

    def _belongs_to(self, pipeline):
        """Whether this stage can hold the deals of ``pipeline`` (shared stages fit every pipeline)."""
        return not self.pipeline_ids or pipeline in self.pipeline_ids

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        # A stage deals went through stays in their stage history (the funnel and the win
        # probability read it), which the database keeps from being deleted: said here first.
        holding = self.env["deal.deal"]._count_deals_by("stage_id", self)
        passed = self.env["deal.stage.history"]._count_deals_through(
            "stage_id", self.filtered(lambda stage: stage not in holding)
        )
        messages = [
            self.env._(
                "The stage “%(stage)s” holds %(count)s deal(s), archived ones included: move them to "
                "another stage first, or archive the stage instead of deleting it.",
                stage=stage.name,
                count=count,
            )
            for stage, count in holding.items()
        ] + [
            self.env._(
                "%(count)s deal(s) went through the stage “%(stage)s”, archived ones included, and their "
                "history keeps it for the reports: archive the stage instead of deleting it.",
                stage=stage.name,
                count=count,
            )
            for stage, count in passed.items()
        ]
        if messages:
            raise UserError("\n".join(messages))
