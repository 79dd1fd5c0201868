"""Uninstall check of the addons: in a database where they are installed, create deals with
quotations, confirmed orders and invoices (draft and posted), a project made by a deal's order and
an opportunity converted into a deal; uninstall each installed bridge, then deal_pipeline, and
check after each step that every order, invoice, project and opportunity is still there, unchanged,
and that only the uninstalled addon's tables and columns are gone. The database is expected to be
a throw-away one: this script commits.

Usage: python check_uninstall.py -c <odoo config file> -d <database>
"""

import argparse
import logging
import sys

from odoo import Command, api
from odoo.modules.registry import Registry
from odoo.tools import config, sql

ORDER_FIELDS = ["name", "state", "partner_id", "amount_untaxed", "amount_total", "invoice_status", "order_line"]
MOVE_FIELDS = ["name", "state", "move_type", "partner_id", "amount_total", "payment_state", "invoice_line_ids"]
MOVE_LINE_FIELDS = ["move_id", "name", "display_type", "balance", "price_total", "sale_line_ids"]
PROJECT_FIELDS = ["name", "partner_id", "sale_line_id", "allocated_hours", "task_ids"]
LEAD_FIELDS = [
    "name", "type", "stage_id", "partner_id", "user_id", "expected_revenue", "order_ids", "active", "date_closed"
]  # fmt: skip
# {addon: {model: rows}}: what its uninstall must bring back, when that differs from the state
# before the uninstall (the opportunity that deal_pipeline_crm archived at its conversion)
RESTORED = {}
# What each addon adds to the host's tables, that its uninstall must take away.
COLUMNS = {
    "deal_pipeline": [("sale_order", "deal_id"), ("account_move", "deal_id"), ("account_move_line", "deal_id")],
    "deal_pipeline_project": [("project_project", "deal_id"), ("deal_pipeline", "quotation_template_id")],
    "deal_pipeline_crm": [("deal_deal", "lead_id")],
    "deal_pipeline_predict": [("deal_deal", "predicted_probability"), ("res_company", "deal_weight_by_prediction")],
}
TABLES = {
    "deal_pipeline": ["deal_deal", "deal_stage", "deal_pipeline"],
    "deal_pipeline_predict": ["deal_win_model", "deal_win_model_bin"],
}


def fill(env):
    """Deals with a draft quotation, a confirmed and invoiced order, and invoices of their own."""
    customer = env["res.partner"].create({"name": "Uninstall Check Customer", "is_company": True})
    product = env["product.product"].create(
        {"name": "Uninstall Check Service", "type": "service", "list_price": 250.0, "invoice_policy": "order"}
    )
    Deal = env["deal.deal"]
    deals = Deal.create([{"name": f"Uninstall check {n}", "partner_id": customer.id} for n in range(3)])
    orders = env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "deal_id": deal.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
            }
            for deal in deals[:2]
        ]
    )
    orders[1].action_confirm()
    invoice_of_order = orders[1]._create_invoices()
    invoice_of_order.deal_id = deals[1]
    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "deal_id": deals[2].id,
                "invoice_line_ids": [Command.create({"name": "Advice", "quantity": 1, "price_unit": price})],
            }
            for price in (100.0, 300.0)
        ]
    )
    (invoice_of_order + invoices[0]).action_post()
    # confirming its order already won the deal when its pipeline closes deals on confirmation
    deals[1].filtered(lambda deal: deal.outcome == "open").action_mark_won()
    linked = env["sale.order"].search_count([("deal_id", "in", deals.ids)]) + env["account.move"].search_count(
        [("deal_id", "in", deals.ids)]
    )
    if linked != 5:
        sys.exit(f"uninstall check: the test data is not linked to the deals as expected ({linked} links, not 5)")
    moves = invoice_of_order + invoices
    # a release before deal_pipeline 19.0.1.2.0 (filled by the upgrade check) has no line deals
    if "deal_id" in moves.line_ids._fields and moves.invoice_line_ids.deal_id != deals[1:]:
        sys.exit("uninstall check: the invoice lines do not count for the deals of their order and invoices")
    return {"sale.order": orders.ids, "account.move": moves.ids, "account.move.line": moves.line_ids.ids}


def fill_project(env):
    """A deal whose confirmed order created a project (deal_pipeline_project)."""
    customer = env["res.partner"].create({"name": "Uninstall Check Project Customer", "is_company": True})
    product = env["product.product"].create(
        {
            "name": "Uninstall Check Project Hours",
            "type": "service",
            "invoice_policy": "order",
            "service_tracking": "task_in_project",
        }
    )
    deal = env["deal.deal"].create({"name": "Uninstall check project", "partner_id": customer.id})
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "deal_id": deal.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 12})],
        }
    )
    order.action_confirm()
    if not deal.project_ids:
        sys.exit("uninstall check: the deal's confirmed order made no project of the deal")
    return {"sale.order": order.ids, "project.project": deal.project_ids.ids}


