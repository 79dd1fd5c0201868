{
    "name": "Deal Pipeline - Project",
    "version": "19.0.1.1.0",
    "category": "Sales/Sales",
    "summary": "A deal's quote becomes the budget of its project: hours sold, spent and remaining on the deal",
    "author": "deal_pipeline developers",
    "website": "https://github.com/deal-pipeline/deal_pipeline",
    "license": "LGPL-3",
    "depends": ["deal_pipeline", "sale_project", "sale_timesheet"],
    "auto_install": True,
    "data": [
        "views/deal_pipeline_views.xml",
        "views/deal_deal_views.xml",
        "views/project_project_views.xml",
        "wizard/deal_quote_wizard_views.xml",
    ],
    "demo": [
        "demo/project_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "deal_pipeline_project/static/tests/tours/**/*",
        ],
    },
}
