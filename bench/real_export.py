"""Checks the reports of how sales go against a real CRM export imported through Odoo's import.

The export is Maven Analytics' public "CRM Sales Opportunities" data set (``sales_pipeline.csv``:
opportunity_id, sales_agent, product, account, deal_stage, engage_date, close_date, close_value);
its path is given with ``--csv``, the file is not part of the repository. See bench/README.md.

In a throw-away database with deal_pipeline, a migrating deals administrator prepares what the
file needs (its sales agents as users, the pipeline's stages named as the file's, a lost reason),
tests the file in Odoo's import (``base_import.import``, as the import dialog calls it), fixes what
the test refuses the way a person would (in the file), and imports it in the dialog's batches.
Then a sales manager reads the win analysis, the funnel and the sales velocity as their pivots do,
and every figure is compared with the same figure computed from the file with the csv module
alone. Exits with 1 on any difference.

``python bench/real_export.py --odoo-src <odoo> --data-dir <data dir> --repo . --csv sales_pipeline.csv``
"""

import argparse
import csv
import datetime
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zoneinfo
from collections import Counter, defaultdict
from pathlib import Path

from run import drop_database, log, write_config

BATCH = 2000  # rows per call, as the import dialog sends them (its "limit" option)
STAGES = {"stage_new": "Prospecting", "stage_qualification": "Engaging"}  # the file's open stages
NO_ACCOUNT = "Unknown Account"  # the customer an administrator gives the rows without account
LOST_REASON = "Not recorded in the export"
# the file's columns and the fields they are imported into
MAPPING = {
    "opportunity_id": "name",
    "sales_agent": "user_id",
    "product": "tag_ids",
    "account": "partner_id",
    "deal_stage": "stage_id",
    "engage_date": "date_open",
    "close_date": "date_closed",
    "close_value": "amount",
    "lost_reason": "lost_reason_id",
}
WIN_MEASURES = ["won_count:sum", "lost_count:sum", "win_rate:avg", "amount_won:sum", "cycle_days:avg"]
FUNNEL_MEASURES = ["reached_count:sum", "next_rate:avg", "won_rate:avg", "days_in_stage:avg"]
VELOCITY_MEASURES = ["open_count:sum", "won_amount:avg", "win_rate:avg", "cycle_days:avg", "velocity:sum"]
COUNTS = {"won_count:sum", "lost_count:sum", "reached_count:sum", "open_count:sum", "__count"}
AMOUNTS = {"amount_won:sum", "won_amount:avg", "velocity:sum"}


