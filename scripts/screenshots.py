"""Screenshots of the addons for their Apps page and READMEs (``make screenshots``).

Opens, in headless Chromium driven through the Chrome DevTools Protocol, the screens of the demo
database that ``make run`` serves (the board, the deal form's three tabs, the lost dialog, the
Deal Billing report, the win analysis, funnel, sales velocity and pipeline changes, and the
bridges' own screens), as the administrator, first in English then in
Italian, and writes each one as ``<addon>/static/description/screenshot_<name>[_it].png``.
Italian is loaded into the database when it is missing; the administrator's language is put back
at the end. Re-running it refreshes the pictures.

Run by ``scripts/devenv.sh screenshots``, which starts ``make run``'s server when it does not
answer yet, with the virtual environment's Python (websocket-client, Pillow).
"""

import argparse
import base64
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket
from PIL import Image

WIDTH, HEIGHT = 1440, 900
PHONE = (390, 844)  # a phone in portrait, as the browser of a salesperson on the road
LANGS = [("en_US", ""), ("it_IT", "_it")]
TIMEOUT = 60


def log(message):
    print(f"[screenshots] {message}", file=sys.stderr, flush=True)


class Odoo:
    """JSON-RPC client of the web client's routes, with the session of one user."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.session_id = None
        self.uid = self.post("/web/session/authenticate", {"db": db, "login": login, "password": password})["uid"]

    def post(self, path, params):
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode(),
            headers={"Content-Type": "application/json"},
        )
        if self.session_id:
            request.add_header("Cookie", f"session_id={self.session_id}")
        with urllib.request.urlopen(request, timeout=600) as response:  # loading a language takes a while
            for header in response.headers.get_all("Set-Cookie") or []:
                if header.startswith("session_id="):
                    self.session_id = header.split(";")[0].split("=", 1)[1]
            answer = json.load(response)
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.post("/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs})

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        found = self.call(
            "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"]
        )
        if not found:
            raise RuntimeError(f"{xmlid} is missing from the database: is it make run's demo database?")
        return found[0]["res_id"]

    def ensure_lang(self, code):
        """Activate the language and load its translations, when the database lacks it."""
        lang = self.call(
            "res.lang", "search_read", [("code", "=", code)], fields=["active"], context={"active_test": False}
        )
        if lang and lang[0]["active"]:
            return
        log(f"loading the {code} translations into the database (a minute or two)")
        wizard = self.call("base.language.install", "create", {"lang_ids": [(6, 0, [lang[0]["id"]])]})
        self.call("base.language.install", "lang_install", [wizard])


class Browser:
    """Headless Chromium, one page, driven through the DevTools Protocol."""

    def __init__(self):
        executable = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
        if not executable:
            raise SystemExit("Chromium is missing: install it (apt-get install chromium)")
        self.profile = tempfile.TemporaryDirectory(prefix="screenshots-", ignore_cleanup_errors=True)
        self.process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                f"--user-data-dir={self.profile.name}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            page = next(target for target in json.load(response) if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.send("Page.enable")
        self.resize(WIDTH, HEIGHT)

    def resize(self, width, height):
        """The viewport of a desktop, or of a phone below Odoo's small-screen width."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 768,
        )

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        self.profile.cleanup()

    def send(self, method, **params):
        """Run one protocol command and return its result (events in between are ignored)."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']['message']}")
                return message["result"]

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']['text']}")
        return result["result"].get("value")

    def wait_for(self, selector, what):
        """Wait until the selector matches a visible element."""
        check = f"""(() => {{
            const element = document.querySelector({json.dumps(selector)});
            return !!element && element.getClientRects().length > 0;
        }})()"""
        deadline = time.monotonic() + TIMEOUT
        while not self.evaluate(check):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: nothing matches {selector} after {TIMEOUT} s")
            time.sleep(0.2)
        self.wait_until_still()

    def wait_until_still(self):
        """Wait until the page stops changing: fonts and images loaded, no RPC under way, the same
        markup twice in a row."""
        snapshot = """(async () => {
            await document.fonts.ready;
            const images = [...document.images].every((image) => image.complete);
            const busy = document.querySelector(".o_loading_indicator, .o_blockUI, .o-spinner");
            return images && !busy ? document.body.innerHTML : null;
        })()"""
        previous = None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            current = self.evaluate(snapshot)
            if current is not None and current == previous:
                return
            previous = current
            time.sleep(0.4)
        raise RuntimeError("the page kept changing")

    def goto(self, url, selector, what):
        self.send("Page.navigate", url=url)
        self.wait_for(selector, what)

    def click(self, selector, what):
        self.wait_for(selector, what)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def scroll_into_view(self, selector, what):
        """Scroll the element's bottom into view (the form scrolls inside the action's content)."""
        self.wait_for(selector, what)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).scrollIntoView({{block: 'end'}})")

    def capture(self, path):
        # no text cursor blinking in a focused field
        self.evaluate("document.activeElement && document.activeElement.blur()")
        self.wait_until_still()
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        image = Image.open(io.BytesIO(data))
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, optimize=True)
        log(f"{path} ({path.stat().st_size // 1024} KiB)")


def shots(odoo):
    """The screens: addon, name, url, the selector of the rendered screen, the clicks (selector to
    click, selector then awaited), the element to scroll into view, if any, and the viewport
    (``size``; by default a desktop's, WIDTH x HEIGHT)."""
    deal_form = "/odoo/action-deal_pipeline.deal_deal_action/{}"
    erp = deal_form.format(odoo.ref("deal_pipeline.deal_demo_sale_erp"))
    furniture = deal_form.format(odoo.ref("deal_pipeline.deal_demo_sale_furniture"))
    slipping = deal_form.format(odoo.ref("deal_pipeline.deal_demo_erp_migration"))
    project_deal = deal_form.format(odoo.ref("deal_pipeline_project.deal_demo_corporate_website"))
    over_budget = deal_form.format(odoo.ref("deal_pipeline_project.deal_demo_landing_page"))
    ready_to_quote = deal_form.format(odoo.ref("deal_pipeline_project.deal_demo_bakery_website"))
    new_quote = ".o_statusbar_buttons button:not([name^=action])"
    convert = f'button[name="{odoo.ref("deal_pipeline_crm.deal_convert_wizard_action")}"]'
    crm_app = odoo.ref("crm.crm_menu_root")
    sales_app = odoo.ref("sale.sale_menu_root")
    tab = '.o_notebook .nav-link[name="{}"]'.format
    form = ".o_form_view .o_form_sheet"
    return [
        {"addon": "deal_pipeline", "name": "board", "url": "/odoo/deals", "ready": ".o_kanban_record"},
        {"addon": "deal_pipeline", "name": "form_details", "url": erp, "ready": form},
        {
            "addon": "deal_pipeline",
            "name": "form_quotes",
            "url": erp,
            "ready": form,
            "clicks": [(tab("quotes"), "div[name=sale_order_ids] .o_data_row")],
        },
        {
            "addon": "deal_pipeline",
            "name": "form_invoices",
            "url": erp,
            "ready": form,
            "clicks": [(tab("invoices"), "div[name=invoice_ids] .o_data_row")],
        },
        {
            "addon": "deal_pipeline",
            "name": "lost_dialog",
            "url": furniture,
            "ready": form,
            "clicks": [('.o_form_statusbar button[name="action_mark_lost"]', ".modal .o_form_view")],
        },
        # the board, the form and the history of close dates and amounts on a phone and on a desktop
        {
            "addon": "deal_pipeline",
            "name": "board_phone",
            "url": "/odoo/deals",
            "ready": ".o_kanban_record",
            "size": PHONE,
        },
        {"addon": "deal_pipeline", "name": "form_phone", "url": erp, "ready": form, "size": PHONE},
        {
            "addon": "deal_pipeline",
            "name": "history_phone",
            "url": slipping,
            "ready": form,
            "scroll": "div[name=revision_ids] .o_kanban_record",
            "size": PHONE,
        },
        {
            "addon": "deal_pipeline",
            "name": "history",
            "url": slipping,
            "ready": form,
            "scroll": "div[name=revision_ids] .o_list_table",
        },
        {
            "addon": "deal_pipeline",
            "name": "report",
            "url": "/odoo/action-deal_pipeline.deal_report_action",
            "ready": ".o_pivot table",
        },
        {
            "addon": "deal_pipeline",
            "name": "win_analysis",
            "url": "/odoo/action-deal_pipeline.deal_win_report_action",
            "ready": ".o_pivot table",
        },
        {
            "addon": "deal_pipeline",
            "name": "funnel",
            "url": "/odoo/action-deal_pipeline.deal_funnel_report_action",
            "ready": ".o_pivot table",
        },
        {
            "addon": "deal_pipeline",
            "name": "velocity",
            "url": "/odoo/action-deal_pipeline.deal_velocity_report_action",
            "ready": ".o_pivot table",
        },
        {
            "addon": "deal_pipeline",
            "name": "waterfall",
            # opened from the Sales menu, as a manager does: the report keeps the app's menu
            "url": f"/odoo/action-deal_pipeline.deal_waterfall_wizard_action?menu_id={sales_app}",
            "ready": ".modal .o_form_view",
            "clicks": [('.modal button[name="action_open_report"]', ".o_graph_renderer canvas")],
        },
        {
            "addon": "deal_pipeline_project",
            "name": "project_quotes",
            "url": project_deal,
            "ready": form,
            "clicks": [(tab("quotes"), ".o_field_widget[name=budget_hours]")],
            "scroll": ".o_notebook",
        },
        {
            "addon": "deal_pipeline_project",
            "name": "quote_dialog",
            "url": ready_to_quote,
            "ready": form,
            "clicks": [(new_quote, ".modal .o_deal_quote_budget")],
        },
        {
            "addon": "deal_pipeline_project",
            "name": "over_budget",
            "url": over_budget,
            "ready": form,
            "clicks": [(tab("quotes"), ".o_field_widget[name=budget_hours]")],
            "scroll": ".o_notebook",
        },
        {
            "addon": "deal_pipeline_crm",
            "name": "convert_wizard",
            "url": f"/odoo/action-crm.crm_lead_action_pipeline?view_type=list&menu_id={crm_app}",
            "ready": ".o_list_renderer .o_data_row",
            "clicks": [
                ("thead .o_list_record_selector input", convert),
                (convert, ".modal .o_field_one2many .o_data_row"),
            ],
        },
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="deal_pipeline_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--only", help="take only the screenshots whose name contains this")
    args = parser.parse_args()
    repo = Path(args.repo)
    odoo = Odoo(args.url, args.db, args.login, args.password)
    odoo.ensure_lang("it_IT")
    todo = [shot for shot in shots(odoo) if not args.only or args.only in shot["name"]]
    user_lang = odoo.call("res.users", "read", [odoo.uid], ["lang"])[0]["lang"]
    browser = Browser()
    try:
        browser.send("Network.setCookie", name="session_id", value=odoo.session_id, url=odoo.url, httpOnly=True)
        for lang, suffix in LANGS:
            odoo.call("res.users", "write", [odoo.uid], {"lang": lang})
            for shot in todo:
                what = f"{shot['name']} ({lang})"
                browser.resize(*shot.get("size", (WIDTH, HEIGHT)))
                browser.goto(odoo.url + shot["url"], shot["ready"], what)
                for click, wait in shot.get("clicks", []):
                    browser.click(click, what)
                    browser.wait_for(wait, what)
                if shot.get("scroll"):
                    browser.scroll_into_view(shot["scroll"], what)
                path = repo / shot["addon"] / "static" / "description" / f"screenshot_{shot['name']}{suffix}.png"
                browser.capture(path)
    finally:
        odoo.call("res.users", "write", [odoo.uid], {"lang": user_lang})
        browser.close()


if __name__ == "__main__":
    main()
