from odoo import api, fields, models
from odoo.exceptions import UserError


class DealQuoteWizard(models.TransientModel):
    """New Quote of a deal: start from one of the pipeline's quotation templates, from the
    template of the customer's last quote, or from a blank quote; then the quotation form opens
    with the deal's defaults (``deal.deal.action_new_quotation``), not yet saved."""

    _name = "deal.quote.wizard"
    _description = "New Quote of a Deal"

    deal_id = fields.Many2one("deal.deal", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="deal_id.company_id")
    currency_id = fields.Many2one(related="deal_id.company_currency_id")
    offered_template_ids = fields.Many2many(
        "sale.order.template",
        compute="_compute_offered_template_ids",
        help="The deal's pipeline's quotation templates; when it names none, every template of the deal's company.",
    )
    last_template_id = fields.Many2one(
        "sale.order.template",
        string="Customer's Last Template",
        compute="_compute_last_template_id",
        help="The template of the customer's latest quote or order you may read.",
    )
    start_from = fields.Selection(
        [
            ("template", "A template of the pipeline"),
            ("last", "The customer's last template"),
            ("blank", "A blank quote"),
        ],
        compute="_compute_start_from",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    template_id = fields.Many2one(
        "sale.order.template",
        string="Quotation Template",
        compute="_compute_template_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('id', 'in', offered_template_ids)]",
    )

    @api.depends("deal_id")
    def _compute_offered_template_ids(self):
        for wizard in self:
            company = wizard.deal_id.company_id
            wizard.offered_template_ids = wizard.deal_id.pipeline_id.quotation_template_ids.filtered(
                lambda template, company=company: not template.company_id or template.company_id == company
            ) or self.env["sale.order.template"].search(
                ["|", ("company_id", "=", False), ("company_id", "=", company.id)]
            )

    @api.depends("deal_id")
    def _compute_last_template_id(self):
        for wizard in self:
            deal = wizard.deal_id
            wizard.last_template_id = (
                self.env["sale.order"]
                .search(
                    [
                        ("partner_id", "child_of", deal.partner_id.commercial_partner_id.id),
                        ("company_id", "=", deal.company_id.id),
                        ("sale_order_template_id", "!=", False),
                        ("state", "!=", "cancel"),
                    ],
                    order="date_order desc, id desc",
                    limit=1,
                )
                .sale_order_template_id
                if deal and self.env["sale.order"].has_access("read")
                else False
            )

    @api.depends("deal_id")
    def _compute_start_from(self):
        for wizard in self:
            if wizard.last_template_id:
                wizard.start_from = "last"
            elif wizard._default_template():
                wizard.start_from = "template"
            else:
                wizard.start_from = "blank"

    @api.depends("start_from")
    def _compute_template_id(self):
        for wizard in self:
            if wizard.start_from == "last":
                wizard.template_id = wizard.last_template_id
            elif wizard.start_from == "template":
                wizard.template_id = wizard.template_id or wizard._default_template()
            else:
                wizard.template_id = False

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # a quote is made only for a deal the user may change, in a stage that allows quotations
        wizards.deal_id.check_access("write")
        for deal in wizards.deal_id:
            deal._check_allow_quotation()
        return wizards

    def _default_template(self):
        """The template proposed first among the pipeline's."""
        self.ensure_one()
        return self.offered_template_ids._origin[:1]

    def _check_template(self):
        self.ensure_one()
        if self.start_from == "blank":
            return
        if not self.template_id:
            raise UserError(self.env._("Choose the quotation template to start from, or a blank quote."))
        allowed = self.last_template_id if self.start_from == "last" else self.offered_template_ids
        if self.template_id._origin not in allowed._origin:
            raise UserError(
                self.env._(
                    "The template “%(template)s” is not offered for the deal “%(deal)s”.",
                    template=self.template_id.name,
                    deal=self.deal_id.name,
                )
            )

    def _quotation_action(self):
        """The quotation form of the deal (``deal.deal.action_new_quotation``) with the chosen
        template; none for a blank quote, not even the company's default one."""
        self.ensure_one()
        action = self.deal_id.action_new_quotation()
        action["context"] = dict(action["context"], default_sale_order_template_id=self.template_id.id or False)
        return action

    def _new_quote(self):
        """The quote this dialog makes, as a new record not saved: the quotation form's defaults
        and the template's lines."""
        self.ensure_one()
        SaleOrder = self.env["sale.order"].with_context(**self._quotation_action()["context"])
        quote = SaleOrder.new(SaleOrder.default_get(list(SaleOrder.fields_get(attributes=[]))))
        quote._onchange_sale_order_template_id()
        return quote

    def action_new_quotation(self):
        self.ensure_one()
        self._check_template()
        return self._quotation_action()
