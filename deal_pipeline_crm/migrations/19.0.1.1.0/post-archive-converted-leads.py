from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Opportunities converted before this version leave CRM's pipeline as new conversions do."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"].search([("deal_id", "!=", False)])._deal_archive_converted()
