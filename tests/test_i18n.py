"""Vietnamese and English: the catalogues (engage/i18n), the report's terms, the language a browser gets, and the
page's words looked up by key."""
from __future__ import annotations

import ast
import os
import re
import string

import pytest

from engage import i18n
from engage.i18n import en, glossary, vi

from conftest import ROOT

PACKAGE = os.path.join(ROOT, "engage")
CATALOGUES = os.path.join(PACKAGE, "i18n")


def _fields(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


def _sources() -> dict[str, str]:
    """app.py and every module of engage outside the catalogues: where the words are looked up."""
    paths = [os.path.join(ROOT, "app.py")]
    for folder, _, files in os.walk(PACKAGE):
        words = folder.startswith(CATALOGUES)  # the catalogues hold the keys; their __init__ composes some (count)
        paths += [os.path.join(folder, f) for f in files if f.endswith(".py") and (not words or f == "__init__.py")]
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
    # or composed in an f-string (f"unit.{unit}.one"): its fixed parts around any field
    nodes = [node for source in _sources().values() for node in ast.walk(ast.parse(source))]
    literals = {node.value for node in nodes if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    patterns = ["".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in node.values)
                for node in nodes if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant) and "." in str(node.values[0].value)]
    unused = {k for k in en.TEXT if k not in literals and not any(re.fullmatch(p, k) for p in patterns)}
    assert not unused, f"keys no code uses: {sorted(unused)}"


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


def _analysis(windows: int = 3):
    import numpy as np

    from engage.affect.results import AffectResult, Analysis

    probs = np.full((4, 4), 0.1) + np.eye(4)[[0, 2, 1, 0]] * 0.6  # Boredom 0, Engagement 2, Confusion 1, Frustration 0
    parts = [AffectResult.from_probs(probs, 10.0 * k, 10.0 * (k + 1), 10) for k in range(windows)]
    return Analysis(kind="video", method="mlp", windows=parts, duration=10.0 * windows + 2.5, warnings=["Random test weights: these results are meaningless."])


def test_results_read_in_vietnamese_with_the_reports_words_and_decimal_commas(tmp_path):
    from engage.ui import views

    analysis = _analysis()
    md, bars, timeline, share, table, data, files = views.video_outputs(analysis, str(tmp_path), "vi")
    words = ("Chán nản", "Tập trung", "Bối rối", "Bực bội", "0 (không bực bội)", "30,0 giây đầu trong 32,5 giây", "3 cửa sổ",
             "Trọng số thử ngẫu nhiên", "mức kỳ vọng")
    for word in words:
        assert word in md, word
    assert "Boredom" not in md and "window" not in md and "1.80" not in md and "1,80" in md  # Engagement's expected level, 1.80
    figures = " ".join(str(f.to_plotly_json()) for f in (bars, timeline, share))
    assert "Xác suất của từng mức" in figures and "Chán nản: mức 0" in figures and "thời gian (giây)" in figures and "Tỉ lệ thời gian" in figures
    assert "Boredom" not in figures and "'name': 'mức 0'" in figures and "'name': 'level 0'" not in figures  # legend groups are ids, not shown
    assert table["headers"] == ["trạng thái", "mức 0 (%)", "mức 1 (%)", "mức 2 (%)", "mức 3 (%)"] and table["data"][0][0] == "Chán nản"
    assert data["windows"][0]["states"].keys() == {"Boredom", "Engagement", "Confusion", "Frustration"}  # JSON stays English: machines read it
    english = views.video_outputs(analysis, str(tmp_path))[0]
    assert "Boredom" in english and "the first 30.0 s of 32.5 s of video" in english and "Chán" not in english


def test_zerogpu_lines_in_vietnamese():
    from engage.ui import zerogpu

    day = zerogpu.GpuDay()
    day.charge("video_gpu", 40.5)
    used = zerogpu.used_line(day, "vi")
    assert used.startswith("Thời gian GPU đã dùng trong phiên này: 41 giây trong 1 lần gọi") and "của khách ẩn danh" in used
    stop = zerogpu.stop_line(1800, 3600, day, "vi")
    assert stop.startswith("Đã dừng ở phút 30,0 trên 60,0") and "đăng nhập Hugging Face" in stop
    assert "2.400 giây" in zerogpu.day_shares(60, "vi") and "2,400 s" in zerogpu.day_shares(60)
    assert zerogpu.refusal_message("ZeroGPU quota exceeded", "", 12, "vi").startswith("ZeroGPU từ chối yêu cầu này (12 giây yêu cầu, 18 giây xếp lịch)")
    assert zerogpu.duration_words(4 * 3600 + 12 * 60, "vi") == "4 giờ 12 phút"
