import base64
from ast import literal_eval
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MAIL_HEADERS, DealMailCommon

# The same with a PDF attachment whose file name is non-ASCII (RFC 2231), and a body in UTF-8.
MAIL_WITH_ATTACHMENT = (
    MAIL_HEADERS
    + """Content-Type: multipart/mixed; boundary="deal-mixed-boundary"
{extra}
--deal-mixed-boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Ecco il capitolato per la gara: consegna entro l'estate, più 3 sedi.
--deal-mixed-boundary
Content-Type: application/pdf
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename*=utf-8''capitolato_f%C3%A0se_1.pdf

{attachment}
--deal-mixed-boundary--
"""
)

ATTACHMENT_CONTENT = b"%PDF-1.4 specifications of the tender"


@tagged("post_install", "-at_install", "mail_gateway")
class TestDealMailGateway(DealMailCommon):
    def test_pipeline_alias(self):
        self.assertEqual(self.pipeline.alias_email, self.pipeline_email)
        self.assertEqual(self.pipeline.alias_model_id.model, "deal.deal")
        self.assertEqual(literal_eval(self.pipeline.alias_defaults), {"pipeline_id": self.pipeline.id})
        renewals = self.env["deal.pipeline"].create({"name": "Renewals", "alias_name": "Renewals Team"})
        self.assertEqual(renewals.alias_email, f"renewals-team@{self.alias_domain}")
        self.assertEqual(literal_eval(renewals.alias_defaults), {"pipeline_id": renewals.id})

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_new_deal_from_unknown_sender(self):
        deal = self._receive("20 desks for the new office", '"Paula Buyer" <paula.buyer@example.com>')
        self.assertEqual(len(deal), 1)
        self.assertEqual(deal.pipeline_id, self.pipeline)
        self.assertEqual(deal.stage_id, self.stage_new)
        self.assertEqual(deal.user_id, self.user_own, "the pipeline's default owner")
        self.assertEqual(deal.company_id, self.company)
        self.assertEqual(deal.partner_id.email, "paula.buyer@example.com", "the sender, created")
        self.assertEqual(deal.partner_id.name, "Paula Buyer")
        message = deal.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, deal.partner_id)
        self.assertIn("20 desks", str(message.body))
        # the owner sees it and its mail, as the own-deals rule says
        self.assertEqual(deal.with_user(self.user_own).message_ids.ids, deal.message_ids.ids)

        # a second mail from the same address: a second deal, the same contact
        second = self._receive("Chairs too", "PAULA.BUYER@example.com")
        self.assertEqual(second.partner_id, deal.partner_id, "deduplicated by e-mail address")
        self.assertEqual(
            self.env["res.partner"].search_count([("email_normalized", "=", "paula.buyer@example.com")]), 1
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_new_deal_from_known_contact_default_stage(self):
        contact = self.env["res.partner"].create(
            {"name": "Carl Contact", "email": "carl@azure.example.com", "parent_id": self.customer.id}
        )
        self.pipeline.write({"mail_stage_id": self.stage_qualification.id, "mail_user_id": False})
        deal = self._receive("Renewal of the maintenance", "carl@azure.example.com")
        self.assertEqual(deal.partner_id, contact, "the known contact, not a new one")
        self.assertEqual(deal.stage_id, self.stage_qualification)
        self.assertFalse(deal.user_id, "no default owner: no owner, not the gateway's user")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_reply_threads_onto_its_deal(self):
        deal = self._receive("Quote for desks", "paula.buyer@example.com")
        with self.mock_mail_gateway():
            offer = deal.with_user(self.user_own).message_post(
                body="Here is our offer.",
                partner_ids=deal.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertSentEmail(self.user_own.partner_id, deal.partner_id)
        # the customer answers it, to the catch-all it came from: threaded by its references
        self._receive(
            "Re: Quote for desks",
            "paula.buyer@example.com",
            to=f"{self.alias_catchall}@{self.alias_domain}",
            extra=f"In-Reply-To: {offer.message_id}\nReferences: {offer.message_id}\n",
        )
        self.assertEqual(self.env["deal.deal"].search_count([("name", "ilike", "desks")]), 1, "no new deal")
        reply = deal.message_ids.filtered(lambda m: m.subject == "Re: Quote for desks")
        self.assertEqual(len(reply), 1)
        self.assertEqual(reply.author_id, deal.partner_id)
        self.assertEqual(reply.parent_id, offer)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_attachments_and_non_ascii_headers(self):
        subject = "=?utf-8?q?Gara_d=27appalto_=E2=80=93_sedi_di_Mil=C3=A0no?="
        self._receive(
            subject,
            "=?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jurgen@example.com>",
            template=MAIL_WITH_ATTACHMENT,
            attachment=base64.b64encode(ATTACHMENT_CONTENT).decode(),
        )
        deal = self.env["deal.deal"].search([("name", "=", "Gara d'appalto \u2013 sedi di Milàno")])
        self.assertEqual(len(deal), 1, "the subject decoded")
        self.assertEqual(deal.partner_id.name, "Jürgen Müller")
        message = deal.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertIn("più 3 sedi", str(message.body))
        self.assertEqual(message.attachment_ids.mapped("name"), ["capitolato_fàse_1.pdf"])
        self.assertEqual(message.attachment_ids.raw, ATTACHMENT_CONTENT)
        self.assertEqual((message.attachment_ids.res_model, message.attachment_ids.res_id), ("deal.deal", deal.id))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_no_subject(self):
        self._receive("", "paula.buyer@example.com")
        deal = self.env["deal.deal"].search([("partner_id.email", "=", "paula.buyer@example.com")])
        self.assertEqual(deal.name, "No Subject")


@tagged("post_install", "-at_install", "mail_gateway")
class TestDealMailAliasContact(DealMailCommon):
    """Who may write to the pipeline's address: Odoo's alias setting, refusals bounced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.known = cls.env["res.partner"].create({"name": "Known Kate", "email": "kate@example.com"})
        cls.follower = cls.env["res.partner"].create({"name": "Follower Fred", "email": "fred@example.com"})
        cls.pipeline.message_subscribe(cls.follower.ids)

    def _senders_accepted(self, alias_contact):
        self.pipeline.alias_contact = alias_contact
        accepted = {}
        for email_from in ("stranger@example.com", "kate@example.com", "fred@example.com"):
            subject = f"{alias_contact} from {email_from}"
            with self.mock_mail_gateway():
                accepted[email_from] = bool(self._receive(subject, email_from))
            if not accepted[email_from]:
                self.assertSentEmail(self.mailer_daemon_email, [email_from])
        return accepted

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.mail.models.mail_alias")
    def test_alias_contact_settings(self):
        followers = {"stranger@example.com": False, "kate@example.com": False, "fred@example.com": True}
        self.assertEqual(self._senders_accepted("followers"), followers)
        partners = {"stranger@example.com": False, "kate@example.com": True, "fred@example.com": True}
        self.assertEqual(self._senders_accepted("partners"), partners)
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "stranger@example.com")]), "a refused sender is not created"
        )
        everyone = {"stranger@example.com": True, "kate@example.com": True, "fred@example.com": True}
        self.assertEqual(self._senders_accepted("everyone"), everyone)


@tagged("post_install", "-at_install", "mail_gateway")
class TestDealMailKnownContact(DealMailCommon):
    """A new mail to the company's catch-all or a salesperson's address, from a contact of a
    customer: on its one open deal, else in the unassigned mails, never on a closed deal or on
    another company's deal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Carl Contact", "email": "carl@azure.example.com", "parent_id": cls.customer.id}
        )
        cls.catchall = f"{cls.alias_catchall}@{cls.alias_domain}"
        cls.salesperson_address = f"olivia.own@{cls.alias_domain}"
        cls.deal_open = cls.env["deal.deal"].create(
            {"name": "Desks", "partner_id": cls.customer.id, "user_id": cls.user_own.id}
        )
        cls.deal_won = cls.env["deal.deal"].create(
            {"name": "Chairs (won)", "partner_id": cls.customer.id, "stage_id": cls.stage_won.id}
        )
        cls.pipeline_c2 = cls.env["deal.pipeline"].create({"name": "C2", "company_id": cls.company_2.id})
        cls.deal_c2 = cls.env["deal.deal"].create(
            {
                "name": "Lamps (company 2)",
                "partner_id": cls.customer.id,
                "company_id": cls.company_2.id,
                "pipeline_id": cls.pipeline_c2.id,
                "user_id": False,
            }
        )

    def _mails_on(self, deal, subject):
        return deal.message_ids.filtered(lambda m: m.subject == subject)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_one_open_deal(self):
        for to in (self.catchall, self.salesperson_address):
            subject = f"Delivery date? ({to})"
            self._receive(subject, "Carl <carl@azure.example.com>", to=to)
            message = self._mails_on(self.deal_open, subject)
            self.assertEqual(len(message), 1, "on the customer's only open deal")
            self.assertEqual(message.author_id, self.contact)
            self.assertFalse(self._mails_on(self.deal_won, subject), "never on a closed deal")
            self.assertFalse(self._mails_on(self.deal_c2.sudo(), subject), "never on another company's deal")
        self.assertFalse(self.env["deal.unassigned.mail"].search([]))
        # the owner reads it; a colleague restricted to his own deals does not
        olivia_sees = self.deal_open.with_user(self.user_own).message_ids
        self.assertIn(message, olivia_sees)
        other_own = self.env["res.users"].create(
            {
                "name": "Other Own",
                "login": "deal_other_own",
                "group_ids": [(4, self.ref("deal_pipeline.group_deal_user_own"))],
            }
        )
        self.assertFalse(
            self.env["mail.message"].with_user(other_own).search([("id", "=", message.id)]),
            "a mail is never shown to who may not read its deal",
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_several_open_deals_then_filed(self):
        deal_second = self.env["deal.deal"].create(
            {"name": "Cabinets", "partner_id": self.customer.id, "user_id": self.user_own.id}
        )
        self._receive(
            "Which offer?",
            "carl@azure.example.com",
            to=self.catchall,
            template=MAIL_WITH_ATTACHMENT,
            attachment=base64.b64encode(ATTACHMENT_CONTENT).decode(),
        )
        self.assertFalse(self._mails_on(self.deal_open, "Which offer?") | self._mails_on(deal_second, "Which offer?"))
        unassigned = self.env["deal.unassigned.mail"].search([])
        self.assertEqual(len(unassigned), 1)
        self.assertEqual(unassigned.name, "Which offer?")
        self.assertEqual(unassigned.author_id, self.contact)
        self.assertEqual(unassigned.partner_id, self.customer)
        self.assertEqual(unassigned.deal_ids, self.deal_open | deal_second, "open deals of this company only")

        # the owner of every candidate deal sees it and files it in one click
        mail_as_owner = unassigned.with_user(self.user_own)
        self.assertEqual(self.env["deal.unassigned.mail"].with_user(self.user_own).search([]), unassigned)
        deal_second.with_user(self.user_own).with_context(
            unassigned_mail_id=unassigned.id
        ).action_file_unassigned_mail()
        self.assertFalse(mail_as_owner.exists())
        message = self._mails_on(deal_second, "Which offer?")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.attachment_ids.res_id, deal_second.id)
        self.assertEqual(message.attachment_ids.res_model, "deal.deal")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unassigned_mail_access(self):
        deal_colleague = self.env["deal.deal"].create(
            {"name": "Cabinets", "partner_id": self.customer.id, "user_id": self.user_all.id}
        )
        self._receive("Which offer?", "carl@azure.example.com", to=self.catchall)
        unassigned = self.env["deal.unassigned.mail"].search([])
        self.assertEqual(unassigned.deal_ids, self.deal_open | deal_colleague)
        # Olivia owns one of the two deals: the mail may be about her colleague's, she does not see it
        self.assertFalse(self.env["deal.unassigned.mail"].with_user(self.user_own).search([]))
        with self.assertRaises(AccessError):
            unassigned.with_user(self.user_own).message_ids.read(["body"])
        with self.assertRaises(AccessError):
            self.deal_open.with_user(self.user_own).with_context(
                unassigned_mail_id=unassigned.id
            ).action_file_unassigned_mail()
        # a user of all deals sees it, but cannot file it on a closed deal
        self.assertEqual(self.env["deal.unassigned.mail"].with_user(self.user_all).search([]), unassigned)
        with self.assertRaises(UserError):
            unassigned.with_user(self.user_all)._file_on(self.deal_won.with_user(self.user_all))
        portal = self.env["res.users"].create(
            {"name": "Portal", "login": "deal_portal_mail", "group_ids": [(4, self.ref("base.group_portal"))]}
        )
        with self.assertRaises(AccessError):
            self.env["deal.unassigned.mail"].with_user(portal).search([])

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_closed_deal_only_bounces_as_odoo_does(self):
        self.deal_open.action_mark_lost(self.lost_reason.id)
        with self.mock_mail_gateway():
            self._receive(
                "Anything new?", "carl@azure.example.com", to=self.catchall, return_path="carl@azure.example.com"
            )
        self.assertFalse(
            self._mails_on(self.deal_won, "Anything new?") | self._mails_on(self.deal_open, "Anything new?")
        )
        self.assertFalse(self.env["deal.unassigned.mail"].search([]))
        # a direct write to the catch-all, as Odoo answers it
        self.assertSentEmail(self.mailer_daemon_email, ["carl@azure.example.com"])

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_other_company_domain_and_spoofed_sender(self):
        """The same contact writing to company 2's domain reaches company 2's deal; a mail
        claiming to come from him reaches no deal of the company it is not sent to."""
        c2_catchall = f"{self.alias_catchall_c2}@{self.alias_domain_c2_name}"
        self._receive("Lamps colour", "carl@azure.example.com", to=c2_catchall)
        self.assertEqual(len(self._mails_on(self.deal_c2, "Lamps colour")), 1)
        self.assertFalse(self._mails_on(self.deal_open, "Lamps colour"))

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.mail.models.mail_alias")
    def test_replies_and_aliases_keep_their_route(self):
        """A mail to a pipeline's address from a known contact still creates a deal."""
        deal = self._receive("New project", "carl@azure.example.com")
        self.assertEqual(len(deal), 1)
        self.assertEqual(deal.partner_id, self.contact)
        self.assertFalse(self._mails_on(self.deal_open, "New project"))

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.mail.models.mail_alias")
    def test_loop_from_the_alias_itself(self):
        """A mail from the pipeline's address to itself creates no deal (Odoo refuses to
        create a contact for an alias, so the sender is unknown)."""
        with self.mock_mail_gateway():
            self.pipeline.alias_contact = "partners"
            self._receive("Loop", self.pipeline_email, return_path=self.pipeline_email)
        self.assertFalse(self.env["deal.deal"].search([("name", "=", "Loop")]))


@tagged("post_install", "-at_install", "mail_gateway")
class TestDealMailActivity(DealMailCommon):
    """The last mail in or out of a deal, and the Quiet filter."""

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_last_mail_in_and_out(self):
        # the mail's Date header dates the message
        deal = self._receive("Desks", "paula.buyer@example.com", date=format_datetime(datetime.now(UTC)))
        incoming = deal.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(deal.date_last_mail, incoming.date)
        self.assertEqual(deal.days_since_last_mail, 0)
        later = incoming.date + timedelta(days=3)
        with self._at(later):
            deal.with_user(self.user_own).message_post(body="Internal remark", subtype_xmlid="mail.mt_note")
            self.assertEqual(deal.date_last_mail, incoming.date, "a note is no mail")
        with self._at(later + timedelta(days=2)):
            deal.invalidate_recordset(["days_since_last_mail"])
            self.assertEqual(deal.days_since_last_mail, 5)
        with self._at(later), self.mock_mail_gateway():
            deal.with_user(self.user_own).message_post(
                body="Our offer",
                partner_ids=deal.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(deal.date_last_mail, later, "a mail sent from the chatter")

    def test_quiet_filter(self):
        self.pipeline.quiet_days = 10
        start = datetime(2030, 1, 1, 9, 0)
        with self._at(start):
            no_mail, old_mail, recent_mail, planned, won = self.env["deal.deal"].create(
                [{"name": name, "partner_id": self.customer.id} for name in ("a", "b", "c", "d", "e")]
            )
            won.stage_id = self.stage_won
            planned.activity_schedule("mail.mail_activity_data_todo", date_deadline=date(2030, 3, 1))
        old_mail.date_last_mail = start + timedelta(days=2)
        recent_mail.date_last_mail = start + timedelta(days=14)
        with self._at(start + timedelta(days=15)):
            self.env.invalidate_all()
            Deal = self.env["deal.deal"].with_user(self.user_all)
            quiet = Deal.search(
                [("id", "in", (no_mail | old_mail | recent_mail | planned | won).ids), ("is_quiet", "=", True)]
            )
            self.assertEqual(quiet, no_mail | old_mail)
            self.assertEqual(
                (no_mail | old_mail | recent_mail | planned | won).filtered("is_quiet"), no_mail | old_mail
            )
            not_quiet = Deal.search([("id", "in", (no_mail | old_mail | recent_mail).ids), ("is_quiet", "=", False)])
            self.assertEqual(not_quiet, recent_mail)
        self.pipeline.quiet_days = 0
        self.assertFalse(self.env["deal.deal"].search([("is_quiet", "=", True)]), "0: never quiet")


@tagged("post_install", "-at_install", "mail_gateway")
class TestDealMailBadInput(DealMailCommon):
    """What Odoo's gateway does with bad mails to a pipeline's address (README: bad input)."""

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.mail.models.mail_alias")
    def test_sender_without_address(self):
        """A From without an e-mail address: Odoo makes a contact of what it has (its name)."""
        deal = self._receive("Name only", "Just A Name")
        self.assertEqual(len(deal), 1)
        self.assertIn("Just A Name", deal.partner_id.name)
        self.assertFalse(deal.partner_id.email_normalized)

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.mail.models.mail_alias")
    def test_sender_without_address_refused_to_known_partners(self):
        self.pipeline.alias_contact = "partners"
        with self.mock_mail_gateway():
            self.assertFalse(self._receive("Name only", "Nobody Known"))
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Nobody Known")]))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_huge_attachment(self):
        content = b"%PDF-1.4 " + b"x" * (8 * 1024 * 1024)
        self._receive(
            "Big tender",
            "paula.buyer@example.com",
            template=MAIL_WITH_ATTACHMENT,
            attachment=base64.b64encode(content).decode(),
        )
        deal = self.env["deal.deal"].search([("name", "=", "Big tender")])
        self.assertEqual(deal.message_ids.attachment_ids.file_size, len(content))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_spoofed_sender_of_another_company(self):
        """A mail to company 1's pipeline claiming to come from a contact of a customer whose only
        deal is in company 2: a new deal in company 1's pipeline, company 2's deal untouched."""
        pipeline_c2 = self.env["deal.pipeline"].create({"name": "C2", "company_id": self.company_2.id})
        customer_c2 = self.env["res.partner"].create({"name": "C2 Customer", "company_id": self.company_2.id})
        contact_c2 = self.env["res.partner"].create(
            {"name": "Cleo", "email": "cleo@c2.example.com", "parent_id": customer_c2.id}
        )
        deal_c2 = self.env["deal.deal"].create(
            {
                "name": "C2 deal",
                "partner_id": customer_c2.id,
                "company_id": self.company_2.id,
                "pipeline_id": pipeline_c2.id,
                "user_id": False,
            }
        )
        with self.mock_mail_gateway():
            self._receive("Spoofed", "cleo@c2.example.com")
            self._receive("Spoofed to catchall", "cleo@c2.example.com", to=f"{self.alias_catchall}@{self.alias_domain}")
        self.assertFalse(deal_c2.message_ids.filtered(lambda m: m.subject and m.subject.startswith("Spoofed")))
        deal = self.env["deal.deal"].search([("name", "=", "Spoofed")])
        self.assertEqual(deal.company_id, self.company, "the company of the pipeline written to")
        self.assertNotEqual(deal.partner_id, contact_c2, "a contact of another company is not its customer")
        self.assertFalse(self.env["deal.deal"].search([("name", "=", "Spoofed to catchall")]))
        self.assertFalse(self.env["deal.unassigned.mail"].search([]))
