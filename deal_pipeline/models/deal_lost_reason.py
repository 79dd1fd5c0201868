from odoo import api, fields, models
from odoo.exceptions import UserError


class DealLostReason(models.Model):
    _name = "deal.lost.reason"
    _description = "Deal Lost Reason"
    _order = "sequence, id"

    name = fields.Char("Reason", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        counts = self.env["deal.deal"]._count_deals_by("lost_reason_id", self)
        if counts:
            raise UserError(
                "\n".join(
                    self.env._(
                        "The lost reason “%(reason)s” is given on %(count)s deal(s), archived ones included: "
                        "archive the reason instead of deleting it, so that those deals keep it.",
                        reason=reason.name,
                        count=count,
                    )
                    for reason, count in counts.items()
                )
            )
