import math
from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.models import BaseModel

# Largest absolute value accepted in a number field: a thousand billion, the largest power of ten
# that Odoo's rounding to the cent still keeps exact (at 10^13 it is off by a cent, at 10^15 by a
# unit); far below the values whose conversion and weighting would overflow a float.
MAX_NUMBER = 10**12
# PostgreSQL integer columns hold 32 bits.
MAX_INTEGER = 2**31 - 1
# x2many commands that name existing records: LINK (4, id) and SET (6, 0, ids).
ID_COMMANDS = (Command.LINK, Command.SET)


class DealApiInputMixin(models.AbstractModel):
    """Checks of the values that reach create() and write() from the external API, run before
    anything is written, so that a wrong value ends in a message naming the field instead of being
    stored as something else or ending in a conversion or SQL error."""

    _name = "deal.api.input.mixin"
    _description = "Checks of the values written through the API"
    # {number field: (lowest, highest)}, None for no bound: the ranges that the models' SQL
    # constraints enforce, checked first so that a wrong value is a message, not an SQL error
    _api_input_bounds = {}

    @api.model
    def _api_input_check(self, vals_list, field_names=None, create=False):
        """Refuse computed fields without inverse, values of the wrong type or out of range and
        ids of records that do not exist (one existence query per field for the whole batch),
        in ``vals_list`` and, for a ``create``, in the ``default_<field>`` keys of the context.
        ``field_names`` limits the checks to those fields."""
        ids_by_field = defaultdict(set)
        context_defaults = self._api_input_defaults(field_names) if create else {}
        for vals, from_context in [*((vals, False) for vals in vals_list), (context_defaults, True)]:
            for name, value in vals.items():
                field = self._fields.get(name)
                if field is None or (field_names is not None and name not in field_names):
                    continue
                # the server's own code (superuser) may set what it computes, e.g. a converted deal's
                # closing date; API callers never run as superuser
                if not from_context and not self.env.su and field.compute and field.readonly and not field.inverse:
                    raise UserError(
                        self.env._(
                            "The field “%(field)s” (%(name)s) is computed and cannot be written: "
                            "write the values it is computed from instead.",
                            field=field._description_string(self.env),
                            name=name,
                        )
                    )
                if value is False or value is None or isinstance(value, BaseModel):
                    continue
                if hint := self._api_input_hint(field, value):
                    raise ValidationError(
                        self.env._(
                            "Wrong value for the field “%(field)s” (%(name)s): %(value)s. %(hint)s",
                            field=field._description_string(self.env),
                            name=f"default_{name} in the context" if from_context else name,
                            value=repr(value)[:100],
                            hint=hint,
                        )
                    )
                if ids := self._api_input_ids(field, value):
                    ids_by_field[field].update(ids)
        for field, ids in ids_by_field.items():
            if missing := ids - set(self.env[field.comodel_name].browse(ids).exists().ids):
                raise ValidationError(
                    self.env._(
                        "The field “%(field)s” refers to a record that does not exist (%(model)s id %(ids)s): "
                        "give the id of an existing record.",
                        field=field._description_string(self.env),
                        model=field.comodel_name,
                        ids=", ".join(map(str, sorted(missing))),
                    )
                )

    @api.model
    def _api_input_defaults(self, field_names=None):
        """{field name: value} of the ``default_<field>`` keys of the context, which create() uses
        for the fields its values leave out."""
        return {
            key.removeprefix("default_"): value
            for key, value in self.env.context.items()
            if key.startswith("default_")
            and key.removeprefix("default_") in self._fields
            and (field_names is None or key.removeprefix("default_") in field_names)
        }

    def _api_input_hint(self, field, value):
        """What to give instead of ``value`` for ``field``; None when the value fits."""
        hint = {
            "integer": self._api_input_hint_integer,
            "float": self._api_input_hint_number,
            "monetary": self._api_input_hint_number,
            "char": self._api_input_hint_text,
            "text": self._api_input_hint_text,
            "html": self._api_input_hint_text,
            "boolean": self._api_input_hint_boolean,
            "date": self._api_input_hint_date,
            "datetime": self._api_input_hint_date,
            "selection": self._api_input_hint_selection,
            "many2one": self._api_input_hint_id,
            "one2many": self._api_input_hint_commands,
            "many2many": self._api_input_hint_commands,
        }.get(field.type)
        return hint(field, value) if hint else None

    def _api_input_hint_integer(self, field, value):
        if not _is_id(value) or abs(value) > MAX_INTEGER:
            return self.env._("Give a whole number between -%(max)s and %(max)s.", max=MAX_INTEGER)
        return None

    def _api_input_hint_number(self, field, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return self.env._("Give a number.")
        if abs(value) > MAX_NUMBER:
            return self.env._("Give a number between -%(max)s and %(max)s.", max=f"{MAX_NUMBER:,}")
        low, high = self._api_input_bounds.get(field.name, (None, None))
        if high is not None and not low <= value <= high:
            return self.env._("Give a number between %(low)s and %(high)s.", low=low, high=high)
        if high is None and low is not None and value < low:
            return self.env._("Give a number of %(low)s or more.", low=low)
        return None

    def _api_input_hint_text(self, field, value):
        return None if isinstance(value, str) else self.env._("Give a text.")

    def _api_input_hint_boolean(self, field, value):
        return None if isinstance(value, bool) or value in (0, 1) else self.env._("Give true or false.")

    def _api_input_hint_date(self, field, value):
        try:
            field.convert_to_cache(value, self)
        except (TypeError, ValueError):
            if field.type == "date":
                return self.env._("Give a date as YYYY-MM-DD.")
            return self.env._("Give a date and time as YYYY-MM-DD HH:MM:SS (UTC).")
        return None

    def _api_input_hint_selection(self, field, value):
        allowed = field.get_values(self.env)
        if value not in allowed:
            return self.env._("Give one of: %(values)s.", values=", ".join(map(str, allowed)))
        return None

    def _api_input_hint_id(self, field, value):
        return None if _is_id(value) else self.env._("Give the id of a record.")

    def _api_input_hint_commands(self, field, value):
        if isinstance(value, (list, tuple)) and all(map(_is_x2many_item, value)):
            return None
        return self.env._("Give a list of record ids or of commands such as (4, id) or (6, 0, [ids]).")

    def _api_input_ids(self, field, value):
        """The ids of existing records that ``value`` (already checked) gives for ``field``."""
        if field.type == "many2one":
            return {value}
        if field.type in ("one2many", "many2many"):
            ids = set()
            for item in value:
                if _is_id(item):
                    ids.add(item)
                elif item[0] == Command.LINK:
                    ids.add(item[1])
                elif item[0] == Command.SET:
                    ids.update(item[2])
            return ids
        return set()


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_x2many_item(item):
    """An id, or a command in the form create(), write() and web_save() take."""
    if _is_id(item):
        return True
    if not isinstance(item, (list, tuple)) or not item or item[0] not in set(Command):
        return False
    if item[0] == Command.SET:
        return len(item) == 3 and isinstance(item[2], (list, tuple)) and all(map(_is_id, item[2]))
    if item[0] == Command.LINK:
        return len(item) >= 2 and _is_id(item[1])
    return True
