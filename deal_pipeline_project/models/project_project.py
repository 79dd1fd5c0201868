from odoo import api, fields, models
from odoo.exceptions import UserError


class ProjectProject(models.Model):
    _inherit = "project.project"

    deal_id = fields.Many2one(
        "deal.deal",
        compute="_compute_deal_id",
        store=True,
        index="btree_not_null",
        help="The deal of the sales order that created this project.",
    )

    @api.depends("reinvoiced_sale_order_id.deal_id")
    def _compute_deal_id(self):
        # sale_project links every project it creates for an order (on confirmation, or with the
        # order's Create Project) to that order: the project belongs to the order's deal.
        for project in self:
            project.deal_id = project.reinvoiced_sale_order_id.deal_id

    @api.model_create_multi
    def create(self, vals_list):
        self._check_deal_not_given(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_deal_not_given([vals])
        return super().write(vals)

    @api.model
    def _check_deal_not_given(self, vals_list):
        if any("deal_id" in vals for vals in vals_list):
            raise UserError(
                self.env._(
                    "The deal of a project comes from its sales order: link the project to an order of the deal."
                )
            )
