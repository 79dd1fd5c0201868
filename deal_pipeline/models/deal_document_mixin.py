from odoo import api, models
from odoo.exceptions import AccessError


class DealDocumentMixin(models.AbstractModel):
    """A document that links to a deal (sale.order, account.move): who may link it to which deal."""

    _name = "deal.document.mixin"
    _description = "Document Linked to a Deal"
    _inherit = ["deal.api.input.mixin"]

    @api.model
    def _check_deal_link_input(self, vals_list, create=False, access="read"):
        """Documents are linked only to existing deals on which the current user has ``access``
        (record rules included): nobody attaches a document to, or learns the name of, a hidden
        deal, and with ``access="write"`` nobody attaches a quotation (whose confirmation wins the
        deal) to a deal he may only read. Checks the ``deal_id`` of ``vals_list`` and, for a
        ``create``, the ``default_deal_id`` of the context."""
        self._api_input_check(vals_list, field_names=["deal_id"], create=create)
        deal_ids = {vals["deal_id"] for vals in vals_list if vals.get("deal_id")}
        if create and any("deal_id" not in vals for vals in vals_list):
            deal_ids.add(self.env.context.get("default_deal_id"))
        deal_ids -= {False, None}
        if self.env.su or not deal_ids:
            return
        deals = self.env["deal.deal"].browse(deal_ids)
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
