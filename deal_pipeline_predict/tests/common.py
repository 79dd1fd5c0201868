import random

from odoo.addons.deal_pipeline.tests.common import CLOSE_DATE, DealCommon
from odoo.fields import Command
from odoo.tools import SQL


class WinModelCommon(DealCommon):
    """Closed deals generated with a known truth, and the history they would have had: each
    spent 10 days in New, then Qualification until it closed, the deals closing one a day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.tag_referral = cls.env["deal.tag"].create({"name": "Referral"})
        cls.tag_cold = cls.env["deal.tag"].create({"name": "Cold Call"})
        cls.WinModel = cls.env["deal.win.model"]

    @classmethod
    def _closed_history(cls, outcomes, tags=None, amounts=None, customers=None):
        """Deals closed won (True) or lost (False) as ``outcomes`` says, the first closed first,
        with ``tags`` (lists of tags), ``amounts`` and ``customers`` per deal when given."""
        count = len(outcomes)
        tags = tags or [[] for _ in outcomes]
        amounts = amounts or [1000.0] * count
        customers = customers or [cls.customer] * count
        deals = cls.env["deal.deal"].create(
            [
                {
                    "name": f"History {i:04d}",
                    "partner_id": customers[i].id,
                    "amount": amounts[i],
                    "expected_close_date": CLOSE_DATE,
                    "tag_ids": [Command.set([tag.id for tag in tags[i]])],
                    "user_id": cls.user_all.id,
                }
                for i in range(count)
            ]
        )
        deals.stage_id = cls.stage_qualification
        won = deals.filtered(lambda deal: outcomes[deals.ids.index(deal.id)])
        won.stage_id = cls.stage_won
        (deals - won).write({"stage_id": cls.stage_lost.id, "lost_reason_id": cls.lost_reason.id})
        cls._spread_in_time(deals)
        return deals

    @classmethod
    def _spread_in_time(cls, deals, last_closed_days_ago=1):
        """Date the deals and their stays as if the i-th of ``deals`` opened 40 days before it
        closed, and they closed one a day, the last ``last_closed_days_ago`` days ago."""
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                """WITH dated AS (
                       SELECT id,
                              (NOW() AT TIME ZONE 'UTC') - make_interval(days => %(last)s + %(count)s - position::int)
                              AS closed
                         FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS deal(id, position)
                   )
                   UPDATE deal_deal d SET date_open = dated.closed - INTERVAL '40 days', date_closed = dated.closed
                     FROM dated WHERE d.id = dated.id""",
                last=last_closed_days_ago,
                count=len(deals),
                ids=deals.ids,
            )
        )
        # New for 10 days, Qualification until the close, then the closing stage
        cls.env.cr.execute(
            SQL(
                """UPDATE deal_stage_history h
                      SET date_in = CASE WHEN h.stage_id = %(new)s THEN d.date_open
                                         WHEN h.outcome = 'open' THEN d.date_open + INTERVAL '10 days'
                                         ELSE d.date_closed END,
                          date_out = CASE WHEN h.stage_id = %(new)s THEN d.date_open + INTERVAL '10 days'
                                          WHEN h.outcome = 'open' THEN d.date_closed END
                     FROM deal_deal d
                    WHERE d.id = h.deal_id AND d.id = ANY(%(ids)s)""",
                new=cls.stage_new.id,
                ids=deals.ids,
            )
        )
        cls.env.invalidate_all()

    @staticmethod
    def _outcomes(count, chance, seed):
        rng = random.Random(seed)
        return [rng.random() < chance for _ in range(count)]
