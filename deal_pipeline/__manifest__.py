{
    "name": "Deal Pipeline",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "summary": "Deals on a drag-and-drop pipeline, tied to quotations and invoices",
    "author": "deal_pipeline developers",
    "website": "https://github.com/deal-pipeline/deal_pipeline",
    "license": "LGPL-3",
    "depends": ["mail", "sales_team", "sale_management"],
    "data": [
        "security/deal_pipeline_security.xml",
        "security/ir.model.access.csv",
        "security/deal_invoicing_security.xml",
        "data/deal_stage_data.xml",
        "data/deal_pipeline_data.xml",
        "views/deal_stage_views.xml",
        "views/deal_pipeline_views.xml",
        "views/deal_lost_reason_views.xml",
        "views/deal_tag_views.xml",
        "views/deal_deal_views.xml",
        "wizard/deal_lost_wizard_views.xml",
        "views/sale_order_views.xml",
        "views/account_move_views.xml",
        "report/deal_report_views.xml",
        "views/deal_pipeline_menus.xml",
    ],
    "demo": [
        "demo/deal_demo.xml",
        "demo/sale_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "deal_pipeline/static/src/**/*",
        ],
        "web.assets_tests": [
            "deal_pipeline/static/tests/tours/**/*",
        ],
    },
}
