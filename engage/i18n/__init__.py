"""Every word a visitor reads, by key, in Vietnamese and English: ``text(key, lang, **fields)``. The catalogues are
``en.py`` and ``vi.py`` (the same keys, checked by tests/test_i18n.py), the report's terms are in ``glossary.py``.

To add a language: copy ``en.py`` to ``<code>.py`` and translate every value (keep the keys and the {fields}), add the
report's terms to each table of ``glossary.py``, and add the code to ``LANGUAGES`` below; the tests then fail on any key
or term left out."""
from __future__ import annotations

from . import en, vi

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}  # code -> the language's own name, as the switch shows it
DEFAULT = "en"  # the API's language, and a browser's that asks for neither
CATALOGUES = {"en": en.TEXT, "vi": vi.TEXT}


def text(key: str, lang: str = DEFAULT, **fields: object) -> str:
    """The words of ``key`` in ``lang`` (English for a language engage does not have), with ``fields`` filled in."""
    words = CATALOGUES.get(lang, CATALOGUES[DEFAULT])[key]
    return words.format(**fields) if fields else words


def language_of(accept_language: str | None) -> str:
    """The page's language for a browser's Accept-Language header: Vietnamese when it prefers vi (vi, vi-VN, …),
    else English."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "vi" if first == "vi" or first.startswith("vi-") or first.startswith("vi;") else DEFAULT


def language(value: object) -> str:
    """A language given by a visitor or an API client (a code or its own name); English when it is neither."""
    for code, name in LANGUAGES.items():
        if value in (code, name):
            return code
    return DEFAULT


def count(n: int, unit: str, lang: str = DEFAULT) -> str:
    """``n`` of ``unit`` ("frame", "window", "call") in words: "1 window", "3 windows", "3 cửa sổ"."""
    return text(f"unit.{unit}.{'one' if n == 1 else 'many'}", lang, n=n)


def number(value: float, lang: str = DEFAULT, digits: int = 1) -> str:
    """A decimal number with the language's decimal mark: 1.5 in English, 1,5 in Vietnamese."""
    words = f"{value:.{digits}f}"
    return words.replace(".", ",") if lang == "vi" else words
