from odoo import fields, models


class DealConvertWizardLine(models.TransientModel):
    _name = "deal.convert.wizard.line"
    _description = "Sales Team to Pipeline"

    wizard_id = fields.Many2one("deal.convert.wizard", required=True, ondelete="cascade")
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    pipeline_id = fields.Many2one("deal.pipeline", required=True)
    lead_count = fields.Integer("Opportunities to Convert", readonly=True)