def fill_crm(env):
    """An opportunity with a quotation, converted into a deal (deal_pipeline_crm)."""
    customer = env["res.partner"].create({"name": "Uninstall Check Lead Customer", "is_company": True})
    lead = env["crm.lead"].create(
        {"name": "Uninstall check opportunity", "type": "opportunity", "partner_id": customer.id}
    )
    order = env["sale.order"].create({"partner_id": customer.id, "opportunity_id": lead.id})
    RESTORED["deal_pipeline_crm"] = {"crm.lead": lead.read(LEAD_FIELDS)}
    lead.action_convert_to_deal()
    if not lead.deal_id or order.deal_id != lead.deal_id:
        sys.exit("uninstall check: the opportunity was not converted into a deal with its quotation")
    # a release before deal_pipeline_crm 19.0.1.1.0 (filled by the upgrade check) keeps it active
    if "deal_archived" in lead._fields and lead.active:
        sys.exit("uninstall check: the converted opportunity was not archived")
    return {"crm.lead": lead.ids, "sale.order": order.ids}


def fill_predict(env):
    """The company's weighted amounts from the predicted probabilities (deal_pipeline_predict),
    which its uninstall gives back to the stages' probabilities."""
    env.company.deal_weight_by_prediction = True
    deal = env["deal.deal"].create({"name": "Uninstall check predict", "partner_id": env.user.partner_id.id})
    deal.amount = 1000.0
    if deal.amount_weighted != deal.company_currency_id.round(deal.amount_company * deal.predicted_probability / 100):
        sys.exit("uninstall check: the weighted amount does not follow the predicted probability")
    return {}


def weighted_by_stage(env):
    """After deal_pipeline_predict: the weighted amounts follow the deals' probabilities again."""
    deals = env["deal.deal"].with_context(active_test=False).search([])
    return [
        f"deal {deal.id}: weighted amount {deal.amount_weighted}, not its probability's"
        for deal in deals
        if deal.amount_weighted != deal.company_currency_id.round(deal.amount_company * deal.probability / 100)
    ]


FILLS = {
    "deal_pipeline": fill,
    "deal_pipeline_project": fill_project,
    "deal_pipeline_crm": fill_crm,
    "deal_pipeline_predict": fill_predict,
}
# What must hold after an addon's uninstall, beside the records and tables: problems found.
CHECKS = {"deal_pipeline_predict": weighted_by_stage}
FIELDS = {
    "sale.order": ORDER_FIELDS,
    "account.move": MOVE_FIELDS,
    "account.move.line": MOVE_LINE_FIELDS,
    "project.project": PROJECT_FIELDS,
    "crm.lead": LEAD_FIELDS,
}


def snapshot(env, records):
    return {model: env[model].browse(ids).read(FIELDS[model]) for model, ids in records.items()}


def installed(env, names):
    return env["ir.module.module"].search([("name", "in", names), ("state", "=", "installed")]).mapped("name")


def uninstall(args, addon, records, before):
    """Uninstall ``addon``; return what went wrong."""
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["ir.module.module"].search([("name", "=", addon)]).button_immediate_uninstall()

    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        problems = []
        state = env["ir.module.module"].search([("name", "=", addon)]).state
        if state != "uninstalled":
            problems.append(f"{addon} is {state}, not uninstalled")
        problems.extend(
            f"the table {table} is still there" for table in TABLES.get(addon, []) if sql.table_exists(cr, table)
        )
        if leftover := env["ir.model.data"].search_count([("module", "=", addon)]):
            problems.append(f"{leftover} external ids of {addon} are still there")
        problems.extend(
            f"the column {table}.{column} is still there"
            for table, column in COLUMNS[addon]
            if sql.table_exists(cr, table) and sql.column_exists(cr, table, column)
        )
        for model, ids in records.items():
            if missing := set(ids) - set(env[model].browse(ids).exists().ids):
                sys.exit(f"uninstall check of {addon} failed: {model} {sorted(missing)} deleted by the uninstall")
        if check := CHECKS.get(addon):
            problems.extend(check(env))
        after = snapshot(env, records)
        before = before | RESTORED.get(addon, {})
        problems.extend(
            f"{model} changed:\n  before: {rows}\n  after:  {after[model]}"
            for model, rows in before.items()
            if after[model] != rows
        )
    return [f"{addon}: {problem}" for problem in problems]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"], setup_logging=True)

    records = {}
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        addons = installed(env, list(FILLS))
        if "deal_pipeline" not in addons:
            sys.exit("uninstall check: deal_pipeline is not installed in the database")
        for addon in addons:
            for model, ids in FILLS[addon](env).items():
                records[model] = records.get(model, []) + ids

    # Shipped stages are deleted before the deals that use them, which fails and is logged by
    # odoo.sql_db; the tables go right after. Odoo's own uninstall tests mute it the same way.
    logging.getLogger("odoo.sql_db").setLevel(logging.CRITICAL)
    problems = []
    # the bridges first, each alone, then the core
    order = sorted(addons, key=lambda name: name == "deal_pipeline")
    for addon in order:
        with Registry(args.database).cursor() as cr:
            before = snapshot(api.Environment(cr, api.SUPERUSER_ID, {}), records)
        problems += uninstall(args, addon, records, before)

    if problems:
        sys.exit("uninstall check failed:\n- " + "\n- ".join(problems))
    counts = ", ".join(f"{len(ids)} {model}" for model, ids in sorted(records.items()))
    print(f"uninstall check passed ({', '.join(order)} uninstalled in this order): {counts} intact")


if __name__ == "__main__":
    main()
