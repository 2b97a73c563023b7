"""The page's words in the visitor's language: components are made with catalogue keys (``Page.make``) and redrawn
with ``Page.updates(lang)`` when the page loads in a Vietnamese browser or the visitor switches language."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from ..i18n import DEFAULT, text


@dataclass(frozen=True)
class Key:
    """A catalogue key and the fields its words are filled with."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)


def key(name: str, **fields: Any) -> Key:
    return Key(name, fields)


class Page:
    """The components of a page whose words come from the catalogue, and which of their properties hold them."""

    def __init__(self) -> None:
        self.entries: list[tuple[gr.components.Component | gr.blocks.BlockContext, dict[str, Key]]] = []

    def make(self, cls, *args: Any, **kwargs: Any):
        """``cls(*args, **kwargs)`` with each ``Key`` argument in the default language (a first positional one is the
        component's value: a Markdown's text, a Button's words); remembered for ``updates``."""
        if args and isinstance(args[0], Key):
            args, kwargs = args[1:], {"value": args[0], **kwargs}
        keys = {prop: value for prop, value in kwargs.items() if isinstance(value, Key)}
        made = cls(*args, **{prop: text(v.name, DEFAULT, **v.fields) if isinstance(v, Key) else v for prop, v in kwargs.items()})
        self.entries.append((made, keys))
        return made

    @property
    def components(self) -> list:
        return [made for made, _ in self.entries]

    def updates(self, lang: str) -> list:
        """One update per component: its words in ``lang``."""
        return [gr.update(**{prop: text(k.name, lang, **k.fields) for prop, k in keys.items()}) for _, keys in self.entries]

    def keys(self) -> set[str]:
        return {k.name for _, keys in self.entries for k in keys.values()}
