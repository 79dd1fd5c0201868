"""The invoice side of a deal: its customer invoices and credit notes, and the invoiced, paid and
due amounts of the invoice lines that count for it."""

from odoo import api, fields, models
from odoo.tools import SQL

from .deal_deal_sale import SALE_READERS

INVOICE_TYPES = ("out_invoice", "out_refund")
INVOICE_DEPENDS = (
    "linked_invoice_ids.state",
    "invoice_line_ids.balance",
    "invoice_line_ids.move_id.state",
    "invoice_line_ids.move_id.amount_untaxed_signed",
    "invoice_line_ids.move_id.amount_total_signed",
    "invoice_line_ids.move_id.amount_residual_signed",
)


class DealDeal(models.Model):
    # one file per concern of the deal (README, Architecture)
    _inherit = "deal.deal"  # pylint: disable=consider-merging-classes-inherited

    linked_invoice_ids = fields.One2many(
        "account.move", "deal_id", string="Invoices Linked to the Deal", groups=SALE_READERS
    )
    invoice_line_ids = fields.One2many(
        "account.move.line", "deal_id", string="Invoice Lines of the Deal", groups=SALE_READERS
    )
    invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_invoice_data",
        groups=SALE_READERS,
        help="Customer invoices and credit notes linked to the deal, or with lines that count for it.",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    amount_invoiced = fields.Monetary(
        "Invoiced",
        currency_field="company_currency_id",
        compute="_compute_invoice_data",
        help="The share of its lines in the posted invoices minus the posted credit notes (taxes included), in "
        "company currency: paid plus due.",
    )
    amount_invoiced_untaxed = fields.Monetary(
        "Invoiced Untaxed",
        currency_field="company_currency_id",
        compute="_compute_invoice_data",
        help="Untaxed amount of its lines of the posted invoices minus the posted credit notes, in company currency.",
    )
    invoiced_percent = fields.Float(
        "Invoiced (%)",
        compute="_compute_invoice_data",
        help="Untaxed invoiced amount against the estimated amount.",
    )
    amount_paid = fields.Monetary(
        "Paid",
        currency_field="company_currency_id",
        compute="_compute_invoice_data",
        help="Paid part of its lines' share of the posted invoices and credit notes (taxes included), in company "
        "currency.",
    )
    amount_due = fields.Monetary(
        "Due",
        currency_field="company_currency_id",
        compute="_compute_invoice_data",
        help="What the customer still owes on its lines' share of the posted invoices and credit notes (taxes "
        "included), in company currency.",
    )

    @api.depends(*INVOICE_DEPENDS)
    def _compute_invoice_count(self):
        """The board's counter: numbers only, from one query for all its cards. One deal (its form,
        which reads the invoices too) is counted from ``invoice_ids``, when the user may read
        that field: one query for both."""
        if len(self) == 1 and (self.env.su or self.env.user.has_groups(SALE_READERS)):
            self.invoice_count = len(self.invoice_ids)
            return
        invoice_ids = self._fetch_invoice_ids()
        for deal in self:
            deal.invoice_count = len(invoice_ids.get(deal._origin.id, ()))

    @api.depends(*INVOICE_DEPENDS, "amount_company")
    def _compute_invoice_data(self):
        """Invoices, and the amounts of the deal's lines of the posted ones in company currency
        (``account.move.line._query_deal_amounts``); without access to invoices, none and zeros."""
        invoice_ids = self._fetch_invoice_ids()
        amounts = self._fetch_invoice_amounts() if invoice_ids else {}  # no invoice, no second query
        for deal in self:
            untaxed, invoiced, paid, due = amounts.get(deal._origin.id, (0.0, 0.0, 0.0, 0.0))
            # as superuser: the ORM would check again, deal by deal, the read access to invoices
            # that the query has already filtered by the record rules
            deal.sudo().invoice_ids = self.env["account.move"].browse(invoice_ids.get(deal._origin.id, ()))
            deal.amount_invoiced = invoiced
            deal.amount_invoiced_untaxed = untaxed
            deal.amount_paid = paid
            deal.amount_due = due
            deal.invoiced_percent = 100.0 * untaxed / deal.amount_company if deal.amount_company else 0.0

    def _readable_invoices_query(self):
        """The customer invoices and credit notes the user may read (record rules included), as a
        query to select from; None without read access to invoices."""
        Move = self.env["account.move"]
        if not self._origin.ids or not Move.has_access("read"):
            return None
        return Move._search([("move_type", "in", INVOICE_TYPES)])

    def _fetch_invoice_ids(self):
        """{deal id: sorted ids of its invoices}: the customer invoices and credit notes the user
        may read that are linked to the deal or have lines that count for it. One query."""
        readable = self._readable_invoices_query()
        if readable is None:
            return {}
        self.env["account.move"].flush_model(["deal_id"])
        self.env["account.move.line"].flush_model(["deal_id", "move_id"])
        deal_ids = tuple(self._origin.ids)
        rows = self.env.execute_query(
            SQL(
                """SELECT deal_id, ARRAY_AGG(DISTINCT move_id ORDER BY move_id)
                     FROM (SELECT deal_id, move_id FROM account_move_line WHERE deal_id IN %(deals)s
                            UNION ALL
                           SELECT deal_id, id FROM account_move WHERE deal_id IN %(deals)s) link
                    WHERE move_id IN %(readable)s
                    GROUP BY deal_id""",
                deals=deal_ids,
                readable=readable.subselect(),
            )
        )
        return dict(rows)

    def _fetch_invoice_amounts(self):
        """{deal id: (untaxed, invoiced, paid, due)}: the sums, in company currency, of the deal's
        lines of the posted invoices and credit notes the user may read. One query."""
        readable = self._readable_invoices_query()
        if readable is None:
            return {}
        rows = self.env.execute_query(
            SQL(
                """SELECT deal_id, SUM(amount_untaxed), SUM(amount_invoiced), SUM(amount_paid), SUM(amount_due)
                     FROM (%s) deal_line
                    GROUP BY deal_id""",
                self.env["account.move.line"]._query_deal_amounts(
                    SQL("line.deal_id IN %s AND line.move_id IN %s", tuple(self._origin.ids), readable.subselect())
                ),
            )
        )
        return {deal_id: tuple(map(float, values)) for deal_id, *values in rows}

    @api.readonly
    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice", "default_deal_id": self.id}
        if len(self.invoice_ids) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["res_id"] = self.invoice_ids.id
        return action
