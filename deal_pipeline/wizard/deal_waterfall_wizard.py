from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import date_utils


class DealWaterfallWizard(models.TransientModel):
    """The period and horizon of the pipeline changes (``deal.waterfall.report``), which opens
    with them."""

    _name = "deal.waterfall.wizard"
    _description = "Pipeline Changes Period"

    date_from = fields.Date("Since", required=True, default=lambda self: self._default_dates()[0])
    date_to = fields.Date("Until", required=True, default=fields.Date.context_today)
    close_date_to = fields.Date(
        "Closing by",
        required=True,
        default=lambda self: self._default_dates()[1],
        help="The pipeline is made of the open deals expected to close on or before this date.",
    )

    @api.model
    def _default_dates(self):
        return date_utils.get_quarter(fields.Date.context_today(self))

    def action_open_report(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The period must start on or before its end."))
        action = self.env["ir.actions.act_window"]._for_xml_id("deal_pipeline.deal_waterfall_report_action")
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        dates = [day.strftime(lang.date_format) for day in (self.date_from, self.date_to, self.close_date_to)]
        action["display_name"] = self.env._(
            "Pipeline Changes from %(date_from)s to %(date_to)s, closing by %(close_date_to)s",
            date_from=dates[0],
            date_to=dates[1],
            close_date_to=dates[2],
        )
        action["context"] = {
            "waterfall_date_from": fields.Date.to_string(self.date_from),
            "waterfall_date_to": fields.Date.to_string(self.date_to),
            "waterfall_close_date_to": fields.Date.to_string(self.close_date_to),
            "search_default_group_by_category": 1,
        }
        return action
