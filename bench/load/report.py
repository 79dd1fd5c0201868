"""Results of a load run (``bench/load/load.sh``): ``snapshot`` reads the SQL counters of one
PostgreSQL server, ``report`` turns the request log, the acknowledged writes, the fault windows,
the counters and Odoo's log into ``bench/load-<N>.json`` and prints the table.

Runs with the virtual environment's Python (psycopg2); ``report`` also needs the Odoo source on
PYTHONPATH (it describes the machine the way bench/run.py does).
"""

import argparse
import datetime
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import psycopg2

# The SQL of the board's and the lists' reads: the grouped query of the board and the searches
# with a limit (the board's columns, the list's page and its count), on the deals' table. A form
# reads its deal by id and a save writes it: neither has a GROUP BY or a LIMIT on that table.
BOARD_LIST_SQL = """
    SELECT COALESCE(SUM(s.calls), 0)
      FROM pg_stat_statements s
      JOIN pg_database d ON d.oid = s.dbid
     WHERE d.datname = %s
       AND s.query ~* '^\\s*SELECT'
       AND s.query LIKE '%%FROM "deal_deal"%%'
       AND (s.query LIKE '%%GROUP BY%%' OR s.query LIKE '%%LIMIT%%')
"""
BOARD_LIST_KINDS = ("board open", "board progress bar", "list open", "search")
WRITE_KINDS = ("card move", "deal create", "quote create")


def connect(port, db):
    return psycopg2.connect(host="127.0.0.1", port=port, dbname=db, user="deal_load", connect_timeout=5)


def snapshot(args):
    with connect(args.port, args.db) as cn, cn.cursor() as cr:
        cr.execute(BOARD_LIST_SQL, [args.db])
        calls = int(cr.fetchone()[0])
    Path(args.out).write_text(json.dumps({"board_list_calls": calls}) + "\n")


