from odoo import models


class BaseImportImport(models.TransientModel):
    _inherit = "base_import.import"

    def _deduplicate_mapping_suggestions(self, mapping_suggestions):
        """Keep every column suggested for a deal's closing date (Pipedrive's won time and lost
        time; HubSpot's dates entered in the won and in the lost stage): a row fills one of them."""
        closing = {}
        if self.res_model == "deal.deal":
            closing = {
                header: suggestion
                for header, suggestion in mapping_suggestions.items()
                if suggestion and suggestion["field_path"] == ["date_closed"]
            }
        result = super()._deduplicate_mapping_suggestions(mapping_suggestions)
        mapping_suggestions.update(closing)
        return result

    def _handle_multi_mapping(self, import_fields, input_file_data):
        """A deal date mapped to several columns (Pipedrive's won time and lost time, both the
        closing date) takes the first of them that is filled, where Odoo takes the first column."""
        fields, data = super()._handle_multi_mapping(import_fields, input_file_data)
        if self.res_model != "deal.deal":
            return fields, data
        indexes = {}
        for index, field in enumerate(field for field in import_fields if field):
            indexes.setdefault(field, []).append(index)
        Deal = self.env["deal.deal"]
        dates = [
            (position, indexes[field])
            for position, field in enumerate(fields)
            if len(indexes[field]) > 1 and field in Deal._fields and Deal._fields[field].type in ("date", "datetime")
        ]
        for record, row in zip(input_file_data, data, strict=True):
            for position, columns in dates:
                row[position] = next((record[index] for index in columns if record[index]), record[columns[0]])
        return fields, data
