"""Benchmark of the deal board against Odoo CRM's pipeline (``make bench N=10000``).

Creates a throw-away database with deal_pipeline and crm (crm only for the comparison), seeds N
deals and N CRM opportunities with equivalent data, replays the calls the web client makes on
both sides, prints a table and writes ``bench/results-<N>.json``. See bench/README.md.

Runs with the virtual environment's Python and the Odoo source on PYTHONPATH, as
``scripts/devenv.sh bench`` does.
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
from lxml import etree

import odoo
from odoo import SUPERUSER_ID, api
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tools.safe_eval import safe_eval

BENCH_DIR = Path(__file__).resolve().parent
SEED_CONTEXT = {
    # what CRM imports use: no chatter messages, no tracking, no followers while loading data
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
OWNERS = 20
CARDS_PER_COLUMN = 40  # kanban default limit per column (web client)
LIST_LIMIT = 80  # list default limit (web client)
COUNT_LIMIT = 10001  # list count limit (web client)
# deal stages in order: New, Qualification, Proposal Sent, Negotiation, Won, Lost
STAGE_WEIGHTS = [20, 15, 12, 8, 25, 20]
WON, LOST = 4, 5
WORDS = ["Azure", "Bright", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper"]
KINDS = ["Interior", "Logistics", "Foods", "Systems", "Studio"]
MEASURES = ["board open", "list open", "search by customer", "card move", "form open", "pivot stage x month"]
BROWSER_MEASURES = ["board ready (browser)", "column load more (browser)"]
# Deal Billing's pivot measures; the report has no CRM twin (its CRM column stays empty)
DEAL_BILLING_MEASURES = [
    "amount_estimated",
    "amount_quoted",
    "amount_ordered",
    "amount_invoiced_untaxed",
    "amount_invoiced",
    "amount_paid",
    "amount_due",
]
# How sales go (issue 25): the reports as their menus open them, as a sales manager; no CRM twin
SALES_REPORT_MEASURES = ["win analysis open", "funnel open", "sales velocity open", "pipeline changes quarter"]
STAGE_CHANGES = 10  # stage changes of every deal in its history
BROWSER_REPS = 5  # median of 5 page loads per side
BROWSER_COLUMN = 200  # cards of the column the "load more" measure shows in full
BROWSER_PASSWORD = "bench_lead"  # the measuring user's, set for the browser measures only


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# Database
# ----------------------------------------------------------------------------------------------


def write_config(path, args):
    lines = [
        "[options]",
        f"addons_path = {args.odoo_src}/addons,{args.odoo_src}/odoo/addons,{args.repo}",
        f"data_dir = {args.data_dir}",
        f"db_name = {args.db}",
        "list_db = False",
        "http_enable = False",
        "max_cron_threads = 0",
    ]
    for option, variable in [("db_host", "PGHOST"), ("db_port", "PGPORT"), ("db_user", "PGUSER")]:
        if os.environ.get(variable):
            lines.append(f"{option} = {os.environ[variable]}")
    if os.environ.get("PGPASSWORD"):
        lines.append(f"db_password = {os.environ['PGPASSWORD']}")
    path.write_text("\n".join(lines) + "\n")


def install(conf, args):
    """Create the database with deal_pipeline and crm, without demo data; fail on a logged error."""
    command = [
        sys.executable,
        str(Path(args.odoo_src) / "odoo-bin"),
        "-c",
        str(conf),
        "-d",
        args.db,
        "-i",
        "deal_pipeline,crm",
        "--stop-after-init",
        "--log-level=warn",
    ]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stderr.write(result.stdout + result.stderr)
    if result.returncode or re.search(r" (ERROR|CRITICAL) ", result.stdout + result.stderr):
        raise SystemExit(f"installing deal_pipeline and crm in {args.db} failed (see the log above)")
    return time.perf_counter() - started


def drop_database(args):

    connection = psycopg2.connect(dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    connection.close()
    shutil.rmtree(Path(args.data_dir) / "filestore" / args.db, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# Web client field specifications, read from the real views
# ----------------------------------------------------------------------------------------------


def aggregate_specs(model, fnames):
    """What the web client asks for the column sums (getAggregateSpecifications)."""
    aggregates, currencies = [], []
    for fname in fnames:
        field = model._fields[fname]
        aggregates.append(f"{fname}:{field.aggregator}")
        if field.type == "monetary":
            currencies += [f"{field.get_currency_field(model)}:array_agg_distinct", f"{fname}:sum_currency"]
    return aggregates + list(dict.fromkeys(currencies))


class Side:
    """One application (deals or CRM) as the web client sees it: its action, views and specs."""

    def __init__(self, env, action, domain, context, date_field):
        # importable once the configuration has put the repository on the addons path
        from odoo.addons.deal_pipeline.tests.web_client import field_specification  # noqa: PLC0415

        self.model_name = action["res_model"]
        model = env[self.model_name].with_context(context)
        views = [(view_id, view_type) for view_id, view_type in action["views"]]
        search_view = action["search_view_id"]
        views.append((search_view[0] if isinstance(search_view, (list, tuple)) else search_view, "search"))
        archs = {
            view_type: etree.fromstring(description["arch"])
            for view_type, description in model.get_views(views, {"action_id": action["id"]})["views"].items()
        }
        search = archs["search"]
        self.domain = list(domain)
        for filter_name in domain_filters(context):
            node = search.find(f".//filter[@name='{filter_name}']")
            self.domain += safe_eval(node.get("domain"), {"uid": env.uid})
        kanban = archs["kanban"]
        self.group_by = kanban.get("default_group_by")
        self.kanban_spec = field_specification(model, kanban)
        self.list_spec = field_specification(model, archs["list"])
        self.form_spec = field_specification(model, archs["form"])
        progressbar = kanban.find("progressbar")
        self.progressbar = {
            "field": progressbar.get("field"),
            "colors": json.loads(progressbar.get("colors")),
            "help": progressbar.get("help"),
            "sum_field": progressbar.get("sum_field"),
        }
        self.sum_field = progressbar.get("sum_field")
        sum_fields = [value for key, value in progressbar.attrib.items() if key.endswith("sum_field")]
        self.board_aggregates = aggregate_specs(model, sum_fields)
        self.date_field = date_field
        self.partner_node = search.find(".//field[@name='partner_id']")
        self.search_context = {key: value for key, value in context.items() if not key.startswith("search_default")}
        # what the kanban reads of each column's record with the columns (the deal board: the
        # outcome of the stage, which decides what a drop does)
        self.groupby_read_specification = {"stage_id": {"outcome": {}}} if self.model_name == "deal.deal" else {}

    def customer_domain(self, customer):
        """The domain of the search view's customer field for the text ``customer``."""

        if self.partner_node.get("filter_domain"):
            return safe_eval(self.partner_node.get("filter_domain"), {"self": customer})
        return [("partner_id", self.partner_node.get("operator") or "ilike", customer)]