def read_jsonl(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def percentile(sorted_values, share):
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    rank = max(1, round(share * len(sorted_values) + 0.5))
    return round(sorted_values[min(rank, len(sorted_values)) - 1], 1)


def in_windows(request, windows):
    start = request["start"]
    end = start + request["ms"] / 1000
    return any(start <= window["end"] and end >= window["start"] for window in windows)


def calls_between(snapshots_dir, server):
    """Board/list SQL calls counted by one server during the run: the differences between the
    snapshots of each period it was up (a restart may reset its counters)."""

    def calls(moment):
        path = Path(snapshots_dir) / f"{server}-{moment}.json"
        return json.loads(path.read_text())["board_list_calls"] if path.exists() else None

    if calls("before-restart") is None:
        return calls("end") - calls("start")
    return (calls("before-restart") - calls("start")) + (calls("end") - calls("after-restart"))


def lost_writes(args, writes):
    """Acknowledged writes missing from the primary: a moved deal not in the stage of its last
    acknowledged move (each deal is moved by one simulated user only), a created deal or quote
    that does not exist."""
    # per moved deal, the stages it may be in: its last acknowledged move's, and those of the
    # failed moves sent after it (a request that failed may have committed)
    allowed = {}
    for write in sorted((w for w in writes if w["kind"] == "move"), key=lambda w: w["at"]):
        if write["acknowledged"]:
            allowed[write["deal"]] = {write["stage"]}
        elif write["deal"] in allowed:
            allowed[write["deal"]].add(write["stage"])
    created = {w["deal"]: w["name"] for w in writes if w["kind"] == "create"}
    quotes = {w["order"]: w["deal"] for w in writes if w["kind"] == "quote"}
    lost = []
    with connect(args.primary_port, args.db) as cn, cn.cursor() as cr:
        if allowed:
            cr.execute("SELECT id, stage_id FROM deal_deal WHERE id = ANY(%s)", [list(allowed)])
            stages = dict(cr.fetchall())
            lost += [("move", deal) for deal, deal_stages in allowed.items() if stages.get(deal) not in deal_stages]
        if created:
            cr.execute("SELECT id, name FROM deal_deal WHERE id = ANY(%s)", [list(created)])
            names = dict(cr.fetchall())
            lost += [("create", deal) for deal, name in created.items() if names.get(deal) != name]
        if quotes:
            cr.execute("SELECT id, deal_id FROM sale_order WHERE id = ANY(%s)", [list(quotes)])
            deals = dict(cr.fetchall())
            lost += [("quote", order) for order, deal in quotes.items() if deals.get(order) != deal]
    moves = sum(1 for w in writes if w["kind"] == "move" and w["acknowledged"])
    checked = {
        "moves": moves,
        "deals moved": len(allowed),
        "deals created": len(created),
        "quotes created": len(quotes),
    }
    return lost, checked


def odoo_log_counts(path):
    text = Path(path).read_text(encoding="utf-8", errors="replace") if Path(path).exists() else ""
    retries = Counter(re.findall(r" INFO \S+ odoo\.service\.model: (\w+), \d+ tries left", text))
    return {
        "serialization_retries": sum(retries.values()),
        "retries_by_error": dict(retries),
        "replica_fallbacks": text.count("Failed to open a readonly cursor"),
        "readonly_retried_read_write": text.count("retrying with a read/write cursor"),
        "workers_started": len(re.findall(r"Worker WorkerHTTP \(\d+\) alive", text)),
        "errors_logged": len(re.findall(r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) ", text, re.MULTILINE)),
    }


def machine(args):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import run as bench  # noqa: PLC0415  (imports Odoo: only when reporting)

    with connect(args.primary_port, args.db) as cn, cn.cursor() as cr:
        return bench.machine_description(cr)


def report(args):
    requests = read_jsonl(args.requests)
    writes = read_jsonl(args.writes)
    windows = read_jsonl(args.faults) if Path(args.faults).exists() else []
    # the measured period: the logins come before it
    work = [r for r in requests if r["name"] != "login"]
    started = min((r["start"] for r in work), default=0)
    ended = max((r["start"] + r["ms"] / 1000 for r in work), default=0)
    failed = [r for r in requests if r["error"]]
    failed_in_windows = [r for r in failed if in_windows(r, windows)]
    failed_outside = [r for r in failed if not in_windows(r, windows)]

    kinds = {}
    by_name = defaultdict(list)
    for request in requests:
        by_name[request["name"]].append(request)
    for name, group in sorted(by_name.items()):
        times = sorted(r["ms"] for r in group if not r["error"])
        kinds[name] = {
            "requests": len(group),
            "failures": sum(1 for r in group if r["error"]),
            "p50_ms": percentile(times, 0.50),
            "p95_ms": percentile(times, 0.95),
            "p99_ms": percentile(times, 0.99),
        }

    replica_calls = calls_between(args.snapshots, "replica")
    primary_calls = calls_between(args.snapshots, "primary")
    lost, checked = lost_writes(args, writes)
    log_counts = odoo_log_counts(args.odoo_log)
    fault_windows = []
    for window in windows:
        inside = [r for r in requests if in_windows(r, [window])]
        after = [r for r in requests if r["start"] > window["end"]]
        fault_windows.append(
            {
                "fault": window["fault"],
                "at_s": round(window["start"] - started, 1),
                "duration_s": round(window["end"] - window["start"], 1),
                "requests": len(inside),
                "failures": sum(1 for r in inside if r["error"]),
                "requests_after": len(after),
                "failures_after": sum(1 for r in after if r["error"] and not in_windows(r, windows)),
            }
        )
    result = {
        "N": args.n,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(args),
        "users": args.users,
        "duration_s": args.duration,
        "requests": len(requests),
        "failures": len(failed_outside),
        "failures_in_fault_windows": len(failed_in_windows),
        "rps": round(len(work) / max(ended - started, 1e-9), 1),
        "kinds": kinds,
        "replica_share": round(replica_calls / (replica_calls + primary_calls), 3)
        if replica_calls + primary_calls
        else None,
        "board_list_sql_calls": {"replica": replica_calls, "primary": primary_calls},
        "lost_writes": len(lost),
        "writes_checked": checked,
        "serialization_retries": log_counts.pop("serialization_retries"),
        "odoo_log": log_counts,
        "fault_windows": fault_windows,
        "failure_samples": sorted({r["name"] + ": " + r["error"] for r in failed_outside})[:10],
        "settings": json.loads(args.settings),
    }
    if lost:
        result["lost_write_samples"] = lost[:10]
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)


def print_table(result):
    print(
        f"\nN = {result['N']}, {result['users']} users, {result['duration_s']} s "
        f"({result['measured_at']}, {result['machine']})"
    )
    print("| request | count | failures | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, kind in result["kinds"].items():
        print(
            f"| {name} | {kind['requests']} | {kind['failures']} | {kind['p50_ms']} | {kind['p95_ms']} | "
            f"{kind['p99_ms']} |"
        )
    print(
        f"\nrequests {result['requests']}, {result['rps']} req/s; failures outside fault windows "
        f"{result['failures']}, inside {result['failures_in_fault_windows']}; replica share "
        f"{result['replica_share']}; lost writes {result['lost_writes']}; serialization retries "
        f"{result['serialization_retries']}"
    )
    for window in result["fault_windows"]:
        print(
            f"fault '{window['fault']}' at {window['at_s']} s for {window['duration_s']} s: "
            f"{window['failures']} of {window['requests']} requests failed; "
            f"{window['failures_after']} of the {window['requests_after']} later ones"
        )
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    snap = commands.add_parser("snapshot", help="SQL counters of one server")
    snap.add_argument("--port", type=int, required=True)
    snap.add_argument("--db", required=True)
    snap.add_argument("--out", required=True)
    rep = commands.add_parser("report", help="the JSON results and the table")
    for name in ("requests", "writes", "faults", "snapshots", "odoo-log", "db", "output"):
        rep.add_argument(f"--{name}", required=True)
    rep.add_argument("--primary-port", type=int, required=True)
    for name in ("n", "users", "duration"):
        rep.add_argument(f"--{name}", type=int, required=True)
    rep.add_argument("--settings", default="{}", help="JSON of the run's settings")
    args = parser.parse_args()
    snapshot(args) if args.command == "snapshot" else report(args)


if __name__ == "__main__":
    main()
