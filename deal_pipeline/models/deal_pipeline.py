from odoo import api, fields, models
from odoo.exceptions import UserError


class DealPipeline(models.Model):
    _name = "deal.pipeline"
    _description = "Deal Pipeline"
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

    @api.depends_context("active_test")
    def _compute_stage_ids(self):
        shared = self.env["deal.stage"].search([("pipeline_ids", "=", False)])
        own = self.env["deal.stage"].search([("pipeline_ids", "in", self.ids)]) if self.ids else shared.browse()
        for pipeline in self:
            pipeline.stage_ids = (shared | own.filtered(lambda s, p=pipeline: p in s.pipeline_ids)).sorted()

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
        counts = self.env["deal.deal"]._count_deals_by("pipeline_id", self)
        if counts:
            raise UserError(
                "\n".join(
                    self.env._(
                        "The pipeline “%(pipeline)s” holds %(count)s deal(s), archived ones included: move them "
                        "to another pipeline first, or archive the pipeline instead of deleting it.",
                        pipeline=pipeline.name,
                        count=count,
                    )
                    for pipeline, count in counts.items()
                )
            )

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
