"""Measures of the benchmark in a real browser: the deal board and CRM's pipeline opened in headless
Chromium, driven through the Chrome DevTools protocol, served by an Odoo HTTP server on the bench
database. Used by run.py (see bench/README.md)."""

import contextlib
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import requests
import websocket

# Runs in every page before Odoo's scripts: the time (performance.now(), from the start of the
# navigation) at which the first column of the board shows its first cards, and a helper that
# clicks the first column's "Load more" until it shows ``total`` cards.
PAGE_SCRIPT = """
(() => {
    const bench = (window.__bench = {});
    const firstColumn = () => document.querySelector(".o_kanban_renderer .o_kanban_group");
    const cards = () => firstColumn()?.querySelectorAll(".o_kanban_record").length || 0;
    const observer = new MutationObserver(() => {
        if (cards()) {
            bench.ready = performance.now();
            observer.disconnect();
        }
    });
    observer.observe(document, { childList: true, subtree: true });
    bench.loadAll = async (total) => {
        const started = performance.now();
        let count = cards();
        while (count < total) {
            firstColumn().querySelector(".o_kanban_load_more button").click();
            while (cards() === count) {
                await new Promise((resolve) => setTimeout(resolve, 1));
                if (performance.now() - started > 120000) {
                    throw new Error(`${count} cards of ${total} after 120 s`);
                }
            }
            count = cards();
        }
        return performance.now() - started;
    };
})();
"""


class Page:
    """One Chromium tab over the DevTools protocol (only what the measures need)."""

    def __init__(self, websocket_url):
        self.socket = websocket.create_connection(websocket_url, timeout=180, suppress_origin=True)
        self.ids = itertools.count(1)

    def call(self, method, **params):
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression, await_promise=False):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=120):
        deadline = time.monotonic() + timeout
        while (value := self.evaluate(expression)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} still empty after {timeout} s")
            time.sleep(0.02)
        return value

    def close(self):
        self.socket.close()


@contextlib.contextmanager
def odoo_server(conf, db, odoo_src, port):
    """An Odoo HTTP server (threaded: one process) on the bench database."""
    http_conf = Path(conf).with_name("bench-http.conf")
    http_conf.write_text(Path(conf).read_text().replace("http_enable = False", "http_enable = True"))
    command = [
        sys.executable,
        str(Path(odoo_src) / "odoo-bin"),
        "-c",
        str(http_conf),
        "-d",
        db,
        "--http-port",
        str(port),
        "--http-interface",
        "127.0.0.1",
        "--db-filter",
        f"^{db}$",
        "--log-level=warn",
    ]
    server = subprocess.Popen(command)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: urllib.request.urlopen(f"{base}/web/health", timeout=5),
            server,
            180,
            0.5,
            "the Odoo HTTP server of the browser measures did not start",
        )
        yield server, base
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_until(probe, process, seconds, interval, failure):
    """The first true value of ``probe()``, tried every ``interval`` seconds (an OSError or a
    ValueError counts as not yet); SystemExit(``failure``) once ``process`` has ended or after
    ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError, ValueError):
            if value := probe():
                return value
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(failure)
        time.sleep(interval)


def _page_targets(debug_port):
    """The page targets Chromium lists on its DevTools port."""
    with urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json/list", timeout=5) as answer:
        return [target for target in json.load(answer) if target.get("type") == "page"]


@contextlib.contextmanager
def chromium(debug_port):
    binary = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if not binary:
        raise SystemExit("Chromium is needed for the browser measures (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--window-size=1400,900",
                f"--remote-debugging-port={debug_port}",
                "--remote-allow-origins=*",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            targets = wait_until(
                lambda: _page_targets(debug_port), browser, 60, 0.3, "Chromium did not open its DevTools port"
            )
            page = Page(targets[0]["webSocketDebuggerUrl"])
            try:
                yield page
            finally:
                page.close()
        finally:
            browser.terminate()
            try:
                browser.wait(30)
            except subprocess.TimeoutExpired:
                browser.kill()


def peak_rss_reset(process):
    """Starts a new peak of the resident memory of ``process`` (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{process.pid}/clear_refs").write_text("5")


def peak_rss_mb(process):
    """The peak resident memory (VmHWM) of ``process`` since the last reset, in MB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(psutil.Process(process.pid).memory_info().rss / 1024 / 1024, 1)


def measure_browser(conf, db, odoo_src, port, *, login, password, boards, reps):
    """``boards``: {name: (deal url path, crm url path, cards to load or None)}. Each board is
    opened once to warm up (assets, caches), then ``reps`` times, deal and CRM alternating.
    Returns {name: {"deal_ms", "crm_ms", "deal_rss_mb", "crm_rss_mb"}} with the median times
    measured inside the page and the server's peak resident memory during the measures."""
    results = {}
    with odoo_server(conf, db, odoo_src, port) as (server, base), chromium(port + 1000) as page:
        session = requests.post(
            f"{base}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
            timeout=120,
        )
        session.raise_for_status()
        if session.json().get("error"):
            raise SystemExit(f"the browser measures cannot log in: {session.json()['error']}")
        page.call("Network.enable")
        page.call("Network.setCookie", name="session_id", value=session.cookies["session_id"], url=base)
        page.call("Page.enable")
        page.call("Page.addScriptToEvaluateOnNewDocument", source=PAGE_SCRIPT)
        process = psutil.Process(server.pid)
        for name, (deal_path, crm_path, load_cards) in boards.items():
            times = {"deal": [], "crm": []}
            rss = {"deal": 0.0, "crm": 0.0}
            for repetition in range(reps + 1):
                for side, path in (("deal", deal_path), ("crm", crm_path)):
                    peak_rss_reset(process)
                    page.call("Page.navigate", url=f"{base}{path}")
                    ready = page.wait_for("window.__bench && window.__bench.ready")
                    elapsed = page.evaluate(f"window.__bench.loadAll({load_cards})", True) if load_cards else ready
                    if repetition:
                        times[side].append(elapsed)
                        rss[side] = max(rss[side], peak_rss_mb(process))
            results[name] = {
                "deal_ms": round(statistics.median(times["deal"]), 1),
                "crm_ms": round(statistics.median(times["crm"]), 1),
                "deal_rss_mb": rss["deal"],
                "crm_rss_mb": rss["crm"],
            }
            print(f"[bench] {name}: {results[name]}", file=sys.stderr, flush=True)
    return results
