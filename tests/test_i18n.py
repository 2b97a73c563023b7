"""Vietnamese and English: the catalogues (engage/ui/i18n), the report's terms, the language a browser gets, and the
page's words looked up by key."""
from __future__ import annotations

import ast
import os
import re
import string

import pytest

from engage.ui import i18n
from engage.ui.i18n import en, glossary, vi

from conftest import ROOT

UI = os.path.join(ROOT, "engage", "ui")


def _fields(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


def _sources() -> dict[str, str]:
    """app.py and every module of engage/ui: where the words are looked up."""
    paths = [os.path.join(ROOT, "app.py")]
    for folder, _, files in os.walk(UI):
        paths += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    out = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            out[os.path.relpath(path, ROOT)] = fh.read()
    return out


def _looked_up(source: str) -> list[str]:
    """The keys named in calls of ``key(...)`` and ``text(...)`` (``i18n.text`` too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("key", "text"):
                found.append(node.args[0].value)
    return found


def test_both_languages_have_every_key_with_the_same_fields():
    assert set(en.TEXT) == set(vi.TEXT), f"only in en: {set(en.TEXT) - set(vi.TEXT)}; only in vi: {set(vi.TEXT) - set(en.TEXT)}"
    for k in en.TEXT:
        assert _fields(en.TEXT[k]) == _fields(vi.TEXT[k]), k
        assert vi.TEXT[k].strip() and en.TEXT[k].strip(), k


def test_every_key_is_used_and_every_key_used_exists():
    used = [k for source in _sources().values() for k in _looked_up(source)]
    assert set(used) <= set(en.TEXT), f"looked up but not in the catalogue: {sorted(set(used) - set(en.TEXT))}"
    # a key may also be chosen by an expression (e.g. the webcam's intro on ZeroGPU or not): named as a literal somewhere
    literals = {node.value for source in _sources().values() for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not set(en.TEXT) - literals, f"keys no code uses: {sorted(set(en.TEXT) - literals)}"


def test_the_report_terms_are_one_word_each_in_both_languages():
    assert glossary.STATES["vi"] == {"Boredom": "Chán nản", "Engagement": "Tập trung", "Confusion": "Bối rối", "Frustration": "Bực bội"}
    assert glossary.level_name(0, "vi", "Frustration") == "không bực bội" and glossary.level_name(0, "vi", "Boredom") == "rất thấp"
    assert glossary.level_name(3, "en", "Frustration") == "very high"
    for table in (glossary.STATES, glossary.EMOTIONS, glossary.METHODS):
        assert set(table) == set(i18n.LANGUAGES) and len({tuple(v) for v in table.values()}) == 1  # the same terms in each
        for words in table.values():
            assert len(set(words.values())) == len(words)  # one word per term, never two terms with one word
    assert all(len(set(levels)) == 4 for levels in glossary.LEVELS.values())


@pytest.mark.parametrize(
    "header, lang",
    [("vi", "vi"), ("vi-VN", "vi"), ("vi-VN,vi;q=0.9,en-US;q=0.8", "vi"), ("en-US,en;q=0.9", "en"), ("en-US,vi;q=0.5", "en"),
     ("fr-FR", "en"), ("", "en"), (None, "en"), ("vie", "en")],
)
def test_the_browser_language_picks_vietnamese_or_english(header, lang):
    assert i18n.language_of(header) == lang


def test_text_fills_fields_and_falls_back_to_english():
    assert i18n.text("class.use_model_info", "vi", seconds=40) == "Một lần gọi GPU tối đa 40 giây"
    assert i18n.text("tab.about", "fr") == "About" and i18n.language("Tiếng Việt") == "vi" and i18n.language(3) == "en"


def test_the_page_holds_keys_not_english_sentences():
    """app.py names every visitor's word by a catalogue key: no string literal in it reads as an English sentence
    (its docstrings, comments, CSS and element ids aside)."""
    tree = ast.parse(_sources()["app.py"])
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body and isinstance(node.body[0], ast.Expr)}
    sentences = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
                 and id(node) not in docstrings and re.search(r"[A-Za-z]+ [a-z]+ [a-z]+", node.value) and "{" not in node.value]
    assert not sentences, f"English words in app.py outside the catalogue: {sentences}"


def test_the_page_is_redrawn_in_the_language_asked(monkeypatch, tiny_dir, heads_dir):
    """Every component made with a key gets its words in Vietnamese, and back in English."""
    import importlib
    import sys

    monkeypatch.setenv("ENGAGE_BACKBONE", tiny_dir)
    monkeypatch.setenv("ENGAGE_WEIGHTS", heads_dir)
    monkeypatch.setenv("ENGAGE_DEVICE", "cpu")
    sys.path.insert(0, ROOT)
    app = importlib.import_module("app")
    language, method, *updates = app.page_in("vi")
    assert language["value"] == "vi" and method["label"] == "Phương pháp"
    assert [label for label, _ in method["choices"]] == list(glossary.METHODS["vi"].values())
    assert [value for _, value in method["choices"]] == app.METHOD_LABELS  # what handlers and API clients send stays the same
    assert len(updates) == len(app.PAGE.components) > 40
    words = [w for u in updates for p, w in u.items() if p != "__type__"]
    assert "Lớp học" in words and "Phân tích video" in words and all(w in vi.TEXT.values() or "{" not in w for w in words)
    back = app.page_in("en")[2:]
    assert [w for u in back for p, w in u.items() if p != "__type__"][: len(words)] != words
