"""Benchmark of the stage history backfill of the 19.0.1.4.0 upgrade: N deals with CHANGES
tracked stage changes each, seeded in SQL, then the migration timed. See bench/README.md.

Runs as bench/run.py does (the virtual environment's Python, the Odoo source on PYTHONPATH):
``python bench/stage_history.py --odoo-src <odoo> --data-dir <data dir> --repo . --n 100000``.
Prints the seconds the backfill takes and the stays it wrote.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from run import drop_database, install, log, write_config

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.module import load_script
from odoo.modules.registry import Registry
from odoo.tools import config


def seed(env, n, changes):
    """N deals cloned in SQL from one created by the ORM, and ``changes`` stage changes each,
    tracked as the chatter tracks them (a message and a tracking value on stage_id), a day apart."""
    stages = [
        env.ref(f"deal_pipeline.{name}").id for name in ("stage_new", "stage_qualification", "stage_proposal_sent")
    ]
    customer = env["res.partner"].create({"name": "Backfill Customer", "is_company": True})
    template = env["deal.deal"].create({"name": "Backfill deal", "partner_id": customer.id})
    env.flush_all()
    cr = env.cr
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'deal_deal' AND column_name != 'id'"
    )
    columns = ", ".join(f'"{name}"' for (name,) in cr.fetchall())
    cr.execute(
        f"INSERT INTO deal_deal ({columns}) SELECT {columns} FROM deal_deal, generate_series(2, %s) WHERE id = %s",
        [n, template.id],
    )
    cr.execute(
        "UPDATE deal_deal SET create_date = NOW() AT TIME ZONE 'UTC' - INTERVAL '400 days', stage_id = %s",
        [stages[changes % len(stages)]],
    )
    cr.execute("DELETE FROM deal_stage_history")
    cr.execute("SELECT id FROM ir_model_fields WHERE model = 'deal.deal' AND name = 'stage_id'")
    field_id = cr.fetchone()[0]
    cr.execute(
        """INSERT INTO mail_message (model, res_id, message_type, date, create_date, write_date)
           SELECT 'deal.deal', d.id, 'notification', d.create_date + k * INTERVAL '1 day', d.create_date,
                  d.create_date
             FROM deal_deal d, generate_series(1, %s) k
            ORDER BY d.id, k""",
        [changes],
    )
    cr.execute(
        """INSERT INTO mail_tracking_value (field_id, mail_message_id, old_value_integer, new_value_integer,
                                           create_date, write_date)
           SELECT %(field)s, msg.id, (%(stages)s::int[])[(msg.k - 1) %% %(count)s + 1],
                  (%(stages)s::int[])[msg.k %% %(count)s + 1], msg.date, msg.date
             FROM (SELECT id, date, ROW_NUMBER() OVER (PARTITION BY res_id ORDER BY date, id) AS k
                     FROM mail_message WHERE model = 'deal.deal' AND message_type = 'notification') msg""",
        {"field": field_id, "stages": stages, "count": len(stages)},
    )
    cr.execute("ANALYZE")
    cr.execute("SELECT COUNT(*) FROM mail_tracking_value")
    return cr.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--n", type=int, default=100000, help="deals")
    parser.add_argument("--changes", type=int, default=10, help="tracked stage changes per deal")
    parser.add_argument("--db", default=f"deal_pipeline_backfill_{os.getpid()}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "bench.conf"
        write_config(conf, args)
        drop_database(args)
        try:
            log(f"installing deal_pipeline in {args.db}")
            install(conf, args)
            config.parse_config(["-c", str(conf)])
            odoo.tools.config["db_name"] = args.db
            registry = Registry(args.db)
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                started = time.perf_counter()
                values = seed(env, args.n, args.changes)
                log(
                    f"seeded {args.n} deals and {values} tracked stage changes in {time.perf_counter() - started:.0f} s"
                )
                cr.commit()
                migration = load_script(
                    str(Path(args.repo) / "deal_pipeline/migrations/19.0.1.4.0/post-stage-history.py"),
                    "post_stage_history",
                )
                started = time.perf_counter()
                migration.migrate(cr, "19.0.1.3.0")
                seconds = time.perf_counter() - started
                cr.execute("SELECT COUNT(*) FROM deal_stage_history")
                stays = cr.fetchone()[0]
                cr.rollback()
            print(
                f"stage history backfill: {args.n} deals, {values} tracked changes -> {stays} stays in {seconds:.1f} s"
            )
        finally:
            drop_database(args)


if __name__ == "__main__":
    sys.exit(main())
