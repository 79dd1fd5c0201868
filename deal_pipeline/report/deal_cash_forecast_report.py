from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Payment habits are measured over the paid invoices of this many last months.
HABIT_MONTHS = 24


class DealCashForecastReport(models.Model):
    """Expected cash-in, in the current company's currency: one row per open deal (its weighted
    amount, at its expected close date shifted by the customer's payment delay) and one per posted
    invoice or credit note and deal its lines count for, still due (their share of its residual,
    at its due date shifted by the customer's lateness). A customer's habits are averages over
    his paid invoices of the last 24 months; the company's averages stand in for customers
    without any. One query, whatever the number of customers and invoices."""

    _name = "deal.cash.forecast.report"
    _description = "Cash Forecast"
    _auto = False
    _rec_name = "deal_id"
    _order = "date, id"
    # Fields read by the query: flushed before it runs.
    _depends = {
        "deal.deal": [
            "active",
            "amount_weighted",
            "company_id",
            "expected_close_date",
            "outcome",
            "partner_id",
            "pipeline_id",
            "user_id",
        ],
        "res.partner": ["commercial_partner_id"],
        "account.move": [
            "amount_residual_signed",
            "commercial_partner_id",
            "amount_total_signed",
            "amount_untaxed_signed",
            "company_id",
            "invoice_date",
            "invoice_date_due",
            "move_type",
            "payment_state",
            "state",
        ],
        "account.move.line": ["balance", "deal_id", "display_type", "move_id"],
        "account.partial.reconcile": ["debit_move_id", "max_date"],
    }

    source = fields.Selection([("deal", "Open Deal"), ("invoice", "Unpaid Invoice")], readonly=True)
    date = fields.Date(
        "Expected Payment Date",
        readonly=True,
        help="Open deal: expected close date plus the customer's payment delay. Invoice: due date plus the "
        "customer's lateness. Never before today.",
    )
    date_reference = fields.Date(
        "Close or Due Date",
        readonly=True,
        help="Expected close date of the open deal, due date of the invoice.",
    )
    delay = fields.Integer(
        "Payment Delay (Days)",
        aggregator="avg",
        readonly=True,
        help="Days added to the close or due date: the customer's average over his paid invoices of the last "
        "24 months (the company's average when he has none).",
    )
    deal_id = fields.Many2one("deal.deal", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary("Expected Cash-in", readonly=True)

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            WITH paid_invoice AS (%(paid_invoices)s),
                 customer_habit AS (
                    SELECT company_id, partner_id,
                           ROUND(AVG(delay))::integer AS delay, ROUND(AVG(lateness))::integer AS lateness
                      FROM paid_invoice
                     GROUP BY company_id, partner_id
                 ),
                 company_habit AS (
                    SELECT company_id, ROUND(AVG(delay))::integer AS delay, ROUND(AVG(lateness))::integer AS lateness
                      FROM paid_invoice
                     GROUP BY company_id
                 ),
                 src AS (%(deals)s UNION ALL %(invoices)s)
            SELECT src.id, src.source, src.deal_id, src.move_id, src.company_id, src.partner_id, src.user_id,
                   src.pipeline_id, src.date_reference, src.delay,
                   CASE WHEN src.date_reference IS NOT NULL
                        THEN GREATEST(src.date_reference + src.delay, %(today)s) END AS date,
                   %(currency_id)s AS currency_id,
                   src.amount * account_currency_table.rate AS amount
              FROM src
              JOIN %(currency_table)s ON account_currency_table.company_id = src.company_id
            """,
            paid_invoices=self._query_paid_invoices(today - relativedelta(months=HABIT_MONTHS)),
            deals=self._query_deals(),
            invoices=self._query_invoices(),
            today=today,
            currency_id=self.env.company.currency_id.id,
            currency_table=self.env["res.currency"]._get_simple_currency_table(self.env.companies),
        )

    @api.model
    def _query_paid_invoices(self, since):
        """Per paid customer invoice dated from ``since`` on: its company, customer, and the days from
        its invoice date (delay) and from its due date (lateness) to its full payment, the date of its
        last reconciliation."""
        return SQL(
            """
            SELECT move.company_id, move.commercial_partner_id AS partner_id,
                   MAX(partial.max_date) - move.invoice_date AS delay,
                   MAX(partial.max_date) - move.invoice_date_due AS lateness
              FROM account_move move
              JOIN account_move_line line ON line.move_id = move.id AND line.display_type = 'payment_term'
              JOIN account_partial_reconcile partial ON partial.debit_move_id = line.id
             WHERE move.move_type = 'out_invoice' AND move.state = 'posted'
               AND move.payment_state IN ('paid', 'in_payment') AND move.invoice_date >= %(since)s
             GROUP BY move.id
            """,
            since=since,
        )

    @api.model
    def _query_deals(self):
        # amount_weighted is in the deal's company currency
        return SQL(
            """
            SELECT 2 * deal.id AS id, 'deal' AS source, deal.id AS deal_id, NULL::integer AS move_id,
                   deal.company_id, partner.commercial_partner_id AS partner_id, deal.user_id, deal.pipeline_id,
                   deal.expected_close_date AS date_reference,
                   COALESCE(customer_habit.delay, company_habit.delay, 0) AS delay,
                   deal.amount_weighted AS amount
              FROM deal_deal deal
              JOIN res_partner partner ON partner.id = deal.partner_id
              LEFT JOIN customer_habit ON customer_habit.company_id = deal.company_id
                                      AND customer_habit.partner_id = partner.commercial_partner_id
              LEFT JOIN company_habit ON company_habit.company_id = deal.company_id
             WHERE deal.active AND deal.outcome = 'open'
            """
        )

    @api.model
    def _query_invoices(self):
        # Per invoice and deal its lines count for: their share of what is due
        # (account.move.line._query_deal_amounts), in company currency, negative for a credit note.
        # The row's id: twice the smallest of those lines' ids, plus one.
        return SQL(
            """
            SELECT 2 * share.line_id + 1, 'invoice', share.deal_id, move.id, move.company_id,
                   move.commercial_partner_id, deal.user_id, deal.pipeline_id, move.invoice_date_due,
                   COALESCE(customer_habit.lateness, company_habit.lateness, 0),
                   share.amount_due
              FROM (
                    SELECT deal_id, move_id, MIN(line_id) AS line_id, SUM(amount_due) AS amount_due
                      FROM (%(lines)s) deal_line
                     GROUP BY deal_id, move_id
                   ) share
              JOIN account_move move ON move.id = share.move_id
              JOIN deal_deal deal ON deal.id = share.deal_id
              LEFT JOIN customer_habit ON customer_habit.company_id = move.company_id
                                      AND customer_habit.partner_id = move.commercial_partner_id
              LEFT JOIN company_habit ON company_habit.company_id = move.company_id
             WHERE share.amount_due != 0
            """,
            lines=self.env["account.move.line"]._query_deal_amounts(SQL("line.deal_id IS NOT NULL")),
        )
