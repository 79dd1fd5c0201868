"""The deal: its fields, stage and outcome, amounts, contacts, constraints, create and write, and
the won, lost and reopen actions. Its other concerns extend it in files of their own,
deal_deal_<concern>.py (README, Architecture)."""

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
    # mail.tracking.duration.mixin brings mail.thread
    _inherit = ["mail.tracking.duration.mixin", "mail.activity.mixin", "deal.api.input.mixin"]
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
    date_open = fields.Datetime(
        "Opened On",
        required=True,
        index=True,
        copy=False,
        default=lambda self: self.env.cr.now(),
        help="When the deal started: its creation, or the date its import gave.",
    )
    date_closed = fields.Datetime(
        "Closed On",
        compute="_compute_date_closed",
        store=True,
        precompute=True,
        readonly=False,  # given by a deals administrator who creates a closed deal (_check_given_dates)
        copy=False,
        index=True,
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
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        domain=[("active", "=", True)],
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

    stage_history_ids = fields.One2many("deal.stage.history", "deal_id", groups="deal_pipeline.group_deal_user_own")

    # The people involved in the purchase, with their roles
    contact_ids = fields.One2many("deal.contact", "deal_id")
    primary_contact_id = fields.Many2one(
        "res.partner",
        compute="_compute_primary_contact_id",
        store=True,
        index="btree_not_null",
        help="The contact marked as primary among the deal's contacts.",
    )
    involved_partner_id = fields.Many2one(
        "res.partner",
        string="Person Involved",
        compute="_compute_involved_partner_id",
        search="_search_involved_partner_id",
        help="Search the deals of a customer or where a person is one of the contacts.",
    )

    _api_input_bounds = {"amount": (0, None), "probability": (0, 100)}
    _amount_positive = models.Constraint("CHECK(amount >= 0)", "The estimated amount of a deal cannot be negative.")
    _probability_range = models.Constraint(
        "CHECK(probability >= 0 AND probability <= 100)",
        "The probability of a deal must be between 0 and 100.",
    )
    # A board column: one pipeline's stage, read in the default order (priority desc, id desc).
    # The included columns let the column sums and the pivot (filtered by outcome, grouped by
    # stage, currency and close date) read the index alone, not every row of the pipeline.
    _board_index = models.Index(
        "(pipeline_id, stage_id, priority DESC, id DESC)"
        " INCLUDE (outcome, company_id, company_currency_id, amount_company, expected_close_date)"
        " WHERE active IS TRUE"
    )
    # the list's first page in the default order
    _default_order_index = models.Index("(priority DESC, id DESC) WHERE active IS TRUE")

    # ------------------------------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------------------------------

    def _default_pipeline(self):
        if pipeline_id := self.env.context.get("default_pipeline_id"):
            self._api_input_check([], field_names=["pipeline_id"], create=True)
            return self.env["deal.pipeline"].browse(pipeline_id)
        return self.env["deal.pipeline"].search([("company_id", "in", [False, self.env.company.id])], limit=1)

    @api.depends("contact_ids.is_primary", "contact_ids.partner_id")
    def _compute_primary_contact_id(self):
        for deal in self:
            deal.primary_contact_id = deal.contact_ids.filtered("is_primary")[:1].partner_id

    def _compute_involved_partner_id(self):
        self.involved_partner_id = False

    def _search_involved_partner_id(self, operator, value):
        if operator not in ("in", "child_of", "any"):
            return NotImplemented
        return Domain("partner_id", operator, value) | Domain("contact_ids.partner_id", operator, value)

    @api.depends("pipeline_id")
    def _compute_stage_id(self):
        for pipeline, deals in self.grouped("pipeline_id").items():
            misplaced = deals.filtered(lambda deal, p=pipeline: not deal.stage_id or not deal.stage_id._belongs_to(p))
            for deal in deals - misplaced:
                deal.stage_id = deal.stage_id  # a stage of the new pipeline too: kept
            if misplaced:
                misplaced.stage_id = pipeline._stage_for_outcome("open") if pipeline else False

    @api.depends("company_id")
    def _compute_currency_id(self):
        for deal in self:
            deal.currency_id = deal.currency_id or deal.company_id.currency_id  # a chosen currency is kept

    @api.depends("stage_id")
    def _compute_last_open_stage_id(self):
        for deal in self:
            if deal.stage_id.outcome == "open":
                deal.last_open_stage_id = deal.stage_id
            else:
                deal.last_open_stage_id = deal.last_open_stage_id  # closed: the last open stage is kept

    @api.depends("stage_id")
    def _compute_probability(self):
        for deal in self:
            deal.probability = deal.stage_id.probability

    @api.depends("outcome")
    def _compute_date_closed(self):
        now = fields.Datetime.now()
        for deal in self:
            deal.date_closed = (
                (deal.date_closed or now) if deal.outcome in ("won", "lost") else False
            )  # kept once closed

    @api.depends("stage_id")
    def _compute_date_last_stage_update(self):
        # the transaction's time, as the rotting and duration mixin measures against it
        self.date_last_stage_update = self.env.cr.now()

    @api.depends("outcome")
    def _compute_lost_reason_id(self):
        for deal in self:
            deal.lost_reason_id = deal.lost_reason_id if deal.outcome == "lost" else False  # kept while lost

    def _company_rates(self):
        """{deal: rate from its currency to its company's}: at the closing date once closed, else at
        the expected close date, else today; for all the deals in one query
        (``res.currency._get_conversion_rates``)."""
        today = fields.Date.context_today(self)
        conversions = {
            deal: (
                deal.currency_id,
                deal.company_id.currency_id,
                deal.company_id,
                deal.date_closed.date() if deal.date_closed else deal.expected_close_date or today,
            )
            for deal in self
            if deal.currency_id and deal.company_id.currency_id
        }
        rates = self.env["res.currency"]._get_conversion_rates(conversions.values())
        return {deal: rates[conversions[deal]] if deal in conversions else 1.0 for deal in self}

    @api.depends("amount", "currency_id", "company_id", "expected_close_date", "date_closed")
    def _compute_amount_company(self):
        rates = self._company_rates()
        for deal in self:
            deal.amount_company = deal.company_id.currency_id.round(deal.amount * rates[deal])

    @api.depends("amount_company", "probability")
    def _compute_amount_weighted(self):
        for deal in self:
            deal.amount_weighted = deal.company_currency_id.round(deal.amount_company * deal.probability / 100)

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

    @api.constrains("user_id")
    def _check_owner_internal(self):
        if owner := self.user_id.filtered("share")[:1]:
            raise ValidationError(
                self.env._(
                    "The field “Owner” (user_id): %(user)s is a portal or public user; "
                    "the owner of a deal must be an internal user.",
                    user=owner.name,
                )
            )

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
    # CRUD: values from the external API are checked before they reach the database
    # (deal.api.input.mixin)
    # ------------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = self._without_empty_dates(self._with_default_dates(vals_list))
        self._api_input_check(vals_list, create=True)
        self._check_given_dates(vals_list)
        if any("pipeline_id" not in vals for vals in vals_list):
            # the default pipeline is searched once for the batch, not once per deal
            default = self.default_get(["pipeline_id"])
            vals_list = [default | vals for vals in vals_list]
        deals = super().create(vals_list)
        deals._check_stage_requirements()
        self.env["deal.stage.history"]._log_created(deals, vals_list)
        deals._log_given_dates(vals_list)
        return deals

    def _load_records_create(self, vals_list):
        """An import's batch with a refused row fails without a message of its own: Odoo's load
        then retries row by row and reports each refused row alone, where a UserError of the
        batch would also be reported on the batch's first row."""
        if len(vals_list) > 1:
            try:
                vals_list = self._without_empty_dates(vals_list)
                self._api_input_check(vals_list, create=True)
                self._check_given_dates(vals_list)
            except UserError as error:
                raise ValueError(str(error)) from None
        return super()._load_records_create(vals_list)

    def write(self, vals):
        self._api_input_check([vals])
        self._check_given_dates([vals], create=False)
        old_stages = (
            {deal.id: (deal.stage_id, deal.pipeline_id) for deal in self}
            if {"stage_id", "pipeline_id"} & vals.keys()
            else {}
        )
        # Writing a deal's current stage again is no stage change: it keeps the probability set on
        # the deal and the time in stage, which the ORM would otherwise recompute.
        same_stage = self.browse()
        if "stage_id" in vals:
            same_stage = self.filtered(lambda deal: deal.stage_id.id == vals["stage_id"])
            # a pending computation must see the stage the deal leaves, not only the new one
            self.flush_recordset(["last_open_stage_id"])
        # A card moved to another stage of the same outcome (open to open) keeps its closing date,
        # lost reason and converted amounts: they are not recomputed (no rate lookup on a move).
        same_outcome = self.browse()
        if set(vals) == {"stage_id"}:
            outcome = self.env["deal.stage"].browse(vals["stage_id"]).outcome
            same_outcome = self.filtered(lambda deal: deal.outcome == outcome)
        stage_change_fields = [self._fields["probability"], self._fields["date_last_stage_update"]]
        outcome_fields = [
            self._fields[name] for name in ("date_closed", "lost_reason_id", "amount_company", "first_amount_company")
        ]
        with self.env.protecting(stage_change_fields, same_stage), self.env.protecting(outcome_fields, same_outcome):
            result = super().write(vals)
        if old_stages:
            moved = self.filtered(lambda deal: (deal.stage_id, deal.pipeline_id) != old_stages[deal.id])
            moved.filtered(lambda deal: deal.stage_id != old_stages[deal.id][0])._check_stage_requirements()
            self.env["deal.stage.history"]._log_moves(moved)
        return result

    def _missing_stage_fields(self, stage):
        """The labels of the fields that ``stage`` requires and this deal leaves empty."""
        self.ensure_one()
        deal = self.sudo()  # the check reads the values, whatever groups restrict the fields
        return [
            self._fields[field.name]._description_string(self.env)
            for field in stage.sudo().required_field_ids
            if field.name in self._fields and not deal[field.name]
        ]

    def _check_stage_requirements(self):
        """Refuse, in one message, the deals that enter a stage without the fields it requires."""
        problems = [
            self.env._(
                "The deal “%(deal)s” cannot enter the stage “%(stage)s”: fill in %(fields)s first.",
                deal=deal.name,
                stage=deal.stage_id.name,
                fields=", ".join(missing),
            )
            for deal in self
            if (missing := deal._missing_stage_fields(deal.stage_id))
        ]
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model
    def _count_deals_by(self, field_name, records):
        """{record: number of deals, archived included, of every company} for the records of
        ``records`` used in ``field_name``; the deletion checks of stages, pipelines and lost reasons."""
        return dict(
            self.sudo()
            .with_context(active_test=False)
            ._read_group([(field_name, "in", records.ids)], [field_name], ["__count"])
        )

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------

    def _closing_stage(self, outcome, stage_id):
        """{deal: stage} where the deals close with ``outcome``: the stage ``stage_id`` (the
        column a card was dropped on) when given, else the first such stage of each pipeline."""
        if not stage_id:
            return {deal: deal.pipeline_id._stage_for_outcome(outcome) for deal in self}
        self._api_input_check([{"stage_id": stage_id}], field_names=["stage_id"])
        stage = self.env["deal.stage"].browse(stage_id)
        if stage.outcome != outcome:
            raise UserError(
                self.env._("The stage “%(stage)s” is not a won stage: a deal is won in a won stage.", stage=stage.name)
                if outcome == "won"
                else self.env._(
                    "The stage “%(stage)s” is not a lost stage: a deal is lost in a lost stage.", stage=stage.name
                )
            )
        return dict.fromkeys(self, stage)

    def _close(self, stages, vals=None):
        """Write each deal's closing stage from ``stages`` ({deal: stage}), one write per stage."""
        for stage, deals in self.grouped(lambda deal: stages[deal]).items():
            deals.write({"stage_id": stage.id} | (vals or {}))

    def _won_effect(self):
        """The celebration of a won deal, as CRM shows it (the web client skips it when the user
        turned effects off in his preferences)."""
        return {
            "type": "ir.actions.act_window_close",
            "effect": {
                "fadeout": "slow",
                "message": self.env._("Deal won. Congratulations!")
                if len(self) != 1
                else self.env._("“%(deal)s” won. Congratulations!", deal=self.name),
                "img_url": "/web/static/img/smile.svg",
                "type": "rainbow_man",
            },
        }

    def action_mark_lost(self, lost_reason_id=None, stage_id=None):
        """Move the deals to the lost stage ``stage_id`` (the lost column of the board a card was
        dropped on), by default the first lost stage of their pipeline; without a reason, open the
        wizard that asks for one."""
        if lost := self.filtered(lambda deal: deal.outcome == "lost"):
            raise UserError(self.env._("The deal “%(deal)s” is already lost.", deal=lost[0].name))
        stages = self._closing_stage("lost", stage_id)
        if not lost_reason_id:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Mark as Lost"),
                "res_model": "deal.lost.wizard",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_deal_ids": self.ids, "default_stage_id": stage_id, "dialog_size": "medium"},
            }
        self._api_input_check([{"lost_reason_id": lost_reason_id}])
        self._close(stages, {"lost_reason_id": lost_reason_id})
        return True

    def action_reopen(self):
        """Move closed deals back to the open stage they were in before closing."""
        if still_open := self.filtered(lambda deal: deal.outcome == "open"):
            raise UserError(self.env._("The deal “%(deal)s” is not closed.", deal=still_open[0].name))

        def reopen_stage(deal):
            if deal.last_open_stage_id and deal.last_open_stage_id._belongs_to(deal.pipeline_id):
                return deal.last_open_stage_id
            return deal.pipeline_id._stage_for_outcome("open")

        for stage, deals in self.grouped(reopen_stage).items():
            deals.write({"stage_id": stage.id})
        return True
