"""What the web client sends to the server, for tests and the benchmark that replay its calls."""

from odoo.tools.safe_eval import safe_eval

X2MANY_LIMIT = 40  # records of a one2many/many2many subview read with the record (web client)
# fields the web client reads along with a widget (its fieldDependencies / relatedFields)
ACTIVITY_WIDGET_SPECIFICATION = {
    "activity_exception_decoration": {},
    "activity_exception_icon": {},
    "activity_state": {},
    "activity_summary": {},
    "activity_type_icon": {},
    "activity_type_id": {"fields": {"display_name": {}}},
}
WIDGET_DEPENDENCIES = {
    "kanban_activity": ACTIVITY_WIDGET_SPECIFICATION,
    "list_activity": ACTIVITY_WIDGET_SPECIFICATION,
    "statusbar_duration": {"duration_tracking": {}},
    "rotting_statusbar_duration": {"duration_tracking": {}},
    "image": {"write_date": {}},
}


def _is_true(value):
    return value in ("1", "True", "true")


def field_specification(model, arch):
    """The ``specification`` the web client sends to read the fields of a view ``arch`` (an lxml
    element) of ``model``: an approximation of its getFieldsSpec, with the display names of
    many2one fields, x2many subviews and tags, and the fields the widgets depend on."""
    specification = {}

    def add(node):
        field = model._fields.get(node.get("name"))
        if field is None:
            return
        entry = specification.setdefault(field.name, {})
        widget = node.get("widget")
        if field.type == "many2one":
            entry.setdefault("fields", {})
            if not _is_true(node.get("invisible")):
                entry["fields"]["display_name"] = {}
        elif field.type in ("one2many", "many2many"):
            subviews = [child for child in node if child.tag in ("list", "kanban", "form")]
            if subviews:
                entry["fields"] = field_specification(model.env[field.comodel_name], subviews[0])
                entry["limit"] = X2MANY_LIMIT
            elif widget and widget.startswith("many2many_tags"):
                entry.setdefault("fields", {})["display_name"] = {}
                options = safe_eval(node.get("options") or "{}")
                if options.get("color_field"):
                    entry["fields"][options["color_field"]] = {}
        for name, dependency in WIDGET_DEPENDENCIES.get(widget, {}).items():
            if name in model._fields:
                specification.setdefault(name, dict(dependency))

    def visit(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field":
                add(child)
            else:
                visit(child)

    visit(arch)
    return specification
