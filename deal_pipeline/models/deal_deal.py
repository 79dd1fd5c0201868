from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

PRIORITIES = [
    ("0", "Normal"),
    ("1", "Good"),
    ("2", "Very Good"),
    ("3", "Excellent"),
]


class DealDeal(models.Model):
    _name = "deal.deal"
    _description = "Deal"
    _inherit = ["mail.tracking.duration.mixin", "mail.activity.mixin"]  # the mixin brings mail.thread
    _order = "priority desc, id desc"
    _check_company_auto = True
    _track_duration_field = "stage_id"

    name = fields.Char("Deal", required=True, tracking=True, index="trigram")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    pipeline_id = fields.Many2one(
        "deal.pipeline",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        default=lambda self: self._default_pipeline(),
    )
    stage_id = fields.Many2one(
        "deal.stage",
        compute="_compute_stage_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        domain="['|', ('pipeline_ids', '=', False), ('pipeline_ids', 'in', pipeline_id)]",
    )
    outcome = fields.Selection(related="stage_id.outcome", store=True, precompute=True, index=True)
    last_open_stage_id = fields.Many2one(
        "deal.stage",
        compute="_compute_last_open_stage_id",
        store=True,
        precompute=True,
        copy=False,
        help="Where a closed deal goes back to when it is reopened.",
    )
    probability = fields.Float(
        "Probability (%)",
        compute="_compute_probability",
        store=True,
        precompute=True,
        readonly=False,
        aggregator="avg",
        tracking=True,
        help="Win probability; follows the stage unless it is set on the deal.",
    )
    expected_close_date = fields.Date(index=True, tracking=True)
    date_closed = fields.Datetime(
        "Closed On", compute="_compute_date_closed", store=True, precompute=True, copy=False, index=True
    )
    date_last_stage_update = fields.Datetime(
        "Last Stage Update",
        compute="_compute_date_last_stage_update",
        store=True,
        precompute=True,
        copy=False,
        index=True,
    )
    lost_reason_id = fields.Many2one(
        "deal.lost.reason",
        compute="_compute_lost_reason_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
    )
    priority = fields.Selection(PRIORITIES, default="0")
    tag_ids = fields.Many2many("deal.tag")
    color = fields.Integer("Color Index")
    description = fields.Html("Notes")
    active = fields.Boolean(default=True, tracking=True)

    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        tracking=True,
        domain=[("active", "=", True)],
        default=lambda self: self.env.company.currency_id,
    )
    amount = fields.Monetary("Estimated Amount", currency_field="currency_id", tracking=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency", store=True, precompute=True
    )
    amount_company = fields.Monetary(
        "Estimated Amount (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
        precompute=True,
        help="The estimated amount converted at the rate of the expected close date (or today); "
        "once the deal is closed, at the rate of its closing date.",
    )
    amount_weighted = fields.Monetary(
        "Weighted Amount",
        currency_field="company_currency_id",
        compute="_compute_amount_weighted",
        store=True,
        precompute=True,
        help="Amount in company currency multiplied by the probability.",
    )

    _amount_positive = models.Constraint("CHECK(amount >= 0)", "The estimated amount of a deal cannot be negative.")
    _probability_range = models.Constraint(
        "CHECK(probability >= 0 AND probability <= 100)",
        "The probability of a deal must be between 0 and 100.",
    )
    # a board column: one pipeline's stage, read in the default order (priority desc, id desc)
    _board_index = models.Index("(pipeline_id, stage_id, priority DESC, id DESC) WHERE active IS TRUE")
    # the list's first page in the default order
    _default_order_index = models.Index("(priority DESC, id DESC) WHERE active IS TRUE")

    # ------------------------------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------------------------------

    def _default_pipeline(self):
        if pipeline_id := self.env.context.get("default_pipeline_id"):
            return self.env["deal.pipeline"].browse(pipeline_id)
        return self.env["deal.pipeline"].search([("company_id", "in", [False, self.env.company.id])], limit=1)

    @api.depends("pipeline_id")
    def _compute_stage_id(self):
        for pipeline, deals in self.grouped("pipeline_id").items():
            first_open = pipeline._stage_for_outcome("open") if pipeline else self.env["deal.stage"]
            for deal in deals:
                if not deal.stage_id or not deal.stage_id._belongs_to(pipeline):
                    deal.stage_id = first_open

    @api.depends("stage_id")
    def _compute_last_open_stage_id(self):
        for deal in self:
            if deal.stage_id.outcome == "open":
                deal.last_open_stage_id = deal.stage_id
            else:
                deal.last_open_stage_id = deal.last_open_stage_id

    @api.depends("stage_id")
    def _compute_probability(self):
        for deal in self:
            deal.probability = deal.stage_id.probability

    @api.depends("outcome")
    def _compute_date_closed(self):
        now = fields.Datetime.now()
        for deal in self:
            deal.date_closed = (deal.date_closed or now) if deal.outcome in ("won", "lost") else False

    @api.depends("stage_id")
    def _compute_date_last_stage_update(self):
        self.date_last_stage_update = fields.Datetime.now()

    @api.depends("outcome")
    def _compute_lost_reason_id(self):
        for deal in self:
            deal.lost_reason_id = deal.lost_reason_id if deal.outcome == "lost" else False

    @api.depends("amount", "currency_id", "company_id", "expected_close_date", "date_closed")
    def _compute_amount_company(self):
        today = fields.Date.context_today(self)
        rates = {}
        for deal in self:
            company_currency = deal.company_id.currency_id
            if not deal.currency_id or not company_currency or deal.currency_id == company_currency:
                deal.amount_company = deal.amount
                continue
            rate_date = deal.date_closed.date() if deal.date_closed else deal.expected_close_date or today
            key = (deal.currency_id, company_currency, deal.company_id, rate_date)
            if key not in rates:
                rates[key] = deal.currency_id._get_conversion_rate(*key)
            deal.amount_company = company_currency.round(deal.amount * rates[key])

    @api.depends("amount_company", "probability")
    def _compute_amount_weighted(self):
        for deal in self:
            deal.amount_weighted = deal.company_currency_id.round(deal.amount_company * deal.probability / 100)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """Board columns: the stages of the pipeline in context (its own and the shared ones),
        plus any stage that holds deals."""
        stage_domain = Domain("pipeline_ids", "=", False)
        if pipeline_id := self.env.context.get("default_pipeline_id"):
            stage_domain |= Domain("pipeline_ids", "in", [pipeline_id])
        stage_ids = stages.sudo()._search(Domain("id", "in", stages.ids) | stage_domain, order=stages._order)
        return stages.browse(stage_ids)

    # ------------------------------------------------------------------------------------------
    # Rotting (mail.tracking.duration.mixin): closed deals do not rot
    # ------------------------------------------------------------------------------------------

    def _get_rotting_depends_fields(self):
        return [*super()._get_rotting_depends_fields(), "outcome"]

    def _get_rotting_domain(self):
        return super()._get_rotting_domain() & Domain("outcome", "=", "open")

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------

    @api.constrains("amount")
    def _check_amount(self):
        if any(deal.amount < 0 for deal in self):
            raise ValidationError(self.env._("The estimated amount of a deal cannot be negative."))

    @api.constrains("probability")
    def _check_probability(self):
        if any(not 0 <= deal.probability <= 100 for deal in self):
            raise ValidationError(self.env._("The probability of a deal must be between 0 and 100."))

    @api.constrains("stage_id", "lost_reason_id")
    def _check_lost_reason(self):
        for deal in self:
            if deal.outcome == "lost" and not deal.lost_reason_id:
                raise ValidationError(
                    self.env._(
                        "The deal “%(deal)s” is in a lost stage: give it a lost reason (use the Lost button).",
                        deal=deal.name,
                    )
                )

    @api.constrains("stage_id", "pipeline_id")
    def _check_stage_pipeline(self):
        for deal in self:
            if not deal.stage_id._belongs_to(deal.pipeline_id):
                raise ValidationError(
                    self.env._(
                        "The stage “%(stage)s” is not used by the pipeline “%(pipeline)s”: "
                        "choose one of the pipeline's stages.",
                        stage=deal.stage_id.name,
                        pipeline=deal.pipeline_id.name,
                    )
                )

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------

    def _stage_of_pipeline(self, pipeline, outcome):
        stage = pipeline._stage_for_outcome(outcome)
        if not stage:
            raise UserError(
                self.env._(
                    "The pipeline “%(pipeline)s” has no %(outcome)s stage: add one in Configuration > Stages.",
                    pipeline=pipeline.name,
                    outcome=dict(self.env["deal.stage"]._fields["outcome"]._description_selection(self.env))[outcome],
                )
            )
        return stage

    @api.model
    def action_open_default_board(self):
        """The board of the current company's first pipeline (the Deals menu)."""
        pipeline = self._default_pipeline()
        if not pipeline:
            return self.env["ir.actions.act_window"]._for_xml_id("deal_pipeline.deal_deal_action")
        return pipeline.action_open_board()

    def action_mark_won(self):
        """Move the deals to the won stage of their pipeline."""
        if won := self.filtered(lambda deal: deal.outcome == "won"):
            raise UserError(self.env._("The deal “%(deal)s” is already won.", deal=won[0].name))
        for pipeline, deals in self.grouped("pipeline_id").items():
            deals.write({"stage_id": self._stage_of_pipeline(pipeline, "won").id})
        return True

    def action_mark_lost(self, lost_reason_id=None):
        """Move the deals to the lost stage of their pipeline; without a reason, open the wizard
        that asks for one."""
        if lost := self.filtered(lambda deal: deal.outcome == "lost"):
            raise UserError(self.env._("The deal “%(deal)s” is already lost.", deal=lost[0].name))
        if not lost_reason_id:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Mark as Lost"),
                "res_model": "deal.lost.wizard",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_deal_ids": self.ids, "dialog_size": "medium"},
            }
        reason = isinstance(lost_reason_id, int) and self.env["deal.lost.reason"].browse(lost_reason_id).exists()
        if not reason:
            raise UserError(self.env._("Unknown lost reason: %(reason)s.", reason=lost_reason_id))
        for pipeline, deals in self.grouped("pipeline_id").items():
            deals.write({"stage_id": self._stage_of_pipeline(pipeline, "lost").id, "lost_reason_id": reason.id})
        return True

    def action_reopen(self):
        """Move closed deals back to the open stage they were in before closing."""
        if still_open := self.filtered(lambda deal: deal.outcome == "open"):
            raise UserError(self.env._("The deal “%(deal)s” is not closed.", deal=still_open[0].name))

        def reopen_stage(deal):
            if deal.last_open_stage_id and deal.last_open_stage_id._belongs_to(deal.pipeline_id):
                return deal.last_open_stage_id
            return self._stage_of_pipeline(deal.pipeline_id, "open")

        for stage, deals in self.grouped(reopen_stage).items():
            deals.write({"stage_id": stage.id})
        return True
