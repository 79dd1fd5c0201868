from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

# Orders whose deal can still be set, changed or cleared.
DEAL_EDITABLE_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "deal.api.input.mixin"]

    deal_id = fields.Many2one(
        "deal.deal",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        groups="base.group_user",
        help="The deal this quotation was made for; its invoices are linked to the same deal.",
    )

    # ------------------------------------------------------------------------------------------
    # Access to the deal link: who may link, which links are fixed
    # ------------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self.env["deal.deal"]._check_link_input(self, vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        if "deal_id" in vals:
            self.env["deal.deal"]._check_link_input(self, [vals])
            self._check_deal_link_fixed(vals["deal_id"])
        return super().write(vals)

    def _check_deal_link_fixed(self, deal_id):
        """A confirmed or cancelled order keeps its deal (the deal's amounts and its deletion guard
        rely on it); set the order back to quotation first."""
        deal_id = deal_id.id if isinstance(deal_id, models.BaseModel) else deal_id or False
        for order in self:
            if order.state not in DEAL_EDITABLE_STATES and order.deal_id.id != deal_id:
                raise UserError(
                    self.env._(
                        "The order “%(order)s” is confirmed or cancelled: its deal (deal_id) can no longer "
                        "be changed or removed.",
                        order=order.name,
                    )
                )

    def _prepare_invoice(self):
        # Regular, down payment and credit note invoices of the order all come through here.
        return {**super()._prepare_invoice(), "deal_id": self.deal_id.id}

    def _get_invoice_grouping_keys(self):
        # An invoice grouping several orders never mixes deals.
        return [*super()._get_invoice_grouping_keys(), "deal_id"]

    def _action_confirm(self):
        res = super()._action_confirm()
        self._win_open_deals()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self._warn_won_deals_without_order()
        return res

    def _win_open_deals(self):
        """Move the open deals of these confirmed orders to their won stage when their pipeline
        asks for it, with a message on the deal. The confirmation is the sale itself, so this
        happens whoever confirms (salesperson, portal customer); it widens nobody's rights, as
        only a user who may see a deal can link an order to it (``deal.deal._check_link_input``)."""
        deals = self.deal_id.sudo().filtered(
            lambda deal: deal.outcome == "open" and deal.pipeline_id.close_won_on_order
        )
        for pipeline, pipeline_deals in deals.grouped("pipeline_id").items():
            won_stage = pipeline._stage_for_outcome("won")
            if not won_stage:
                continue
            pipeline_deals.write({"stage_id": won_stage.id})
            for deal in pipeline_deals:
                orders = self.filtered(lambda order, deal=deal: order.deal_id == deal)
                deal.message_post(
                    body=self.env._(
                        "Deal won: %(orders)s confirmed.",
                        orders=Markup(", ").join(order._get_html_link() for order in orders),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _warn_won_deals_without_order(self):
        """A won deal whose orders are all cancelled stays won; its owner gets a warning activity
        to reopen it or mark it lost."""
        deals = self.deal_id.sudo().filtered(lambda deal: deal.outcome == "won")
        if not deals:
            return
        with_orders = {
            deal
            for [deal] in self.sudo()._read_group(
                [("deal_id", "in", deals.ids), ("state", "!=", "cancel")], ["deal_id"]
            )
        }
        for deal in deals.filtered(lambda deal: deal not in with_orders):
            deal.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("All orders cancelled"),
                note=self.env._("Every order of this won deal has been cancelled: reopen the deal or mark it as lost."),
                user_id=deal.user_id.id or self.env.uid,
            )
