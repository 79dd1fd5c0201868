"""The sale side of a deal: its quotations and orders (counts and amounts, a new quotation, the
lists), the won rule for open quotations, and the guard that keeps a deal with confirmed orders or
posted invoices from deletion."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .sale_order import QUOTATION_STATES

# Who may read sales orders and customer invoices (sale's and account's groups).
SALE_READERS = "sales_team.group_sale_salesman,account.group_account_invoice,account.group_account_readonly"


class DealDeal(models.Model):
    # one file per concern of the deal (README, Architecture)
    _inherit = "deal.deal"  # pylint: disable=consider-merging-classes-inherited

    # The deal's quotations and orders (sale.order)
    allow_quotation = fields.Boolean(related="stage_id.allow_quotation")
    quotation_stage_id = fields.Many2one(
        "deal.stage",
        string="Quotes From",
        compute="_compute_quotation_stage_id",
        help="Before it takes quotations, the stage where the deal will: its pipeline's first that allows them.",
    )
    sale_order_ids = fields.One2many("sale.order", "deal_id", string="Quotations and Orders", groups=SALE_READERS)
    quotation_count = fields.Integer("Quotations", compute="_compute_sale_counts")
    sale_order_count = fields.Integer("Sales Orders", compute="_compute_sale_counts")
    amount_quoted = fields.Monetary(
        "Quoted",
        currency_field="company_currency_id",
        compute="_compute_sale_data",
        help="Untaxed amount of the open quotations, in company currency at the rate of their date.",
    )
    amount_ordered = fields.Monetary(
        "Ordered",
        currency_field="company_currency_id",
        compute="_compute_sale_data",
        help="Untaxed amount of the confirmed orders, in company currency at the rate of their date.",
    )

    @api.depends("pipeline_id", "outcome", "allow_quotation")
    def _compute_quotation_stage_id(self):
        for deal in self:
            waiting = deal.outcome == "open" and not deal.allow_quotation
            deal.quotation_stage_id = deal.pipeline_id.quotation_stage_id if waiting else False

    @api.depends("sale_order_ids.state")
    def _compute_sale_counts(self):
        """Counts of the orders the user may read, in one grouped query for all the deals (the
        board's cards need only these, not the amounts)."""
        counts = defaultdict(int)
        SaleOrder = self.env["sale.order"]
        if self._origin.ids and SaleOrder.has_access("read"):
            for deal, state, count in SaleOrder._read_group(
                [("deal_id", "in", self._origin.ids), ("state", "!=", "cancel")], ["deal_id", "state"], ["__count"]
            ):
                counts[deal.id, state in QUOTATION_STATES] += count
        for deal in self:
            deal.quotation_count = counts[deal._origin.id, True]
            deal.sale_order_count = counts[deal._origin.id, False]

    @api.depends("sale_order_ids.state", "sale_order_ids.amount_untaxed", "sale_order_ids.currency_rate")
    def _compute_sale_data(self):
        """Untaxed sums of the orders the user may read, with one grouped query for all the deals.
        An order's amount is converted with the rate stored on it (company currency to order
        currency, at the order date)."""
        amounts = defaultdict(float)
        SaleOrder = self.env["sale.order"]
        if self._origin.ids and SaleOrder.has_access("read"):
            for deal, state, rate, amount in SaleOrder._read_group(
                [("deal_id", "in", self._origin.ids), ("state", "!=", "cancel")],
                ["deal_id", "state", "currency_rate"],
                ["amount_untaxed:sum"],
            ):
                amounts[deal.id, state in QUOTATION_STATES] += amount / rate if rate else amount
        for deal in self:
            deal.amount_quoted = amounts[deal._origin.id, True]  # Monetary: rounded in the company currency
            deal.amount_ordered = amounts[deal._origin.id, False]

    def action_mark_won(self, open_quotations=None, stage_id=None):
        """Move the deals to the won stage ``stage_id`` (the won column of the board a card was
        dropped on), by default the first won stage of their pipeline. Their open quotations are
        kept or cancelled as ``open_quotations`` says ("keep" or "cancel"), which the chatter
        tells; without it, when there are some, the dialog that lists them opens instead and
        nothing changes."""
        if won := self.filtered(lambda deal: deal.outcome == "won"):
            raise UserError(self.env._("The deal “%(deal)s” is already won.", deal=won[0].name))
        if open_quotations not in (None, "cancel", "keep"):
            raise UserError(
                self.env._("Open quotations are either cancelled or kept, not “%(value)s”.", value=open_quotations)
            )
        stages = self._closing_stage("won", stage_id)
        quotations = self._open_quotations()
        if quotations and not open_quotations:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Mark as Won"),
                "res_model": "deal.won.wizard",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_deal_ids": self.ids, "default_stage_id": stage_id, "dialog_size": "medium"},
            }
        if open_quotations == "cancel":
            quotations.action_cancel()
        self._close(stages)
        for deal, deal_quotations in quotations.grouped("deal_id").items():
            names = ", ".join(deal_quotations.mapped("name"))
            deal.message_post(
                body=self.env._("Won; its open quotations were cancelled: %(names)s.", names=names)
                if open_quotations == "cancel"
                else self.env._("Won; its open quotations were kept: %(names)s.", names=names),
                subtype_xmlid="mail.mt_note",
            )
        return self._won_effect()

    def _open_quotations(self):
        """THE open quotations of the deals (draft and sent): those the user may read, all of them
        as superuser (the server's own flows, e.g. a confirmation winning the deal)."""
        SaleOrder = self.env["sale.order"]
        if not self.ids or not SaleOrder.has_access("read"):
            return SaleOrder
        return SaleOrder.search([("deal_id", "in", self.ids), ("state", "in", QUOTATION_STATES)])

    def _prepare_quotation_context(self):
        """Defaults of a new quotation of the deal."""
        self.ensure_one()
        context = {
            "default_deal_id": self.id,
            "default_partner_id": self._quotation_partner().id,
            "default_company_id": self.company_id.id,
            "default_origin": " / ".join(
                part for part in (self.name, self.pipeline_id.name, ", ".join(self.tag_ids.mapped("name"))) if part
            ),
        }
        if self.user_id:
            context["default_user_id"] = self.user_id.id
        if pricelist := self._quotation_pricelist():
            context["default_pricelist_id"] = pricelist.id
        return context

    def _quotation_partner(self):
        """The addressee of a new quotation: the primary contact when he belongs to the customer,
        else the customer (an outside advisor is no customer)."""
        self.ensure_one()
        contact = self.primary_contact_id
        if contact and contact.commercial_partner_id == self.partner_id.commercial_partner_id:
            return contact
        return self.partner_id

    def _quotation_pricelist(self):
        """A pricelist in the deal's currency: the customer's own one when it matches, else the
        first one of the deal's company (or shared); none when no pricelist has that currency."""
        self.ensure_one()
        partner_pricelist = self.partner_id.with_company(self.company_id).property_product_pricelist
        if partner_pricelist.currency_id == self.currency_id:
            return partner_pricelist
        return self.env["product.pricelist"].search(
            [("currency_id", "=", self.currency_id.id), ("company_id", "in", [False, self.company_id.id])], limit=1
        )

    def _check_allow_quotation(self):
        self.ensure_one()
        if not self.allow_quotation:
            raise UserError(
                self.env._(
                    "The stage “%(stage)s” does not allow quotations: move the deal forward first.",
                    stage=self.stage_id.name,
                )
            )

    @api.readonly
    def action_new_quotation(self):
        """A new quotation of the deal, pre-filled with its customer, owner, company, currency and
        origin."""
        self.ensure_one()
        self._check_allow_quotation()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Quotation"),
            "res_model": "sale.order",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": self._prepare_quotation_context(),
        }

    def _action_view_sale_orders(self, name, states):
        """The deal's orders in ``states``: the form of the only one, else their list."""
        self.ensure_one()
        orders = self.sale_order_ids.filtered(lambda order: order.state in states)
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "sale.order",
            "domain": [("deal_id", "=", self.id), ("state", "in", states)],
            "context": self._prepare_quotation_context(),
        }
        if len(orders) == 1:
            return action | {"view_mode": "form", "views": [(False, "form")], "res_id": orders.id}
        return action | {
            "view_mode": "list,form,kanban",
            "views": [(False, "list"), (False, "form"), (False, "kanban")],
        }

    @api.readonly
    def action_view_quotations(self):
        return self._action_view_sale_orders(self.env._("Quotations"), list(QUOTATION_STATES))

    @api.readonly
    def action_view_sale_orders(self):
        return self._action_view_sale_orders(self.env._("Sales Orders"), ["sale"])

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed_or_posted(self):
        """Deals that carry confirmed orders or posted invoices are archived, never deleted; the
        draft quotations and invoices of a deleted deal lose their link (ondelete set null)."""
        domain = Domain("deal_id", "in", self.ids)
        orders = dict(
            self.env["sale.order"].sudo()._read_group(domain & Domain("state", "=", "sale"), ["deal_id"], ["__count"])
        )
        invoices = dict(
            self.env["account.move"]
            .sudo()
            ._read_group(domain & Domain("state", "=", "posted"), ["deal_id"], ["__count"])
        )
        for deal in self:
            if orders.get(deal) or invoices.get(deal):
                raise UserError(
                    self.env._(
                        "The deal “%(deal)s” has %(orders)s confirmed sale order(s) and %(invoices)s posted "
                        "invoice(s): it cannot be deleted. Archive it instead.",
                        deal=deal.name,
                        orders=orders.get(deal, 0),
                        invoices=invoices.get(deal, 0),
                    )
                )
