from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime

# The stages of Pipedrive's and HubSpot's default pipelines (and HubSpot's internal names), by
# meaning: the shipped deal stage they become when no deal stage has their name.
EXTERNAL_STAGES = {
    "lead in": "stage_new",
    "contact made": "stage_new",
    "appointment scheduled": "stage_new",
    "appointmentscheduled": "stage_new",
    "qualified": "stage_qualification",
    "qualified to buy": "stage_qualification",
    "qualifiedtobuy": "stage_qualification",
    "demo scheduled": "stage_qualification",
    "presentation scheduled": "stage_qualification",
    "presentationscheduled": "stage_qualification",
    "proposal made": "stage_proposal_sent",
    "decision maker bought-in": "stage_proposal_sent",
    "decisionmakerboughtin": "stage_proposal_sent",
    "negotiations started": "stage_negotiation",
    "contract sent": "stage_negotiation",
    "contractsent": "stage_negotiation",
    "won": "stage_won",
    "closed won": "stage_won",
    "closedwon": "stage_won",
    "lost": "stage_lost",
    "closed lost": "stage_lost",
    "closedlost": "stage_lost",
}
# The dates of a deal's history that a deals administrator may give when he creates it (imports it)
GIVEN_DATES = ("date_open", "date_closed")
# HubSpot's deal priorities
EXTERNAL_PRIORITIES = {"low": "1", "medium": "2", "high": "3"}


