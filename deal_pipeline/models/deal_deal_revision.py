"""A deal's slippage: every change of its expected close date and amount is a deal.revision, from
which the first estimates and the pushes of the close date are read."""

from odoo import api, fields, models

from .deal_revision import REVISED_FIELDS


class DealDeal(models.Model):
    # one file per concern of the deal (README, Architecture)
    _inherit = "deal.deal"  # pylint: disable=consider-merging-classes-inherited

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

    @api.model_create_multi
    def create(self, vals_list):
        deals = super().create(vals_list)
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

    def write(self, vals):
        old_values = {name: {deal.id: deal[name] for deal in self} for name, _label in REVISED_FIELDS if name in vals}
        result = super().write(vals)
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