def domain_filters(context):
    return [
        key.removeprefix("search_default_")
        for key, value in context.items()
        if key.startswith("search_default") and value
    ]


# ----------------------------------------------------------------------------------------------
# Seeding
# ----------------------------------------------------------------------------------------------


class Seeder:
    def __init__(self, env, n, batch, rng):
        self.env = env
        self.cr = env.cr
        self.n = n
        self.batch = batch
        self.rng = rng
        self.timings = {}

    def run_batches(self, label, model, vals_list):
        """Batched create with the import context; returns seconds spent in create + flush and the
        number of queries."""
        seconds, queries = 0.0, 0
        ids = []
        for start in range(0, len(vals_list), self.batch):
            chunk = vals_list[start : start + self.batch]
            count0 = self.cr.sql_log_count
            started = time.perf_counter()
            records = model.with_context(**SEED_CONTEXT).create(chunk)
            self.cr.flush()
            seconds += time.perf_counter() - started
            queries += self.cr.sql_log_count - count0
            ids += records.ids
            self.cr.commit()
            self.env.invalidate_all()
        log(f"{label}: {len(vals_list)} in {seconds:.1f} s ({len(vals_list) / max(seconds, 1e-9):.0f}/s)")
        self.timings[label] = {"count": len(vals_list), "seconds": round(seconds, 2), "queries": queries}
        return model.browse(ids), seconds, queries

    def configure(self):
        env, rng = self.env, self.rng
        self.company = env.ref("base.main_company")
        self.home_currency = self.company.currency_id
        self.eur = env.ref("base.EUR")
        self.eur.active = True
        today = datetime.date.today()
        self.rates = {}
        for month in range(-26, 27):
            year, index = divmod(today.year * 12 + today.month - 1 + month, 12)
            self.rates[datetime.date(year, index + 1, 1)] = round(0.92 + 0.04 * math.sin(month / 3), 4)
        env["res.currency.rate"].create(
            [
                {"currency_id": self.eur.id, "name": day, "rate": rate, "company_id": self.company.id}
                for day, rate in self.rates.items()
            ]
        )
        self.rate_days = sorted(self.rates)

        self.deal_stages = [
            env.ref(f"deal_pipeline.{xmlid}")
            for xmlid in (
                "stage_new",
                "stage_qualification",
                "stage_proposal_sent",
                "stage_negotiation",
                "stage_won",
                "stage_lost",
            )
        ]
        self.pipelines = env.ref("deal_pipeline.pipeline_sales") | env["deal.pipeline"].create(
            {"name": "Key Accounts", "sequence": 2}
        )
        self.deal_lost_reasons = env["deal.lost.reason"].search([])
        self.crm_stages = [env.ref(f"crm.stage_lead{i}") for i in (1, 2, 3)]
        self.crm_stages.append(env["crm.stage"].create({"name": "Negotiation", "sequence": 4}))
        self.crm_stages.append(env.ref("crm.stage_lead4"))
        self.teams = env.ref("sales_team.team_sales_department") | env["crm.team"].create({"name": "Key Accounts"})
        self.crm_lost_reasons = env["crm.lost.reason"].search([])
        self.deal_tags = env["deal.tag"].create([{"name": f"Tag {i}"} for i in range(5)])
        self.crm_tags = env["crm.tag"].create([{"name": f"Tag {i}"} for i in range(5)])

        salesman = env.ref("sales_team.group_sale_salesman")
        self.owners = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "name": f"Seller {i:02d}",
                        "login": f"bench_seller_{i:02d}",
                        "group_ids": [Command.set(salesman.ids)],
                    }
                    for i in range(OWNERS)
                ]
            )
        )
        self.teams[0].member_ids = self.owners[: OWNERS // 2]
        self.teams[1].member_ids = self.owners[OWNERS // 2 :]
        # the measured calls run as a salesperson with the "All Documents" right
        self.user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Bench Lead",
                    "login": "bench_lead",
                    "group_ids": [Command.set(env.ref("sales_team.group_sale_salesman_all_leads").ids)],
                }
            )
        )
        self.product = env["product.product"].create({"name": "Consulting", "type": "service", "list_price": 100.0})

        partner_count = max(50, self.n // 8)
        partners, _seconds, _queries = self.run_batches(
            "partners",
            env["res.partner"],
            [
                {
                    "name": f"{rng.choice(WORDS)} {rng.choice(KINDS)} {i:06d}",
                    "is_company": True,
                    "email": f"info{i}@example.com",
                }
                for i in range(partner_count)
            ],
        )
        self.partners = partners
        self.cr.commit()

    def rate_on(self, day):
        month = day.replace(day=1)
        return self.rates.get(month, self.rates[self.rate_days[-1]])

    def profiles(self):
        """One description per deal, shared by the deal and its CRM twin."""
        rng = self.rng
        today = datetime.date.today()
        partner_ids, owner_ids = self.partners.ids, self.owners.ids
        result = []
        for i in range(self.n):
            stage = rng.choices(range(6), STAGE_WEIGHTS)[0]
            eur = rng.random() < 0.3
            amount = round(rng.uniform(500, 50000), 2)
            close = today + datetime.timedelta(days=rng.randint(-365, 365))
            amount_company = round(amount / self.rate_on(close), 2) if eur else amount
            result.append(
                {
                    "i": i,
                    "partner": rng.choice(partner_ids),
                    "owner": rng.choice(owner_ids),
                    "pipeline": 0 if rng.random() < 0.7 else 1,
                    "stage": stage,
                    "crm_stage": rng.randrange(4) if stage == LOST else stage,
                    "eur": eur,
                    "amount": amount,
                    "amount_company": amount_company,
                    "close": close,
                    "priority": rng.choice("0001123"),
                    "tag": rng.randrange(5) if rng.random() < 0.2 else None,
                    "lost_reason": rng.randrange(4),
                    "orders": rng.choice((1, 1, 2)) if rng.random() < 0.3 else 0,
                }
            )
        # the reference deal the form and the card move use: the same shape at every N
        result[0] |= {"pipeline": 0, "stage": 0, "crm_stage": 0, "eur": True, "tag": 0, "orders": 2}
        result[0]["amount_company"] = round(result[0]["amount"] / self.rate_on(result[0]["close"]), 2)
        return result

    def seed_deals(self, profiles):
        vals_list = []
        for p in profiles:
            vals = {
                "name": f"Deal {p['i']:06d}",
                "partner_id": p["partner"],
                "user_id": p["owner"],
                "pipeline_id": self.pipelines[p["pipeline"]].id,
                "stage_id": self.deal_stages[p["stage"]].id,
                "currency_id": (self.eur if p["eur"] else self.home_currency).id,
                "amount": p["amount"],
                "expected_close_date": p["close"],
                "priority": p["priority"],
            }
            if p["tag"] is not None:
                vals["tag_ids"] = [Command.set(self.deal_tags[p["tag"]].ids)]
            if p["stage"] == LOST:
                vals["lost_reason_id"] = self.deal_lost_reasons[p["lost_reason"] % len(self.deal_lost_reasons)].id
            vals_list.append(vals)
        deals, seconds, queries = self.run_batches("deals", self.env["deal.deal"], vals_list)
        self.seed_history(deals)
        return deals, seconds, queries

    def seed_history(self, deals):
        """A history of STAGE_CHANGES stage changes for every deal, in SQL: the deal opened between
        30 and 430 days ago, its stays evenly spread until now (an open deal) or until its closing
        (a closed one, at 80 % of that time), through the open stages back and forth, the last stay
        in its current stage. Its creation (and the revisions it was created with) moved to its
        opening; a third of the deals get an amount change and a close date push on the way."""
        started = time.perf_counter()
        count0 = self.cr.sql_log_count
        open_path = [0, 1, 0, 1, 2, 1, 2, 3, 2, 3, 2, 3][:STAGE_CHANGES]
        open_stages = [self.deal_stages[index].id for index in open_path]
        self.cr.execute(
            """
            CREATE TEMP TABLE bench_deal ON COMMIT DROP AS
            SELECT deal.id, deal.stage_id, deal.pipeline_id, deal.user_id, deal.company_id, deal.outcome,
                   now() AT TIME ZONE 'UTC' - make_interval(days => 30 + (deal.id * 7919) %% 400) AS date_open,
                   CASE WHEN deal.outcome = 'open' THEN now() AT TIME ZONE 'UTC'
                        ELSE now() AT TIME ZONE 'UTC' - make_interval(days => 6 + (deal.id * 7919) %% 400 / 5)
                   END AS date_end
              FROM deal_deal deal
             WHERE deal.id = ANY(%(ids)s);
            DELETE FROM deal_stage_history WHERE deal_id = ANY(%(ids)s);
            INSERT INTO deal_stage_history (deal_id, stage_id, pipeline_id, user_id, company_id, outcome, date_in,
                                            date_out, duration_days, create_uid, create_date, write_uid, write_date)
            SELECT deal.id, CASE WHEN step.k = %(changes)s THEN deal.stage_id ELSE (%(path)s)[step.k + 1] END,
                   deal.pipeline_id, deal.user_id, deal.company_id,
                   CASE WHEN step.k = %(changes)s THEN deal.outcome ELSE 'open' END,
                   deal.date_open + (deal.date_end - deal.date_open) * step.k / %(changes)s,
                   CASE WHEN step.k < %(changes)s
                        THEN deal.date_open + (deal.date_end - deal.date_open) * (step.k + 1) / %(changes)s END,
                   CASE WHEN step.k < %(changes)s
                        THEN EXTRACT(EPOCH FROM (deal.date_end - deal.date_open) / %(changes)s) / 86400 END,
                   1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
              FROM bench_deal deal, generate_series(0, %(changes)s) AS step(k);
            UPDATE deal_deal SET create_date = bench_deal.date_open, date_open = bench_deal.date_open,
                                 date_closed = CASE WHEN deal_deal.outcome != 'open' THEN bench_deal.date_end END
              FROM bench_deal WHERE bench_deal.id = deal_deal.id;
            UPDATE deal_revision SET date = bench_deal.date_open
              FROM bench_deal WHERE bench_deal.id = deal_revision.deal_id;
            -- the values the deal was created with are those the changes below change
            UPDATE deal_revision
               SET new_amount = CASE WHEN field_name = 'amount' THEN deal_deal.amount * 0.8 ELSE new_amount END,
                   new_date = CASE WHEN field_name = 'expected_close_date' THEN deal_deal.expected_close_date - 30
                                   ELSE new_date END
              FROM deal_deal
             WHERE deal_deal.id = deal_revision.deal_id AND deal_deal.id = ANY(%(ids)s) AND deal_deal.id %% 3 = 0;
            INSERT INTO deal_revision (deal_id, field_name, old_amount, new_amount, old_date, new_date, currency_id,
                                       days_pushed, user_id, date, create_uid, create_date, write_uid, write_date)
            SELECT deal.id, change.field_name,
                   CASE WHEN change.field_name = 'amount' THEN deal_deal.amount * 0.8 END,
                   CASE WHEN change.field_name = 'amount' THEN deal_deal.amount END,
                   CASE WHEN change.field_name = 'expected_close_date' THEN deal_deal.expected_close_date - 30 END,
                   CASE WHEN change.field_name = 'expected_close_date' THEN deal_deal.expected_close_date END,
                   CASE WHEN change.field_name = 'amount' THEN deal_deal.currency_id END,
                   CASE WHEN change.field_name = 'expected_close_date' THEN 30 ELSE 0 END,
                   deal.user_id, deal.date_open + (deal.date_end - deal.date_open) * change.at,
                   1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
              FROM bench_deal deal
              JOIN deal_deal ON deal_deal.id = deal.id
             CROSS JOIN (VALUES ('amount', 0.5), ('expected_close_date', 0.7)) AS change(field_name, at)
             WHERE deal.id %% 3 = 0;
            """,
            {"ids": deals.ids, "changes": STAGE_CHANGES, "path": open_stages},
        )
        self.env["deal.stage.history"]._refresh_funnel_facts(deals.ids)
        self.cr.commit()
        self.env.invalidate_all()
        seconds = time.perf_counter() - started
        rows = len(deals) * (STAGE_CHANGES + 1)
        log(f"stage history: {rows} stays of {len(deals)} deals in {seconds:.1f} s")
        self.timings["stage history"] = {
            "count": rows,
            "seconds": round(seconds, 2),
            "queries": self.cr.sql_log_count - count0,
        }

    def analyze(self):
        """Update the planner statistics after seeding, as autovacuum would."""
        started = time.perf_counter()
        self.cr.execute("ANALYZE")
        self.cr.commit()
        log(f"ANALYZE in {time.perf_counter() - started:.1f} s")

    def seed_leads(self, profiles):
        vals_list = []
        for p in profiles:
            vals = {
                "name": f"Deal {p['i']:06d}",
                "type": "opportunity",
                "partner_id": p["partner"],
                "user_id": p["owner"],
                "team_id": self.teams[p["pipeline"]].id,
                "stage_id": self.crm_stages[p["crm_stage"]].id,
                "expected_revenue": p["amount_company"],
                "date_deadline": p["close"],
                "priority": p["priority"],
            }
            if p["tag"] is not None:
                vals["tag_ids"] = [Command.set(self.crm_tags[p["tag"]].ids)]
            if p["stage"] == LOST:  # CRM archives lost opportunities
                vals |= {
                    "active": False,
                    "probability": 0,
                    "lost_reason_id": self.crm_lost_reasons[p["lost_reason"] % len(self.crm_lost_reasons)].id,
                }
            vals_list.append(vals)
        return self.run_batches("crm leads", self.env["crm.lead"], vals_list)

    def seed_orders(self, profiles, deals, leads):
        """One or two sale orders for ~30% of the deals. The orders of won deals are confirmed, and
        invoiced (posted) when the deal closed in the past. Linked to their deal when the addon has
        the link (sale.order.deal_id), and to the CRM twin (sale_crm's opportunity_id)."""
        order_fields = self.env["sale.order"]._fields
        today = datetime.date.today()
        vals_list, states = [], []
        for p, deal_id, lead_id in zip(profiles, deals.ids, leads.ids, strict=True):
            for _order in range(p["orders"]):
                vals = {
                    "partner_id": p["partner"],
                    "user_id": p["owner"],
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "price_unit": round(p["amount_company"] / p["orders"], 2),
                            }
                        )
                    ],
                }
                if "deal_id" in order_fields:
                    vals["deal_id"] = deal_id
                if "opportunity_id" in order_fields:  # sale_crm, installed with sale and crm
                    vals["opportunity_id"] = lead_id
                vals_list.append(vals)
                states.append("draft" if p["stage"] != WON else "invoiced" if p["close"] < today else "sale")
        orders, _seconds, _queries = self.run_batches("sale orders", self.env["sale.order"], vals_list)
        to_confirm = [order for order, state in zip(orders.ids, states, strict=True) if state != "draft"]
        to_invoice = [order for order, state in zip(orders.ids, states, strict=True) if state == "invoiced"]
        started = time.perf_counter()
        for start in range(0, len(to_confirm), self.batch):
            self.env["sale.order"].browse(to_confirm[start : start + self.batch]).with_context(
                **SEED_CONTEXT
            ).action_confirm()
            self.cr.commit()
            self.env.invalidate_all()
        invoice_count = 0
        for start in range(0, len(to_invoice), self.batch):
            chunk = self.env["sale.order"].browse(to_invoice[start : start + self.batch])
            invoices = chunk.with_context(**SEED_CONTEXT)._create_invoices()
            invoices.action_post()
            invoice_count += len(invoices)
            self.cr.commit()
            self.env.invalidate_all()
        seconds = time.perf_counter() - started
        log(f"confirmed {len(to_confirm)} orders, posted {invoice_count} invoices in {seconds:.1f} s")
        self.timings["confirmed orders and posted invoices"] = {
            "orders": len(to_confirm),
            "invoices": invoice_count,
            "seconds": round(seconds, 2),
        }
        self.timings["orders linked to deals"] = "deal_id" in order_fields


