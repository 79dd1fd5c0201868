from odoo import api, fields, models


class DealContact(models.Model):
    """A person involved in a deal (usually of its customer, an outside advisor may be one too)
    and the role he plays in the purchase."""

    _name = "deal.contact"
    _description = "Deal Contact"
    _inherit = ["deal.api.input.mixin"]
    _order = "deal_id, is_primary desc, sequence, id"
    _check_company_auto = True

    deal_id = fields.Many2one("deal.deal", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="deal_id.company_id", store=True, index=True, precompute=True)
    partner_id = fields.Many2one("res.partner", string="Contact", required=True, index=True, check_company=True)
    role_id = fields.Many2one("deal.contact.role", index=True, ondelete="restrict")
    is_primary = fields.Boolean(
        "Primary", help="The deal's main contact: shown on the card, the addressee of its new quotations."
    )
    sequence = fields.Integer(default=10)
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone")

    _partner_uniq = models.Constraint("UNIQUE(deal_id, partner_id)", "This person is already a contact of the deal.")
    _one_primary = models.UniqueIndex("(deal_id) WHERE is_primary", "A deal has only one primary contact.")

    @api.model_create_multi
    def create(self, vals_list):
        self._api_input_check(vals_list, create=True)
        self._unset_other_primaries([vals["deal_id"] for vals in vals_list if vals.get("is_primary")])
        return super().create(vals_list)

    def write(self, vals):
        self._api_input_check([vals])
        if vals.get("is_primary"):
            self._unset_other_primaries(vals.get("deal_id") or self.deal_id.ids, keep=self)
        return super().write(vals)

    def _unset_other_primaries(self, deal_ids, keep=None):
        """A new primary contact replaces the deal's previous one (same access: the user's)."""
        if isinstance(deal_ids, int):
            deal_ids = [deal_ids]
        previous = self.search([("deal_id", "in", deal_ids), ("is_primary", "=", True)])
        if keep:
            previous -= keep
        if previous:
            previous.write({"is_primary": False})
            # before the new primary reaches the database (one primary per deal: a unique index)
            previous.flush_recordset(["is_primary"])
