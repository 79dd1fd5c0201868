"""Accounting users no longer get a rule of their own on deals: with it, a salesman restricted to
his own deals read every colleague's deal as soon as he had Billing rights. The rule was shipped
as noupdate data, which an upgrade keeps: it is removed here, changed by an administrator or not,
as it only ever widened access."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # an administrator may have deleted it already
    if rule := env.ref("deal_pipeline.deal_deal_rule_accountant_read", raise_if_not_found=False):
        rule.unlink()
