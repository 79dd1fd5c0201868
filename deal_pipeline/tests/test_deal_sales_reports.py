"""How sales go: the win analysis, the funnel, the sales velocity and the pipeline changes, each
checked against figures computed here from the scenario the deals were made from."""

from datetime import date, datetime, timedelta

from odoo.fields import Command
from odoo.tests import new_test_user, tagged, users, warmup

from .common import DealCommon

# Foreign currency of the scenario: 1 unit of the company currency is worth 2 of it.
FOREIGN_RATE = 2.0


def _at(day, hour=9):
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


@tagged("post_install", "-at_install")
class TestDealSalesReports(DealCommon):
    """Deals of two owners in two pipelines, each made step by step at its own moments (created,
    moved, revised, won, lost, reopened); the reports read what the stage history and the
    revisions recorded, the expected figures are computed from the steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner_a = cls.user_own
        cls.owner_b = new_test_user(
            cls.env, login="deal_own_b", groups="deal_pipeline.group_deal_user_own", name="Bruno Own"
        )
        cls.partners_pipeline = cls.env["deal.pipeline"].create({"name": "Partners"})
        cls.tag_hot, cls.tag_renewal = cls.env["deal.tag"].create([{"name": "Hot"}, {"name": "Renewal"}])
        company_currency = cls.company.currency_id
        cls.foreign = (
            cls.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", ("EUR", "USD")), ("id", "!=", company_currency.id)], limit=1)
        )
        cls.foreign.active = True
        cls.env["res.currency.rate"].create(
            {"currency_id": cls.foreign.id, "name": "2000-01-01", "rate": FOREIGN_RATE, "company_id": cls.company.id}
        )

    # ------------------------------------------------------------------------------------------
    # Making deals step by step
    # ------------------------------------------------------------------------------------------

    def _make(self, steps, owner, amount, *, pipeline=None, currency=None, tags=(), close_date=None):
        """A deal created at the first step's moment in its stage, then each step at its moment:
        (moment, stage | "won" | "lost" | "reopen" | {field: value})."""
        (moment, stage), *later = steps
        with self._at(moment):
            deal = self.env["deal.deal"].create(
                {
                    "name": f"Deal of {moment}",
                    "partner_id": self.customer.id,
                    "user_id": owner.id,
                    "pipeline_id": (pipeline or self.pipeline).id,
                    "stage_id": stage.id,
                    "amount": amount,
                    "currency_id": (currency or self.company.currency_id).id,
                    "expected_close_date": close_date,
                    "tag_ids": [Command.set([tag.id for tag in tags])],
                }
            )
            self.env.flush_all()
        for moment, step in later:
            with self._at(moment):
                # a stage is a record, never compared with the names of the other steps
                if isinstance(step, dict):
                    deal.write(step)
                elif not isinstance(step, str):
                    deal.write({"stage_id": step.id})
                elif step == "won":
                    deal.action_mark_won()
                elif step == "lost":
                    deal.action_mark_lost(lost_reason_id=self.lost_reason.id)
                else:
                    self.assertEqual(step, "reopen")
                    deal.action_reopen()
                self.env.flush_all()
        return deal

    def _scenario(self):
        """[(deal, facts)] of closed and open deals: owner, pipeline, tags, opening and closing
        days, outcome, amount in company currency and the path through the stages."""
        new, qualification, proposal, negotiation = (
            self.stage_new, self.stage_qualification, self.stage_proposal, self.stage_negotiation
        )  # fmt: skip
        a, b = self.owner_a, self.owner_b
        rows = [
            # owner, pipeline, tags, amount, currency, path
            (a, self.pipeline, (self.tag_hot,), 1000.0, None,
             [(date(2026, 1, 5), new), (date(2026, 1, 8), qualification), (date(2026, 1, 15), proposal),
              (date(2026, 1, 25), "won")]),
            (a, self.pipeline, (self.tag_hot, self.tag_renewal), 3000.0, None,
             [(date(2026, 1, 10), new), (date(2026, 1, 20), qualification), (date(2026, 2, 9), "lost")]),
            (a, self.partners_pipeline, (), 2000.0, self.foreign,
             [(date(2026, 2, 1), new), (date(2026, 2, 11), proposal), (date(2026, 3, 3), "won")]),
            (b, self.pipeline, (self.tag_renewal,), 500.0, None,
             [(date(2026, 1, 2), new), (date(2026, 1, 12), "lost")]),
            (b, self.pipeline, (), 4000.0, None,
             [(date(2026, 2, 10), new), (date(2026, 2, 20), qualification), (date(2026, 3, 1), proposal),
              (date(2026, 3, 20), negotiation), (date(2026, 4, 11), "won")]),
            # still open
            (a, self.pipeline, (), 700.0, None, [(date(2026, 3, 1), new), (date(2026, 3, 5), qualification)]),
            (a, self.pipeline, (), 800.0, None, [(date(2026, 3, 10), new)]),
            (b, self.partners_pipeline, (), 900.0, None,
             [(date(2026, 2, 15), new), (date(2026, 2, 25), proposal), (date(2026, 3, 2), qualification)]),
        ]  # fmt: skip
        scenario = []
        for owner, pipeline, tags, amount, currency, path in rows:
            steps = [(_at(day), step) for day, step in path]
            deal = self._make(
                steps, owner, amount, pipeline=pipeline, currency=currency, tags=tags, close_date=date(2026, 6, 30)
            )
            last_step = path[-1][1]
            outcome = last_step if isinstance(last_step, str) and last_step in ("won", "lost") else "open"
            facts = {
                "owner": owner,
                "pipeline": pipeline,
                "tags": tags,
                "opened": path[0][0],
                "closed": path[-1][0] if outcome != "open" else None,
                "outcome": outcome,
                "amount": amount / FOREIGN_RATE if currency else amount,
                "path": path,
            }
            scenario.append((deal, facts))
        # an archived deal is in no report
        archived = self._make(
            [(_at(date(2026, 1, 3)), new), (_at(date(2026, 1, 4)), "won")], a, 99.0, close_date=date(2026, 6, 30)
        )
        archived.active = False
        return scenario

    # ------------------------------------------------------------------------------------------
    # Figures computed from the scenario
    # ------------------------------------------------------------------------------------------

    @staticmethod
    def _average(values):
        values = [value for value in values if value is not None]
        return sum(values) / len(values) if values else None

    def _expected_win(self, facts_list):
        closed = [facts for facts in facts_list if facts["outcome"] != "open"]
        won = [facts for facts in closed if facts["outcome"] == "won"]
        return {
            "won_count": len(won),
            "lost_count": len(closed) - len(won),
            "win_rate": 100.0 * len(won) / len(closed),
            "amount_won": sum(facts["amount"] for facts in won),
            "cycle_days": self._average([(facts["closed"] - facts["opened"]).days for facts in closed]),
        }

    def _expected_velocity(self, facts_list):
        open_count = sum(facts["outcome"] == "open" for facts in facts_list)
        closed = [facts for facts in facts_list if facts["outcome"] != "open"]
        won = [facts for facts in closed if facts["outcome"] == "won"]
        won_amount = self._average([facts["amount"] for facts in won])
        win_rate = 100.0 * len(won) / len(closed)
        cycle = self._average([(facts["closed"] - facts["opened"]).days for facts in won])
        return {
            "open_count": open_count,
            "won_amount": won_amount,
            "win_rate": win_rate,
            "cycle_days": cycle,
            "velocity": open_count * won_amount * win_rate / 100 / cycle,
        }

    def _grouped(self, model, deals, groupby, aggregates, domain=()):
        """{group key: {aggregate field: value}} of ``model`` over the rows of ``deals``."""
        groups = self.env[model]._read_group(
            [("deal_id", "in", deals.ids), *domain], [groupby], [f"{name}:{agg}" for name, agg in aggregates]
        )
        names = [name for name, _agg in aggregates]
        return {key: dict(zip(names, values, strict=True)) for key, *values in groups}

    def _assert_figures(self, found, expected):
        self.assertEqual(set(found), set(expected))
        for key, figures in expected.items():
            for name, value in figures.items():
                with self.subTest(group=key, figure=name):
                    self.assertAlmostEqual(found[key][name] or 0.0, value or 0.0, places=2)

    # ------------------------------------------------------------------------------------------
    # Win analysis
    # ------------------------------------------------------------------------------------------

    def test_win_analysis_per_owner_pipeline_tag_customer_and_period(self):
        scenario = self._scenario()
        deals = self.env["deal.deal"].browse([deal.id for deal, _facts in scenario])
        aggregates = [
            ("won_count", "sum"), ("lost_count", "sum"), ("win_rate", "avg"), ("amount_won", "sum"),
            ("cycle_days", "avg"),
        ]  # fmt: skip
        closed = [facts for _deal, facts in scenario if facts["outcome"] != "open"]
        no_tag = self.env["deal.tag"]
        for groupby, keys in (
            ("user_id", lambda facts: [facts["owner"]]),
            ("pipeline_id", lambda facts: [facts["pipeline"]]),
            ("partner_id", lambda facts: [self.customer]),
            ("tag_ids", lambda facts: list(facts["tags"]) or [no_tag]),
            ("date_closed:quarter", lambda facts: [(facts["closed"].month - 1) // 3 + 1]),
        ):
            groups = {}
            for facts in closed:
                for key in keys(facts):
                    groups.setdefault(key, []).append(facts)
            found = self._grouped("deal.win.report", deals, groupby, aggregates)
            if groupby.startswith("date_closed"):
                found = {(day.month - 1) // 3 + 1: values for day, values in found.items()}
            with self.subTest(groupby=groupby):
                self._assert_figures(found, {key: self._expected_win(members) for key, members in groups.items()})
        # one row per closed deal, with its dates
        rows = self.env["deal.win.report"].search([("deal_id", "in", deals.ids)])
        self.assertEqual(len(rows), len(closed))
        first = rows.filtered(lambda row: row.deal_id == scenario[0][0])
        self.assertEqual(
            (first.date_open, first.date_closed, first.outcome, first.cycle_days),
            (date(2026, 1, 5), date(2026, 1, 25), "won", 20),
        )

    # ------------------------------------------------------------------------------------------
    # Sales velocity
    # ------------------------------------------------------------------------------------------

    def test_velocity_per_owner_is_computed_from_the_terms_of_the_group(self):
        scenario = self._scenario()
        deals = self.env["deal.deal"].browse([deal.id for deal, _facts in scenario])
        facts_list = [facts for _deal, facts in scenario]
        aggregates = [
            ("open_count", "sum"), ("won_amount", "avg"), ("win_rate", "avg"), ("cycle_days", "avg"),
            ("velocity", "sum"),
        ]  # fmt: skip
        expected = {
            owner: self._expected_velocity([facts for facts in facts_list if facts["owner"] == owner])
            for owner in (self.owner_a, self.owner_b)
        }
        self._assert_figures(self._grouped("deal.velocity.report", deals, "user_id", aggregates), expected)
        # all owners together: from the terms of all the deals, not the sum of the owners' velocities
        [[total]] = self.env["deal.velocity.report"]._read_group([("deal_id", "in", deals.ids)], [], ["velocity:sum"])
        self.assertAlmostEqual(total, self._expected_velocity(facts_list)["velocity"], places=2)
        self.assertGreater(abs(total - sum(figures["velocity"] for figures in expected.values())), 1)
        # as the web client reads it
        [group] = self.env["deal.velocity.report"].formatted_read_group(
            [("deal_id", "in", deals.ids), ("user_id", "=", self.owner_b.id)], [], ["velocity:sum"]
        )
        self.assertAlmostEqual(group["velocity:sum"], expected[self.owner_b]["velocity"], places=2)

    # ------------------------------------------------------------------------------------------
    # Funnel
    # ------------------------------------------------------------------------------------------

    def _expected_funnel(self, facts_list):
        """{stage: figures} from the paths: the deals that reached each open or won stage, the
        share of those that went further (reached a later stage; over those that did or are
        closed), the share won (over the closed ones) and the days of the stays that ended."""
        rank = {stage: index for index, stage in enumerate(self.env["deal.stage"].search([]))}
        won_stage, lost_stage = self.stage_won, self.stage_lost
        rows = {}
        for facts in facts_list:
            closing = {"won": won_stage, "lost": lost_stage}
            path = [(day, closing[step] if isinstance(step, str) else step) for day, step in facts["path"]]
            reached = [stage for _day, stage in path if stage != lost_stage]
            furthest = max(rank[stage] for stage in reached)
            for stage in dict.fromkeys(reached):
                stays = [
                    (day, path[index + 1][0] if index + 1 < len(path) else None)
                    for index, (day, entered) in enumerate(path)
                    if entered == stage
                ]
                if stage == won_stage:
                    further = None
                elif furthest > rank[stage]:
                    further = 100.0
                else:
                    further = None if facts["outcome"] == "open" else 0.0
                ongoing = any(end is None for _start, end in stays)
                rows.setdefault(stage, []).append(
                    {
                        "further": further,
                        "won": {"won": 100.0, "lost": 0.0}.get(facts["outcome"]),
                        "days": None
                        if ongoing or stage == won_stage
                        else sum((end - start).days for start, end in stays),
                    }
                )
        return {
            stage: {
                "reached_count": len(members),
                "next_rate": self._average([member["further"] for member in members]),
                "won_rate": self._average([member["won"] for member in members]),
                "days_in_stage": self._average([member["days"] for member in members]),
            }
            for stage, members in rows.items()
        }

    def test_funnel_per_stage_pipeline_and_period(self):
        scenario = self._scenario()
        deals = self.env["deal.deal"].browse([deal.id for deal, _facts in scenario])
        aggregates = [("reached_count", "sum"), ("next_rate", "avg"), ("won_rate", "avg"), ("days_in_stage", "avg")]
        facts_list = [facts for _deal, facts in scenario]
        found = self._grouped("deal.funnel.report", deals, "stage_id", aggregates)
        self._assert_figures(found, self._expected_funnel(facts_list))
        # one pipeline, the deals opened in February
        february = [facts for facts in facts_list if facts["opened"].month == 2 and facts["pipeline"] == self.pipeline]
        domain = [
            ("pipeline_id", "=", self.pipeline.id),
            ("date_open", ">=", "2026-02-01"),
            ("date_open", "<", "2026-03-01"),
        ]
        found = self._grouped("deal.funnel.report", deals, "stage_id", aggregates, domain)
        self._assert_figures(found, self._expected_funnel(february))

    # ------------------------------------------------------------------------------------------
    # Pipeline changes (waterfall)
    # ------------------------------------------------------------------------------------------

    def _waterfall_scenario(self):
        """{deal: expected bars} of deals changed in March 2026, the pipeline being the open deals
        closing by March 31st; all made on February 1st unless said otherwise."""
        new = self.stage_new
        a = self.owner_a
        plans = [
            # amount, currency, close date, changes, bars
            (1000.0, None, date(2026, 3, 15), [(date(2026, 3, 10), {"amount": 1500.0})],
             {"start": 1000.0, "amount": 500.0, "end": 1500.0}),
            (2000.0, None, date(2026, 3, 20), [(date(2026, 3, 5), {"expected_close_date": date(2026, 4, 30)})],
             {"start": 2000.0, "pushed_out": -2000.0}),
            (800.0, None, date(2026, 5, 15), [(date(2026, 3, 12), {"expected_close_date": date(2026, 3, 25)})],
             {"pulled_in": 800.0, "end": 800.0}),
            (600.0, None, date(2026, 3, 10), [(date(2026, 3, 8), "lost")], {"start": 600.0, "lost": -600.0}),
            (900.0, None, date(2026, 2, 20), [(date(2026, 2, 25), "lost"), (date(2026, 3, 15), "reopen")],
             {"reopened": 900.0, "end": 900.0}),
            # in the foreign currency: converted as the deal's amount in company currency
            (1000.0, self.foreign, date(2026, 3, 30), [(date(2026, 3, 20), {"amount": 1200.0})],
             {"start": 500.0, "amount": 100.0, "end": 600.0}),
            # a change undone within the period
            (300.0, None, date(2026, 3, 30),
             [(date(2026, 3, 2), {"expected_close_date": date(2026, 5, 1)}),
              (date(2026, 3, 9), {"expected_close_date": date(2026, 3, 30)})],
             {"start": 300.0, "pushed_out": -300.0, "pulled_in": 300.0, "end": 300.0}),
        ]  # fmt: skip
        made = {}
        for amount, currency, close_date, changes, bars in plans:
            steps = [(_at(date(2026, 2, 1)), new)] + [(_at(day), change) for day, change in changes]
            made[self._make(steps, a, amount, currency=currency, close_date=close_date)] = bars
        # created then won in the period
        created = self._make(
            [(_at(date(2026, 3, 3)), new), (_at(date(2026, 3, 18)), "won")], a, 700.0, close_date=date(2026, 3, 28)
        )
        made[created] = {"created": 700.0, "won": -700.0}
        # without close date (not in the pipeline), created after the period, closed before it
        made[self._make([(_at(date(2026, 3, 5)), new)], a, 400.0)] = {}
        made[self._make([(_at(date(2026, 4, 5)), new)], a, 400.0, close_date=date(2026, 3, 31))] = {}
        made[
            self._make(
                [(_at(date(2026, 1, 5)), new), (_at(date(2026, 1, 9)), "won")], a, 400.0, close_date=date(2026, 3, 31)
            )
        ] = {}
        return made

    def test_waterfall_balances_and_each_bar_holds_its_deals(self):
        made = self._waterfall_scenario()
        deals = self.env["deal.deal"].browse([deal.id for deal in made])
        Report = self.env["deal.waterfall.report"].with_context(
            waterfall_date_from="2026-03-01", waterfall_date_to="2026-03-31", waterfall_close_date_to="2026-03-31"
        )
        found = {}
        for row in Report.search([("deal_id", "in", deals.ids)]):
            found.setdefault(row.deal_id, {})[row.category] = row.amount
        for deal, bars in made.items():
            with self.subTest(deal=deal.name):
                self.assertEqual(set(found.get(deal, {})), set(bars))
                for category, amount in bars.items():
                    self.assertAlmostEqual(found[deal][category], amount, places=2)
        # the equation, its start and end computed from the scenario, the changes as the report sums them
        totals = dict(Report._read_group([("deal_id", "in", deals.ids)], ["category"], ["amount:sum"]))
        start = sum(bars.get("start", 0.0) for bars in made.values())
        end = sum(bars.get("end", 0.0) for bars in made.values())
        self.assertAlmostEqual(totals["start"], start, places=2)
        self.assertAlmostEqual(totals["end"], end, places=2)
        changes = sum(amount for category, amount in totals.items() if category not in ("start", "end"))
        self.assertAlmostEqual(start + changes, end, places=2)
        # the bars in their order
        bars = ["start", "created", "reopened", "pulled_in", "amount", "pushed_out", "won", "lost", "end"]
        self.assertEqual(list(totals), bars)
        # as the graph and the grouped list read them (ordered by their groupby), and reversed
        for order, expected in ((None, bars), ("category desc", bars[::-1])):
            groups = Report.formatted_read_group(
                [("deal_id", "in", deals.ids)], ["category"], ["amount:sum"], order=order
            )
            self.assertEqual([group["category"] for group in groups], expected)
        # from March 6th: the two deals pushed out before are not in the pipeline at the start, the
        # one created before is
        later = Report.with_context(waterfall_date_from="2026-03-06")
        [[start_later]] = later._read_group(
            [("deal_id", "in", deals.ids), ("category", "=", "start")], [], ["amount:sum"]
        )
        self.assertAlmostEqual(start_later, start - 2000.0 - 300.0 + 700.0, places=2)

    def test_waterfall_wizard_opens_the_period(self):
        wizard = self.env["deal.waterfall.wizard"].create(
            {"date_from": "2026-03-01", "date_to": "2026-03-31", "close_date_to": "2026-06-30"}
        )
        action = wizard.action_open_report()
        self.assertEqual(action["res_model"], "deal.waterfall.report")
        Report = self.env["deal.waterfall.report"].with_context(**action["context"])
        self.assertEqual(Report._waterfall_period(), (date(2026, 3, 1), date(2026, 3, 31), date(2026, 6, 30)))


@tagged("post_install", "-at_install", "is_query_count")
class TestDealSalesReportQueries(DealCommon):
    """Opening each report costs the same number of queries whatever the number of deals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_deals(6)

    @classmethod
    def _add_deals(cls, count):
        """``count`` deals, by a manager: open, won and lost ones of two owners."""
        deals = (
            cls.env["deal.deal"]
            .sudo()
            .create(
                [
                    {
                        "name": f"Report deal {index}",
                        "partner_id": cls.customer.id,
                        "user_id": (cls.user_own if index % 2 else cls.user_all).id,
                        "amount": 100.0 * (index + 1),
                        "expected_close_date": date.today(),
                    }
                    for index in range(count)
                ]
            )
        )
        deals[: count // 3].write({"stage_id": cls.stage_qualification.id})
        deals[count // 3 : count // 2].action_mark_won()
        deals[count // 2 : 2 * count // 3].action_mark_lost(lost_reason_id=cls.lost_reason.id)
        cls.env.flush_all()

    def _assert_same_count_with_more_deals(self, model, groupby, aggregates, expected, context=None):
        """The web client's grouped read of the report, as the pivot and graph ask it: ``expected``
        queries ({login: count}, or the default count), with 6 or with 18 deals. A grouping by
        owner reads the owners' names."""
        Report = self.env[model].with_context(**(context or {}))
        for more in (0, 12):
            if more:
                self._add_deals(more)
            self.env.invalidate_all()
            with self.assertQueryCount(**expected):
                self.assertTrue(Report.formatted_read_group([], groupby, aggregates))

    @users("deal_own", "deal_manager")
    @warmup
    def test_win_report_queries(self):
        self._assert_same_count_with_more_deals(
            "deal.win.report",
            ["user_id"],
            ["won_count:sum", "win_rate:avg", "amount_won:sum", "cycle_days:avg"],
            {"deal_own": 3, "deal_manager": 4},
        )

    @users("deal_own", "deal_manager")
    @warmup
    def test_funnel_report_queries(self):
        self._assert_same_count_with_more_deals(
            "deal.funnel.report",
            ["stage_id"],
            ["reached_count:sum", "next_rate:avg", "days_in_stage:avg"],
            {"default": 2},
        )

    @users("deal_own", "deal_manager")
    @warmup
    def test_velocity_report_queries(self):
        self._assert_same_count_with_more_deals(
            "deal.velocity.report", ["user_id"], ["open_count:sum", "velocity:sum"], {"deal_own": 3, "deal_manager": 4}
        )

    @users("deal_own", "deal_manager")
    @warmup
    def test_waterfall_report_queries(self):
        today = date.today()
        context = {
            "waterfall_date_from": str(today - timedelta(days=1)),
            "waterfall_date_to": str(today),
            "waterfall_close_date_to": str(today + timedelta(days=1)),
        }
        self._assert_same_count_with_more_deals(
            "deal.waterfall.report", ["category"], ["amount:sum"], {"default": 3}, context
        )
