"""Seeds the load test's database like the benchmark and writes the plan the simulated sales
people follow (``bench/load/load.sh`` runs it after installing the addons).

Runs with the virtual environment's Python and the Odoo source on PYTHONPATH. The 20 salespeople
of the benchmark's seeder get their login as password; the plan holds what the web client would
know after loading its views: the board's domain and context, the field specifications of the
kanban, list and form views, the progress bar and the open stages of each pipeline.
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import run as bench  # bench/run.py: the benchmark's seeder and view specifications


def log(message):
    print(f"[load] {message}", file=sys.stderr, flush=True)


def seed(env, n):
    seeder = bench.Seeder(env, n, 1000, random.Random(42))
    seeder.configure()
    profiles = seeder.profiles()
    deals, _seconds, _queries = seeder.seed_deals(profiles)
    leads, _seconds, _queries = seeder.seed_leads(profiles)
    seeder.seed_orders(profiles, deals, leads)
    for owner in seeder.owners:
        owner.password = owner.login
    env.cr.commit()
    return seeder


def plan(env, seeder, db):
    """What each simulated salesperson needs: login, and the board of each pipeline as the web
    client asks for it."""
    company = seeder.company
    user_env = api.Environment(
        env.cr, seeder.owners[0].id, {"lang": "en_US", "tz": "UTC", "allowed_company_ids": [company.id]}
    )
    boards = []
    for pipeline in seeder.pipelines:
        action = pipeline.with_env(user_env).action_open_board()
        action["context"] = dict(action["context"])
        side = bench.Side(user_env, action, action["domain"], action["context"], "expected_close_date")
        open_stages = env["deal.stage"].search(
            [("outcome", "=", "open"), "|", ("pipeline_ids", "=", False), ("pipeline_ids", "in", pipeline.ids)]
        )
        boards.append(
            {
                "pipeline_id": pipeline.id,
                "domain": side.domain,
                "context": dict(side.search_context, lang="en_US", tz="UTC", allowed_company_ids=[company.id]),
                "group_by": side.group_by,
                "aggregates": side.board_aggregates,
                "progressbar": side.progressbar,
                "kanban_spec": side.kanban_spec,
                "list_spec": side.list_spec,
                "form_spec": side.form_spec,
                "open_stage_ids": open_stages.ids,
                "quote_stage_ids": open_stages.filtered("allow_quotation").ids,
            }
        )
    return {
        "db": db,
        "logins": seeder.owners.mapped("login"),
        "boards": boards,
        "search_words": bench.WORDS,
        "product_id": seeder.product.id,
        "partner_ids": seeder.partners.ids[:200],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="the Odoo configuration file")
    parser.add_argument("-d", "--db", required=True)
    parser.add_argument("--n", type=int, default=10000, help="deals to seed")
    parser.add_argument("--plan", required=True, help="JSON file the simulated users read")
    args = parser.parse_args()

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    started = time.perf_counter()
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US", "tz": "UTC"})
        seeder = seed(env, args.n)
        cr.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        cr.execute("ANALYZE")
        cr.commit()
        Path(args.plan).write_text(json.dumps(plan(env, seeder, args.db), indent=1) + "\n")
        cr.rollback()
    log(f"seeded {args.n} deals in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
