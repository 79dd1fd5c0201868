"""Simulated sales people on the deal board, for Locust (``bench/load/load.sh`` runs it headless).

The seeded salespeople first log in, all at once; then, for ``LOAD_DURATION`` seconds, each
simulated user works with the session of one of them and, between short pauses, opens the board,
searches, opens a deal, moves a card, creates a deal or creates a quote from a deal, with the
JSON-RPC calls the web client makes. Every request is appended to ``LOAD_REQUESTS`` (start time,
kind, duration, error) and every write to ``LOAD_WRITES``, which ``report.py`` reads afterwards;
``LOAD_STARTED`` is written when the logins are done. Locust's own statistics are not used.

Environment: ``LOAD_PLAN`` (written by seed.py), ``LOAD_REQUESTS``, ``LOAD_WRITES``,
``LOAD_STARTED``, ``LOAD_USERS``, ``LOAD_DURATION``.
"""

import contextlib
import itertools
import json
import os
import random
import threading
import time

import gevent
import gevent.pool
import requests
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
REQUESTS_FILE = open(os.environ["LOAD_REQUESTS"], "a", encoding="utf-8")  # noqa: SIM115
WRITES_FILE = open(os.environ["LOAD_WRITES"], "a", encoding="utf-8")  # noqa: SIM115
CARDS_PER_COLUMN = 40
LIST_LIMIT = 80
COUNT_LIMIT = 10001
# users beyond the number of seeded salespeople share a login, each on its own share of the deals
USER_NUMBERS = itertools.count()
USER_NUMBERS_LOCK = threading.Lock()
SESSIONS = {}  # login: session id


@events.request.add_listener
def record_request(request_type, name, response_time, exception, start_time=None, **_kwargs):
    REQUESTS_FILE.write(
        json.dumps(
            {
                "start": start_time,
                "name": name,
                "ms": round(response_time, 1),
                "error": str(exception)[:200] if exception else None,
            }
        )
        + "\n"
    )
    REQUESTS_FILE.flush()


@events.test_start.add_listener
def log_in_everyone(environment, **_kwargs):
    """Every salesperson logs in (Odoo checks the password with a deliberately slow hash), then
    the measured period starts: users are spawned after this returns, and stopped after
    ``LOAD_DURATION`` seconds."""

    def log_in(login):
        started = time.time()
        error, response = None, None
        try:
            response = requests.post(
                f"{environment.host}/web/session/authenticate",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"db": PLAN["db"], "login": login, "password": login},
                },
                timeout=300,
            )
            if "error" in response.json():
                error = RpcError(response.json()["error"].get("message"))
            else:
                SESSIONS[login] = response.cookies["session_id"]
        except (requests.RequestException, ValueError, KeyError) as exc:
            error = exc
        environment.events.request.fire(
            request_type="POST",
            name="login",
            response_time=(time.time() - started) * 1000,
            response_length=len(response.content) if response is not None else 0,
            exception=error,
            context={},
            start_time=started,
        )

    gevent.pool.Pool(len(PLAN["logins"])).map(log_in, PLAN["logins"])
    with open(os.environ["LOAD_STARTED"], "w", encoding="utf-8") as started:
        started.write(f"{time.time()}\n")
    gevent.spawn_later(int(os.environ["LOAD_DURATION"]), environment.runner.quit)


def record_write(kind, **values):
    WRITES_FILE.write(json.dumps({"kind": kind, "at": time.time(), **values}) + "\n")
    WRITES_FILE.flush()


class RpcError(Exception):
    """A failed request, already recorded: the simulated user goes on with its next task."""


def guarded(action):
    def run(user):
        with contextlib.suppress(RpcError):
            action(user)

    run.__name__ = action.__name__
    run.__doc__ = action.__doc__
    return run


