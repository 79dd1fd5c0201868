from odoo import api, fields, models
from odoo.tools import SQL


class ResCurrency(models.Model):
    _inherit = "res.currency"

    @api.model
    def _get_conversion_rates(self, conversions):
        """{(from_currency, to_currency, company, date): rate} for many conversions in one query, each
        the rate ``_get_conversion_rate`` gives. The rates are read as ``_get_rates`` reads them (the
        latest rate of the day or before, the company's before the shared one, else the earliest
        one, else 1), for a table of every (root company, currency, date) needed."""
        conversions = set(conversions)
        wanted = sorted(
            {
                (company.root_id.id, currency.id, fields.Date.to_date(date))
                for from_currency, to_currency, company, date in conversions
                if from_currency != to_currency
                for currency in (from_currency, to_currency)
            }
        )
        rates = {}
        if wanted:
            Rate = self.env["res.currency.rate"]
            latest = Rate._search([], order="company_id.id, name DESC", limit=1)
            earliest = Rate._search([], order="company_id.id, name ASC", limit=1)
            for query in (latest, earliest):
                query.add_where(
                    SQL(
                        "%s = wanted.currency_id AND (%s IS NULL OR %s = wanted.company_id)",
                        Rate._field_to_sql(query.table, "currency_id"),
                        Rate._field_to_sql(query.table, "company_id"),
                        Rate._field_to_sql(query.table, "company_id"),
                    )
                )
            latest.add_where(SQL("%s <= wanted.date", Rate._field_to_sql(latest.table, "name")))
            companies, currencies, dates = zip(*wanted, strict=True)
            rates = {
                (company, currency, date): rate
                for company, currency, date, rate in self.env.execute_query(
                    SQL(
                        """SELECT wanted.company_id, wanted.currency_id, wanted.date, COALESCE((%s), (%s), 1.0)
                             FROM unnest(%s::int[], %s::int[], %s::date[]) AS wanted(company_id, currency_id, date)""",
                        latest.select(Rate._field_to_sql(latest.table, "rate")),
                        earliest.select(Rate._field_to_sql(earliest.table, "rate")),
                        list(companies),
                        list(currencies),
                        list(dates),
                    )
                )
            }
        result = {}
        for from_currency, to_currency, company, date in conversions:
            root, day = company.root_id.id, fields.Date.to_date(date)
            result[from_currency, to_currency, company, date] = (
                1.0
                if from_currency == to_currency
                else rates[root, to_currency.id, day] / (rates[root, from_currency.id, day] or 1.0)
            )
        return result