def install(conf, args):
    command = [sys.executable, str(Path(args.odoo_src) / "odoo-bin"), "-c", str(conf), "-d", args.db]
    command += ["-i", "deal_pipeline", "--stop-after-init", "--log-level=warn"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stderr.write(result.stdout + result.stderr)
    if result.returncode or re.search(r" (ERROR|CRITICAL) ", result.stdout + result.stderr):
        raise SystemExit(f"installing deal_pipeline in {args.db} failed (see the log above)")


# ----------------------------------------------------------------------------------------------
# The figures from the file alone
# ----------------------------------------------------------------------------------------------


def read_rows(content):
    return list(csv.DictReader(io.StringIO(content)))


def parse_date(value):
    return datetime.datetime.strptime(value, "%m/%d/%Y").date() if value else None


def average(values):
    values = list(values)
    return sum(values) / len(values) if values else None


def win_figures(rows):
    """The win analysis of closed rows: won, lost, win rate, amount won, average cycle in days."""
    closed = [row for row in rows if row["deal_stage"] in ("Won", "Lost")]
    won = [row for row in closed if row["deal_stage"] == "Won"]
    return {
        "__count": len(closed),
        "won_count:sum": len(won),
        "lost_count:sum": len(closed) - len(won),
        "win_rate:avg": 100.0 * len(won) / len(closed) if closed else None,
        "amount_won:sum": sum(float(row["close_value"]) for row in won),
        "cycle_days:avg": average(
            (parse_date(row["close_date"]) - parse_date(row["engage_date"])).days for row in closed
        ),
    }


def velocity_figures(rows):
    """The sales velocity: open rows, average won amount, win rate, cycle of the won rows."""
    won = [row for row in rows if row["deal_stage"] == "Won"]
    closed = [row for row in rows if row["deal_stage"] in ("Won", "Lost")]
    open_count = len(rows) - len(closed)
    won_amount = average(float(row["close_value"]) for row in won)
    win_rate = 100.0 * len(won) / len(closed) if closed else None
    cycle = average((parse_date(row["close_date"]) - parse_date(row["engage_date"])).days for row in won)
    velocity = open_count * won_amount * win_rate / 100.0 / cycle if won_amount is not None and cycle else None
    return {
        "__count": len(rows),
        "open_count:sum": open_count,
        "won_amount:avg": won_amount,
        "win_rate:avg": win_rate,
        "cycle_days:avg": cycle,
        "velocity:sum": velocity,
    }


def funnel_figures(rows, tz):
    """The funnel of the imported deals, by stage. An export gives a closed deal's opening and
    closing only: the import puts it in the pipeline's first open stage (Prospecting) from its
    opening until its closing, then in its closing stage; an open deal is in its stage since its
    opening. Days are elapsed time between the local midnights of the administrator's time zone."""

    def moment(day):
        return datetime.datetime.combine(day, datetime.time(), tzinfo=tz)

    closed = [row for row in rows if row["deal_stage"] in ("Won", "Lost")]
    won = [row for row in closed if row["deal_stage"] == "Won"]
    days = [
        (moment(parse_date(row["close_date"])) - moment(parse_date(row["engage_date"]))).total_seconds() / 86400
        for row in closed
    ]
    by_stage = Counter(row["deal_stage"] for row in rows)
    return {
        "Prospecting": {
            "__count": by_stage["Prospecting"] + len(closed),
            "reached_count:sum": by_stage["Prospecting"] + len(closed),
            # the closed deals' answers; a deal still in Prospecting has none yet
            "next_rate:avg": 100.0 * len(won) / len(closed),
            "won_rate:avg": 100.0 * len(won) / len(closed),
            "days_in_stage:avg": average(days),
        },
        "Engaging": {
            "__count": by_stage["Engaging"],
            "reached_count:sum": by_stage["Engaging"],
            "next_rate:avg": None,
            "won_rate:avg": None,
            "days_in_stage:avg": None,
        },
        "Won": {
            "__count": len(won),
            "reached_count:sum": len(won),
            "next_rate:avg": None,
            "won_rate:avg": 100.0,
            "days_in_stage:avg": None,
        },
    }


def quarter(day):
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def expected_figures(rows, tz):
    by = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by["user"][row["sales_agent"]].append(row)
        by["tag"][row["product"]].append(row)
        if row["close_date"]:
            by["quarter"][quarter(parse_date(row["close_date"]))].append(row)
    return {
        # the win analysis has the groups of closed deals only
        "win": {
            key: figures
            for key, figures in (
                {"": win_figures(rows)}
                | {f"owner {key}": win_figures(value) for key, value in by["user"].items()}
                | {f"quarter {key}": win_figures(value) for key, value in by["quarter"].items()}
                | {f"product {key}": win_figures(value) for key, value in by["tag"].items()}
            ).items()
            if figures["__count"]
        },
        "velocity": {"": velocity_figures(rows)}
        | {f"owner {key}": velocity_figures(value) for key, value in by["user"].items()},
        "funnel": {f"stage {key}": value for key, value in funnel_figures(rows, tz).items()},
    }


# ----------------------------------------------------------------------------------------------
# The migration, through Odoo's import
# ----------------------------------------------------------------------------------------------


def prepare(env, rows, tz):
    """What a migrating administrator does before importing: the sales agents become users (sales
    people), a deals administrator imports, a sales manager reads the reports; the default
    pipeline's first open stages take the file's names (Won and Lost already match), and a lost
    reason says the export gives none."""
    from odoo.fields import Command  # noqa: PLC0415 (the Odoo source is on PYTHONPATH only when run)

    def group(xmlid):
        # the groups a new user gets (contact creation among them) and the one the person picks
        return [Command.link(env.ref(xmlid).id)]

    users = env["res.users"].with_context(no_reset_password=True)
    agents = sorted({row["sales_agent"] for row in rows})
    users.create(
        [
            {
                "name": name,
                "login": name.lower().replace(" ", ".") + "@example.com",
                "email": name.lower().replace(" ", ".") + "@example.com",
                "tz": tz,
            }
            for name in agents
        ]
    ).group_ids = group("sales_team.group_sale_salesman")
    importer, manager = users.create(
        [
            {
                "name": "Deal Administrator",
                "login": "deal_admin",
                "password": "deal_admin",
                "tz": tz,
            },
            {
                "name": "Sales Manager",
                "login": "sales_manager",
                "password": "sales_manager",
                "tz": tz,
            },
        ]
    )
    # creating the customers ("create if missing") takes Odoo's contact creation right
    importer.group_ids = group("deal_pipeline.group_deal_manager") + group("base.group_partner_manager")
    manager.group_ids = group("sales_team.group_sale_manager")
    admin_env = env(user=importer, context={"lang": "en_US", "tz": tz})
    for xmlid, name in STAGES.items():
        admin_env.ref(f"deal_pipeline.{xmlid}").name = name
    admin_env["deal.lost.reason"].create({"name": LOST_REASON})
    return importer, manager, len(agents)


def with_customers(content):
    """The administrator's first fix after the import's test: the rows without account (open deals
    only) get a customer, the deal's customer being required."""
    rows = read_rows(content)
    return write_rows(rows[0].keys(), [row | {"account": row["account"] or NO_ACCOUNT} for row in rows])


def with_lost_reasons(content):
    """The second fix: a lost reason column, a lost deal needing one."""
    rows = read_rows(content)
    return write_rows(
        [*rows[0], "lost_reason"],
        [row | {"lost_reason": LOST_REASON if row["deal_stage"] == "Lost" else ""} for row in rows],
    )


def write_rows(columns, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def import_file(env, content, dryrun):
    """Odoo's import of ``content`` as the dialog does it: the file's preview with the options it
    guesses, then the test or the import in batches of BATCH rows, one transaction each. Returns
    (messages, ids, seconds, options)."""
    wizard = env["base_import.import"].create(
        {"res_model": "deal.deal", "file": content.encode(), "file_name": "sales_pipeline.csv", "file_type": "text/csv"}
    )
    preview = wizard.parse_preview({"has_headers": True, "quoting": '"', "separator": ",", "encoding": "utf-8"})
    if preview.get("error"):
        raise SystemExit(f"the import could not read the file: {preview['error']}")
    options = preview["options"] | {
        "date_format": "%m/%d/%Y",  # the administrator picks the file's format, M/D/YYYY
        "advanced": True,
        "keep_matches": False,
        "tracking_disable": True,
        "import_skip_records": [],
        "import_set_empty_fields": [],
        "fallback_values": {},
        # "Create if missing" for the customers and the tags (the products)
        "name_create_enabled_fields": {"partner_id": True, "tag_ids": True},
    }
    columns = preview["headers"]
    fields = [MAPPING.get(column, False) for column in columns]
    messages, ids, skip = [], [], 0
    env.cr.commit()
    started = time.perf_counter()
    while True:
        result = wizard.with_context(tracking_disable=True).execute_import(
            fields, columns, options | {"skip": skip, "limit": BATCH}, dryrun=dryrun
        )
        # rows of the file's data, from 1
        messages += [
            message | {"rows": {key: skip + row + 1 for key, row in message["rows"].items()}}
            if message.get("rows")
            else message
            for message in result["messages"]
        ]
        ids += result["ids"] or []
        if result["messages"] and not dryrun:
            env.cr.rollback()
            break
        env.cr.commit()
        if not result.get("nextrow"):
            break
        skip = result["nextrow"]
    return messages, ids, time.perf_counter() - started, options


def summarize(messages):
    """The refused rows, by message (with the first rows of each)."""
    by_message = defaultdict(list)
    for message in messages:
        text = re.sub(r"“[^”]*”|'[^']*'|\d{4}-\d\d-\d\d[ \d:]*|(?<=id )\d+", "…", message["message"]).split("\n")[0]
        rows = message.get("rows") or {}
        by_message[(message.get("field"), text)].append(rows.get("from"))
    return [
        f"{len(rows)} rows, field {field}: {text} (rows {', '.join(str(row) for row in rows[:5])}"
        f"{', …' if len(rows) > 5 else ''})"
        for (field, text), rows in sorted(by_message.items(), key=lambda item: -len(item[1]))
    ]


# ----------------------------------------------------------------------------------------------
# The reports as a sales manager reads them
# ----------------------------------------------------------------------------------------------


def label(group, key):
    value = group[key]
    return value[1] if isinstance(value, (list, tuple)) else value


def read_reports(env):
    """The figures of the pivots, as the web client asks for them (formatted_read_grouping_sets)."""
    result = {"win": {}, "velocity": {}, "funnel": {}}
    sets = [[], ["user_id"], ["date_closed:quarter"], ["tag_ids"]]
    for grouping, groups in zip(
        sets,
        env["deal.win.report"].formatted_read_grouping_sets([], sets, [*WIN_MEASURES, "__count"]),
        strict=True,
    ):
        prefix = {"user_id": "owner", "date_closed:quarter": "quarter", "tag_ids": "product"}
        for group in groups:
            key = f"{prefix[grouping[0]]} {label(group, grouping[0])}" if grouping else ""
            result["win"][key] = group
    sets = [[], ["user_id"]]
    for grouping, groups in zip(
        sets,
        env["deal.velocity.report"].formatted_read_grouping_sets([], sets, [*VELOCITY_MEASURES, "__count"]),
        strict=True,
    ):
        for group in groups:
            result["velocity"][f"owner {label(group, 'user_id')}" if grouping else ""] = group
    for group in env["deal.funnel.report"].formatted_read_group([], ["stage_id"], [*FUNNEL_MEASURES, "__count"]):
        result["funnel"][f"stage {label(group, 'stage_id')}"] = group
    return result


def same(measure, got, expected):
    if got is None or got is False:
        return expected is None
    if expected is None:
        return False
    if measure in COUNTS:
        return got == expected
    if measure in AMOUNTS:
        return round(got, 2) == round(expected, 2)
    return abs(got - expected) < 0.01


def compare(got, expected):
    """The differences: (report, group, measure, Odoo's figure, the file's figure)."""
    differences = []
    for report, groups in expected.items():
        for key in sorted(set(groups) | set(got[report])):
            expected_group = groups.get(key, {})
            got_group = got[report].get(key, {})
            for measure in expected_group or got_group:
                if measure in ("__count",) or ":" in measure:
                    value, truth = got_group.get(measure), expected_group.get(measure)
                    if not same(measure, value, truth):
                        differences.append((report, key or "(all)", measure, value, truth))
    return differences


def number(value, digits=2):
    if value in (None, False):
        return ""
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def row(label, got, truth, measures):
    """A table's row: each measure read in Odoo, with the file's figure next to it when they differ."""
    cells = [label]
    for measure in measures:
        value = got.get(measure)
        cells.append(
            number(value)
            if same(measure, value, truth[measure])
            else f"{number(value)} (file {number(truth[measure])})"
        )
    return cells


def print_table(got, expected, agents_shown):
    print("\nWin analysis (Odoo = the file unless marked)")
    header = ["group", "won", "lost", "win %", "amount won", "cycle days"]
    lines = [header]
    win = expected["win"]
    keys = ["", *sorted(key for key in win if key.startswith("quarter"))]
    keys += sorted(key for key in win if key.startswith("product"))
    keys += sorted((key for key in win if key.startswith("owner")), key=lambda k: -win[k]["won_count:sum"])[
        :agents_shown
    ]
    lines += [row(key or "all closed deals", got["win"].get(key, {}), win[key], WIN_MEASURES) for key in keys]
    print_lines(lines)
    print("\nSales velocity")
    lines = [["group", "open", "avg won amount", "win %", "cycle days", "velocity/day"]]
    velocity = expected["velocity"]
    vkeys = ["", *sorted((k for k in velocity if k), key=lambda k: -velocity[k]["open_count:sum"])[:agents_shown]]
    lines += [row(key or "all deals", got["velocity"].get(key, {}), velocity[key], VELOCITY_MEASURES) for key in vkeys]
    print_lines(lines)
    print("\nFunnel")
    lines = [["stage", "reached", "went further %", "won in the end %", "days in stage"]]
    for key, figures in expected["funnel"].items():
        cells = [key]
        for measure in FUNNEL_MEASURES:
            value, truth = got["funnel"].get(key, {}).get(measure), figures[measure]
            cell = number(value)
            cells.append(cell if same(measure, value, truth) else f"{cell} (file {number(truth)})")
        lines.append(cells)
    print_lines(lines)


def print_lines(lines):
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        print(
            "  ".join(
                str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )


def check(conf, args):
    import odoo  # noqa: PLC0415
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", str(conf), "-d", args.db, "--log-level=warn"], setup_logging=True)
    content = Path(args.csv).read_text(encoding="utf-8-sig")
    rows = read_rows(content)
    log(f"{len(rows):,} rows in {args.csv}: {dict(Counter(row['deal_stage'] for row in rows))}")
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        importer, manager, agents = prepare(env, rows, args.tz)
        cr.commit()
        log(f"{agents} sales agents created as users; stages {', '.join(STAGES.values())}; lost reason added")
        admin_env = api.Environment(cr, importer.id, {"lang": "en_US", "tz": args.tz})
        # the import's test, as the dialog shows it, then the file fixed the way a person would
        refused = 0
        for step, fix in [
            ("as exported", None),
            ("with a customer for the rows without account", with_customers),
            ("and a lost reason for the lost deals", with_lost_reasons),
        ]:
            content = fix(content) if fix else content
            messages, _ids, seconds, _options = import_file(admin_env, content, dryrun=True)
            log(f"the file {step}, tested in {seconds:.0f} s: {len(messages)} messages")
            for line in summarize(messages):
                log(f"  refused: {line}")
            refused += bool(messages)
        messages, ids, seconds, options = import_file(admin_env, content, dryrun=False)
        if messages:
            for line in summarize(messages):
                log(f"  refused: {line}")
            raise SystemExit("the fixed file was refused: nothing imported")
        log(
            f"imported {len(ids):,} deals in {seconds:.1f} s ({len(ids) / seconds:.0f} rows/s), date format "
            f"{options['date_format']}, time zone {args.tz}"
        )
        manager_env = api.Environment(cr, manager.id, {"lang": "en_US", "tz": args.tz})
        got = read_reports(manager_env)
        # the file's Won found the shipped won stage by its meaning
        won_stage = manager_env.ref("deal_pipeline.stage_won").name
    expected = expected_figures(rows, zoneinfo.ZoneInfo(args.tz))
    expected["funnel"][f"stage {won_stage}"] = expected["funnel"].pop("stage Won")
    print_table(got, expected, args.agents)
    differences = compare(got, expected)
    print(
        f"\n{len(rows):,} rows of {Path(args.csv).name} imported through Odoo's import in {seconds:.1f} s "
        f"({len(ids) / seconds:.0f} rows/s) by a deals administrator in {args.tz}, "
        f"after {refused} fixes of the file"
    )
    for report, key, measure, value, truth in differences:
        print(f"MISMATCH {report} {key} {measure}: Odoo {value!r}, the file {truth!r}")
    compared = sum(len(group) for groups in expected.values() for group in groups.values())
    print(f"{compared} figures compared, {len(differences)} differ")
    return 1 if differences else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--csv", required=True, help="sales_pipeline.csv of Maven Analytics' CRM Sales Opportunities")
    parser.add_argument("--tz", default="Europe/Rome", help="time zone of the administrator and the manager")
    parser.add_argument("--agents", type=int, default=8, help="sales agents shown in the tables")
    parser.add_argument("--db", default=f"deal_pipeline_real_export_{os.getpid()}")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "check.conf"
        write_config(conf, args)
        drop_database(args)
        try:
            log(f"installing deal_pipeline in {args.db}")
            install(conf, args)
            return check(conf, args)
        finally:
            if args.keep:
                log(f"database {args.db} kept (users deal_admin and sales_manager, password: their login)")
            else:
                drop_database(args)


if __name__ == "__main__":
    sys.exit(main())
