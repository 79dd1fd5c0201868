"""Upgrade check of the addons, in two steps run on the same throw-away database (it commits).

``fill``, with the previous release's addons installed: fill the database as
tests/check_uninstall.py does (deals with quotations, orders, invoices, a project, a converted
opportunity) and add deals in every stage with revisions; make the database like one that each
migration since that release expects (MIGRATIONS); write what it holds to a JSON file.

``check``, after ``odoo-bin -u`` to the working tree: every record and figure of the JSON file is
still there and unchanged, except for what each migration says it changes, and the addons are
at their manifests' versions.

Usage: python check_upgrade.py fill|check -c <odoo config file> -d <database> --state <file.json>
"""

import argparse
import ast
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from check_uninstall import FILLS

from odoo import Command, api
from odoo.modules.registry import Registry
from odoo.tools import config, parse_version

REPO = Path(__file__).resolve().parent.parent
ADDONS = list(FILLS)
# The models whose every record is compared, with the figures they compute without storing them.
MODELS = {
    "deal.deal": [
        "amount_quoted",
        "amount_ordered",
        "amount_invoiced",
        "amount_invoiced_untaxed",
        "amount_paid",
        "amount_due",
        "invoiced_percent",
        "quotation_count",
        "sale_order_count",
        "invoice_count",
    ],
    "deal.stage": [],
    "deal.pipeline": ["stage_ids", "deal_count"],
    "deal.lost.reason": [],
    "deal.tag": [],
    "deal.revision": [],
    "deal.report": [],
    "deal.forecast.accuracy.report": [],
    "sale.order": [],
    "sale.order.line": [],
    "account.move": [],
    "account.move.line": [],
    "project.project": [],
    "crm.lead": [],
}
# Stamped by every write, the migrations' included: who and when, not what a record holds.
IGNORED = {"write_date", "write_uid"}


def fill_stages(env):
    """A deal in every stage of the default pipeline (lost ones with a reason), and a deal whose
    amount and expected close date were changed (revisions)."""
    pipeline = env.ref("deal_pipeline.pipeline_sales")
    customer = env["res.partner"].create({"name": "Upgrade Check Customer", "is_company": True})
    close = date.today() + timedelta(days=30)
    Deal = env["deal.deal"]
    for stage in pipeline.stage_ids:
        values = {"name": f"Upgrade check {stage.name}", "partner_id": customer.id, "pipeline_id": pipeline.id}
        values |= {"amount": 1000.0 * stage.sequence, "expected_close_date": close}
        if stage.outcome == "lost":
            Deal.create(values).action_mark_lost(lost_reason_id=env.ref("deal_pipeline.lost_reason_price").id)
        else:
            Deal.create(values | {"stage_id": stage.id})
    revised = Deal.create({"name": "Upgrade check revised", "partner_id": customer.id, "amount": 500.0})
    revised.write({"amount": 750.0, "expected_close_date": close})
    revised.write({"expected_close_date": close + timedelta(days=14)})
    if len(revised.revision_ids) < 3:
        sys.exit(f"upgrade check: the revised deal has {len(revised.revision_ids)} revisions, not 3 or more")


def stage_requirements_before(env):
    """19.0.1.1.0 brings the stage entry requirements to databases that lack them: Proposal Sent as
    a database installed before they were shipped has it (none), Negotiation as an administrator
    set it (amount only)."""
    env.ref("deal_pipeline.stage_proposal_sent").required_field_ids = [Command.clear()]
    amount = env["ir.model.fields"]._get("deal.deal", "amount")
    env.ref("deal_pipeline.stage_negotiation").required_field_ids = [Command.set(amount.ids)]


def stage_requirements_after(env, state):
    """What the 19.0.1.1.0 migration changes: Proposal Sent's requirements, empty, become the
    shipped ones; Negotiation's, set by the administrator, stay."""
    stage = env.ref("deal_pipeline.stage_proposal_sent")
    fields = [env["ir.model.fields"]._get("deal.deal", name).id for name in ("amount", "expected_close_date")]
    state["deal.stage"][str(stage.id)]["required_field_ids"] = sorted(fields)


def accountant_rule_before(env):
    """The release before 19.0.1.1.0 ships the accounting groups' read-all rule on deals."""
    if not env.ref("deal_pipeline.deal_deal_rule_accountant_read", raise_if_not_found=False):
        sys.exit("upgrade check: the previous release has no rule deal_deal_rule_accountant_read")


def accountant_rule_after(env, state):
    """The 19.0.1.1.0 migration removes that rule (no record of MODELS changes)."""
    if env.ref("deal_pipeline.deal_deal_rule_accountant_read", raise_if_not_found=False):
        sys.exit("upgrade check failed: the rule deal_deal_rule_accountant_read survived the upgrade")


def converted_leads_after(env, state):
    """The deal_pipeline_crm 19.0.1.1.0 migration archives the opportunities already converted
    into deals, as a conversion now does: CRM then counts an open one as lost (won_status), and
    its chatter has one more message (the archiving, not compared)."""
    for lead in state.get("crm.lead", {}).values():
        if lead["deal_id"]:
            lead["active"] = False
            if lead["won_status"] == "pending" and not lead["probability"]:
                lead["won_status"] = "lost"
            del lead["message_ids"]


