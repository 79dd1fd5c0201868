from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# THE definition of an open quotation (counted as quoted, cancelled by a lost deal, listed when a
# deal is won); its deal can still be set, changed or cleared.
QUOTATION_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "deal.document.mixin"]

    deal_id = fields.Many2one(
        "deal.deal",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        groups="base.group_user",
        help="The deal this quotation was made for; its invoices are linked to the same deal.",
        domain="[('outcome', '=', 'open'), ('partner_id', 'child_of', commercial_partner_id)]",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id", string="Commercial Entity")
    is_open_quotation = fields.Boolean(
        compute="_compute_is_open_quotation", help="A draft or sent quotation: neither confirmed nor cancelled."
    )
    deal_currency_warning = fields.Char(compute="_compute_deal_currency_warning")
    deal_currency_fixable = fields.Boolean(compute="_compute_deal_currency_warning")

    @api.depends("state")
    def _compute_is_open_quotation(self):
        for order in self:
            order.is_open_quotation = order.state in QUOTATION_STATES

    # ------------------------------------------------------------------------------------------
    # The deal link: who may link (access), which links are fixed, which deals take quotations
    # ------------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_deal_link_input(vals_list, create=True, access="write")
        self._check_deal_open([vals.get("deal_id") for vals in vals_list])
        orders = super().create(vals_list)
        orders.filtered(lambda order: order.state == "sent")._on_sent_to_customer()
        return orders

    def write(self, vals):
        if "deal_id" in vals:
            self._check_deal_link_input([vals], access="write")
            self._check_deal_link_fixed(vals["deal_id"])
        if vals.get("deal_id"):
            self._check_deal_open(
                [vals["deal_id"]] if any(order.deal_id.id != vals["deal_id"] for order in self) else []
            )
        to_advance = (
            self.filtered(lambda order: order.state != "sent") if vals.get("state") == "sent" else self.browse()
        )
        res = super().write(vals)
        to_advance._on_sent_to_customer()
        return res

    def _check_deal_link_fixed(self, deal_id):
        """A confirmed or cancelled order keeps its deal (the deal's amounts and its deletion guard
        rely on it); set the order back to quotation first. One without a deal may still get one
        (e.g. the quotations of a CRM opportunity converted into a deal)."""
        deal_id = deal_id.id if isinstance(deal_id, models.BaseModel) else deal_id or False
        for order in self:
            if order.state not in QUOTATION_STATES and order.deal_id and order.deal_id.id != deal_id:
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
        only a user who may edit a deal can link an order to it (``_check_deal_link_input``)."""
        deals = self.deal_id.sudo().filtered(
            lambda deal: deal.outcome == "open" and deal.pipeline_id.close_won_on_order
        )
        for pipeline, pipeline_deals in deals.grouped("pipeline_id").items():
            won_stage = pipeline._stage_for_outcome("won", raise_if_not_found=False)
            if not won_stage:
                continue
            # the confirmation goes through; a deal that lacks what the won stage requires stays open
            incomplete = pipeline_deals.filtered(lambda deal, stage=won_stage: deal._missing_stage_fields(stage))
            for deal in incomplete:
                deal.message_post(
                    body=self.env._(
                        "%(orders)s confirmed, but the deal stays open: fill in %(fields)s to move it to “%(stage)s”.",
                        orders=Markup(", ").join(order._get_html_link() for order in self if order.deal_id == deal),
                        fields=", ".join(deal._missing_stage_fields(won_stage)),
                        stage=won_stage.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            won_deals = pipeline_deals - incomplete
            if not won_deals:
                continue
            won_deals.write({"stage_id": won_stage.id})
            open_quotations = won_deals._open_quotations().grouped("deal_id")  # won_deals: as superuser
            for deal in won_deals:
                orders = self.filtered(lambda order, deal=deal: order.deal_id == deal)
                body = self.env._(
                    "Deal won: %(orders)s confirmed.",
                    orders=Markup(", ").join(order._get_html_link() for order in orders),
                )
                if still_open := open_quotations.get(deal):
                    body += Markup(" ") + self.env._(
                        "Still open: %(quotations)s (cancel them or keep them for later).",
                        quotations=Markup(", ").join(order._get_html_link() for order in still_open),
                    )
                deal.message_post(body=body, subtype_xmlid="mail.mt_note")

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

    # ------------------------------------------------------------------------------------------
    # Business rules of the link to a deal: an open deal of the same commercial customer and
    # company; the deal's currency; sending a quotation moves the deal forward
    # ------------------------------------------------------------------------------------------

    @api.model
    def _check_deal_open(self, deal_ids):
        """A new link goes only to an open deal: a won or lost deal is reopened first (the server's
        own code, as superuser, may link existing documents to a closed deal)."""
        if self.env.su:
            return
        deals = self.env["deal.deal"].sudo().browse(id_ for id_ in deal_ids if id_ and isinstance(id_, int)).exists()
        if closed := deals.filtered(lambda deal: deal.outcome != "open"):
            raise ValidationError(
                self.env._(
                    "The deal “%(deal)s” is closed: it takes no new quotation. Reopen it first.",
                    deal=closed[0].name,
                )
            )

    @api.constrains("deal_id", "partner_id")
    def _check_deal_customer(self):
        for order in self.filtered("deal_id"):
            deal = order.deal_id.sudo()
            if deal.partner_id.commercial_partner_id != order.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The quotation “%(order)s” is for %(customer)s, the deal “%(deal)s” for %(deal_customer)s: "
                        "link the quotation to a deal of the same customer (its company or one of its contacts).",
                        order=order.name,
                        customer=order.partner_id.commercial_partner_id.display_name,
                        deal=deal.name,
                        deal_customer=deal.partner_id.commercial_partner_id.display_name,
                    )
                )

    def _on_sent_to_customer(self):
        self._advance_deals_on_sent()
        self._add_recipients_to_deal_contacts()

    def _add_recipients_to_deal_contacts(self):
        """The addressee of a sent quotation becomes a contact of its deal when he is not one: only
        someone who may edit the deal links a quotation to it, so the contact is added whoever
        sends it."""
        new_contacts = {}
        for order in self.filtered("deal_id"):
            deal = order.deal_id.sudo()
            if order.partner_id not in deal.contact_ids.partner_id:
                new_contacts[deal.id, order.partner_id.id] = {"deal_id": deal.id, "partner_id": order.partner_id.id}
        if new_contacts:
            self.env["deal.contact"].sudo().create(list(new_contacts.values()))

    def _advance_deals_on_sent(self):
        """Deals of these sent quotations still before the first stage of their pipeline that allows
        quotations move to it, with a message; closed deals and deals already there do not move.
        Sending the quotation is the trigger, so this happens whoever sends it."""
        for deal in self.deal_id.sudo().filtered(lambda deal: deal.outcome == "open"):
            stages = deal.pipeline_id._open_stages()
            target = deal.pipeline_id.quotation_stage_id
            if (
                not target
                or deal.stage_id not in stages
                or list(stages).index(deal.stage_id) >= list(stages).index(target)
            ):
                continue
            orders = self.filtered(lambda order, deal=deal: order.deal_id == deal)
            # sending goes through; a deal that lacks what the stage requires stays where it is
            if missing := deal._missing_stage_fields(target):
                deal.message_post(
                    body=self.env._(
                        "Quotation %(orders)s sent to the customer, but the deal stays in “%(current)s”: "
                        "fill in %(fields)s to move it to “%(stage)s”.",
                        orders=Markup(", ").join(order._get_html_link() for order in orders),
                        current=deal.stage_id.name,
                        fields=", ".join(missing),
                        stage=target.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            deal.stage_id = target
            deal.message_post(
                body=self.env._(
                    "Quotation %(orders)s sent to the customer: the deal moves to “%(stage)s”.",
                    orders=Markup(", ").join(order._get_html_link() for order in orders),
                    stage=target.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.depends("deal_id")
    def _compute_pricelist_id(self):
        """A draft quotation of a deal takes a pricelist in the deal's currency, when one exists."""
        res = super()._compute_pricelist_id()
        for order in self:
            deal = order.deal_id.sudo()  # the salesperson of the order may not follow the deal
            if order.state == "draft" and deal and order.pricelist_id.currency_id != deal.currency_id:
                order.pricelist_id = deal._quotation_pricelist() or order.pricelist_id
        return res

    @api.depends("deal_id.currency_id", "currency_id", "state")
    def _compute_deal_currency_warning(self):
        can_create = self.env["product.pricelist"].has_access("create")
        for order in self:
            deal = order.deal_id.sudo()
            order.deal_currency_warning = False
            order.deal_currency_fixable = False
            if not order.is_open_quotation or not deal or order.currency_id == deal.currency_id:
                continue
            if pricelist := deal._quotation_pricelist():
                order.deal_currency_warning = self.env._(
                    "The deal “%(deal)s” is in %(deal_currency)s, this quotation in %(currency)s: use the "
                    "pricelist “%(pricelist)s” to quote in %(deal_currency)s.",
                    deal=deal.name,
                    deal_currency=deal.currency_id.name,
                    currency=order.currency_id.name,
                    pricelist=pricelist.name,
                )
                order.deal_currency_fixable = True
            else:
                order.deal_currency_warning = self.env._(
                    "The deal “%(deal)s” is in %(deal_currency)s, this quotation in %(currency)s: no pricelist in "
                    "%(deal_currency)s exists. A sales administrator can add one (Sales ▸ Configuration ▸ "
                    "Pricelists, after enabling Pricelists in the Settings), then choose it on the quotation.",
                    deal=deal.name,
                    deal_currency=deal.currency_id.name,
                    currency=order.currency_id.name,
                )
                order.deal_currency_fixable = can_create

    def action_use_deal_currency(self):
        """Quote in the deal's currency: its pricelist in that currency, created when there is none
        (for users who may create pricelists)."""
        self.ensure_one()
        deal = self.deal_id.sudo()
        if not deal or not self.is_open_quotation:
            raise UserError(self.env._("Only a quotation of a deal can take the deal's currency."))
        pricelist = deal._quotation_pricelist() or self.env["product.pricelist"].create(
            {
                "name": self.env._("%(currency)s prices", currency=deal.currency_id.name),
                "currency_id": deal.currency_id.id,
                "company_id": self.company_id.id,
            }
        )
        self.pricelist_id = pricelist
        self.action_update_prices()
        return True
