from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "deal.document.mixin"]

    deal_id = fields.Many2one(
        "deal.deal",
        index="btree_not_null",
        check_company=True,
        copy=False,
        tracking=True,
        groups="base.group_user",
        help="The deal this customer invoice belongs to; set from the deal's sales orders. Its lines count for "
        "the deal of the order they invoice, the others for this deal.",
    )
    deal_lines_differ = fields.Boolean(
        compute="_compute_deal_lines_differ",
        groups="base.group_user",
        help="Some lines count for another deal than the invoice's (the deal of the order they invoice).",
    )

    @api.depends("deal_id", "invoice_line_ids.deal_id")
    def _compute_deal_lines_differ(self):
        for move in self:
            move.deal_lines_differ = any(
                line.deal_id != move.deal_id for line in move.invoice_line_ids if line.display_type == "product"
            )

    def _post(self, soft=True):
        # the lines' deal is computed while they are drafts: once posted, a line keeps its deal
        self.line_ids.flush_recordset(["deal_id"])
        return super()._post(soft=soft)

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # Credit notes stay on the deal of the invoice they reverse.
        if not default_values_list:
            default_values_list = [{} for _move in self]
        for move, default_values in zip(self, default_values_list, strict=True):
            default_values.setdefault("deal_id", move.deal_id.id)
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)

    # ------------------------------------------------------------------------------------------
    # Access to the deal link: who may link, which links are fixed
    # ------------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_deal_link_input(vals_list, create=True)
        return super().create(vals_list)

    def write(self, vals):
        if "deal_id" in vals:
            self._check_deal_link_input([vals])
            self._check_deal_link_fixed(vals["deal_id"])
        return super().write(vals)

    def _check_deal_link_fixed(self, deal_id):
        """A posted or cancelled invoice keeps its deal; reset it to draft first."""
        deal_id = deal_id.id if isinstance(deal_id, models.BaseModel) else deal_id or False
        for move in self:
            if move.state != "draft" and move.deal_id.id != deal_id:
                raise UserError(
                    self.env._(
                        "The invoice “%(invoice)s” is posted or cancelled: its deal (deal_id) can no longer "
                        "be changed or removed. Reset it to draft first.",
                        invoice=move.display_name,
                    )
                )

    @api.constrains("deal_id", "partner_id", "company_id")
    def _check_deal_customer(self):
        """An invoice's deal, and the deals its lines count for, are of its customer and company."""
        for move in self.filtered("deal_id"):
            deal = move.sudo().deal_id
            if deal.partner_id.commercial_partner_id != move.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The invoice “%(invoice)s” is for %(customer)s, the deal “%(deal)s” for %(deal_customer)s: "
                        "link the invoice to a deal of the same customer (its company or one of its contacts).",
                        invoice=move.display_name,
                        customer=move.commercial_partner_id.display_name,
                        deal=deal.name,
                        deal_customer=deal.partner_id.commercial_partner_id.display_name,
                    )
                )
        self.invoice_line_ids._check_deal_customer_company()

    @api.constrains("deal_id", "move_type")
    def _check_deal_move_type(self):
        if move := self.filtered(lambda move: move.deal_id and not move.is_sale_document())[:1]:
            raise ValidationError(
                self.env._(
                    "The field “Deal” (deal_id): only customer invoices and credit notes belong to a deal, "
                    "not “%(move)s”.",
                    move=move.display_name,
                )
            )
