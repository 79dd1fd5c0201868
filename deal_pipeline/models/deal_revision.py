from odoo import api, fields, models

# The deal fields whose every change is kept as a revision.
REVISED_FIELDS = [
    ("expected_close_date", "Expected Close Date"),
    ("amount", "Estimated Amount"),
]


class DealRevision(models.Model):
    """One change of a deal's expected close date or estimated amount. Written only by the deal's
    own create() and write(), as a consequence of a change the user was allowed to make; read
    by whoever may read the deal."""

    _name = "deal.revision"
    _description = "Deal Revision"
    _order = "date desc, id desc"
    _rec_name = "field_name"

    deal_id = fields.Many2one("deal.deal", required=True, index=True, ondelete="cascade", readonly=True)
    field_name = fields.Selection(REVISED_FIELDS, string="Field", required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Changed by", readonly=True)
    date = fields.Datetime("Changed on", required=True, default=fields.Datetime.now, readonly=True)
    old_date = fields.Date("Old Close Date", readonly=True)
    new_date = fields.Date("New Close Date", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    old_amount = fields.Monetary(readonly=True)
    new_amount = fields.Monetary(readonly=True)
    days_pushed = fields.Integer(
        compute="_compute_days_pushed",
        store=True,
        precompute=True,
        help="Days by which the change pushed the expected close date later (0 otherwise).",
    )

    # the history of one deal and the slip figures read it per deal and field
    _deal_field_index = models.Index("(deal_id, field_name, id)")

    @api.depends("field_name", "old_date", "new_date")
    def _compute_days_pushed(self):
        for revision in self:
            pushed = (
                revision.field_name == "expected_close_date"
                and revision.old_date
                and revision.new_date
                and (revision.new_date - revision.old_date).days
            )
            revision.days_pushed = max(pushed or 0, 0)
