from odoo import api, fields, models
from odoo.exceptions import UserError


class DealUnassignedMail(models.Model):
    """A mail from a contact of a customer who has several open deals: it waits here, in its own
    chatter, until someone files it on one of them (``mail.thread.message_route``)."""

    _name = "deal.unassigned.mail"
    _description = "Unassigned Deal Mail"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _mail_post_access = "read"

    name = fields.Char("Subject", readonly=True)
    author_id = fields.Many2one("res.partner", string="From", readonly=True, index=True)
    email_from = fields.Char("Sender Address", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    deal_ids = fields.Many2many(
        "deal.deal",
        string="Open Deals",
        readonly=True,
        help="The customer's open deals when the mail came in; it can be filed on one of them.",
    )

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        values = {
            "name": msg_dict.get("subject") or self.env._("No Subject"),
            "author_id": msg_dict.get("author_id"),
            "email_from": msg_dict.get("email_from"),
        }
        return super().message_new(msg_dict, custom_values=values | dict(custom_values or {}))

    def _file_on(self, deal):
        """Move the mail (its messages and their attachments) to ``deal``, one of its open deals
        that the user may edit, and drop it from the list."""
        self.ensure_one()
        self.check_access("read")
        deal.check_access("write")
        if deal not in self.deal_ids or deal.outcome != "open":
            raise UserError(
                self.env._("The mail “%(mail)s” can only be filed on an open deal of its customer.", mail=self.name)
            )
        messages = self.sudo().message_ids
        messages.attachment_ids.write({"res_model": deal._name, "res_id": deal.id})
        messages.write({"model": deal._name, "res_id": deal.id})
        if messages:
            deal.sudo()._set_date_last_mail(max(messages.mapped("date")))
        self.sudo().unlink()
        return {"type": "ir.actions.act_window_close"}
