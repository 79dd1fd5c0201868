from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class DealPipeline(models.Model):
    _name = "deal.pipeline"
    _description = "Deal Pipeline"
    # the alias's "followers" setting checks the followers of the pipeline (its alias parent)
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char("Pipeline", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the pipeline with every company."
    )
    stage_ids = fields.Many2many("deal.stage", compute="_compute_stage_ids", help="Its own stages and the shared ones.")
    deal_count = fields.Integer("Open Deals", compute="_compute_deal_count")
    color = fields.Integer()
    close_won_on_order = fields.Boolean(
        "Close deal as won when an order is confirmed",
        default=True,
        help="Confirming a quotation of an open deal of this pipeline moves the deal to its won stage.",
    )
    quiet_days = fields.Integer(
        "Quiet After (days)",
        help="An open deal of this pipeline with no mail in or out and no scheduled activity for this many days "
        "shows in the board's Quiet filter; 0: never.",
    )
    alias_id = fields.Many2one(
        help="The e-mail address of the pipeline: a new mail sent to it creates a deal in this pipeline."
    )
    mail_user_id = fields.Many2one(
        "res.users",
        string="Default Owner",
        check_company=True,
        domain="[('share', '=', False)]",
        help="The owner of the deals created from mails sent to the pipeline's address; "
        "without one, only users who see every deal see them.",
    )
    mail_stage_id = fields.Many2one(
        "deal.stage",
        string="Default Stage",
        domain="[('outcome', '=', 'open'), '|', ('pipeline_ids', '=', False), ('pipeline_ids', 'in', id)]",
        help="The stage of the deals created from mails; without one, the pipeline's first open stage.",
    )
    quotation_template_ids = fields.Many2many(
        "sale.order.template",
        string="Quotation Templates",
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        help="The templates New Quote offers on the deals of this pipeline; none: every template of the deal's "
        "company.",
    )
    quotation_stage_id = fields.Many2one(
        "deal.stage",
        string="Quotes From",
        compute="_compute_quotation_stage_id",
        help="The first open stage of the pipeline that allows quotations: where New Quote becomes available, and "
        "where a deal moves when one of its quotations is sent.",
    )

    @api.depends_context("active_test")
    def _compute_stage_ids(self):
        shared = self.env["deal.stage"].search([("pipeline_ids", "=", False)])
        own = self.env["deal.stage"].search([("pipeline_ids", "in", self.ids)]) if self.ids else shared.browse()
        for pipeline in self:
            pipeline.stage_ids = (shared | own.filtered(lambda s, p=pipeline: p in s.pipeline_ids)).sorted()

    def _compute_quotation_stage_id(self):
        for pipeline in self:
            pipeline.quotation_stage_id = pipeline._open_stages().filtered("allow_quotation")[:1]

    _quiet_days_positive = models.Constraint(
        "CHECK(quiet_days >= 0)", "The days before a deal is quiet cannot be negative."
    )

    @api.constrains("mail_stage_id")
    def _check_mail_stage(self):
        for pipeline in self.filtered("mail_stage_id"):
            if pipeline.mail_stage_id.outcome != "open" or not pipeline.mail_stage_id._belongs_to(pipeline):
                raise ValidationError(
                    self.env._(
                        "The default stage “%(stage)s” of the pipeline “%(pipeline)s” must be one of its open stages.",
                        stage=pipeline.mail_stage_id.name,
                        pipeline=pipeline.name,
                    )
                )

    @api.constrains("mail_user_id")
    def _check_mail_user_internal(self):
        if owner := self.mail_user_id.filtered("share")[:1]:
            raise ValidationError(
                self.env._(
                    "The default owner %(user)s is a portal or public user: choose an internal user.", user=owner.name
                )
            )

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("deal.deal")
        if self.id:
            values["alias_defaults"] = repr(literal_eval(self.alias_defaults or "{}") | {"pipeline_id": self.id})
        return values

    def _compute_deal_count(self):
        counts = dict(
            self.env["deal.deal"]._read_group(
                [("pipeline_id", "in", self.ids), ("outcome", "=", "open")], ["pipeline_id"], ["__count"]
            )
        )
        for pipeline in self:
            pipeline.deal_count = counts.get(pipeline, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        # A pipeline deals went through stays in their stage history, which the database keeps
        # from being deleted: said here first.
        holding = self.env["deal.deal"]._count_deals_by("pipeline_id", self)
        passed = self.env["deal.stage.history"]._count_deals_through(
            "pipeline_id", self.filtered(lambda pipeline: pipeline not in holding)
        )
        messages = [
            self.env._(
                "The pipeline “%(pipeline)s” holds %(count)s deal(s), archived ones included: move them "
                "to another pipeline first, or archive the pipeline instead of deleting it.",
                pipeline=pipeline.name,
                count=count,
            )
            for pipeline, count in holding.items()
        ] + [
            self.env._(
                "%(count)s deal(s) went through the pipeline “%(pipeline)s”, archived ones included, and "
                "their history keeps it for the reports: archive the pipeline instead of deleting it.",
                pipeline=pipeline.name,
                count=count,
            )
            for pipeline, count in passed.items()
        ]
        if messages:
            raise UserError("\n".join(messages))

    def _open_stages(self):
        """Its open stages, in board order."""
        self.ensure_one()
        return self.stage_ids.filtered(lambda stage: stage.outcome == "open")

    def _stage_for_outcome(self, outcome, raise_if_not_found=True):
        """First stage of this pipeline with the given outcome (open, won or lost); when it has
        none, an error that says to add one, or an empty recordset."""
        self.ensure_one()
        stage = self.env["deal.stage"].search(
            [("outcome", "=", outcome), "|", ("pipeline_ids", "=", False), ("pipeline_ids", "in", self.ids)],
            limit=1,
        )
        if not stage and raise_if_not_found:
            raise UserError(
                self.env._(
                    "The pipeline “%(pipeline)s” has no %(outcome)s stage: add one in Configuration > Stages.",
                    pipeline=self.name,
                    outcome=dict(self.env["deal.stage"]._fields["outcome"]._description_selection(self.env))[outcome],
                )
            )
        return stage

    @api.readonly
    def action_open_board(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("deal_pipeline.deal_deal_action")
        # the breadcrumb and the browser tab: "Sales" alone would read as the app or a report
        action["display_name"] = self.env._("Deals · %(pipeline)s", pipeline=self.display_name)
        action["domain"] = [("pipeline_id", "=", self.id)]
        # the URL names the board's action and the pipeline: /odoo/<pipeline id>/deals reopens it
        action["path"] = self.env.ref("deal_pipeline.deal_deal_action_board").sudo().path
        action["context"] = {"default_pipeline_id": self.id, "active_id": self.id}
        # a salesperson starts from his own deals, as CRM's My Pipeline; a manager from all of them
        if not self.env.user.has_group("deal_pipeline.group_deal_manager"):
            action["context"]["search_default_my_deals"] = 1
        return action
