from odoo import Command, api, models
from odoo.tools import email_normalize, email_split
from odoo.tools.mail import unfold_references


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """A new mail (no reply, no alias among its recipients) sent to a company's mail domain,
        its catch-all or a salesperson's address, by a contact of a customer who has open deals in
        that company: on the deal when there is one, in the unassigned mails when there are
        several. Anything else is routed (or bounced) by Odoo as before."""
        if route := self._deal_route_known_contact(message_dict, model):
            return [route]
        return super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )

    @api.model
    def _deal_route_known_contact(self, message_dict, model):
        if model or message_dict.get("is_bounce"):
            return None
        references = unfold_references(message_dict.get("references") or message_dict.get("in_reply_to") or "")
        if references and self.env["mail.message"].sudo().search_count([("message_id", "in", references)], limit=1):
            return None
        recipients = [email.lower() for email in email_split(message_dict.get("recipients") or "")]
        local_parts = [email.partition("@")[0] for email in recipients]
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search_count(
                [
                    "|",
                    ("alias_full_name", "in", recipients),
                    "&",
                    ("alias_name", "in", local_parts),
                    ("alias_incoming_local", "=", True),
                ],
                limit=1,
            )
        )
        domains = (
            self.env["mail.alias.domain"].sudo().search([("name", "in", [e.partition("@")[2] for e in recipients])])
        )
        sender = email_normalize(message_dict.get("email_from") or "")
        if aliases or not domains or not sender:
            return None
        # the sender's contacts, among the customers' people (not the company's own users)
        contacts = (
            self.env["res.partner"]
            .sudo()
            .search([("email_normalized", "=", sender)])
            .filtered(lambda partner: not partner.user_ids.filtered(lambda user: not user.share))
        )
        if not contacts:
            return None
        deals = (
            self.env["deal.deal"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", contacts.commercial_partner_id.ids),
                    ("outcome", "=", "open"),
                    ("company_id", "in", domains.company_ids.ids),
                ]
            )
        )
        if not deals:
            return None
        if not message_dict.get("author_id"):
            message_dict["author_id"] = contacts[:1].id
        if len(deals) == 1:
            route = ("deal.deal", deals.id, None, self.env.uid, self.env["mail.alias"])
        else:
            values = {"partner_id": deals.partner_id.commercial_partner_id[:1].id, "deal_ids": [Command.set(deals.ids)]}
            route = ("deal.unassigned.mail", False, values, self.env.uid, self.env["mail.alias"])
        return self._routing_check_route(None, message_dict, route, raise_exception=False) or None
