from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    deal_id = fields.Many2one(
        "deal.deal",
        compute="_compute_deal_id",
        store=True,
        index="btree_not_null",
        copy=False,
        groups="base.group_user",
        help="The deal this invoice line counts for: the deal of the order it invoices, else the deal of its "
        "invoice. Fixed once the invoice is posted.",
    )

    @api.depends("sale_line_ids.order_id.deal_id", "move_id.deal_id", "move_id.move_type", "display_type")
    def _compute_deal_id(self):
        for line in self:
            if line.parent_state in ("posted", "cancel") and line._origin:
                line.deal_id = line.deal_id  # a posted line keeps the deal it was posted with
            elif line.display_type != "product" or not line.move_id.is_sale_document():
                line.deal_id = False
            else:
                # as superuser: the order's deal decides, whoever creates the invoice (a portal
                # customer paying a quotation online included)
                line.deal_id = line.sudo().sale_line_ids.order_id.deal_id[:1] or line.move_id.sudo().deal_id

    @api.model_create_multi
    def create(self, vals_list):
        self._check_deal_not_given(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_deal_not_given([vals], self)
        return super().write(vals)

    @api.model
    def _check_deal_not_given(self, vals_list, lines=None):
        """The deal of a line is never written: it comes from its order line, else its invoice."""
        if any("deal_id" in vals for vals in vals_list):
            raise UserError(
                self.env._(
                    "The deal of the invoice line “%(line)s” (deal_id) comes from the order it invoices, else from "
                    "its invoice's Deal: change the invoice's Deal while it is a draft.",
                    line=(lines[:1].display_name if lines else None)
                    or next((vals.get("name") for vals in vals_list if vals.get("name")), "")
                    or self.env._("new line"),
                )
            )

    @api.constrains("deal_id")
    def _check_deal_customer_company(self):
        for line in self.filtered("deal_id"):
            deal = line.sudo().deal_id
            move = line.move_id
            if deal.company_id != move.company_id:
                problem = self.env._(
                    "the deal “%(deal)s” belongs to the company %(deal_company)s, the invoice to %(company)s",
                    deal=deal.name,
                    deal_company=deal.company_id.name,
                    company=move.company_id.name,
                )
            elif deal.partner_id.commercial_partner_id != move.commercial_partner_id:
                problem = self.env._(
                    "the deal “%(deal)s” is for %(deal_customer)s, the invoice for %(customer)s",
                    deal=deal.name,
                    deal_customer=deal.partner_id.commercial_partner_id.display_name,
                    customer=move.commercial_partner_id.display_name,
                )
            else:
                continue
            raise ValidationError(
                self.env._(
                    "The line “%(line)s” of the invoice “%(invoice)s” cannot count for that deal: %(problem)s.",
                    line=line.name or line.product_id.display_name,
                    invoice=move.display_name,
                    problem=problem,
                )
            )

    @api.model
    def _query_deal_amounts(self, condition=None):
        """THE definition of what a deal invoiced, was paid and is owed, read by the deal's amounts,
        the Deal Billing report and the cash forecast: one row per product line of a posted customer
        invoice or credit note, with its deal (NULL when it reaches none) and, in company currency
        (negative for a credit note), its untaxed amount and its share of the invoice's total, paid
        and due amounts in proportion to its untaxed amount among the invoice's. ``condition``: an
        SQL condition on ``line`` and ``move`` (e.g. the deals)."""
        self.env["account.move"].flush_model(
            ["amount_untaxed_signed", "amount_total_signed", "amount_residual_signed", "move_type", "state"]
        )
        self.flush_model(["balance", "deal_id", "display_type", "move_id"])
        return SQL(
            """
            SELECT line.id AS line_id, line.deal_id, line.move_id, move.company_id,
                   -line.balance AS amount_untaxed,
                   move.amount_total_signed * share.ratio AS amount_invoiced,
                   (move.amount_total_signed - move.amount_residual_signed) * share.ratio AS amount_paid,
                   move.amount_residual_signed * share.ratio AS amount_due
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id,
                   LATERAL (SELECT COALESCE(-line.balance / NULLIF(move.amount_untaxed_signed, 0), 0) AS ratio) share
             WHERE line.display_type = 'product' AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund') AND %(condition)s
            """,
            condition=condition or SQL("TRUE"),
        )