# ----------------------------------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------------------------------


def measure(env, calls, reps):
    """Median wall time (ms) and query count of each ``call(env)``, after one warm-up. The calls
    alternate (deal, crm, deal, ...) so that both sides share the machine's load of the moment.
    Each call starts from an empty record cache (a fresh request) and is rolled back; the
    ormcaches stay warm, as on a running server."""
    cr = env.cr
    times, counts = [[] for _call in calls], [[] for _call in calls]
    for repetition in range(reps + 1):
        for index, call in enumerate(calls):
            cr.rollback()
            env.invalidate_all()
            count0 = cr.sql_log_count
            started = time.perf_counter()
            call(env)
            cr.flush()  # what the request's commit does first: flush, then the tracking (precommit)
            elapsed = time.perf_counter() - started
            if repetition:  # the first one warms up
                times[index].append(elapsed * 1000)
                counts[index].append(cr.sql_log_count - count0)
    cr.rollback()
    return [(round(statistics.median(ms), 1), max(count)) for ms, count in zip(times, counts, strict=True)]


def board_open(side):
    def call(env):
        model = env[side.model_name].with_context(side.search_context, read_group_expand=True)
        model.web_read_group(
            side.domain,
            [side.group_by],
            side.board_aggregates,
            auto_unfold=True,
            unfold_read_specification=side.kanban_spec,
            unfold_read_default_limit=CARDS_PER_COLUMN,
            groupby_read_specification=side.groupby_read_specification,
        )
        model.read_progress_bar(side.domain, side.group_by, side.progressbar)

    return call


