"""`{% process_cache name key… %}…{% endprocess_cache %}`: the rendered body, kept in this process.

For page parts that depend only on their keys (the walkthrough's article network in a language,
a diagram for given numbers): rendered once per process and key, then copied. It is kept in
memory rather than in the shared cache because it is the output of this process's templates and
code, so a deployment (new processes) can never serve a stale copy; each entry is a few tens of
kB and at most PROCESS_CACHE_ENTRIES are kept (least recently used dropped).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.loader_tags import BlockNode
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

PROCESS_CACHE_ENTRIES = 256
_rendered: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
_lock = threading.Lock()


def process_cache_clear() -> None:
    """Forget every rendered part (tests that change what a part shows)."""
    with _lock:
        _rendered.clear()


def _forget_on_setting_change(**kwargs: Any) -> None:
    """A changed setting (tests: URLs, static storage, languages) may change any rendered part."""
    process_cache_clear()


setting_changed.connect(_forget_on_setting_change, dispatch_uid="page_cache_forget_on_setting_change")


class ProcessCacheNode(template.Node):
    # The body is not searched for blocks (`{% extends %}` walks the parent's whole tree on every
    # render): a kept part cannot hold a `{% block %}`, which the tag refuses when parsed.
    child_nodelists = ()

    def __init__(self, name: str, keys: list[FilterExpression], nodelist: NodeList) -> None:
        self.name, self.keys, self.nodelist = name, keys, nodelist

    def render(self, context: template.Context) -> str:
        key = (self.name, *(str(k.resolve(context)) for k in self.keys))
        with _lock:
            if key in _rendered:
                _rendered.move_to_end(key)
                return _rendered[key]
        html = mark_safe(self.nodelist.render(context))
        with _lock:
            _rendered[key] = html
            while len(_rendered) > PROCESS_CACHE_ENTRIES:
                _rendered.popitem(last=False)
        return html


@register.tag("process_cache")
def process_cache(parser: Parser, token: Token) -> ProcessCacheNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("process_cache needs a name, then the keys the part depends on")
    nodelist = parser.parse(("endprocess_cache",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("process_cache cannot hold a {% block %}: a child template's block would be kept")
    return ProcessCacheNode(bits[1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
