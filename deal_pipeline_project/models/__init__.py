from . import deal_deal, deal_pipeline, project_project, sale_order_line