def list_open(side):
    def call(env):
        env[side.model_name].with_context(side.search_context, bin_size=True).web_search_read(
            side.domain, side.list_spec, limit=LIST_LIMIT, count_limit=COUNT_LIMIT
        )

    return call


def search_by_customer(side, customer):
    domain = side.domain + side.customer_domain(customer)

    def call(env):
        env[side.model_name].with_context(side.search_context, bin_size=True).web_search_read(
            domain, side.list_spec, limit=LIST_LIMIT, count_limit=COUNT_LIMIT
        )

    return call


def card_move(side, record_id, stage_id):
    """Drag a card to the next column: the kanban saves the record and reads its card back."""

    def call(env):
        env[side.model_name].with_context(side.search_context).browse(record_id).web_save(
            {"stage_id": stage_id}, side.kanban_spec
        )

    return call


def form_open(side, record_id):
    def call(env):
        env[side.model_name].with_context(side.search_context, bin_size=True).browse(record_id).web_read(side.form_spec)

    return call


def pivot(side):
    def call(env):
        month = f"{side.date_field}:month"
        env[side.model_name].with_context(side.search_context).formatted_read_grouping_sets(
            side.domain,
            [[], [side.group_by], [month], [side.group_by, month]],
            [f"{side.sum_field}:sum", "__count"],
        )

    return call