class DealDeal(models.Model):
    _inherit = "deal.deal"

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._("Import Template for Deals (Pipedrive export)"),
                "template": "/deal_pipeline/static/xls/deal_import_pipedrive.csv",
            },
            {
                "label": self.env._("Import Template for Deals (HubSpot export)"),
                "template": "/deal_pipeline/static/xls/deal_import_hubspot.csv",
            },
        ]

    @api.model
    def load(self, fields, data):
        if self.env.context.get("import_file"):
            data = self._import_normalize(fields, data)
        return super().load(fields, data)

    @api.model
    def _import_normalize(self, fields, data):
        """Turn the values of other CRMs' exports into the names Odoo's import looks up: stage,
        pipeline, lost reason and currency names in any case (and the stages of Pipedrive's and
        HubSpot's default pipelines by meaning), owners by e-mail, HubSpot's priorities. A value
        that matches nothing is left as it is: the import reports it on its row."""
        lookups = {
            "stage_id": self._import_stage_names,
            "pipeline_id": lambda: self._import_names("deal.pipeline"),
            "lost_reason_id": lambda: self._import_names("deal.lost.reason"),
            "currency_id": lambda: self._import_names("res.currency"),
            "user_id": self._import_user_logins,
            "priority": lambda: EXTERNAL_PRIORITIES,
        }
        columns = {index: lookups[field]() for index, field in enumerate(fields) if field in lookups}
        if not columns:
            return data
        rows = []
        for line in data:
            row = list(line)
            for index, names in columns.items():
                value = row[index]
                if isinstance(value, str) and (found := names.get(value.strip().casefold())):
                    row[index] = found
            rows.append(row)
        return rows

    @api.model
    def _import_names(self, model):
        """{name in lower case: name} of the records the user may read."""
        return {record.name.casefold(): record.name for record in self.env[model].search([])}

    @api.model
    def _import_stage_names(self):
        names = self._import_names("deal.stage")
        for external, xmlid in EXTERNAL_STAGES.items():
            stage = self.env.ref(f"deal_pipeline.{xmlid}", raise_if_not_found=False)
            if external not in names and stage and stage.active:
                names[external] = stage.name
        return names

    @api.model
    def _import_user_logins(self):
        """{login, e-mail or name in lower case: login} of the internal users."""
        logins = {}
        for user in self.env["res.users"].search([("share", "=", False)]):
            for key in (user.name, user.email, user.login):
                if key:
                    logins.setdefault(key.casefold(), user.login)
        return logins

    # ------------------------------------------------------------------------------------------
    # History: the opening and closing dates given when a deal is created (imported)
    # ------------------------------------------------------------------------------------------

    @api.model
    def _with_default_dates(self, vals_list):
        """``vals_list`` with the opening and closing dates that the context's defaults give
        (``default_date_open``, ``default_date_closed``) as if the values gave them, so that they
        pass the same checks: a default is a date given too."""
        defaults = {
            name: self.env.context[f"default_{name}"] for name in GIVEN_DATES if f"default_{name}" in self.env.context
        }
        return [defaults | vals for vals in vals_list] if defaults else vals_list

    def _without_empty_dates(self, vals_list):
        """``vals_list`` without the opening and closing dates left empty: an empty cell of an
        import (an export's open deal without opening date) gives no date, the deal opens at its
        creation, and nobody is refused for giving a date he did not give."""
        return [
            {name: value for name, value in vals.items() if name not in GIVEN_DATES or value}
            if any(name in vals and not vals[name] for name in GIVEN_DATES)
            else vals
            for vals in vals_list
        ]

    def _date_label(self, name):
        return f"“{self._fields[name]._description_string(self.env)}” ({name})"

    @api.model
    def _check_given_dates(self, vals_list, create=True):
        """Only a deals administrator gives ``date_open`` and ``date_closed``, and only when he
        creates deals (the API, Odoo's import); nobody changes them afterwards. Refuse a date in
        the future, a closing date before the opening or on an open deal, and a won or lost deal
        without closing date once the dates are given."""
        given = [vals for vals in vals_list if any(name in vals for name in GIVEN_DATES)]
        if not given or self.env.su:
            return
        if not create:
            name = next(name for name in GIVEN_DATES if name in given[0])
            raise UserError(
                self.env._(
                    "The field %(field)s is given only when the deal is created (imported) and cannot be "
                    "changed afterwards.",
                    field=self._date_label(name),
                )
            )
        if not self.env.user.has_group("deal_pipeline.group_deal_manager"):
            name = next(name for name in GIVEN_DATES if name in given[0])
            raise AccessError(
                self.env._(
                    "Only a deals administrator may give the field %(field)s, when he creates or imports "
                    "deals; leave it out.",
                    field=self._date_label(name),
                )
            )
        now = self.env.cr.now()
        stages = self.env["deal.stage"].browse({vals["stage_id"] for vals in given if vals.get("stage_id")})
        outcomes = {stage.id: stage.outcome for stage in stages}
        for vals in given:
            date_open = fields.Datetime.to_datetime(vals.get("date_open"))
            date_closed = fields.Datetime.to_datetime(vals.get("date_closed"))
            for name, date in (("date_open", date_open), ("date_closed", date_closed)):
                if date and date > now:
                    raise ValidationError(
                        self.env._(
                            "The field %(field)s is in the future (%(date)s): give the date it happened.",
                            field=self._date_label(name),
                            date=date,
                        )
                    )
            outcome = outcomes.get(vals.get("stage_id"), "open")
            if outcome == "open" and date_closed:
                raise ValidationError(
                    self.env._(
                        "The field %(field)s is given for a deal in an open stage: give it only for a won or "
                        "lost deal.",
                        field=self._date_label("date_closed"),
                    )
                )
            if outcome != "open" and not date_closed:
                raise ValidationError(
                    self.env._(
                        "The field %(field)s is empty for a won or lost deal: give the date it was closed.",
                        field=self._date_label("date_closed"),
                    )
                )
            if date_closed and date_closed < (date_open or now):
                raise ValidationError(
                    self.env._(
                        "The field %(closed)s (%(date_closed)s) is before the field %(open)s (%(date_open)s): "
                        "a deal is closed after it opened.",
                        closed=self._date_label("date_closed"),
                        date_closed=date_closed,
                        open=self._date_label("date_open"),
                        date_open=date_open or now,
                    )
                )

    def _log_given_dates(self, vals_list):
        """Tell in the chatter of the deals created from ``vals_list`` (same order) the dates
        their creator gave, in one batch."""
        bodies = {}
        for deal, vals in zip(self, vals_list, strict=True):
            if vals.get("date_open") or vals.get("date_closed"):
                bodies[deal.id] = (
                    self.env._(
                        "History imported: opened on %(open)s, closed on %(closed)s.",
                        open=format_datetime(self.env, deal.date_open),
                        closed=format_datetime(self.env, deal.date_closed),
                    )
                    if deal.date_closed
                    else self.env._(
                        "History imported: opened on %(open)s.", open=format_datetime(self.env, deal.date_open)
                    )
                )
        if bodies:
            self.browse(bodies)._message_log_batch(bodies)
