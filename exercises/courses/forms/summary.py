"""What the authoring page draws around the form: the error summary at its top after a failed save
(GOV.UK's pattern: every error once, in page order, each linking to the box at fault; the page
focuses it on load, static a11y.js) and the fixed values' grid with its bound boxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext

from .network_values import Cell

# Fields drawn as radio buttons: the summary links to their first button.
RADIO_FIELDS = ("network", "reveal")


@dataclass(frozen=True)
class SummaryItem:
    """One error: the id of the box it links to ("" for the whole form), what the box is, why."""

    href: str
    label: str
    notation: str  # a part or value name drawn in the article's notation after the label ("" if none)
    message: str


def _page_order(form: Any) -> list[str]:
    """The form's field names in the order the page shows them (the network's boxes in its section)."""
    template = list(form.template_fields())
    head = [name for name in ("title", "instructions") if name in form.fields]
    rest = [name for name in form.fields if name not in head and name not in template]
    return head + template + rest


def _anchor(form: Any, name: str) -> str:
    """The id of the element an error on `name` should move focus to."""
    if name == "parts" and form.part_infos:
        return f"id_part_{form.part_infos[0].key}"
    if name == "steps" and form.part_infos:
        return f"id_steps_{form.part_infos[0].step}"
    bound = form[name]
    return f"{bound.auto_id}_0" if name in RADIO_FIELDS else bound.auto_id


def error_summary(form: forms.Form) -> list[SummaryItem]:
    """Every error of a bound form, the whole form's first, then the fields' in page order."""
    if not form.is_bound or not form.errors:
        return []
    items = [SummaryItem("", "", "", str(message)) for message in form.non_field_errors()]
    cells = {cell.name: cell for cell in (form.values_grid.layout.cells() if getattr(form, "values_grid", None) else ())}
    for name in _page_order(form):
        for message in form.errors.get(name, ()):
            if name in cells:
                label, key = gettext("Fixed values"), cells[name].label
            else:
                label, key = str(form.fields[name].label or name), ""
            items.append(SummaryItem(_anchor(form, name), label, key, str(message)))
    return items


def _box(form: forms.Form, cell: Cell | None, show_errors: bool) -> dict[str, Any] | None:
    """A box: its cell, input id, rendered input (marked invalid, pointing at its error, when it
    has one and errors are shown) and errors."""
    if cell is None:
        return None
    field = form[cell.name]
    if show_errors:
        return {"cell": cell, "id": field.auto_id, "widget": field.as_widget(), "errors": list(field.errors)}
    widget = field.field.widget.render(field.html_name, field.value(), attrs={"id": field.auto_id})
    return {"cell": cell, "id": field.auto_id, "widget": widget, "errors": []}


def values_grid_context(form: Any, *, show_errors: bool = True) -> dict[str, Any] | None:
    """The grid's layout with each box, or None while the shape cannot be read (`show_errors`
    False: the live preview's copy, drawn while the instructor is still typing)."""
    grid = getattr(form, "values_grid", None)
    if grid is None:
        return None
    layout = grid.layout
    return {
        "signature": layout.signature,
        "inputs": [_box(form, cell, show_errors) for cell in layout.inputs],
        "targets": [_box(form, cell, show_errors) for cell in layout.targets],
        "layers": [
            {
                "title": layer.title,
                "sources": layer.sources,
                "per_neuron": any(bias is not None for _to, _weights, bias in layer.rows),
                "rows": [(to, [_box(form, cell, show_errors) for cell in weights], _box(form, bias, show_errors))
                         for to, weights, bias in layer.rows],
                "shared_bias": _box(form, layer.shared_bias, show_errors),
            }
            for layer in layout.layers
        ],
    }