def deal_billing_open(env):
    """Invoicing > Reporting > Deal Billing as its menu opens it: the pivot, one row per stage, every
    measure (deal.report: the estimates, the orders and the invoice lines' shares of every deal)."""
    measures = [f"{name}:sum" for name in DEAL_BILLING_MEASURES]
    env["deal.report"].formatted_read_grouping_sets([], [[], ["stage_id"]], [*measures, "__count"])


def sales_report_calls(env):
    """The four reports of how sales go as their menus open them: the pivots of the win analysis
    (owner by closing quarter, this year), of the funnel (per stage, deals opened this year) and of
    the sales velocity (per owner, closed in the last 12 months), and the pipeline changes of the
    current quarter (its bar chart, per change)."""
    today = datetime.date.today()
    year = str(today.replace(month=1, day=1))
    win_measures = ["won_count:sum", "lost_count:sum", "win_rate:avg", "amount_won:sum", "cycle_days:avg"]
    funnel_measures = ["reached_count:sum", "next_rate:avg", "won_rate:avg", "days_in_stage:avg"]
    velocity_measures = ["open_count:sum", "won_amount:avg", "win_rate:avg", "cycle_days:avg", "velocity:sum"]
    closed_since = str(today - datetime.timedelta(days=365))

    def win(env):
        env["deal.win.report"].formatted_read_grouping_sets(
            [("date_closed", ">=", year)],
            [[], ["user_id"], ["date_closed:quarter"], ["user_id", "date_closed:quarter"]],
            [*win_measures, "__count"],
        )

    def funnel(env):
        env["deal.funnel.report"].formatted_read_grouping_sets(
            [("date_open", ">=", year)], [[], ["stage_id"]], [*funnel_measures, "__count"]
        )

    def velocity(env):
        domain = ["|", ("outcome", "=", "open"), ("date_closed", ">=", closed_since)]
        env["deal.velocity.report"].formatted_read_grouping_sets(
            domain, [[], ["user_id"]], [*velocity_measures, "__count"]
        )

    def changes(env):
        quarter_start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        context = {
            "waterfall_date_from": str(quarter_start),
            "waterfall_date_to": str(today),
        }
        env["deal.waterfall.report"].with_context(context).formatted_read_group(
            [], ["category"], ["amount:sum", "__count"]
        )

    return dict(zip(SALES_REPORT_MEASURES, (win, funnel, velocity, changes), strict=True))


