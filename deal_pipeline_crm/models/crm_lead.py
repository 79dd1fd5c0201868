import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, clean_context, format_datetime

_logger = logging.getLogger(__name__)

# Opportunities converted per create() call.
CONVERT_BATCH = 1000
# The conversion logs its own message on each deal; the owner follows the deal without receiving
# one assignment e-mail per deal (owners are subscribed once per batch, not once per deal as a
# tracked create does), and the converting user does not follow every deal.
CONVERT_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_auto_subscribe_no_notify": True,
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    deal_ids = fields.One2many("deal.deal", "lead_id", string="Deals", context={"active_test": False})
    deal_id = fields.Many2one(
        "deal.deal",
        compute="_compute_deal_id",
        store=True,
        index="btree_not_null",
        help="The deal this opportunity was converted into; converting it again does nothing.",
    )

    deal_archived = fields.Boolean(
        "Archived by its Deal",
        readonly=True,
        copy=False,
        help="Archived when it was converted into a deal, so that CRM's pipeline, forecast and reports "
        "no longer count it; uninstalling the bridge with CRM restores it.",
    )

    @api.depends("deal_ids")
    def _compute_deal_id(self):
        for lead in self:
            lead.deal_id = lead.deal_ids[:1]

    # ------------------------------------------------------------------------------------------
    # A converted opportunity lives on as its deal: CRM neither wins, loses, reopens nor quotes it
    # ------------------------------------------------------------------------------------------

    def _check_not_converted(self):
        if (converted := self.filtered("deal_id")) and not self.env.su:
            raise UserError(
                self.env._(
                    "The opportunity “%(lead)s” was converted into the deal “%(deal)s”: "
                    "win, lose or quote the deal instead.",
                    lead=converted[0].name,
                    deal=converted[0].deal_id.display_name,
                )
            )

    def write(self, vals):
        if {"active", "stage_id", "type"} & vals.keys():
            self._check_not_converted()
        return super().write(vals)

    def action_set_won(self):
        self._check_not_converted()
        return super().action_set_won()

    def action_set_lost(self, **additional_values):
        self._check_not_converted()
        return super().action_set_lost(**additional_values)

    def action_sale_quotations_new(self):
        self._check_not_converted()
        return super().action_sale_quotations_new()

    def action_new_quotation(self):
        self._check_not_converted()
        return super().action_new_quotation()

    def _deal_archive_converted(self):
        """Archive the converted opportunities that were still active (lost ones already are),
        keeping their closing date, which archiving would set to now."""
        for date_closed, leads in self.filtered("active").grouped("date_closed").items():
            leads.write({"active": False, "deal_archived": True})
            leads.write({"date_closed": date_closed})

    def _deal_restore_archived(self):
        """Undo ``_deal_archive_converted`` (the bridge's uninstall)."""
        archived = self.with_context(active_test=False).search([("deal_archived", "=", True)])
        for date_closed, leads in archived.grouped("date_closed").items():
            leads.write({"active": True, "deal_archived": False})
            leads.write({"date_closed": date_closed})

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------

    def action_convert_to_deal(self):
        """Convert the opportunities into deals with the default mapping (each sales team into the
        pipeline of the same name, else the default pipeline). Returns a notification with the
        summary, followed by the list of the opportunities' deals."""
        return self._action_convert_to_deal()

    def _action_convert_to_deal(self, pipeline_by_team=None):
        deals, skipped = self._convert_to_deals(pipeline_by_team)
        summary = self._deal_convert_summary(deals, skipped)
        _logger.info("Conversion of %s opportunities into deals by uid %s: %s", len(self), self.env.uid, summary)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Convert to Deals"),
                "message": summary,
                "type": "success" if deals and not skipped else "warning",
                "sticky": bool(skipped),
                "next": self.deal_id._action_view_converted_deals(),
            },
        }

    def action_view_deal(self):
        self.ensure_one()
        return self.deal_id._action_view_converted_deals()

    # ------------------------------------------------------------------------------------------
    # Conversion
    # ------------------------------------------------------------------------------------------

    def _deal_skip_reasons(self):
        return {
            "converted": self.env._("already converted"),
            "lead": self.env._("leads, not opportunities"),
            "archived": self.env._("archived without being lost"),
            "revenue": self.env._("negative expected revenue"),
            "access": self.env._("you may not modify them"),
            "owner": self.env._("not yours: only users who see every deal convert them"),
            "lost_reason": self.env._("their lost reason is not a deal lost reason yet: ask an administrator"),
            "customer": self.env._("no customer, and no name or e-mail to create one"),
        }

    def _deal_convert_summary(self, deals, skipped):
        reasons = self._deal_skip_reasons()
        summary = self.env._("%(count)s opportunities converted into deals.", count=len(deals))
        if skipped:
            summary += " " + self.env._(
                "%(count)s skipped: %(reasons)s.",
                count=sum(len(leads) for leads in skipped.values()),
                reasons="; ".join(f"{reasons[reason]} ({len(leads)})" for reason, leads in skipped.items()),
            )
        return summary

    def _convert_to_deals(self, pipeline_by_team=None):
        """Convert the opportunities into deals, in batches.

        :param dict pipeline_by_team: {crm.team: deal.pipeline}, the empty crm.team for the
            opportunities without a team; teams missing from it follow the default mapping
        :return: the new deals, and {skip reason: the opportunities skipped for it}
        """
        skipped = {}
        todo = self._deal_convertible(skipped)
        pipelines = todo._default_deal_pipelines() | (pipeline_by_team or {})
        lost_reasons = todo._deal_lost_reasons(skipped)
        todo = todo.filtered(lambda lead: lead.won_status != "lost" or lead.lost_reason_id in lost_reasons)
        todo = todo._deal_assign_customers(skipped)
        tags = todo._deal_tags()
        find_stage = self._deal_stage_finder()
        # the tracking of the opportunities' last changes, written at the commit, is read below
        self.env.cr.flush()
        deal_ids = []
        for start in range(0, len(todo), CONVERT_BATCH):
            batch = todo[start : start + CONVERT_BATCH]
            vals_list = []
            for lead in batch:
                pipeline = pipelines[lead.team_id]
                lost_reason = lost_reasons.get(lead.lost_reason_id) if lead.won_status == "lost" else None
                values = lead._prepare_deal_values(pipeline, find_stage(lead, pipeline), tags, lost_reason)
                values["stage_id"] = self._deal_reachable_stage(pipeline, values).id
                vals_list.append(values)
            # the caller's defaults are the opportunities' (default_type, default_team_id...): the
            # deals get their values, dates included, from the opportunities only
            deals = (
                self.env["deal.deal"].with_context(clean_context(self.env.context), **CONVERT_CONTEXT).create(vals_list)
            )
            for owner, owner_deals in deals.grouped("user_id").items():
                if owner:
                    owner_deals._message_auto_subscribe({"user_id": owner.id})
            batch._deal_keep_history(deals, find_stage)
            batch._deal_move_documents(deals)
            # the user may write these opportunities (_deal_convertible); the rule above refuses
            # an archiving by hand
            batch.sudo()._deal_archive_converted()
            deal_ids += deals.ids
            # keep the memory flat over large selections
            self.env.flush_all()
            self.env.invalidate_all()
        return self.env["deal.deal"].browse(deal_ids), skipped

    def _deal_convertible(self, skipped):
        """The opportunities the current user may convert; the others go into ``skipped``."""
        todo = self
        user = self.env.user
        sees_all_deals = user.has_group("deal_pipeline.group_deal_user_all")
        checks = [
            ("access", lambda leads: leads - leads._filtered_access("write")),
            ("converted", lambda leads: leads.filtered("deal_id")),
            ("lead", lambda leads: leads.filtered(lambda lead: lead.type != "opportunity")),
            ("archived", lambda leads: leads.filtered(lambda lead: not lead.active and lead.won_status != "lost")),
            ("revenue", lambda leads: leads.filtered(lambda lead: lead.expected_revenue < 0)),
            (
                "owner",
                lambda leads: leads.browse() if sees_all_deals else leads.filtered(lambda lead: lead.user_id != user),
            ),
        ]
        for reason, rejected_of in checks:
            if rejected := rejected_of(todo):
                skipped[reason] = rejected
                todo -= rejected
        return todo

    def _default_deal_pipelines(self):
        """{crm.team: deal.pipeline} for the teams of the opportunities (the empty team for those
        without one): the pipeline named like the team, of the team's company or shared, else the
        default pipeline of that company."""
        companies = self.team_id.company_id | self.env.company
        pipelines = self.env["deal.pipeline"].search([("company_id", "in", [False, *companies.ids])])
        result = {}
        for team in {*self.team_id, self.env["crm.team"]}:
            same_name = pipelines.filtered(
                lambda pipeline, team=team: (
                    team
                    and pipeline.name.casefold() == team.name.casefold()
                    and (not team.company_id or pipeline.company_id in (team.company_id, team.company_id.browse()))
                )
            )
            default = self.env["deal.deal"].with_company(team.company_id or self.env.company)._default_pipeline()
            result[team] = same_name[:1] or default
        return result

    def _deal_lost_reasons(self, skipped):
        """{crm.lost.reason: deal.lost.reason} by name for the lost opportunities, the empty reason
        included; missing deal reasons are created when the user may create them, else their
        opportunities go into ``skipped``."""
        lost = self.filtered(lambda lead: lead.won_status == "lost")
        if not lost:
            return {}
        Reason = self.env["deal.lost.reason"]
        existing = {}
        names = Domain.OR(Domain("name", "=ilike", reason.name) for reason in lost.lost_reason_id)
        for reason in Reason.search(names, order="sequence desc, id desc"):  # the first of a name wins
            existing[reason.name.casefold()] = reason
        result = {self.env["crm.lost.reason"]: self.env.ref("deal_pipeline_crm.lost_reason_crm_none")}
        missing = self.env["crm.lost.reason"]
        for crm_reason in lost.lost_reason_id:
            if deal_reason := existing.get(crm_reason.name.casefold()):
                result[crm_reason] = deal_reason
            else:
                missing |= crm_reason
        if missing and Reason.has_access("create"):
            for crm_reason, deal_reason in zip(
                missing, Reason.create([{"name": crm_reason.name} for crm_reason in missing]), strict=True
            ):
                result[crm_reason] = deal_reason
        elif missing:
            skipped["lost_reason"] = lost.filtered(lambda lead: lead.lost_reason_id in missing)
        return result

    def _deal_assign_customers(self, skipped):
        """Give a customer to the opportunities without one, as CRM does when it converts a lead
        (a contact made of the company name, contact name and e-mail); those with nothing to make
        one of go into ``skipped``."""
        without = self.filtered(lambda lead: not lead.partner_id)
        nameless = without.filtered(lambda lead: not (lead.partner_name or lead.contact_name or lead.email_from))
        if nameless:
            skipped["customer"] = nameless
        (without - nameless)._handle_partner_assignment(create_missing=True)
        return self - nameless

    def _deal_tags(self):
        """{crm tag name: deal.tag id}, deal tags of the same name created when missing."""
        names = set(self.tag_ids.mapped("name"))
        if not names:
            return {}
        Tag = self.env["deal.tag"]
        result = {tag.name: tag.id for tag in Tag.search([("name", "in", list(names))])}
        if missing := names - result.keys():
            result |= {tag.name: tag.id for tag in Tag.create([{"name": name} for name in sorted(missing)])}
        return result

    def _deal_stage_finder(self):
        """A function (opportunity, pipeline[, crm stage]) -> deal stage, cached: won and lost
        opportunities go to the pipeline's won and lost stages; an open one to the pipeline's open
        stage of the same name, else to the open stage at the same relative position (board order)
        as its CRM stage among the open CRM stages of its team (New, Qualified, Proposition into
        New, Qualification, Proposal Sent, Negotiation: New, Qualification, Proposal Sent). Given a
        CRM stage the opportunity was in, the deal stage it stands for: a won CRM stage the won
        stage, another stage as if the opportunity were open in it (a deleted stage, the first
        open stage)."""
        crm_open_stages = self.env["crm.stage"].search([("is_won", "=", False)])
        cache = {}

        def open_stage(crm_stage, team, pipeline):
            deal_stages = pipeline._open_stages()
            if not deal_stages:
                return pipeline._stage_for_outcome("open")  # raises: the pipeline has no open stage
            for stage in deal_stages:
                if stage.name.casefold() == (crm_stage.name or "").casefold():
                    return stage
            team_stages = crm_open_stages.filtered(lambda stage: not stage.team_ids or team in stage.team_ids)
            if crm_stage not in team_stages:
                team_stages = crm_open_stages
            if crm_stage not in team_stages:
                return deal_stages[0]
            # the i-th of n CRM stages goes to the deal stage at the same fraction of the board
            return deal_stages[list(team_stages).index(crm_stage) * len(deal_stages) // len(team_stages)]

        def find_stage(lead, pipeline, crm_stage=None):
            if crm_stage is None:
                outcome = lead.won_status if lead.won_status in ("won", "lost") else "open"
                crm_stage = lead.stage_id
            else:  # a stage of the opportunity's past: won stages were won, the others open
                outcome = "won" if crm_stage.is_won else "open"
            key = (outcome, pipeline) if outcome != "open" else (outcome, pipeline, crm_stage, lead.team_id)
            if key not in cache:
                if outcome == "open":
                    cache[key] = open_stage(crm_stage, lead.team_id, pipeline)
                else:
                    cache[key] = pipeline._stage_for_outcome(outcome)
            return cache[key]

        return find_stage

    @api.model
    def _deal_reachable_stage(self, pipeline, values):
        """The open stage of the deal ``values``, or, when they leave empty a field that stage
        requires (deal.stage.required_field_ids), the last open stage before it whose requirements
        they meet: an opportunity without deadline in Proposition becomes a deal in Qualification.
        Won and lost stages are kept (their requirements, if any, refuse the conversion)."""
        stage = self.env["deal.stage"].browse(values["stage_id"])
        open_stages = pipeline._open_stages()
        if stage not in open_stages or not stage.sudo().required_field_ids:
            return stage
        draft = self.env["deal.deal"].new(values)
        earlier = open_stages[: list(open_stages).index(stage) + 1]
        return next((candidate for candidate in reversed(earlier) if not draft._missing_stage_fields(candidate)), stage)

    def _deal_keep_history(self, deals, find_stage):
        """Give the new ``deals`` the history of their opportunities (``self``): opened when the
        opportunity was created, closed when it was won or lost, and its stays in its stages, read
        from its stage tracking (deal.stage.history._tracked_stays), each CRM stage standing for
        the deal stage the conversion maps it to; the last stay is in the deal's stage, and a lost
        opportunity's in the lost stage from its archiving (tracked, else from when it entered its
        last stage). Only what users cannot write is read: the creation date and the tracking,
        never CRM's closing date or a message's date, which the API writes; so a salesperson
        converting cannot give the deal another past, as only deals administrators give deals'
        dates (deal.deal._check_given_dates)."""
        stays_of = defaultdict(list)
        for res_id, crm_stage_id, date_in, _date_out in self._deal_tracked_stays("stage_id"):
            stays_of[res_id].append((crm_stage_id, date_in))
        # a lost opportunity's current stay in active = False started when it was archived
        lost_on = {
            res_id: date_in
            for res_id, _active, date_in, date_out in deals.filtered(
                lambda deal: deal.outcome == "lost"
            ).lead_id._deal_tracked_stays("active")
            if date_out is None
        }
        crm_stages = self.env["crm.stage"].browse({stage_id for stays in stays_of.values() for stage_id, _ in stays})
        crm_stage_of = {stage.id: stage for stage in crm_stages.exists()}
        rows = []
        for deal in deals:
            lead = deal.lead_id
            stays = [
                [find_stage(lead, deal.pipeline_id, crm_stage_of.get(stage_id, crm_stages.browse())), date_in]
                for stage_id, date_in in stays_of[lead.id]
            ]
            if lead.id in lost_on and lost_on[lead.id] > stays[-1][1]:
                stays.append([deal.stage_id, lost_on[lead.id]])
            stays[-1][0] = deal.stage_id
            previous = None
            for stage, date_in in stays:
                if stage != previous:  # CRM stages of the same deal stage make one stay
                    rows.append({"deal_id": deal.id, "stage_id": stage.id, "date_in": date_in})
                previous = stage
        self.env["deal.stage.history"].sudo().with_context(tracking_disable=True)._import_stays(rows)

    def _deal_tracked_stays(self, field_name):
        """(opportunity id, value, date_in, date_out) of the stays of the opportunities in the
        values of their tracked field ``field_name``, in order, from their creation."""
        if not self:
            return []
        stays = self.env["deal.stage.history"]._tracked_stays(
            "crm.lead",
            field_name,
            SQL(
                """SELECT id, %(field)s::int AS value, create_date AS date_open, NULL::timestamp AS date_update
                     FROM crm_lead WHERE id = ANY(%(ids)s)""",
                field=SQL.identifier(field_name),
                ids=self.ids,
            ),
        )
        return self.env.execute_query(
            SQL("SELECT res_id, value, date_in, date_out FROM (%s) stay ORDER BY res_id, date_in, seq", stays)
        )

    def _prepare_deal_values(self, pipeline, stage, tags, lost_reason):
        """Values of the deal of this opportunity. The expected revenue is in the company currency,
        and so is the deal's amount."""
        self.ensure_one()
        company = self.company_id or self.team_id.company_id or self.env.company
        values = {
            "lead_id": self.id,
            "name": self.name,
            "partner_id": self.partner_id.id,
            "user_id": self.user_id.id,
            "company_id": company.id,
            "pipeline_id": pipeline.id,
            "stage_id": stage.id,
            "currency_id": company.currency_id.id,
            "amount": self.expected_revenue,
            "expected_close_date": self.date_deadline,
            "priority": self.priority,
            "tag_ids": [Command.set([tags[tag.name] for tag in self.tag_ids])],
            "description": self.description,
        }
        if lost_reason:
            values["lost_reason_id"] = lost_reason.id
        return values

    def _deal_move_documents(self, deals):
        """Link the quotations of the opportunities (sale_crm's opportunity_id) to their deals,
        move their activities, and log the conversion on both sides."""
        deal_of = {deal.lead_id.id: deal for deal in deals}
        SaleOrder = self.env["sale.order"]
        if SaleOrder.has_access("write"):
            orders = SaleOrder.search([("opportunity_id", "in", self.ids), ("deal_id", "=", False)])
            orders = orders._filtered_access("write")
            linked = SaleOrder
            for lead, lead_orders in orders.grouped("opportunity_id").items():
                deal = deal_of[lead.id]
                same_company = lead_orders.filtered(lambda order, deal=deal: order.company_id == deal.company_id)
                # existing documents of a won or lost opportunity follow it into its closed deal, which
                # takes no new quotation from a user: the orders are the user's own to write (above);
                # one message per batch below instead of one tracking message per order
                same_company.sudo().with_context(mail_notrack=True).deal_id = deal
                linked |= same_company
            linked._message_log_batch(
                {
                    order.id: self.env._(
                        "Linked to the deal %(deal)s, converted from its opportunity.",
                        deal=order.deal_id._get_html_link(),
                    )
                    for order in linked
                }
            )
        activities = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("res_model", "=", "crm.lead"), ("res_id", "in", self.ids)])
        )
        deal_model_id = self.env["ir.model"]._get_id("deal.deal")
        for lead_id, lead_activities in activities.grouped("res_id").items():
            lead_activities.write({"res_model_id": deal_model_id, "res_id": deal_of[lead_id].id})
        deals._message_log_batch(
            {
                deal.id: self.env._(
                    "Converted from the opportunity %(lead)s, which keeps its messages. History from the "
                    "opportunity: opened on %(open)s, closed on %(closed)s.",
                    lead=deal.lead_id._get_html_link(),
                    open=format_datetime(self.env, deal.date_open),
                    closed=format_datetime(self.env, deal.date_closed),
                )
                if deal.date_closed
                else self.env._(
                    "Converted from the opportunity %(lead)s, which keeps its messages. History from the "
                    "opportunity: opened on %(open)s.",
                    lead=deal.lead_id._get_html_link(),
                    open=format_datetime(self.env, deal.date_open),
                )
                for deal in deals
            }
        )
        self._message_log_batch(
            {
                lead_id: self.env._("Converted into the deal %(deal)s.", deal=deal._get_html_link())
                for lead_id, deal in deal_of.items()
            }
        )
