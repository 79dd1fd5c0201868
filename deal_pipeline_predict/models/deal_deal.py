from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .. import learning
from .deal_win_model import ACTIVITY_DAYS, MAIL_TYPES


class DealDeal(models.Model):
    _inherit = "deal.deal"

    predicted_probability = fields.Float(
        "Predicted Probability (%)",
        compute="_compute_predicted_probability",
        store=True,
        precompute=True,
        readonly=True,
        copy=False,
        aggregator="avg",
        digits=(16, 1),
        help="The win probability learned from the company's closed deals (Configuration > Win Probability "
        "Model); recomputed when the deal changes and every night. A closed deal keeps its last one.",
    )

    @api.depends(
        "outcome",
        "stage_id",
        "pipeline_id",
        "user_id",
        "tag_ids",
        "partner_id",
        "amount_company",
        "close_date_push_count",
        "company_id",
    )
    def _compute_predicted_probability(self):
        open_deals = self.filtered(lambda deal: deal.outcome == "open")
        for deal in self - open_deals:
            deal.predicted_probability = deal.predicted_probability
        for company, deals in open_deals.grouped("company_id").items():
            model = self.env["deal.win.model"].sudo().search([("company_id", "=", company.id)]).model_data
            if not model:
                deals.predicted_probability = 0.0
                continue
            probabilities = learning.predict(model, learning.Snapshots(deals._win_snapshot_columns()))
            for deal, probability in zip(deals, probabilities, strict=True):
                deal.predicted_probability = round(100 * float(probability), 1)

    def _win_snapshot_columns(self):
        """The deals as they are now, as the win model reads them (learning.Snapshots); the
        figures that the deal does not store are read in three queries for the batch."""
        now = self.env.cr.now()
        ids = [deal_id for deal_id in self._origin.ids if deal_id]
        quotations = defaultdict(int)
        messages = defaultdict(int)
        if ids:
            for deal, count in (
                self.env["sale.order"].sudo()._read_group([("deal_id", "in", ids)], ["deal_id"], ["__count"])
            ):
                quotations[deal.id] = count
            self.env.cr.execute(
                SQL(
                    """SELECT res_id, COUNT(*) FROM mail_message
                        WHERE model = 'deal.deal' AND res_id = ANY(%s) AND message_type IN %s
                          AND date > %s - make_interval(days => %s)
                     GROUP BY res_id""",
                    ids,
                    MAIL_TYPES,
                    now,
                    ACTIVITY_DAYS,
                )
            )
            messages.update(self.env.cr.fetchall())
        partners = self.partner_id.commercial_partner_id
        WinModel = self.env["deal.win.model"]
        history = WinModel._customer_history(self.company_id[:1], partners.ids) if partners else {}
        columns = defaultdict(list)
        for deal in self:
            origin = deal._origin.id
            won, lost = WinModel._customer_counts(history, deal.partner_id.commercial_partner_id.id, now)
            started = deal.date_open or deal.create_date or now
            values = {
                "deal_id": origin or 0,
                "stage": deal.stage_id.id,
                "pipeline": deal.pipeline_id.id,
                "owner": deal.user_id.id,
                "tags": deal.tag_ids.ids,
                "amount": deal.amount_company,
                "age_days": max((now - started).total_seconds(), 0) / 86400,
                "stage_days": max((now - (deal.date_last_stage_update or now)).total_seconds(), 0) / 86400,
                "close_date_pushes": deal.close_date_push_count,
                "quotations": quotations[origin],
                "messages": messages[origin],
                "customer_won": won,
                "customer_lost": lost,
            }
            for name, value in values.items():
                columns[name].append(value)
        return columns

    @api.depends("outcome", "predicted_probability", "company_id.deal_weight_by_prediction")
    def _compute_amount_weighted(self):
        """With the company's setting, the weighted amount of an open deal uses its predicted
        probability instead of its stage's (or its own)."""
        predicted = self.filtered(lambda deal: deal.outcome == "open" and deal.company_id.deal_weight_by_prediction)
        result = super(DealDeal, self - predicted)._compute_amount_weighted()
        for deal in predicted:
            weighted = deal.amount_company * deal.predicted_probability / 100
            deal.amount_weighted = deal.company_currency_id.round(weighted)
        return result

    @api.model
    def action_retrain_win_model(self):
        """Retrain the win probability model of the user's companies now (deal administrators
        only, also over the API), and score their open deals with it."""
        WinModel = self.env["deal.win.model"]
        WinModel._check_retrain_rights()
        for company in self.env.companies:
            WinModel._train(company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The win probability model was retrained."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
