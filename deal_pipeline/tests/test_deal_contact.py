from psycopg2.errors import UniqueViolation

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import CLOSE_DATE, DealCommon, DealSaleCommon


@tagged("post_install", "-at_install")
class TestDealContact(DealCommon):
    """The people of a deal and their roles, as low-rights users over the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_decision = cls.env.ref("deal_pipeline.contact_role_decision_maker")
        cls.role_champion = cls.env.ref("deal_pipeline.contact_role_champion")
        cls.buyer = cls.env["res.partner"].create({"name": "Bea Buyer", "parent_id": cls.customer.id})
        cls.engineer = cls.env["res.partner"].create({"name": "Ed Engineer", "parent_id": cls.customer.id})
        cls.advisor = cls.env["res.partner"].create({"name": "Ada Advisor"})
        cls.deal_own = cls._create_deal_as(cls.user_own, "Own deal")
        cls.deal_other = cls._create_deal_as(cls.user_all, "Colleague's deal")

    @classmethod
    def _create_deal_as(cls, user, name):
        return (
            cls.env["deal.deal"]
            .with_user(user)
            .create({"name": name, "partner_id": cls.customer.id})
            .with_user(cls.env.user)
        )

    def test_roles_shipped(self):
        roles = self.env["deal.contact.role"].search([])
        self.assertEqual(
            roles[:6].mapped("name"),
            ["Decision Maker", "Economic Buyer", "Champion", "Influencer", "User", "Blocker"],
        )

    def test_contacts_on_own_deal(self):
        deal = self.deal_own.with_user(self.user_own)
        deal.write(
            {
                "contact_ids": [
                    Command.create({"partner_id": self.buyer.id, "role_id": self.role_decision.id, "is_primary": True}),
                    Command.create({"partner_id": self.advisor.id, "role_id": self.role_champion.id}),
                ]
            }
        )
        self.assertEqual(deal.primary_contact_id, self.buyer)
        self.assertEqual(deal.contact_ids.mapped("role_id"), self.role_decision | self.role_champion)
        # a new primary contact replaces the previous one
        deal.contact_ids.filtered(lambda c: c.partner_id == self.advisor).is_primary = True
        self.assertEqual(deal.primary_contact_id, self.advisor)
        self.assertEqual(deal.contact_ids.filtered("is_primary").partner_id, self.advisor)
        deal.write({"contact_ids": [Command.create({"partner_id": self.engineer.id, "is_primary": True})]})
        self.assertEqual(deal.primary_contact_id, self.engineer)
        self.assertEqual(len(deal.contact_ids.filtered("is_primary")), 1)
        # edit and remove
        contact = deal.contact_ids.filtered(lambda c: c.partner_id == self.buyer)
        contact.role_id = self.role_champion
        contact.unlink()
        self.assertEqual(deal.contact_ids.partner_id, self.advisor | self.engineer)

    @mute_logger("odoo.sql_db")
    def test_a_person_once_per_deal(self):
        self.deal_own.contact_ids = [Command.create({"partner_id": self.buyer.id})]
        with self.assertRaises(UniqueViolation):
            self.env["deal.contact"].create({"deal_id": self.deal_own.id, "partner_id": self.buyer.id})
            self.env.flush_all()

    def test_access_follows_the_deal(self):
        self.deal_other.contact_ids = [Command.create({"partner_id": self.buyer.id, "is_primary": True})]
        Contact = self.env["deal.contact"].with_user(self.user_own)
        self.assertFalse(Contact.search([("deal_id", "=", self.deal_other.id)]), "a colleague's deal's contacts")
        with self.assertRaises(AccessError):
            self.deal_other.contact_ids.with_user(self.user_own).read(["partner_id"])
        with self.assertRaises(AccessError):
            Contact.create({"deal_id": self.deal_other.id, "partner_id": self.advisor.id})
        with self.assertRaises(AccessError):
            self.deal_other.contact_ids.with_user(self.user_own).write({"role_id": self.role_champion.id})
        # following the deal opens it and its contacts, as for the deal itself
        self.deal_other.message_subscribe(self.user_own.partner_id.ids)
        self.assertEqual(Contact.search([("deal_id", "=", self.deal_other.id)]).partner_id, self.buyer)
        # who sees every deal sees every contact; the roles are configured by administrators only
        self.assertEqual(
            self.env["deal.contact"].with_user(self.user_all).search([("deal_id", "=", self.deal_other.id)]).partner_id,
            self.buyer,
        )
        with self.assertRaises(AccessError):
            self.env["deal.contact.role"].with_user(self.user_all).create({"name": "Sponsor"})
        self.env["deal.contact.role"].with_user(self.user_manager).create({"name": "Sponsor"})

    def test_portal_and_other_company(self):
        self.deal_own.contact_ids = [Command.create({"partner_id": self.buyer.id})]
        portal = new_test_user(self.env, login="deal_contact_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.env["deal.contact"].with_user(portal).search([])
        with self.assertRaises(AccessError):
            self.env["deal.contact.role"].with_user(portal).search([])
        company_b = self.env["res.company"].create({"name": "Contacts Company B"})
        user_b = new_test_user(
            self.env,
            login="deal_contact_b",
            groups="deal_pipeline.group_deal_user_all",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        self.assertFalse(self.env["deal.contact"].with_user(user_b).search([]))

    def test_search_deals_by_person_involved(self):
        self.deal_own.contact_ids = [Command.create({"partner_id": self.advisor.id})]
        Deal = self.env["deal.deal"].with_user(self.user_all)
        self.assertEqual(Deal.search([("involved_partner_id", "child_of", self.advisor.id)]), self.deal_own)
        self.assertEqual(
            Deal.search([("involved_partner_id", "ilike", "Ada Advisor")]), self.deal_own, "by name, as typed"
        )
        self.assertEqual(
            Deal.search([("involved_partner_id", "child_of", self.customer.id)]),
            self.deal_own | self.deal_other,
            "the customer is involved in all its deals",
        )


@tagged("post_install", "-at_install")
class TestDealContactQuotation(DealSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Bea Buyer", "parent_id": cls.customer.id, "email": "bea@azure.example.com"}
        )
        cls.advisor = cls.env["res.partner"].create({"name": "Ada Advisor", "email": "ada@advisors.example.com"})

    def _deal(self):
        return (
            self.env["deal.deal"]
            .with_user(self.user_salesman)
            .create(
                {
                    "name": "Desks",
                    "partner_id": self.customer.id,
                    "stage_id": self.stage_proposal.id,
                    "expected_close_date": CLOSE_DATE,
                    "amount": 800.0,
                }
            )
        )

    def test_new_quote_addressed_to_primary_contact(self):
        deal = self._deal()
        self.assertEqual(deal.action_new_quotation()["context"]["default_partner_id"], self.customer.id)
        deal.contact_ids = [Command.create({"partner_id": self.buyer.id, "is_primary": True})]
        context = deal.action_new_quotation()["context"]
        self.assertEqual(context["default_partner_id"], self.buyer.id)
        order = self.env["sale.order"].with_user(self.user_salesman).with_context(**context).create({})
        self.assertEqual(order.partner_id, self.buyer)
        self.assertEqual(order.deal_id, deal)
        # an outside advisor as primary contact: the quotation stays addressed to the customer
        deal.contact_ids = [Command.create({"partner_id": self.advisor.id, "is_primary": True})]
        self.assertEqual(deal.action_new_quotation()["context"]["default_partner_id"], self.customer.id)

    def test_sent_quotation_adds_its_recipient(self):
        deal = self._deal()
        deal.contact_ids = [Command.create({"partner_id": self.customer.id})]
        order = self._create_quotation(deal.with_user(self.user_salesman), partner_id=self.buyer.id)
        self.assertFalse(self.buyer in deal.contact_ids.partner_id, "a draft quotation adds nobody")
        order.with_user(self.user_salesman).action_quotation_sent()
        self.assertEqual(deal.contact_ids.partner_id, self.customer | self.buyer)
        second = self._create_quotation(deal.with_user(self.user_salesman), partner_id=self.buyer.id)
        second.with_user(self.user_salesman).action_quotation_sent()
        self.assertEqual(len(deal.contact_ids), 2, "already a contact: not added again")
