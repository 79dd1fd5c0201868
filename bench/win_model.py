"""Benchmark of the win probability model's training (``make bench``, after the board's).

Creates a throw-away database with deal_pipeline_predict, seeds N deals through the ORM and gives
each 10 stays in stages (9 stage changes after its creation, the closed deals' last one into Won
or Lost) over the last two years in SQL, then trains the company's model in a process of its own
and reports the training time, the peak memory that the training added to that process, and the
model's measures. Writes ``bench/win-model-<N>.json``. See bench/README.md.
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import drop_database, log, write_config

BENCH_DIR = Path(__file__).resolve().parent
STAYS = 10
OWNERS = 20
TAGS = 5
# stays of an open stage last a week; the stages' order of each deal's first nine stays
STAY_DAYS = 7
# the share of closed deals, and what decides who wins (the truth the model must find): a tagged
# deal wins 65 % of the time, an untagged one 35 %
CLOSED_SHARE = 0.8
WIN_TAGGED, WIN_UNTAGGED = 0.65, 0.35
TARGET_SECONDS = 120
SEED_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}


def install(conf, args):
    command = [sys.executable, str(Path(args.odoo_src) / "odoo-bin"), "-c", str(conf), "-d", args.db]
    command += ["-i", "deal_pipeline_predict", "--stop-after-init", "--log-level=warn"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stderr.write(result.stdout + result.stderr)
    if result.returncode or " ERROR " in result.stdout + result.stderr:
        raise SystemExit(f"installing deal_pipeline_predict in {args.db} failed (see the log above)")


def environment(conf, db):
    import odoo  # noqa: PLC0415 (the Odoo source is on PYTHONPATH only when run by devenv.sh)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", str(conf), "-d", db, "--log-level=warn"], setup_logging=True)
    return Registry(db)


def seed(conf, args):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.fields import Command  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    rng = random.Random(args.seed)
    registry = environment(conf, args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, SEED_CONTEXT)
        sales = env.ref("sales_team.group_sale_salesman")
        owners = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {"name": f"Owner {i}", "login": f"owner{i}", "group_ids": [Command.set(sales.ids)]}
                    for i in range(OWNERS)
                ]
            )
        )
        partners = env["res.partner"].create(
            [{"name": f"Customer {i:06d}", "is_company": True} for i in range(max(50, args.n // 8))]
        )
        tags = env["deal.tag"].create([{"name": f"Tag {i}"} for i in range(TAGS)])
        pipeline = env.ref("deal_pipeline.pipeline_sales")
        stages = pipeline.stage_ids.sorted("sequence")
        open_stages = stages.filtered(lambda stage: stage.outcome == "open")
        won_stage = stages.filtered(lambda stage: stage.outcome == "won")[:1]
        lost_stage = stages.filtered(lambda stage: stage.outcome == "lost")[:1]
        lost_reason = env["deal.lost.reason"].search([], limit=1)
        started = time.perf_counter()
        for start in range(0, args.n, args.batch):
            vals_list = []
            for i in range(start, min(start + args.batch, args.n)):
                tagged = rng.random() < 0.3
                vals = {
                    "name": f"Deal {i:06d}",
                    "partner_id": rng.choice(partners.ids),
                    "user_id": rng.choice(owners.ids),
                    "pipeline_id": pipeline.id,
                    "amount": round(rng.uniform(500, 50000), 2),
                    "expected_close_date": datetime.date.today() + datetime.timedelta(days=rng.randint(-365, 365)),
                    "tag_ids": [Command.set([rng.choice(tags.ids)])] if tagged else [],
                }
                if rng.random() < CLOSED_SHARE:
                    won = rng.random() < (WIN_TAGGED if tagged else WIN_UNTAGGED)
                    vals["stage_id"] = (won_stage if won else lost_stage).id
                    if not won:
                        vals["lost_reason_id"] = lost_reason.id
                else:
                    vals["stage_id"] = rng.choice(open_stages.ids)
                vals_list.append(vals)
            env["deal.deal"].create(vals_list)
            env.flush_all()
            cr.commit()
            env.invalidate_all()
        seed_seconds = time.perf_counter() - started
        log(f"{args.n} deals created in {seed_seconds:.0f} s; writing their {STAYS} stays each")
        # every deal opened at a random day of the last two years, less its stays; the first nine
        # stays in open stages (moving forward and back), the tenth in the deal's current stage
        cr.execute(
            SQL(
                """UPDATE deal_deal
                      SET date_open = (NOW() AT TIME ZONE 'UTC')
                                      - make_interval(days => %(span)s + (hashtext(id::text) & 511)),
                          date_closed = CASE WHEN outcome <> 'open'
                                             THEN (NOW() AT TIME ZONE 'UTC')
                                                  - make_interval(days => hashtext(id::text) & 511)
                                        END,
                          date_last_stage_update = (NOW() AT TIME ZONE 'UTC')
                                                   - make_interval(days => hashtext(id::text) & 511)""",
                span=(STAYS - 1) * STAY_DAYS,
            )
        )
        cr.execute("DELETE FROM deal_stage_history")
        cr.execute(
            SQL(
                """INSERT INTO deal_stage_history (deal_id, stage_id, pipeline_id, user_id, company_id, outcome,
                                                   date_in, date_out, duration_days, create_date, write_date)
                   SELECT d.id, CASE WHEN s.n < %(last)s THEN (%(open)s::int[])[1 + (s.n + d.id %% 3) %% %(open_count)s]
                                     ELSE d.stage_id END,
                          d.pipeline_id, d.user_id, d.company_id,
                          CASE WHEN s.n < %(last)s THEN 'open' ELSE d.outcome END,
                          d.date_open + make_interval(days => s.n * %(days)s),
                          CASE WHEN s.n < %(last)s THEN d.date_open + make_interval(days => (s.n + 1) * %(days)s) END,
                          CASE WHEN s.n < %(last)s THEN %(days)s END,
                          NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                     FROM deal_deal d CROSS JOIN generate_series(0, %(last)s) AS s(n)""",
                last=STAYS - 1,
                open=open_stages.ids,
                open_count=len(open_stages),
                days=STAY_DAYS,
            )
        )
        cr.execute("ANALYZE")
        cr.execute("SELECT COUNT(*) FROM deal_stage_history")
        (stays,) = cr.fetchone()
        cr.commit()
    return {"seed_seconds": round(seed_seconds), "stays": stays}


def train(conf, args):
    """In this process alone: train the company's model; print the measures as JSON."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    registry = environment(conf, args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        env["deal.deal"].search_count([])  # the registry and the connection warm
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        model = env["deal.win.model"]._train(company)
        seconds = time.perf_counter() - started
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        open_deals = env["deal.deal"].search_count([("outcome", "=", "open")])
        result = {
            "train_seconds": round(seconds, 1),
            "peak_rss_mib": round(rss_peak),
            "rss_added_mib": round(rss_peak - rss_before),
            "closed_deals": model.deal_count,
            "snapshots": model.sample_count,
            "open_deals_scored": open_deals,
            "kind": model.kind,
            "auc": {"model": model.auc_model, "stage": model.auc_stage, "crm": model.auc_crm},
            "brier": {
                "model": model.brier_model,
                "stage": model.brier_stage,
                "crm": model.brier_crm,
                "base": model.brier_base,
            },
        }
        cr.rollback()
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--n", type=int, default=10000, help="deals to seed")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", default=f"deal_pipeline_bench_win_{os.getpid()}")
    parser.add_argument("--output", help="JSON file (default: bench/win-model-<N>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--train-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "bench.conf"
        write_config(conf, args)
        if args.train_only:
            train(conf, args)
            return
        output = Path(args.output) if args.output else BENCH_DIR / f"win-model-{args.n}.json"
        drop_database(args)
        try:
            log(f"installing deal_pipeline_predict in {args.db}")
            install(conf, args)
            log(f"seeding {args.n} deals with {STAYS} stays each")
            seeded = seed(conf, args)
            log("training the win model in a process of its own")
            command = [sys.executable, __file__, *sys.argv[1:], "--db", args.db, "--train-only"]
            measured = json.loads(subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout)
        finally:
            if args.keep:
                log(f"database {args.db} kept")
            else:
                drop_database(args)
    result = {
        "n": args.n,
        "date": datetime.date.today().isoformat(),
        "target_seconds": TARGET_SECONDS,
        "met": measured["train_seconds"] < TARGET_SECONDS,
        **seeded,
        **measured,
    }
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"win model at N = {args.n:,} ({seeded['stays']:,} stays): trained in {measured['train_seconds']} s "
        f"(target < {TARGET_SECONDS} s: {'met' if result['met'] else 'MISSED'}), "
        f"{measured['rss_added_mib']} MiB added to the process (peak {measured['peak_rss_mib']} MiB); "
        f"{measured['closed_deals']:,} closed deals, {measured['snapshots']:,} snapshots; AUC model "
        f"{measured['auc']['model']:.3f} / stage {measured['auc']['stage']:.3f} / CRM {measured['auc']['crm']:.3f}"
    )
    log(f"written to {output}")


if __name__ == "__main__":
    main()
