from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged, users
from odoo.tools import convert_file

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestDataSafety(DealCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create({"name": "Consulting", "type": "service", "list_price": 100})

    def _order(self, deal):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "deal_id": deal.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )

    def _invoice(self, deal):
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "deal_id": deal.id,
                "invoice_line_ids": [Command.create({"name": "Consulting", "quantity": 1, "price_unit": 100.0})],
            }
        )

    # ------------------------------------------------------------------------------------------
    # Configuration in use
    # ------------------------------------------------------------------------------------------

    @users("deal_manager")
    def test_used_stage_cannot_be_deleted(self):
        stage = self.env["deal.stage"].create({"name": "Demo", "sequence": 0})
        self._create_deal(stage_id=stage.id)
        self._create_deal(stage_id=stage.id, active=False)
        with self.assertRaisesRegex(UserError, r"“Demo” holds 2 deal\(s\), archived ones included.*archive the stage"):
            stage.unlink()
        stage.action_archive()
        self.assertFalse(stage.active)
        unused = self.env["deal.stage"].create({"name": "Unused"})
        unused.unlink()
        self.assertFalse(unused.exists())

    @users("deal_manager")
    def test_stage_in_the_history_cannot_be_deleted_but_archived(self):
        """A stage no deal is in any more, but that deals went through, is kept by their stage
        history (the database refuses to delete it): a clear error first, and archiving keeps the
        funnel as it was."""
        review, check = self.env["deal.stage"].create([{"name": "Review", "sequence": 1}, {"name": "Check"}])
        deals = self._create_deal(stage_id=review.id) | self._create_deal(stage_id=review.id)
        archived = self._create_deal(stage_id=check.id)
        deals.write({"stage_id": self.stage_qualification.id})
        archived.write({"stage_id": review.id})
        archived.write({"stage_id": self.stage_qualification.id, "active": False})
        deals[0].write({"stage_id": check.id})
        deals[0].write({"stage_id": self.stage_new.id})
        self.env.flush_all()
        funnel = self.env["deal.funnel.report"]
        reached = dict(funnel._read_group([("deal_id", "in", deals.ids)], ["stage_id"], ["reached_count:sum"]))
        self.assertEqual(reached[review], 2)
        with self.assertRaisesRegex(
            UserError,
            r"^3 deal\(s\) went through the stage “Review”, archived ones included, .* archive the stage instead "
            r"of deleting it\.\n2 deal\(s\) went through the stage “Check”",
        ):
            (review | check).unlink()
        with self.assertRaisesRegex(UserError, r"^2 deal\(s\) went through the stage “Check”"):
            check.unlink()
        self.assertTrue(review.exists() and check.exists())
        (review | check).action_archive()
        self.assertFalse(review.active or check.active)
        self.assertNotIn(review, self.env["deal.stage"].search([]))
        self.env.flush_all()
        self.assertEqual(
            dict(funnel._read_group([("deal_id", "in", deals.ids)], ["stage_id"], ["reached_count:sum"])), reached
        )
        # an archived stage is not offered to deals, but the history still shows it
        self.assertEqual(deals[1].stage_history_ids.stage_id & review, review)

    @users("deal_manager")
    def test_pipeline_in_the_history_cannot_be_deleted_but_archived(self):
        partners = self.env["deal.pipeline"].create({"name": "Partners"})
        deal = self._create_deal(pipeline_id=partners.id)
        deal.write({"pipeline_id": self.pipeline.id})
        with self.assertRaisesRegex(
            UserError, r"^1 deal\(s\) went through the pipeline “Partners”.*archive the pipeline"
        ):
            partners.unlink()
        partners.action_archive()
        self.assertFalse(partners.active)

    @users("deal_manager")
    def test_used_pipeline_cannot_be_deleted(self):
        pipeline = self.env["deal.pipeline"].create({"name": "Partners"})
        self._create_deal(pipeline_id=pipeline.id)
        with self.assertRaisesRegex(UserError, r"“Partners” holds 1 deal\(s\).*archive the pipeline"):
            pipeline.unlink()
        self.env["deal.pipeline"].create({"name": "Unused"}).unlink()

    @users("deal_manager")
    def test_used_lost_reason_cannot_be_deleted(self):
        reason = self.env["deal.lost.reason"].create({"name": "Timing"})
        self._create_deal().action_mark_lost(lost_reason_id=reason.id)
        with self.assertRaisesRegex(UserError, r"“Timing” is given on 1 deal\(s\).*archive the reason"):
            reason.unlink()
        self.env["deal.lost.reason"].create({"name": "Unused"}).unlink()

    def test_usage_counts_deals_of_every_company(self):
        """A manager of one company must not delete a stage that deals of another company use."""
        company_b = self.env["res.company"].create({"name": "Deal Company B"})
        stage = self.env["deal.stage"].create({"name": "Shared review", "sequence": 0})
        self._create_deal(stage_id=stage.id, company_id=company_b.id)
        with self.assertRaisesRegex(UserError, r"holds 1 deal\(s\)"):
            stage.with_user(self.user_manager).unlink()

    # ------------------------------------------------------------------------------------------
    # Deals with orders and invoices
    # ------------------------------------------------------------------------------------------

    def test_deal_with_confirmed_order_cannot_be_deleted(self):
        deal = self._create_deal()
        self._order(deal).action_confirm()
        with self.assertRaisesRegex(UserError, r"has 1 confirmed sale order\(s\) and 0 posted invoice\(s\).*Archive"):
            deal.with_user(self.user_manager).unlink()
        deal.with_user(self.user_manager).action_archive()
        self.assertFalse(deal.active)

    def test_deal_with_posted_invoice_cannot_be_deleted(self):
        deal = self._create_deal()
        self._invoice(deal).action_post()
        with self.assertRaisesRegex(UserError, r"has 0 confirmed sale order\(s\) and 1 posted invoice\(s\)"):
            deal.with_user(self.user_manager).unlink()

    def test_deleting_a_deal_keeps_its_draft_quotations_and_invoices(self):
        deal = self._create_deal()
        quotation, invoice = self._order(deal), self._invoice(deal)
        cancelled = self._order(deal)
        cancelled.action_cancel()
        deal.with_user(self.user_manager).unlink()
        self.assertFalse(deal.exists())
        for document in (quotation, invoice, cancelled):
            self.assertTrue(document.exists())
            self.assertFalse(document.deal_id)
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(invoice.state, "draft")

    # ------------------------------------------------------------------------------------------
    # Upgrades
    # ------------------------------------------------------------------------------------------

    def test_upgrade_keeps_admin_edits_to_shipped_configuration(self):
        self.stage_proposal.write({"name": "Offer Sent", "probability": 40, "sequence": 30})
        self.pipeline.name = "Direct Sales"
        self.lost_reason.action_archive()
        self.stage_negotiation.unlink()
        for filename in ("data/deal_stage_data.xml", "data/deal_pipeline_data.xml"):
            convert_file(self.env, "deal_pipeline", filename, {}, mode="update")
        self.env.invalidate_all()
        self.assertRecordValues(self.stage_proposal, [{"name": "Offer Sent", "probability": 40, "sequence": 30}])
        self.assertEqual(self.pipeline.name, "Direct Sales")
        self.assertFalse(self.lost_reason.active)
        self.assertFalse(self.env.ref("deal_pipeline.stage_negotiation", raise_if_not_found=False))
        self.assertEqual(self.env["deal.stage"].search_count([("name", "=", "Negotiation")]), 0)
