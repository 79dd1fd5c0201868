from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from .deal_revision import REVISED_FIELDS
from .sale_order import QUOTATION_STATES

PRIORITIES = [
    ("0", "Normal"),
    ("1", "Good"),
    ("2", "Very Good"),
    ("3", "Excellent"),
]
INVOICE_TYPES = ("out_invoice", "out_refund")
# Who may read sales orders and customer invoices (sale's and account's groups).
SALE_READERS = "sales_team.group_sale_salesman,account.group_account_invoice,account.group_account_readonly"
# Aggregates whose value over a group is the sum of their values over its sub-groups (a sum
# over no value, NULL in SQL, is False in _read_group).
SUMMABLE_AGGREGATES = ("sum", "sum_currency", "count")
INVOICE_DEPENDS = (
    "linked_invoice_ids.state",
    "invoice_line_ids.balance",
    "invoice_line_ids.move_id.state",
    "invoice_line_ids.move_id.amount_untaxed_signed",
    "invoice_line_ids.move_id.amount_total_signed",
    "invoice_line_ids.move_id.amount_residual_signed",
)


class DealDeal(models.Model):
    _name = "deal.deal"
    _description = "Deal"
    # mail.tracking.duration.mixin brings mail.thread
    _inherit = ["mail.tracking.duration.mixin", "mail.activity.mixin", "deal.api.input.mixin"]
    _order = "priority desc, id desc"
    _check_company_auto = True
    _track_duration_field = "stage_id"

    name = fields.Char("Deal", required=True, tracking=True, index="trigram")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    pipeline_id = fields.Many2one(
        "deal.pipeline",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        default=lambda self: self._default_pipeline(),
    )
    stage_id = fields.Many2one(
        "deal.stage",
        compute="_compute_stage_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        domain="['|', ('pipeline_ids', '=', False), ('pipeline_ids', 'in', pipeline_id)]",
    )
    outcome = fields.Selection(related="stage_id.outcome", store=True, precompute=True, index=True)
    last_open_stage_id = fields.Many2one(
        "deal.stage",
        compute="_compute_last_open_stage_id",
        store=True,
        precompute=True,
        copy=False,
        help="Where a closed deal goes back to when it is reopened.",
    )
    probability = fields.Float(
        "Probability (%)",
        compute="_compute_probability",
        store=True,
        precompute=True,
        readonly=False,
        aggregator="avg",
        tracking=True,
        help="Win probability; follows the stage unless it is set on the deal.",
    )
    expected_close_date = fields.Date(index=True, tracking=True)
    date_closed = fields.Datetime(
        "Closed On", compute="_compute_date_closed", store=True, precompute=True, copy=False, index=True
    )
    date_last_stage_update = fields.Datetime(
        "Last Stage Update",
        compute="_compute_date_last_stage_update",
        store=True,
        precompute=True,
        copy=False,
        index=True,
    )
    lost_reason_id = fields.Many2one(
        "deal.lost.reason",
        compute="_compute_lost_reason_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
    )
    priority = fields.Selection(PRIORITIES, default="0")
    tag_ids = fields.Many2many("deal.tag")
    color = fields.Integer("Color Index")
    description = fields.Html("Notes")
    active = fields.Boolean(default=True, tracking=True)

    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        domain=[("active", "=", True)],
    )
    amount = fields.Monetary("Estimated Amount", currency_field="currency_id", tracking=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency", store=True, precompute=True
    )
    amount_company = fields.Monetary(
        "Estimated Amount (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
        precompute=True,
        help="The estimated amount converted at the rate of the expected close date (or today); "
        "once the deal is closed, at the rate of its closing date.",
    )
    amount_weighted = fields.Monetary(
        "Weighted Amount",
        currency_field="company_currency_id",
        compute="_compute_amount_weighted",
        store=True,
        precompute=True,
        help="Amount in company currency multiplied by the probability.",
    )

    # Slippage: every change of the expected close date and of the amount is a deal.revision
    revision_ids = fields.One2many(
        "deal.revision", "deal_id", string="Revisions", groups="deal_pipeline.group_deal_user_own"
    )
    close_date_push_count = fields.Integer(
        "Close Date Pushes",
        compute="_compute_close_date_slip",
        store=True,
        precompute=True,
        help="How many times the expected close date was pushed later.",
    )
    close_date_slip_days = fields.Integer(
        "Days Slipped",
        compute="_compute_close_date_slip",
        store=True,
        precompute=True,
        help="Total days by which the expected close date was pushed later.",
    )
    first_amount = fields.Monetary(
        "First Estimate",
        currency_field="currency_id",
        compute="_compute_first_estimates",
        store=True,
        precompute=True,
        help="The first estimated amount given to the deal.",
    )
    first_close_date = fields.Date(
        "First Expected Close Date",
        compute="_compute_first_estimates",
        store=True,
        precompute=True,
        help="The first expected close date given to the deal.",
    )
    first_amount_company = fields.Monetary(
        "First Estimate (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_first_amount_company",
        store=True,
        precompute=True,
        help="The first estimate converted at the same rate as the estimated amount in company currency.",
    )

    # The people involved in the purchase, with their roles
    contact_ids = fields.One2many("deal.contact", "deal_id")
    primary_contact_id = fields.Many2one(
        "res.partner",
        compute="_compute_primary_contact_id",
        store=True,
        index="btree_not_null",
        help="The contact marked as primary among the deal's contacts.",
    )
    involved_partner_id = fields.Many2one(
        "res.partner",
        string="Person Involved",
        compute="_compute_involved_partner_id",
        search="_search_involved_partner_id",
        help="Search the deals of a customer or where a person is one of the contacts.",
    )

    # Activity: the last mail in or out, and the deals nobody wrote to or planned anything on
    date_last_mail = fields.Datetime(
        "Last Mail", readonly=True, copy=False, help="When the last mail was received from or sent to the deal."
    )
    days_since_last_mail = fields.Integer(compute="_compute_days_since_last_mail")
    is_quiet = fields.Boolean(
        "Quiet",
        compute="_compute_is_quiet",
        search="_search_is_quiet",
        help="Open, without scheduled activity and without mail in or out (or created) for the days its pipeline sets.",
    )

    # Quotes and invoices: the deal's sale.order quotations/orders and account.move invoices
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

    _input_bounds = {"amount": (0, None), "probability": (0, 100)}
    _amount_positive = models.Constraint("CHECK(amount >= 0)", "The estimated amount of a deal cannot be negative.")
    _probability_range = models.Constraint(
        "CHECK(probability >= 0 AND probability <= 100)",
        "The probability of a deal must be between 0 and 100.",
    )
    # A board column: one pipeline's stage, read in the default order (priority desc, id desc).
    # The included columns let the column sums and the pivot (filtered by outcome, grouped by
    # stage, currency and close date) read the index alone, not every row of the pipeline.
    _board_index = models.Index(
        "(pipeline_id, stage_id, priority DESC, id DESC)"
        " INCLUDE (outcome, company_id, company_currency_id, amount_company, expected_close_date)"
        " WHERE active IS TRUE"
    )
    # the list's first page in the default order
    _default_order_index = models.Index("(priority DESC, id DESC) WHERE active IS TRUE")

    # ------------------------------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------------------------------

    def _default_pipeline(self):
        if pipeline_id := self.env.context.get("default_pipeline_id"):
            self._check_input([], field_names=["pipeline_id"], create=True)
            return self.env["deal.pipeline"].browse(pipeline_id)
        return self.env["deal.pipeline"].search([("company_id", "in", [False, self.env.company.id])], limit=1)

    @api.depends("contact_ids.is_primary", "contact_ids.partner_id")
    def _compute_primary_contact_id(self):
        for deal in self:
            deal.primary_contact_id = deal.contact_ids.filtered("is_primary")[:1].partner_id

    def _compute_involved_partner_id(self):
        self.involved_partner_id = False

    def _search_involved_partner_id(self, operator, value):
        if operator not in ("in", "child_of", "any"):
            return NotImplemented
        return Domain("partner_id", operator, value) | Domain("contact_ids.partner_id", operator, value)

    @api.depends("date_last_mail")
    def _compute_days_since_last_mail(self):
        now = fields.Datetime.now()
        for deal in self:
            deal.days_since_last_mail = (now - deal.date_last_mail).days if deal.date_last_mail else 0

    @api.depends("date_last_mail", "create_date", "activity_ids", "outcome", "pipeline_id.quiet_days")
    def _compute_is_quiet(self):
        now = self.env.cr.now()
        for deal in self:
            days, last = deal.pipeline_id.quiet_days, deal.date_last_mail or deal.create_date
            deal.is_quiet = bool(
                days and deal.outcome == "open" and not deal.activity_ids and last and last < now - timedelta(days=days)
            )

    def _search_is_quiet(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        now = self.env.cr.now()
        quiet = Domain.FALSE
        for pipeline in self.env["deal.pipeline"].with_context(active_test=False).search([("quiet_days", ">", 0)]):
            since = now - timedelta(days=pipeline.quiet_days)
            quiet |= Domain("pipeline_id", "=", pipeline.id) & (
                Domain("date_last_mail", "<", since)
                | (Domain("date_last_mail", "=", False) & Domain("create_date", "<", since))
            )
        quiet &= Domain("outcome", "=", "open") & Domain("activity_ids", "=", False)
        return quiet if (True in value) == (operator == "in") else ~quiet

    @api.depends("pipeline_id", "outcome", "allow_quotation")
    def _compute_quotation_stage_id(self):
        for deal in self:
            waiting = deal.outcome == "open" and not deal.allow_quotation
            deal.quotation_stage_id = deal.pipeline_id.quotation_stage_id if waiting else False

    @api.depends("pipeline_id")
    def _compute_stage_id(self):
        for pipeline, deals in self.grouped("pipeline_id").items():
            misplaced = deals.filtered(lambda deal, p=pipeline: not deal.stage_id or not deal.stage_id._belongs_to(p))
            for deal in deals - misplaced:
                deal.stage_id = deal.stage_id
            if misplaced:
                misplaced.stage_id = pipeline._stage_for_outcome("open") if pipeline else False

    @api.depends("company_id")
    def _compute_currency_id(self):
        for deal in self:
            deal.currency_id = deal.currency_id or deal.company_id.currency_id

    @api.depends("stage_id")
    def _compute_last_open_stage_id(self):
        for deal in self:
            if deal.stage_id.outcome == "open":
                deal.last_open_stage_id = deal.stage_id
            else:
                deal.last_open_stage_id = deal.last_open_stage_id

    @api.depends("stage_id")
    def _compute_probability(self):
        for deal in self:
            deal.probability = deal.stage_id.probability

    @api.depends("outcome")
    def _compute_date_closed(self):
        now = fields.Datetime.now()
        for deal in self:
            deal.date_closed = (deal.date_closed or now) if deal.outcome in ("won", "lost") else False

    @api.depends("stage_id")
    def _compute_date_last_stage_update(self):
        # the transaction's time, as the rotting and duration mixin measures against it
        self.date_last_stage_update = self.env.cr.now()

    @api.depends("outcome")
    def _compute_lost_reason_id(self):
        for deal in self:
            deal.lost_reason_id = deal.lost_reason_id if deal.outcome == "lost" else False

    def _company_rates(self):
        """{deal: rate from its currency to its company's}: at the closing date once closed, else at
        the expected close date, else today; for all the deals in one query
        (``res.currency._get_conversion_rates``)."""
        today = fields.Date.context_today(self)
        conversions = {
            deal: (
                deal.currency_id,
                deal.company_id.currency_id,
                deal.company_id,
                deal.date_closed.date() if deal.date_closed else deal.expected_close_date or today,
            )
            for deal in self
            if deal.currency_id and deal.company_id.currency_id
        }
        rates = self.env["res.currency"]._get_conversion_rates(conversions.values())
        return {deal: rates[conversions[deal]] if deal in conversions else 1.0 for deal in self}

    @api.depends("amount", "currency_id", "company_id", "expected_close_date", "date_closed")
    def _compute_amount_company(self):
        rates = self._company_rates()
        for deal in self:
            deal.amount_company = deal.company_id.currency_id.round(deal.amount * rates[deal])

    @api.depends("first_amount", "currency_id", "company_id", "expected_close_date", "date_closed")
    def _compute_first_amount_company(self):
        rates = self._company_rates()
        for deal in self:
            deal.first_amount_company = deal.company_id.currency_id.round(deal.first_amount * rates[deal])

    @api.depends("revision_ids.days_pushed")
    def _compute_close_date_slip(self):
        slips = {
            deal.id: (count, days)
            for deal, count, days in self.env["deal.revision"]._read_group(
                [("deal_id", "in", self._origin.ids), ("days_pushed", ">", 0)],
                ["deal_id"],
                ["__count", "days_pushed:sum"],
            )
        }
        for deal in self:
            deal.close_date_push_count, deal.close_date_slip_days = slips.get(deal._origin.id, (0, 0))

    @api.depends(
        "revision_ids.date",
        "revision_ids.old_amount",
        "revision_ids.new_amount",
        "revision_ids.old_date",
        "revision_ids.new_date",
        "amount",
        "expected_close_date",
    )
    def _compute_first_estimates(self):
        """The value before the first revision of each field, or the value it set when the field
        was empty before; without revision, the current value."""
        first_revisions = {}
        for revision in self.env["deal.revision"].search_fetch(
            [("deal_id", "in", self._origin.ids)],
            ["deal_id", "field_name", "old_amount", "new_amount", "old_date", "new_date"],
            order="date, id",
        ):
            first_revisions.setdefault((revision.deal_id.id, revision.field_name), revision)
        for deal in self:
            amount_revision = first_revisions.get((deal._origin.id, "amount"))
            date_revision = first_revisions.get((deal._origin.id, "expected_close_date"))
            deal.first_amount = (
                (amount_revision.old_amount or amount_revision.new_amount) if amount_revision else deal.amount
            )
            deal.first_close_date = (
                (date_revision.old_date or date_revision.new_date) if date_revision else deal.expected_close_date
            )

    @api.depends("amount_company", "probability")
    def _compute_amount_weighted(self):
        for deal in self:
            deal.amount_weighted = deal.company_currency_id.round(deal.amount_company * deal.probability / 100)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """Board columns: the stages of the pipeline in context (its own and the shared ones),
        plus any stage that holds deals."""
        stage_domain = Domain("pipeline_ids", "=", False)
        if pipeline_id := self.env.context.get("default_pipeline_id"):
            stage_domain |= Domain("pipeline_ids", "in", [pipeline_id])
        stage_ids = stages._search(Domain("id", "in", stages.ids) | stage_domain, order=stages._order)
        return stages.browse(stage_ids)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):  # noqa: PLR0917 (Odoo's signature)
        """The column sums of the board ask for the distinct currencies of each column
        (``<many2one>:array_agg_distinct``, e.g. ``company_currency_id``), which makes PostgreSQL
        sort every row of the board; grouping by that field too and merging the sub-groups gives
        the same result with a hash aggregate, several times faster on large pipelines."""
        distinct = [spec for spec in aggregates if spec.endswith(":array_agg_distinct")]
        fnames = [spec.split(":")[0] for spec in distinct]
        others = [spec for spec in aggregates if spec not in distinct]
        if (
            len(distinct) != 1
            or having
            or offset
            or limit
            or self._fields[fnames[0]].type != "many2one"
            or not self._fields[fnames[0]].store
            or fnames[0] in groupby
            or any(spec != "__count" and spec.split(":")[-1] not in SUMMABLE_AGGREGATES for spec in others)
            or any(term.split()[0] not in groupby for term in (order or "").split(",") if term.strip())
        ):
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        rows = super()._read_group(domain, [*groupby, fnames[0]], others, order=order)
        merged = {}
        for row in rows:
            key, value, values = row[: len(groupby)], row[len(groupby)], row[len(groupby) + 1 :]
            merged.setdefault(key, ([], []))
            merged[key][0].append(value)
            merged[key][1].append(values)
        result = []
        for key, (distinct_values, values) in merged.items():
            columns = dict(zip(others, zip(*values, strict=True), strict=True))
            ids = sorted({record.id for record in distinct_values if record})
            ids += [None] * (not all(distinct_values))  # ARRAY_AGG puts NULL last
            sums = {
                spec: sum(value for value in column if value is not False) if any(column) else column[0]
                for spec, column in columns.items()
            }
            result.append(key + tuple(ids if spec in distinct else sums[spec] for spec in aggregates))
        return result

    @api.model
    def read_progress_bar(self, domain, group_by, progress_bar):
        """The activity bar counts the deals by activity state; a deal without activities has no
        state and no segment, so only the deals with activities are grouped (the same bars
        without going through every deal of the board)."""
        if progress_bar.get("field") == "activity_state":
            domain = Domain(domain) & Domain("activity_ids", "!=", False)
        return super().read_progress_bar(domain, group_by, progress_bar)

    # ------------------------------------------------------------------------------------------
    # Rotting (mail.tracking.duration.mixin): closed deals do not rot
    # ------------------------------------------------------------------------------------------

    def _get_rotting_depends_fields(self):
        return [*super()._get_rotting_depends_fields(), "outcome"]

    def _get_rotting_domain(self):
        return super()._get_rotting_domain() & Domain("outcome", "=", "open")

    # ------------------------------------------------------------------------------------------
    # Mail gateway: a new mail to a pipeline's address (its alias) creates a deal
    # ------------------------------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A deal named after the mail's subject, whose customer is the sender (found by e-mail
        address, created when unknown), with the owner and stage that the pipeline of the alias
        (``custom_values``: its ``alias_defaults``) gives to mails."""
        values = dict(custom_values or {})
        pipeline = self.env["deal.pipeline"].browse(values.get("pipeline_id")).exists() or self._default_pipeline()
        owner = pipeline.mail_user_id
        company = pipeline.company_id or owner.company_id or self.env.company

        def usable(partner):
            # a contact of another company (or of its customers) is never this company's customer
            return all(not p.company_id or p.company_id == company for p in partner | partner.commercial_partner_id)

        customer = self.env["res.partner"].browse(msg_dict.get("author_id")).exists().filtered(usable)
        if not customer:
            customer = self._partner_find_from_emails_single(
                [msg_dict.get("email_from")], filter_found=usable, no_create=False
            )
        defaults = {
            "name": msg_dict.get("subject") or self.env._("No Subject"),
            "partner_id": customer.id,
            "pipeline_id": pipeline.id,
            "user_id": owner.id,
            "company_id": company.id,
        }
        if pipeline.mail_stage_id:
            defaults["stage_id"] = pipeline.mail_stage_id.id
        if not customer.is_company:
            defaults["contact_ids"] = [Command.create({"partner_id": customer.id, "is_primary": True})]
        return super().message_new(msg_dict, custom_values=defaults | values)

    def _message_post_after_hook(self, message, msg_values):
        """A mail in (from the gateway) or out (sent from the chatter) dates the deal's last mail;
        notes and notifications do not. Written as superuser: whoever may post on the deal moves
        this date, as the chatter's own counters."""
        if message.message_type in ("email", "comment") and message.subtype_id and not message.subtype_id.internal:
            self.sudo()._set_date_last_mail(message.date)
        return super()._message_post_after_hook(message, msg_values)

    def _set_date_last_mail(self, date):
        self.filtered(lambda deal: not deal.date_last_mail or deal.date_last_mail < date).date_last_mail = date

    def action_file_unassigned_mail(self):
        """The "File here" button of an unassigned mail (``unassigned_mail_id`` in the context)."""
        self.ensure_one()
        mail = self.env["deal.unassigned.mail"].browse(self.env.context.get("unassigned_mail_id")).exists()
        if not mail:
            raise UserError(self.env._("This mail was already filed on a deal."))
        mail._file_on(self)
        return self.env["ir.actions.act_window"]._for_xml_id("deal_pipeline.deal_unassigned_mail_action")

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------

    @api.constrains("amount")
    def _check_amount(self):
        if any(deal.amount < 0 for deal in self):
            raise ValidationError(self.env._("The estimated amount of a deal cannot be negative."))

    @api.constrains("user_id")
    def _check_owner_internal(self):
        if owner := self.user_id.filtered("share")[:1]:
            raise ValidationError(
                self.env._(
                    "The field “Owner” (user_id): %(user)s is a portal or public user; "
                    "the owner of a deal must be an internal user.",
                    user=owner.name,
                )
            )

    @api.constrains("probability")
    def _check_probability(self):
        if any(not 0 <= deal.probability <= 100 for deal in self):
            raise ValidationError(self.env._("The probability of a deal must be between 0 and 100."))

    @api.constrains("stage_id", "lost_reason_id")
    def _check_lost_reason(self):
        for deal in self:
            if deal.outcome == "lost" and not deal.lost_reason_id:
                raise ValidationError(
                    self.env._(
                        "The deal “%(deal)s” is in a lost stage: give it a lost reason (use the Lost button).",
                        deal=deal.name,
                    )
                )

    @api.constrains("stage_id", "pipeline_id")
    def _check_stage_pipeline(self):
        for deal in self:
            if not deal.stage_id._belongs_to(deal.pipeline_id):
                raise ValidationError(
                    self.env._(
                        "The stage “%(stage)s” is not used by the pipeline “%(pipeline)s”: "
                        "choose one of the pipeline's stages.",
                        stage=deal.stage_id.name,
                        pipeline=deal.pipeline_id.name,
                    )
                )

    # ------------------------------------------------------------------------------------------
    # CRUD: values from the external API are checked before they reach the database
    # (deal.api.input.mixin)
    # ------------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input(vals_list, create=True)
        if any("pipeline_id" not in vals for vals in vals_list):
            # the default pipeline is searched once for the batch, not once per deal
            default = self.default_get(["pipeline_id"])
            vals_list = [default | vals for vals in vals_list]
        deals = super().create(vals_list)
        deals._check_stage_requirements()
        # the values the deals are created with are their first revisions; the figures read from
        # the revisions are those of the deals as created (no revision: the current values)
        from_revisions = [
            field
            for field in self.env.registry.get_dependent_fields(self._fields["revision_ids"])
            if field.model_name == self._name
        ]
        with self.env.protecting(from_revisions, deals):
            deals._log_revisions({name: dict.fromkeys(deals.ids, False) for name, _label in REVISED_FIELDS})
        return deals

    def _load_records_create(self, vals_list):
        """An import's batch with a refused row fails without a message of its own: Odoo's load
        then retries row by row and reports each refused row alone, where a UserError of the
        batch would also be reported on the batch's first row."""
        if len(vals_list) > 1:
            try:
                self._check_input(vals_list, create=True)
            except UserError as error:
                raise ValueError(str(error)) from None
        return super()._load_records_create(vals_list)

    def write(self, vals):
        self._check_input([vals])
        old_values = {name: {deal.id: deal[name] for deal in self} for name, _label in REVISED_FIELDS if name in vals}
        old_stages = {deal.id: deal.stage_id for deal in self} if {"stage_id", "pipeline_id"} & vals.keys() else {}
        # Writing a deal's current stage again is no stage change: it keeps the probability set on
        # the deal and the time in stage, which the ORM would otherwise recompute.
        same_stage = self.browse()
        if "stage_id" in vals:
            same_stage = self.filtered(lambda deal: deal.stage_id.id == vals["stage_id"])
            # a pending computation must see the stage the deal leaves, not only the new one
            self.flush_recordset(["last_open_stage_id"])
        # A card moved to another stage of the same outcome (open to open) keeps its closing date,
        # lost reason and converted amounts: they are not recomputed (no rate lookup on a move).
        same_outcome = self.browse()
        if set(vals) == {"stage_id"}:
            outcome = self.env["deal.stage"].browse(vals["stage_id"]).outcome
            same_outcome = self.filtered(lambda deal: deal.outcome == outcome)
        stage_change_fields = [self._fields["probability"], self._fields["date_last_stage_update"]]
        outcome_fields = [
            self._fields[name] for name in ("date_closed", "lost_reason_id", "amount_company", "first_amount_company")
        ]
        with self.env.protecting(stage_change_fields, same_stage), self.env.protecting(outcome_fields, same_outcome):
            result = super().write(vals)
        if old_stages:
            self.filtered(lambda deal: deal.stage_id != old_stages[deal.id])._check_stage_requirements()
        self._log_revisions(old_values)
        return result

    def _log_revisions(self, old_values):
        """Keep the changes of the revised fields as revisions (``deal.revision._log``).
        ``old_values``: {field name: {deal id: value before the change}}. The user's own create or
        write made the change, so the revisions are written whatever the user's rights."""
        self.env["deal.revision"]._log(
            [
                {
                    "deal_id": deal.id,
                    "field_name": name,
                    "old": old_by_deal[deal.id] or False,
                    "new": deal[name] or False,
                }
                for name, old_by_deal in old_values.items()
                for deal in self
                if (old_by_deal[deal.id] or False) != (deal[name] or False)
            ]
        )

    def _missing_stage_fields(self, stage):
        """The labels of the fields that ``stage`` requires and this deal leaves empty."""
        self.ensure_one()
        deal = self.sudo()  # the check reads the values, whatever groups restrict the fields
        return [
            self._fields[field.name]._description_string(self.env)
            for field in stage.sudo().required_field_ids
            if field.name in self._fields and not deal[field.name]
        ]

    def _check_stage_requirements(self):
        """Refuse, in one message, the deals that enter a stage without the fields it requires."""
        problems = [
            self.env._(
                "The deal “%(deal)s” cannot enter the stage “%(stage)s”: fill in %(fields)s first.",
                deal=deal.name,
                stage=deal.stage_id.name,
                fields=", ".join(missing),
            )
            for deal in self
            if (missing := deal._missing_stage_fields(deal.stage_id))
        ]
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model
    def _count_deals_by(self, field_name, records):
        """{record: number of deals, archived included, of every company} for the records of
        ``records`` used in ``field_name``; the deletion checks of stages, pipelines and lost reasons."""
        return dict(
            self.sudo()
            .with_context(active_test=False)
            ._read_group([(field_name, "in", records.ids)], [field_name], ["__count"])
        )

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

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------

    @api.model
    def action_open_board_of(self, pipeline_id=None):
        """The board of the pipeline ``pipeline_id`` (the id a bookmarked or shared board URL
        carries), or of the current company's first pipeline (the Deals menu)."""
        pipeline = self.env["deal.pipeline"]
        if isinstance(pipeline_id, int):
            pipeline = pipeline.browse(pipeline_id).exists()._filtered_access("read")
        pipeline = pipeline or self._default_pipeline()
        if not pipeline:
            return self.env["ir.actions.act_window"]._for_xml_id("deal_pipeline.deal_deal_action")
        return pipeline.action_open_board()

    def _closing_stage(self, outcome, stage_id):
        """{deal: stage} where the deals close with ``outcome``: the stage ``stage_id`` (the
        column a card was dropped on) when given, else the first such stage of each pipeline."""
        if not stage_id:
            return {deal: deal.pipeline_id._stage_for_outcome(outcome) for deal in self}
        self._check_input([{"stage_id": stage_id}], field_names=["stage_id"])
        stage = self.env["deal.stage"].browse(stage_id)
        if stage.outcome != outcome:
            raise UserError(
                self.env._("The stage “%(stage)s” is not a won stage: a deal is won in a won stage.", stage=stage.name)
                if outcome == "won"
                else self.env._(
                    "The stage “%(stage)s” is not a lost stage: a deal is lost in a lost stage.", stage=stage.name
                )
            )
        return dict.fromkeys(self, stage)

    def _close(self, stages, vals=None):
        """Write each deal's closing stage from ``stages`` ({deal: stage}), one write per stage."""
        for stage, deals in self.grouped(lambda deal: stages[deal]).items():
            deals.write({"stage_id": stage.id} | (vals or {}))

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
        """Draft and sent quotations of the deals that the user may read."""
        SaleOrder = self.env["sale.order"]
        if not self.ids or not SaleOrder.has_access("read"):
            return SaleOrder
        return SaleOrder.search([("deal_id", "in", self.ids), ("state", "in", QUOTATION_STATES)])

    def _won_effect(self):
        """The celebration of a won deal, as CRM shows it (the web client skips it when the user
        turned effects off in his preferences)."""
        return {
            "type": "ir.actions.act_window_close",
            "effect": {
                "fadeout": "slow",
                "message": self.env._("Deal won. Congratulations!")
                if len(self) != 1
                else self.env._("“%(deal)s” won. Congratulations!", deal=self.name),
                "img_url": "/web/static/img/smile.svg",
                "type": "rainbow_man",
            },
        }

    def action_mark_lost(self, lost_reason_id=None, stage_id=None):
        """Move the deals to the lost stage ``stage_id`` (the lost column of the board a card was
        dropped on), by default the first lost stage of their pipeline; without a reason, open the
        wizard that asks for one."""
        if lost := self.filtered(lambda deal: deal.outcome == "lost"):
            raise UserError(self.env._("The deal “%(deal)s” is already lost.", deal=lost[0].name))
        stages = self._closing_stage("lost", stage_id)
        if not lost_reason_id:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Mark as Lost"),
                "res_model": "deal.lost.wizard",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_deal_ids": self.ids, "default_stage_id": stage_id, "dialog_size": "medium"},
            }
        self._check_input([{"lost_reason_id": lost_reason_id}])
        self._close(stages, {"lost_reason_id": lost_reason_id})
        return True

    def action_reopen(self):
        """Move closed deals back to the open stage they were in before closing."""
        if still_open := self.filtered(lambda deal: deal.outcome == "open"):
            raise UserError(self.env._("The deal “%(deal)s” is not closed.", deal=still_open[0].name))

        def reopen_stage(deal):
            if deal.last_open_stage_id and deal.last_open_stage_id._belongs_to(deal.pipeline_id):
                return deal.last_open_stage_id
            return deal.pipeline_id._stage_for_outcome("open")

        for stage, deals in self.grouped(reopen_stage).items():
            deals.write({"stage_id": stage.id})
        return True

    # ------------------------------------------------------------------------------------------
    # Quotes and invoices
    # ------------------------------------------------------------------------------------------

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

    @api.model
    def _check_link_input(self, documents, vals_list, create=False, access="read"):
        """Orders and invoices (``documents``) are linked only to existing deals on which the
        current user has ``access`` (record rules included): nobody attaches a document to, or
        learns the name of, a hidden deal, and with ``access="write"`` nobody attaches a quotation
        (whose confirmation wins the deal) to a deal he may only read. Checks the ``deal_id`` of
        ``vals_list`` and, for a ``create``, the ``default_deal_id`` of the context."""
        documents._check_input(vals_list, field_names=["deal_id"], create=create)
        deal_ids = {vals["deal_id"] for vals in vals_list if vals.get("deal_id")}
        if create and any("deal_id" not in vals for vals in vals_list):
            deal_ids.add(documents.env.context.get("default_deal_id"))
        deal_ids -= {False, None}
        if self.env.su or not deal_ids:
            return
        deals = self.browse(deal_ids)
        readable = deals._filtered_access("read")
        if hidden := deals - readable:
            raise AccessError(
                self.env._(
                    "The field “Deal” (deal_id) refers to a deal you are not allowed to see (deal.deal id %(ids)s): "
                    "link only a deal you can open.",
                    ids=", ".join(map(str, sorted(hidden.ids))),
                )
            )
        if access == "write" and (read_only := readable - readable._filtered_access("write")):
            raise AccessError(
                self.env._(
                    "The field “Deal” (deal_id) refers to a deal you are not allowed to change (%(deals)s): "
                    "link only a deal you can edit, or ask its owner.",
                    deals=", ".join(read_only.mapped("display_name")),
                )
            )

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

    def _action_view_sale_orders(self, name, states, orders):
        self.ensure_one()
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
        quotations = self.sale_order_ids.filtered(lambda order: order.state in QUOTATION_STATES)
        return self._action_view_sale_orders(self.env._("Quotations"), list(QUOTATION_STATES), quotations)

    @api.readonly
    def action_view_sale_orders(self):
        orders = self.sale_order_ids.filtered(lambda order: order.state == "sale")
        return self._action_view_sale_orders(self.env._("Sales Orders"), ["sale"], orders)

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
