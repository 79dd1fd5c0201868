"""The plumbing of ``make load`` on a tiny run: the servers start, the simulated users work, the
faults happen, the JSON holds every figure, and nothing is left running or listening.

Not part of ``make test`` (it installs Odoo's sale and CRM apps in a cluster of its own: about
15 minutes on a busy 2-core machine): ``make load-test``.
"""

import json
import os
import re
import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# other ports than a default run's, so that the test can run next to one
PG_PORT, HTTP_PORT = 55436, 18050


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def running_from(folder):
    """Processes whose command line names the run's folder."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if folder in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(proc.name)
            except OSError:
                continue
    return found


def test_tiny_load_run(tmp_path):
    output = tmp_path / "load.json"
    env = dict(
        os.environ,
        N="50",
        USERS="3",
        DURATION="20",
        OUTPUT=str(output),
        LOAD_PG_PORT=str(PG_PORT),
        LOAD_HTTP_PORT=str(HTTP_PORT),
    )
    result = subprocess.run(
        [str(REPO / "scripts" / "devenv.sh"), "load"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = re.search(r"(\S*/load/run-\d+)", result.stderr).group(1)

    figures = json.loads(output.read_text())
    for key in ("requests", "failures", "failures_in_fault_windows", "rps", "replica_share", "lost_writes"):
        assert key in figures, key
    assert figures["users"] == 3
    assert figures["duration_s"] == 20
    assert figures["requests"] > 0
    assert figures["failures"] == 0, figures["failure_samples"]
    assert figures["lost_writes"] == 0
    assert figures["replica_share"] > 0, figures["board_list_sql_calls"]
    assert [window["fault"] for window in figures["fault_windows"]] == [
        "worker killed (kill -9)",
        "replica restarted",
    ]
    for kind in ("login", "board open"):
        assert set(figures["kinds"][kind]) >= {"p50_ms", "p95_ms", "p99_ms"}
    assert "| board open |" in result.stdout

    assert not running_from(run_dir)
    assert not Path(run_dir).exists()
    for port in (PG_PORT, PG_PORT + 1, HTTP_PORT, HTTP_PORT + 1):
        assert not listening(port), port
