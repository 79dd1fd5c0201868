{
    "name": "Deal Pipeline - CRM",
    "version": "19.0.1.2.0",
    "category": "Sales/Sales",
    "summary": "Convert Odoo CRM opportunities into deals, with their quotations and activities",
    "author": "deal_pipeline developers",
    "website": "https://github.com/deal-pipeline/deal_pipeline",
    "license": "LGPL-3",
    # sale_crm links quotations to opportunities (sale.order.opportunity_id); Odoo installs it
    # with sale and crm, so it is always there when deal_pipeline and crm are.
    "depends": ["deal_pipeline", "crm", "sale_crm"],
    "data": [
        "security/ir.model.access.csv",
        "data/deal_lost_reason_data.xml",
        "wizard/deal_convert_wizard_views.xml",
        "views/crm_lead_views.xml",
        "views/deal_deal_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "deal_pipeline_crm/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
    "uninstall_hook": "uninstall_hook",
}
