from . import crm_lead, deal_deal, sale_order
