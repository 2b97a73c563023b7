"""The page's words in the visitor's language: components are made with catalogue keys (``Page.make``) and redrawn
with ``Page.updates(lang)`` when the page loads in a Vietnamese browser or the visitor switches language."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from ..i18n import DEFAULT, text


@dataclass(frozen=True)
class Key:
    """A catalogue key and the fields its words are filled with (a field may be a function of the language: words
    such as "10 minutes" that are themselves looked up)."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)

    def words(self, lang: str) -> str:
        return text(self.name, lang, **{k: v(lang) if callable(v) else v for k, v in self.fields.items()})


@dataclass(frozen=True)
class Words:
    """Words made by a function of the language (a whole tab's Markdown, say), redrawn like a key's."""

    make: Callable[[str], Any]

    def words(self, lang: str) -> Any:
        return self.make(lang)


def markdown(*args: Any, **kwargs: Any) -> gr.Markdown:
    """``gr.Markdown`` without LaTeX: engage writes none, and a visitor's ``$$…$$`` (in a student's name) stays text."""
    return gr.Markdown(*args, **{"latex_delimiters": [], **kwargs})


def key(name: str, **fields: Any) -> Key:
    return Key(name, fields)


def words(make: Callable[[str], Any]) -> Words:
    return Words(make)


class Page:
    """The components of a page whose words come from the catalogue, and which of their properties hold them."""

    def __init__(self) -> None:
        self.entries: list[tuple[gr.components.Component | gr.blocks.BlockContext, dict[str, Key]]] = []

    def make(self, cls, *args: Any, **kwargs: Any):
        """``cls(*args, **kwargs)`` with each ``Key`` (or ``Words``) argument in the default language (a first
        positional one is the component's value: a Markdown's text, a Button's words); remembered for ``updates``."""
        if args and isinstance(args[0], (Key, Words)):
            args, kwargs = args[1:], {"value": args[0], **kwargs}
        keys = {prop: value for prop, value in kwargs.items() if isinstance(value, (Key, Words))}
        made = cls(*args, **{prop: v.words(DEFAULT) if isinstance(v, (Key, Words)) else v for prop, v in kwargs.items()})
        self.entries.append((made, keys))
        return made

    def examples(self, made: gr.Examples, label: Key) -> gr.Examples:
        """Examples whose label ("Examples", Gradio's own word) is redrawn in the page's language."""
        made.dataset.label = label.words(DEFAULT)
        self.entries.append((made.dataset, {"label": label}))
        return made

    @property
    def components(self) -> list:
        return [made for made, _ in self.entries]

    def updates(self, lang: str) -> list:
        """One update per component: its words in ``lang``."""
        return [gr.update(**{prop: k.words(lang) for prop, k in keys.items()}) for _, keys in self.entries]

    def keys(self) -> set[str]:
        return {k.name for _, keys in self.entries for k in keys.values() if isinstance(k, Key)}
