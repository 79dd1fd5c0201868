"""Time the conversion of N CRM opportunities into deals (deal_pipeline_crm).

Creates a throw-away database like ``run.py`` (deal_pipeline and crm, so deal_pipeline_crm too),
seeds N opportunities, their sale orders and customers with run.py's seeder (won, lost with a
reason, open in two teams, tags; one or two orders on ~30% of them, confirmed and invoiced for
the won ones), an activity on 20%, their past in the chatter's tracking (created 120 days ago, two
tracked stage changes, the lost ones' archiving), then converts them all with
``crm.lead.action_convert_to_deal()`` as a salesperson who sees every document, and prints the
time, the rate and the number of queries. See bench/README.md.

    python bench/convert.py --odoo-src ... --data-dir ... --repo . --n N [--profile FILE]
"""

import argparse
import contextlib
import cProfile
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import SEED_CONTEXT, Seeder, drop_database, install, log, machine_description, write_config

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def seed(env, args):
    seeder = Seeder(env, args.n, args.batch, random.Random(args.seed))
    seeder.configure()
    profiles = seeder.profiles()
    leads, _seconds, _queries = seeder.seed_leads(profiles)
    # run.py's orders of the deals' CRM twins, with no deal yet (deal_id False): the conversion links them
    no_deals = SimpleNamespace(ids=[False] * len(profiles))
    seeder.seed_orders(profiles, no_deals, leads)
    deadline = datetime.date.today() + datetime.timedelta(days=7)
    todo = env.ref("mail.mail_activity_data_todo")
    lead_model = env["ir.model"]._get_id("crm.lead")
    activities = [
        {
            "res_model_id": lead_model,
            "res_id": lead_id,
            "activity_type_id": todo.id,
            "user_id": profile["owner"],
            "date_deadline": deadline,
            "summary": "Call back",
        }
        for profile, lead_id in zip(profiles, leads.ids, strict=True)
        if profile["i"] % 5 == 0
    ]
    # as an import: no assignment e-mail per activity
    Activity = env["mail.activity"].with_context(**SEED_CONTEXT, mail_activity_quick_update=True)
    seeder.run_batches("activities", Activity, activities)
    seed_history(env, seeder, leads)
    env.cr.execute("ANALYZE")
    env.cr.commit()
    return seeder, leads, seeder.timings["sale orders"]["count"], len(activities)


def seed_history(env, seeder, leads):
    """The past that CRM's chatter tracks, written in SQL: the opportunities created 120 days ago,
    moved from the first CRM stage to the second 30 days later and into their current stage 60
    days later (two stage tracking values), the lost ones archived 90 days later (an active
    tracking value), as the conversion reads them."""
    cr = env.cr
    first, second = seeder.crm_stages[0].id, seeder.crm_stages[1].id
    fields = env["ir.model.fields"]
    stage_field, active_field = fields._get("crm.lead", "stage_id").id, fields._get("crm.lead", "active").id
    cr.execute(
        "UPDATE crm_lead SET create_date = NOW() AT TIME ZONE 'UTC' - INTERVAL '120 days' WHERE id = ANY(%s)",
        [leads.ids],
    )
    # (day, field, old value, new value, only the lost ones) of each tracked change
    changes = [
        (30, stage_field, first, second, False),
        (60, stage_field, second, None, False),
        (90, active_field, 1, 0, True),
    ]
    for day, field, old, new, lost_only in changes:
        cr.execute(
            """WITH msg AS (
                   INSERT INTO mail_message (model, res_id, message_type, date, create_date, write_date)
                   SELECT 'crm.lead', lead.id, 'notification', lead.create_date + %(day)s * INTERVAL '1 day',
                          lead.create_date + %(day)s * INTERVAL '1 day', lead.create_date + %(day)s * INTERVAL '1 day'
                     FROM crm_lead lead
                    WHERE lead.id = ANY(%(ids)s) AND (NOT %(lost_only)s OR NOT lead.active)
                   RETURNING id, res_id, date
               )
               INSERT INTO mail_tracking_value (field_id, mail_message_id, old_value_integer, new_value_integer,
                                                create_date, write_date)
               SELECT %(field)s, msg.id, %(old)s, COALESCE(%(new)s, lead.stage_id), msg.date, msg.date
                 FROM msg JOIN crm_lead lead ON lead.id = msg.res_id""",
            {"day": day, "ids": leads.ids, "lost_only": lost_only, "field": field, "old": old, "new": new},
        )
    cr.execute("SELECT COUNT(*) FROM mail_tracking_value")
    log(f"tracked changes: {cr.fetchone()[0]}")


def run(args, conf):
    odoo.tools.config.parse_config(["-c", str(conf), "--log-level=warn"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US", "tz": "UTC"})
        machine = machine_description(cr)
        seeder, leads, order_count, activity_count = seed(env, args)
        uenv = api.Environment(cr, seeder.user.id, {"lang": "en_US", "tz": "UTC"})
        queries = cr.sql_log_count
        profiler = cProfile.Profile() if args.profile else contextlib.nullcontext()
        started = time.perf_counter()
        with profiler:
            action = leads.with_env(uenv).action_convert_to_deal()
            cr.flush()
        seconds = time.perf_counter() - started
        if args.profile:
            profiler.dump_stats(args.profile)
        queries = cr.sql_log_count - queries
        cr.commit()
        deals = env["deal.deal"].search_count([("lead_id", "!=", False)])
        linked = env["sale.order"].search_count([("deal_id", "!=", False)])
        stays = env["deal.stage.history"].search_count([("deal_id.lead_id", "!=", False)])
        again = time.perf_counter()
        second = leads.with_env(uenv).action_convert_to_deal()
        again = time.perf_counter() - again
        cr.rollback()
    registry.delete(args.db)
    odoo.sql_db.close_db(args.db)
    return {
        "N": args.n,
        "machine": machine,
        "seconds": round(seconds, 1),
        "rate": round(args.n / seconds),
        "queries": queries,
        "deals": deals,
        "orders": order_count,
        "orders_linked": linked,
        "stays": stays,
        "activities": activity_count,
        "summary": action["params"]["message"],
        "second_run_seconds": round(again, 1),
        "second_run_summary": second["params"]["message"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=1000, help="records per create() while seeding")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", help="write the conversion's cProfile statistics into this file")
    parser.add_argument("--db", default=f"deal_pipeline_convert_{os.getpid()}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "bench.conf"
        write_config(conf, args)
        drop_database(args)
        try:
            log(f"installing deal_pipeline and crm (and so deal_pipeline_crm) in {args.db}")
            install(conf, args)
            result = run(args, conf)
        finally:
            drop_database(args)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