def sales_report_measures(env, company, reps):
    """The reports of how sales go, measured as a sales manager."""
    result = []
    manager = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Bench Manager",
                "login": "bench_manager",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [Command.set(env.ref("sales_team.group_sale_manager").ids)],
            }
        )
    )
    env.cr.commit()
    menv = api.Environment(env.cr, manager.id, {"lang": "en_US", "tz": "UTC", "allowed_company_ids": [company.id]})
    report_calls = sales_report_calls(menv)
    for name, (report_ms, report_q) in zip(
        SALES_REPORT_MEASURES, measure(menv, list(report_calls.values()), reps), strict=True
    ):
        log(f"{name}: {report_ms} ms / {report_q} q")
        result.append(
            {
                "name": name,
                "deal_ms": report_ms,
                "crm_ms": None,
                "ratio": None,
                "deal_queries": report_q,
                "crm_queries": None,
            }
        )
    return result


def check_boards_show_records(env, sides, least):
    """A board that shows nothing would be measured as fast: its figures would mean nothing."""
    for side in sides:
        shown = env[side.model_name].with_context(side.search_context).search_count(side.domain, limit=least)
        if shown < least:
            raise SystemExit(f"{side.model_name}: the measured board shows {shown} records; check its domain")


def board_columns(env, side):
    model = env[side.model_name].with_context(side.search_context, read_group_expand=True)
    groups = model.formatted_read_group(side.domain, [side.group_by], ["__count"])
    return [group[side.group_by][0] for group in groups]


def browser_boards(env, seeder, profiles, deals, leads):
    """The URLs of the browser measures: each board as the measured calls see it (one deal
    pipeline with the Open filter, one sales team with Open Opportunities), and the same boards
    restricted to BROWSER_COLUMN twins of their first column (for "load more")."""
    pipeline, team = seeder.pipelines[0], seeder.teams[0]
    column = [
        (deal_id, lead_id)
        for p, deal_id, lead_id in zip(profiles, deals.ids, leads.ids, strict=True)
        if p["pipeline"] == 0 and p["stage"] == 0 and p["crm_stage"] == 0
    ][:BROWSER_COLUMN]
    deal_ids, lead_ids = [deal_id for deal_id, _lead in column], [lead_id for _deal, lead_id in column]

    def action(model, kanban, search, domain, context):
        record = env["ir.actions.act_window"].create(
            {
                "name": f"Benchmark {model}",
                "res_model": model,
                "view_mode": "kanban",
                "view_ids": [Command.create({"view_mode": "kanban", "view_id": env.ref(kanban).id})],
                "search_view_id": env.ref(search).id,
                "domain": repr(domain),
                "context": repr(context),
            }
        )
        return f"/odoo/action-{record.id}"

    deal_domain = [("pipeline_id", "=", pipeline.id)]
    deal_context = {"default_pipeline_id": pipeline.id, "search_default_open": 1}
    crm_domain = [("type", "=", "opportunity"), ("team_id", "=", team.id)]
    crm_context = {"default_type": "opportunity", "search_default_open_opportunities": 1}
    deal_views = ("deal_pipeline.deal_deal_view_kanban", "deal_pipeline.deal_deal_view_search")
    crm_views = ("crm.crm_case_kanban_view_leads", "crm.view_crm_case_opportunities_filter")
    boards = {
        "board ready (browser)": (
            action("deal.deal", *deal_views, deal_domain, deal_context),
            action("crm.lead", *crm_views, crm_domain, crm_context),
            None,
        ),
        "column load more (browser)": (
            action("deal.deal", *deal_views, [*deal_domain, ("id", "in", deal_ids)], deal_context),
            action("crm.lead", *crm_views, [*crm_domain, ("id", "in", lead_ids)], crm_context),
            len(column),
        ),
    }
    seeder.user.password = BROWSER_PASSWORD
    env.cr.commit()
    return boards


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------


