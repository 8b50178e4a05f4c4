"""Template filters of problem sets: a question's network in words."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

import graders

from ..i18n import pick_language

register = template.Library()


def _shape(config: dict[str, Any]) -> str:
    layers = config.get("layers") or []
    return "-".join(str(n) for n in layers) if isinstance(layers, list) else ""


@register.filter
def network_label(config: Any) -> str:
    """A template_config in words: the ready-made network's title, or the shape of one's own."""
    if not isinstance(config, dict):
        return ""
    name = config.get("builtin")
    if isinstance(name, str):
        found = graders.TEMPLATES.get(name)
        return pick_language(found.title) if found is not None else name
    if config.get("fixed"):
        return _("Fixed values, layers %(shape)s") % {"shape": _shape(config) or _shape(config["fixed"])}
    activations = ", ".join(str(a) for a in config.get("activations") or [])
    return _("Own network, layers %(shape)s (%(activations)s)") % {"shape": _shape(config), "activations": activations}