def stage_history_after(env, state):
    """The deal_pipeline 19.0.1.4.0 migration opens every existing deal at its creation and
    gives it a stage history that ends in its current stage (no record of MODELS changes)."""
    deals = env["deal.deal"].with_context(active_test=False).search([])
    current = {
        stay.deal_id: stay.stage_id
        for stay in env["deal.stage.history"].search([("deal_id", "in", deals.ids), ("date_out", "=", False)])
    }
    if wrong := deals.filtered(lambda deal: deal.date_open != deal.create_date or current.get(deal) != deal.stage_id):
        sys.exit(f"upgrade check failed: deals {wrong.ids} have no opening date or no history ending in their stage")


def funnel_facts_after(env, state):
    """The deal_pipeline 19.0.1.5.0 migration marks the first stay of every deal in every stage it
    went through (no record of MODELS changes)."""
    env.cr.execute(
        """SELECT deal_id, stage_id FROM deal_stage_history GROUP BY deal_id, stage_id
            HAVING COUNT(*) FILTER (WHERE is_first_stay) != 1"""
    )
    if wrong := env.cr.fetchall():
        sys.exit(f"upgrade check failed: (deal, stage) {wrong} have no single first stay")


# (addon, version, how the fill makes the database like one that its migration expects, what
# that migration changes in the saved state), for each migration of the addons.
MIGRATIONS = [
    ("deal_pipeline", "19.0.1.1.0", stage_requirements_before, stage_requirements_after),
    ("deal_pipeline", "19.0.1.1.0", accountant_rule_before, accountant_rule_after),
    ("deal_pipeline_crm", "19.0.1.1.0", lambda env: None, converted_leads_after),
    ("deal_pipeline", "19.0.1.4.0", lambda env: None, stage_history_after),
    ("deal_pipeline", "19.0.1.5.0", lambda env: None, funnel_facts_after),
]


def target_version(addon):
    """The version of ``addon`` in the working tree (the fill runs with another release's)."""
    return ast.literal_eval((REPO / addon / "__manifest__.py").read_text())["version"]


def installed_versions(env):
    modules = env["ir.module.module"].search([("name", "in", ADDONS), ("state", "=", "installed")])
    return {module.name: module.latest_version for module in modules}


def pending_migrations(versions):
    """The migrations that the upgrade from the installed ``versions`` runs."""
    return [
        migration
        for migration in MIGRATIONS
        if migration[0] in versions
        and parse_version(versions[migration[0]])
        < parse_version(migration[1])
        <= parse_version(target_version(migration[0]))
    ]


def value(field, raw):
    """``raw`` as JSON keeps it, relations as ids (x2many sorted)."""
    if field["type"] == "many2one":
        return raw and raw[0]
    if field["type"] in ("one2many", "many2many"):
        return sorted(raw)
    if isinstance(raw, (date, bytes)):
        return str(raw)
    return raw


def state(env):
    """Every record of MODELS, by model and id: its stored fields and its computed figures."""
    result = {}
    for model, figures in MODELS.items():
        if model not in env:
            continue
        Model = env[model].with_context(active_test=False)
        fields = {
            name: field
            for name, field in Model.fields_get(attributes=["type", "store"]).items()
            if (field["store"] or name in figures) and name not in IGNORED and field["type"] != "binary"
        }
        result[model] = {
            str(row["id"]): {name: value(fields[name], raw) for name, raw in row.items() if name != "id"}
            for row in Model.search([], order="id").read(list(fields))
        }
    return result


def differences(before, after):
    """What differs between two states, as lines."""
    lines = []
    for model, records in before.items():
        now = after.get(model, {})
        lines += [f"{model} {rid} is gone" for rid in records if rid not in now]
        lines += [f"{model} {rid} appeared" for rid in now if rid not in records]
        for rid, fields in records.items():
            lines += [
                f"{model} {rid} {name}: {old!r} became {now[rid].get(name, '(no such field)')!r}"
                for name, old in fields.items()
                if rid in now and (name not in now[rid] or now[rid][name] != old)
            ]
    return lines


def cmd_fill(env, args):
    versions = installed_versions(env)
    if "deal_pipeline" not in versions:
        sys.exit("upgrade check: deal_pipeline is not installed in the database")
    for addon in versions:
        FILLS[addon](env)
    fill_stages(env)
    migrations = pending_migrations(versions)
    for _addon, _version, before, _after in migrations:
        before(env)
    # the state as the commit leaves it: the tracking messages are posted by its precommit
    env.cr.flush()
    filled = state(env)
    with open(args.state, "w") as file:
        json.dump({"versions": versions, "state": filled}, file, default=str)
    counts = ", ".join(f"{len(records)} {model}" for model, records in filled.items())
    print(f"upgrade check: filled at {versions}: {counts}")


def cmd_check(env, args):
    with open(args.state) as file:
        saved = json.load(file)
    migrations = pending_migrations(saved["versions"])
    expected = saved["state"]
    for _addon, _version, _before, after in migrations:
        after(env, expected)
    # through JSON as the saved state went
    now = json.loads(json.dumps(state(env), default=str))
    problems = differences(expected, now)
    versions = installed_versions(env)
    problems += [
        f"{addon} is at {version} after the upgrade, its manifest says {target_version(addon)}"
        for addon, version in versions.items()
        if version != target_version(addon)
    ]
    if problems:
        sys.exit("upgrade check failed:\n- " + "\n- ".join(problems))
    ran = ", ".join(f"{addon} {version}" for addon, version, _before, _after in migrations) or "none"
    total = sum(len(records) for records in now.values())
    print(f"upgrade check passed: {saved['versions']} → {versions}, migrations {ran}; {total} records as expected")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["fill", "check"])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--state", required=True, help="the JSON file written by fill and read by check")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"], setup_logging=True)
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        {"fill": cmd_fill, "check": cmd_check}[args.step](env, args)


if __name__ == "__main__":
    main()