def machine_description(cr):
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 1024 / 1024:.0f} GB RAM"
    cr.execute("SHOW server_version")
    postgres = cr.fetchone()[0].split()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"PostgreSQL {postgres}, Python {platform.python_version()}"
    )


def ratio(deal, crm):
    return round(deal / crm, 2) if crm else None


def print_table(result):
    header = f"{'measure':<28}{'deal ms':>10}{'crm ms':>10}{'ratio':>8}{'deal q':>8}{'crm q':>8}"
    print(f"\nN = {result['N']}  ({result['measured_at']}, {result['machine']})")
    print(header)
    print("-" * len(header))
    for m in result["measures"]:
        crm_ms = f"{m['crm_ms']:.1f}" if m["crm_ms"] is not None else ""
        ratio_ = f"{m['ratio']:.2f}" if m["ratio"] is not None else ""
        print(
            f"{m['name']:<28}{m['deal_ms']:>10.1f}{crm_ms:>10}{ratio_:>8}"
            f"{m['deal_queries'] if m['deal_queries'] is not None else '':>8}"
            f"{m['crm_queries'] if m['crm_queries'] is not None else '':>8}"
        )
    seed = next(m for m in result["measures"] if m["name"] == "seed")
    print(f"seed rate: {seed['deal_rate']:.0f} deals/s, {seed['crm_rate']:.0f} leads/s")
    for m in result["measures"]:
        if "deal_peak_rss_mb" in m:
            print(f"peak RSS of Odoo, {m['name']}: deal {m['deal_peak_rss_mb']} MB, CRM {m['crm_peak_rss_mb']} MB")
    print()


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------


