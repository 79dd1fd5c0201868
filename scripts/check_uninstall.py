"""Uninstall check of deal_pipeline: in a database where the addon is installed, create deals with
quotations, confirmed orders and invoices (draft and posted), uninstall the addon, then check that
every order and invoice is still there, unchanged, and that only the addon's tables and link
columns are gone. The database is expected to be a throw-away one: this script commits.

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
    return orders.ids, (invoice_of_order + invoices).ids


def snapshot(env, order_ids, move_ids):
    return {
        "orders": env["sale.order"].browse(order_ids).read(ORDER_FIELDS),
        "invoices": env["account.move"].browse(move_ids).read(MOVE_FIELDS),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"], setup_logging=True)

    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        order_ids, move_ids = fill(env)
        before = snapshot(env, order_ids, move_ids)

    # Shipped stages are deleted before the deals that use them, which fails and is logged by
    # odoo.sql_db; the tables go right after. Odoo's own uninstall tests mute it the same way.
    logging.getLogger("odoo.sql_db").setLevel(logging.CRITICAL)
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["ir.module.module"].search([("name", "=", "deal_pipeline")]).button_immediate_uninstall()

    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        problems = []
        state = env["ir.module.module"].search([("name", "=", "deal_pipeline")]).state
        if state != "uninstalled":
            problems.append(f"deal_pipeline is {state}, not uninstalled")
        problems.extend(
            f"the table {table} is still there"
            for table in ("deal_deal", "deal_stage", "deal_pipeline")
            if sql.table_exists(cr, table)
        )
        if leftover := env["ir.model.data"].search_count([("module", "=", "deal_pipeline")]):
            problems.append(f"{leftover} external ids of deal_pipeline are still there")
        problems.extend(
            f"the column {table}.deal_id is still there"
            for table in ("sale_order", "account_move")
            if sql.column_exists(cr, table, "deal_id")
        )
        for model, ids in (("sale.order", order_ids), ("account.move", move_ids)):
            if missing := set(ids) - set(env[model].browse(ids).exists().ids):
                sys.exit(f"uninstall check failed: {model} {sorted(missing)} deleted by the uninstall")
        after = snapshot(env, order_ids, move_ids)
        for kind, records in before.items():
            if after[kind] != records:
                problems.append(f"{kind} changed:\n  before: {records}\n  after:  {after[kind]}")

    if problems:
        sys.exit("uninstall check failed:\n- " + "\n- ".join(problems))
    print(f"uninstall check passed: {len(order_ids)} orders and {len(move_ids)} invoices intact, link columns removed")


if __name__ == "__main__":
    main()