class SalesPerson(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        with USER_NUMBERS_LOCK:
            number = next(USER_NUMBERS)
        logins = PLAN["logins"]
        self.login = logins[number % len(logins)]
        self.share, self.shares = number // len(logins), 1 + (int(os.environ.get("LOAD_USERS", "1")) - 1) // len(logins)
        # salespeople work mostly in the main pipeline, as the seeded deals are (70% / 30%)
        self.board = PLAN["boards"][0 if random.random() < 0.7 else 1]
        self.deal_ids, self.stage_of = [], {}
        if self.login in SESSIONS:
            self.client.cookies.set("session_id", SESSIONS[self.login])
        else:  # the login before the measure failed: log in now
            self.rpc(
                "login",
                "/web/session/authenticate",
                {"db": PLAN["db"], "login": self.login, "password": self.login},
            )
        with contextlib.suppress(RpcError):
            self.open_board()

    # ------------------------------------------------------------------------------------------
    # JSON-RPC
    # ------------------------------------------------------------------------------------------

    def rpc(self, name, url, params):
        payload = {"jsonrpc": "2.0", "method": "call", "id": random.randrange(1 << 30), "params": params}
        with self.client.post(url, json=payload, name=name, catch_response=True) as response:
            try:
                body = response.json()
            except ValueError:
                response.failure(f"HTTP {response.status_code}: no JSON")
                raise RpcError(name) from None
            if "error" in body:
                error = body["error"].get("data", {}).get("name") or body["error"].get("message")
                response.failure(f"{error}: {body['error'].get('data', {}).get('message', '')[:120]}")
                raise RpcError(name)
            response.success()
            return body["result"]

    def call(self, name, model, method, args, kwargs=None, *, button=False):
        route = "call_button" if button else "call_kw"
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        return self.rpc(name, f"/web/dataset/{route}/{model}.{method}", params)

    def context(self, **extra):
        return dict(self.board["context"], **extra)

    def mine(self, deal_ids):
        """The deals this simulated user may move: all of them, or its share when several
        users share a login."""
        return [deal_id for deal_id in deal_ids if deal_id % self.shares == self.share]

    # ------------------------------------------------------------------------------------------
    # What a salesperson does
    # ------------------------------------------------------------------------------------------

    def open_board(self):
        board = self.board
        result = self.call(
            "board open",
            "deal.deal",
            "web_read_group",
            [board["domain"], [board["group_by"]]],
            {
                "aggregates": board["aggregates"],
                "auto_unfold": True,
                "unfold_read_specification": board["kanban_spec"],
                "unfold_read_default_limit": CARDS_PER_COLUMN,
                "context": self.context(read_group_expand=True),
            },
        )
        self.call(
            "board progress bar",
            "deal.deal",
            "read_progress_bar",
            [],
            {
                "domain": board["domain"],
                "group_by": board["group_by"],
                "progress_bar": board["progressbar"],
                "context": self.context(),
            },
        )
        cards = [
            (record["id"], group[board["group_by"]][0])
            for group in result["groups"]
            if group[board["group_by"]]
            for record in group.get("__records", [])
        ]
        if cards:
            self.deal_ids = [deal_id for deal_id, _stage in cards]
            self.stage_of = dict(cards)

    @task(10)
    @guarded
    def board(self):
        self.open_board()

    def list_deals(self, name, domain):
        """The list view's first page of the deals matching ``domain``, as the web client asks it."""
        self.call(
            name,
            "deal.deal",
            "web_search_read",
            [],
            {
                "domain": domain,
                "specification": self.board["list_spec"],
                "limit": LIST_LIMIT,
                "count_limit": COUNT_LIMIT,
                "context": self.context(bin_size=True),
            },
        )

    @task(4)
    @guarded
    def list_open(self):
        self.list_deals("list open", self.board["domain"])

    @task(5)
    @guarded
    def search(self):
        word = random.choice(PLAN["search_words"])
        self.list_deals("search", self.board["domain"] + [["partner_id", "child_of", word]])

    @task(6)
    @guarded
    def form_open(self):
        if self.deal_ids:
            self.call(
                "form open",
                "deal.deal",
                "web_read",
                [[random.choice(self.deal_ids)]],
                {"specification": self.board["form_spec"], "context": self.context(bin_size=True)},
            )

    @task(4)
    @guarded
    def card_move(self):
        candidates = self.mine(self.deal_ids)
        if not candidates:
            return
        deal_id = random.choice(candidates)
        stages = [stage for stage in self.board["open_stage_ids"] if stage != self.stage_of[deal_id]]
        stage_id = random.choice(stages)
        try:
            self.call(
                "card move",
                "deal.deal",
                "web_save",
                [[deal_id], {"stage_id": stage_id}],
                {"specification": self.board["kanban_spec"], "context": self.context()},
            )
        except RpcError:
            # a failed request may still have committed: the check accepts this stage too
            record_write("move", deal=deal_id, stage=stage_id, acknowledged=False)
            raise
        self.stage_of[deal_id] = stage_id
        record_write("move", deal=deal_id, stage=stage_id, acknowledged=True)

    @task(1)
    @guarded
    def create_deal(self):
        name = f"Load {self.login} {time.time():.6f}"
        [record] = self.call(
            "deal create",
            "deal.deal",
            "web_save",
            [
                [],
                {
                    "name": name,
                    "partner_id": random.choice(PLAN["partner_ids"]),
                    "pipeline_id": self.board["pipeline_id"],
                    "stage_id": self.board["open_stage_ids"][0],
                    "amount": round(random.uniform(500, 50000), 2),
                },
            ],
            {"specification": self.board["kanban_spec"], "context": self.context()},
        )
        record_write("create", deal=record["id"], name=name)

    @task(1)
    @guarded
    def create_quote(self):
        """The deal form's New Quote button, then the quotation saved with one line."""
        quotable = [deal_id for deal_id in self.deal_ids if self.stage_of[deal_id] in self.board["quote_stage_ids"]]
        if not quotable:
            return
        deal_id = random.choice(quotable)
        action = self.call(
            "quote open", "deal.deal", "action_new_quotation", [[deal_id]], {"context": self.context()}, button=True
        )
        [order] = self.call(
            "quote create",
            "sale.order",
            "web_save",
            [
                [],
                {
                    "partner_id": action["context"]["default_partner_id"],
                    "order_line": [[0, 0, {"product_id": PLAN["product_id"], "product_uom_qty": 1}]],
                },
            ],
            {"specification": {"name": {}, "deal_id": {"fields": {}}}, "context": action["context"]},
        )
        record_write("quote", order=order["id"], deal=deal_id)
