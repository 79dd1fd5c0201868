"""A deal and its mails: a mail to a pipeline's address creates a deal, mails in and out date the
deal's last mail, and deals nobody wrote to or planned anything on are quiet."""

from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class DealDeal(models.Model):
    # one file per concern of the deal (README, Architecture)
    _inherit = "deal.deal"  # pylint: disable=consider-merging-classes-inherited

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