def run(args, conf):
    odoo.tools.config.parse_config(["-c", str(conf), "--log-level=warn"])
    registry = Registry(args.db)
    result = {"N": args.n}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US", "tz": "UTC"})
        result["machine"] = machine_description(cr)
        seeder = Seeder(env, args.n, args.batch, random.Random(args.seed))
        seeder.configure()
        profiles = seeder.profiles()
        deals, deal_seconds, deal_queries = seeder.seed_deals(profiles)
        leads, crm_seconds, crm_queries = seeder.seed_leads(profiles)
        seeder.seed_orders(profiles, deals, leads)
        seeder.analyze()

        company = seeder.company
        uenv = api.Environment(cr, seeder.user.id, {"lang": "en_US", "tz": "UTC", "allowed_company_ids": [company.id]})
        pipeline = seeder.pipelines[0]
        deal_action = pipeline.with_env(uenv).action_open_board()
        # the board with its Open filter, the twin of CRM's Open Opportunities below (a pipeline's
        # board opens without it, to show its closed deals; the browser measures use it too)
        # (and without the "My Deals" filter a salesperson's board opens with, as CRM's "My Pipeline"
        # is left out below: the measuring user sees every salesperson's deals on both sides)
        deal_action["context"] = {
            **{key: value for key, value in deal_action["context"].items() if key != "search_default_my_deals"},
            "search_default_open": 1,
        }
        deal_side = Side(uenv, deal_action, deal_action["domain"], deal_action["context"], "expected_close_date")
        crm_action = uenv["ir.actions.act_window"]._for_xml_id("crm.crm_lead_action_pipeline")
        # the pipeline of one sales team with the "Open Opportunities" filter, the twin of one
        # deal pipeline with its default "Open" filter (CRM's default "My Pipeline" is left out:
        # the measured user sees every salesperson's records on both sides)
        crm_side = Side(
            uenv,
            crm_action,
            [("type", "=", "opportunity"), ("team_id", "=", seeder.teams[0].id)],
            {"default_type": "opportunity", "search_default_open_opportunities": 1},
            "date_deadline",
        )
        check_boards_show_records(uenv, [deal_side, crm_side], min(LIST_LIMIT, args.n // 10))
        # the reference deal (see profiles()), its CRM twin, and the second column of each board
        deal_stages, lead_stages = board_columns(uenv, deal_side), board_columns(uenv, crm_side)
        deal, lead_id = uenv["deal.deal"].browse(deals.ids[0]), leads.ids[0]
        deal_id = deal.id
        customer = deal.partner_id.name
        calls = {
            "board open": (board_open(deal_side), board_open(crm_side)),
            "list open": (list_open(deal_side), list_open(crm_side)),
            "search by customer": (search_by_customer(deal_side, customer), search_by_customer(crm_side, customer)),
            "card move": (card_move(deal_side, deal_id, deal_stages[1]), card_move(crm_side, lead_id, lead_stages[1])),
            "form open": (form_open(deal_side, deal_id), form_open(crm_side, lead_id)),
            "pivot stage x month": (pivot(deal_side), pivot(crm_side)),
        }
        measures = []
        for name in MEASURES:
            (deal_ms, deal_q), (crm_ms, crm_q) = measure(uenv, calls[name], args.reps)
            log(f"{name}: deal {deal_ms} ms / {deal_q} q, crm {crm_ms} ms / {crm_q} q")
            measures.append(
                {
                    "name": name,
                    "deal_ms": deal_ms,
                    "crm_ms": crm_ms,
                    "ratio": ratio(deal_ms, crm_ms),
                    "deal_queries": deal_q,
                    "crm_queries": crm_q,
                }
            )
        # Deal Billing is an accountant's report (and a sales manager's): measured as an accountant
        accountant = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Bench Accountant",
                    "login": "bench_accountant",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "group_ids": [Command.set(env.ref("account.group_account_invoice").ids)],
                }
            )
        )
        cr.commit()  # each measured call is rolled back
        aenv = api.Environment(cr, accountant.id, {"lang": "en_US", "tz": "UTC", "allowed_company_ids": [company.id]})
        [(billing_ms, billing_q)] = measure(aenv, [deal_billing_open], args.reps)
        log(f"deal billing open: {billing_ms} ms / {billing_q} q")
        measures += [
            {
                "name": "deal billing open",
                "deal_ms": billing_ms,
                "crm_ms": None,
                "ratio": None,
                "deal_queries": billing_q,
                "crm_queries": None,
            },
            *sales_report_measures(env, company, args.reps),
        ]
        measures.append(
            {
                "name": "seed",
                "deal_ms": round(deal_seconds * 1000, 1),
                "crm_ms": round(crm_seconds * 1000, 1),
                "ratio": ratio(deal_seconds, crm_seconds),
                "deal_queries": deal_queries,
                "crm_queries": crm_queries,
                "deal_rate": round(args.n / deal_seconds, 1),
                "crm_rate": round(args.n / crm_seconds, 1),
            }
        )
        boards = browser_boards(env, seeder, profiles, deals, leads) if args.browser else {}
        login = seeder.user.login
        result["measured_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        result["measures"] = measures
        result["seeding"] = seeder.timings
        result["settings"] = {
            "repetitions": args.reps,
            "batch": args.batch,
            "load_average": [round(load, 2) for load in os.getloadavg()],
        }
    registry.delete(args.db)
    odoo.sql_db.close_db(args.db)
    if boards:
        result["measures"] += browser_measures(args, conf, boards, login)
    return result


def browser_measures(args, conf, boards, login):
    """The boards opened in headless Chromium (bench/browser.py), as the measuring user."""
    from browser import measure_browser  # noqa: PLC0415 (imported only when measuring in a browser)

    measures = []
    log(f"browser measures ({BROWSER_REPS} page loads per side, Odoo on port {args.http_port})")
    found = measure_browser(
        conf,
        args.db,
        args.odoo_src,
        args.http_port,
        login=login,
        password=BROWSER_PASSWORD,
        boards=boards,
        reps=BROWSER_REPS,
    )
    for name in BROWSER_MEASURES:
        values = found[name]
        measures.append(
            {
                "name": name,
                "deal_ms": values["deal_ms"],
                "crm_ms": values["crm_ms"],
                "ratio": ratio(values["deal_ms"], values["crm_ms"]),
                "deal_queries": None,
                "crm_queries": None,
                "deal_peak_rss_mb": values["deal_rss_mb"],
                "crm_peak_rss_mb": values["crm_rss_mb"],
            }
        )
    return measures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odoo-src", required=True, help="the Odoo 19.0 source tree")
    parser.add_argument("--data-dir", required=True, help="Odoo's data directory")
    parser.add_argument("--repo", required=True, help="the repository root (holds deal_pipeline/)")
    parser.add_argument("--n", type=int, default=10000, help="deals and CRM opportunities to seed")
    parser.add_argument("--reps", type=int, default=7, help="measured repetitions per call (after a warm-up)")
    parser.add_argument("--batch", type=int, default=1000, help="records per create() while seeding")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the generated data")
    parser.add_argument("--db", default=f"deal_pipeline_bench_{os.getpid()}", help="the throw-away database")
    parser.add_argument("--output", help="JSON file (default: bench/results-<N>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--no-browser", dest="browser", action="store_false", help="skip the measures in headless Chromium"
    )
    parser.add_argument("--http-port", type=int, default=8093, help="port of Odoo for the browser measures")
    args = parser.parse_args()
    output = Path(args.output) if args.output else BENCH_DIR / f"results-{args.n}.json"

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "bench.conf"
        write_config(conf, args)
        drop_database(args)
        try:
            log(f"installing deal_pipeline and crm in {args.db}")
            install_seconds = install(conf, args)
            log(f"installed in {install_seconds:.0f} s; seeding {args.n} deals and {args.n} CRM opportunities")
            result = run(args, conf)
        finally:
            if args.keep:
                log(f"database {args.db} kept")
            else:
                drop_database(args)
    result["settings"]["install_seconds"] = round(install_seconds)
    result["settings"]["total_seconds"] = round(time.perf_counter() - started)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    log(f"written to {output} in {result['settings']['total_seconds']} s")


if __name__ == "__main__":
    main()
