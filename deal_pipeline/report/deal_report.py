from odoo import api, fields, models
from odoo.addons.account.models.account_move import PAYMENT_STATE_SELECTION
from odoo.tools import SQL

from ..models.deal_stage import OUTCOMES
from ..models.sale_order import QUOTATION_STATES


class DealReport(models.Model):
    """One row per active deal (its estimate), per quotation or order of the deal, and per posted
    customer invoice or credit note and deal its lines count for (plus a row without deal for the
    rest of the invoice): summed per deal, the rows give estimated vs quoted vs ordered vs invoiced
    vs paid, and their total is the posted customer invoices'. Estimated, quoted, ordered and
    invoiced untaxed amounts are untaxed; invoiced, paid and due are taxes included (invoiced = paid +
    due); all in the current company's currency."""

    _name = "deal.report"
    _description = "Deal Billing"
    _auto = False
    _rec_name = "deal_id"
    _order = "date desc, id desc"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": [
            "active",
            "amount_company",
            "company_id",
            "create_date",
            "expected_close_date",
            "outcome",
            "partner_id",
            "pipeline_id",
            "stage_id",
            "user_id",
        ],
        "sale.order": ["amount_untaxed", "company_id", "currency_rate", "date_order", "deal_id", "partner_id", "state"],
        "account.move": [
            "amount_residual_signed",
            "amount_total_signed",
            "amount_untaxed_signed",
            "commercial_partner_id",
            "company_id",
            "invoice_date",
            "move_type",
            "payment_state",
            "state",
        ],
        "account.move.line": ["balance", "deal_id", "display_type", "move_id"],
    }

    deal_id = fields.Many2one("deal.deal", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", readonly=True)
    stage_id = fields.Many2one("deal.stage", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    line_type = fields.Selection(
        [
            ("estimate", "Estimate"),
            ("quotation", "Quotation"),
            ("order", "Sales Order"),
            ("invoice", "Invoice"),
            ("refund", "Credit Note"),
        ],
        string="Document Type",
        readonly=True,
    )
    date = fields.Date(
        readonly=True,
        help="Expected close date of the deal (or its creation date), date of the order, or of the invoice.",
    )
    order_id = fields.Many2one("sale.order", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    payment_state = fields.Selection(PAYMENT_STATE_SELECTION, readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_estimated = fields.Monetary("Estimated", readonly=True)
    amount_quoted = fields.Monetary("Quoted", readonly=True)
    amount_ordered = fields.Monetary("Ordered", readonly=True)
    amount_invoiced_untaxed = fields.Monetary("Invoiced Untaxed", readonly=True)
    amount_invoiced = fields.Monetary("Invoiced", readonly=True, help="Taxes included: paid plus due.")
    amount_paid = fields.Monetary("Paid", readonly=True)
    amount_due = fields.Monetary("Due", readonly=True)

    @property
    def _table_query(self):
        # Estimates and orders of archived deals are left out; invoices always count, so that the
        # report's total is the posted customer invoices' (those of no deal included).
        return SQL(
            """
            SELECT ROW_NUMBER() OVER (ORDER BY src.line_type, src.deal_id, src.order_id, src.move_id) AS id,
                   src.deal_id, COALESCE(deal.partner_id, src.partner_id) AS partner_id, deal.user_id,
                   deal.pipeline_id, deal.stage_id, deal.outcome, src.company_id, src.line_type, src.date,
                   src.order_id, src.move_id, src.payment_state,
                   %(currency_id)s AS currency_id,
                   src.amount_estimated * account_currency_table.rate AS amount_estimated,
                   src.amount_quoted * account_currency_table.rate AS amount_quoted,
                   src.amount_ordered * account_currency_table.rate AS amount_ordered,
                   src.amount_invoiced_untaxed * account_currency_table.rate AS amount_invoiced_untaxed,
                   src.amount_invoiced * account_currency_table.rate AS amount_invoiced,
                   src.amount_paid * account_currency_table.rate AS amount_paid,
                   src.amount_due * account_currency_table.rate AS amount_due
              FROM (%(estimates)s UNION ALL %(orders)s UNION ALL (%(invoices)s)) src
              LEFT JOIN deal_deal deal ON deal.id = src.deal_id
              JOIN %(currency_table)s ON account_currency_table.company_id = src.company_id
             WHERE deal.active OR src.move_id IS NOT NULL
            """,
            currency_id=self.env.company.currency_id.id,
            estimates=self._query_estimates(),
            orders=self._query_orders(),
            invoices=self._query_invoices(),
            currency_table=self.env["res.currency"]._get_simple_currency_table(self.env.companies),
        )

    @api.model
    def _query_estimates(self):
        return SQL(
            """
            SELECT deal.id AS deal_id, deal.company_id, deal.partner_id, 'estimate' AS line_type,
                   COALESCE(deal.expected_close_date, deal.create_date::date) AS date,
                   NULL::integer AS order_id, NULL::integer AS move_id, NULL::varchar AS payment_state,
                   deal.amount_company AS amount_estimated, 0.0 AS amount_quoted, 0.0 AS amount_ordered,
                   0.0 AS amount_invoiced_untaxed, 0.0 AS amount_invoiced, 0.0 AS amount_paid, 0.0 AS amount_due
              FROM deal_deal deal
            """
        )

    @api.model
    def _query_orders(self):
        # currency_rate: company currency to order currency at the order date.
        return SQL(
            """
            SELECT so.deal_id, so.company_id, so.partner_id,
                   CASE WHEN so.state IN %(quotation)s THEN 'quotation' ELSE 'order' END AS line_type,
                   so.date_order::date AS date,
                   so.id AS order_id, NULL::integer AS move_id, NULL::varchar AS payment_state,
                   0.0 AS amount_estimated,
                   CASE WHEN so.state IN %(quotation)s
                        THEN so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) ELSE 0.0 END
                       AS amount_quoted,
                   CASE WHEN so.state IN %(quotation)s
                        THEN 0.0 ELSE so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) END
                       AS amount_ordered,
                   0.0 AS amount_invoiced_untaxed, 0.0 AS amount_invoiced, 0.0 AS amount_paid, 0.0 AS amount_due
              FROM sale_order so
             WHERE so.deal_id IS NOT NULL AND so.state != 'cancel'
            """,
            quotation=QUOTATION_STATES,
        )

    @api.model
    def _query_invoices(self):
        """Per posted customer invoice or credit note: one row per deal its lines count for, with
        their share (account.move.line._query_deal_amounts), and one without deal for the rest of
        the invoice (lines of no deal, cash rounding), when there is a rest."""
        return SQL(
            """
            WITH deal_line AS (%(lines)s),
                 per_deal AS (
                    SELECT deal_id, move_id, SUM(amount_untaxed) AS amount_untaxed,
                           SUM(amount_invoiced) AS amount_invoiced, SUM(amount_paid) AS amount_paid,
                           SUM(amount_due) AS amount_due
                      FROM deal_line
                     WHERE deal_id IS NOT NULL
                     GROUP BY deal_id, move_id
                 ),
                 per_move AS (
                    SELECT NULL::integer AS deal_id, move.id AS move_id,
                           move.amount_untaxed_signed - COALESCE(SUM(per_deal.amount_untaxed), 0) AS amount_untaxed,
                           move.amount_total_signed - COALESCE(SUM(per_deal.amount_invoiced), 0) AS amount_invoiced,
                           move.amount_total_signed - move.amount_residual_signed
                               - COALESCE(SUM(per_deal.amount_paid), 0) AS amount_paid,
                           move.amount_residual_signed - COALESCE(SUM(per_deal.amount_due), 0) AS amount_due
                      FROM account_move move
                      LEFT JOIN per_deal ON per_deal.move_id = move.id
                     WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')
                     GROUP BY move.id
                 ),
                 share AS (SELECT * FROM per_deal UNION ALL SELECT * FROM per_move)
            SELECT share.deal_id, move.company_id, move.commercial_partner_id AS partner_id,
                   CASE WHEN move.move_type = 'out_refund' THEN 'refund' ELSE 'invoice' END AS line_type,
                   move.invoice_date AS date, NULL::integer AS order_id, move.id AS move_id, move.payment_state,
                   0.0 AS amount_estimated, 0.0 AS amount_quoted, 0.0 AS amount_ordered,
                   share.amount_untaxed AS amount_invoiced_untaxed, share.amount_invoiced, share.amount_paid,
                   share.amount_due
              FROM share
              JOIN account_move move ON move.id = share.move_id
             WHERE share.deal_id IS NOT NULL
                OR share.amount_untaxed != 0 OR share.amount_invoiced != 0 OR share.amount_due != 0
            """,
            lines=self.env["account.move.line"]._query_deal_amounts(),
        )
