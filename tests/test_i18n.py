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
    assert table["headers"] == ["trạng thái", "mức 0", "mức 1", "mức 2", "mức 3"] and table["data"][0][0] == "Chán nản"
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


# Strings in engage/ui that read as English but are matched, not shown: ZeroGPU's own titles and messages, and the
# heads card's source lines (read from the card to say the source in the visitor's words)
MATCHED = {"GPU task aborted", "ZeroGPU quota exceeded", "ZeroGPU worker error", "ZeroGPU illegal duration", "ZeroGPU queue timeout",
           "ZeroGPU pending credits exceeded", "engage's default, given at random initialisation", "given to import_reference_heads",
           "the protocol of the features the heads were trained on (their features directory's meta.json)", "trained by `python -m engage train`"}


def _english_in(source: str) -> list[str]:
    """String literals (f-strings' fixed parts too) that read as English words, outside docstrings, regular
    expressions and programmers' errors (``raise ValueError(...)``)."""
    tree = ast.parse(source)
    skip = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body and isinstance(node.body[0], ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and getattr(node.exc.func, "id", "") in ("ValueError", "TypeError"):
            skip |= {id(n) for n in ast.walk(node.exc)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}
            words = " ".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value
        else:
            continue
        if words not in MATCHED and "(?" not in words and "\\(" not in words and re.search(r"[A-Za-z]{2,} [a-z]+ [a-z]+", words):
            found.append(words)
    return found


def test_no_english_sentence_in_the_views_and_handlers():
    """Every module of engage/ui builds what a visitor reads from the catalogue: no English sentence is written in
    one (the check is shown to fail on an English line)."""
    sources = {path: source for path, source in _sources().items() if path.startswith(os.path.join("engage", "ui"))}
    assert len(sources) >= 10
    found = {path: _english_in(source) for path, source in sources.items()}
    assert not any(found.values()), {path: words for path, words in found.items() if words}
    assert _english_in('def f(n):\n    return f"{n} students were seen"\n') == [" students were seen"]


def test_library_errors_are_said_in_the_visitors_language_also_back_from_a_gpu_worker(tmp_path):
    """A file's problem is raised by the library with a catalogue key: the CLI and logs read English, the visitor
    their language, and the key survives the pickling a ZeroGPU worker's error goes through."""
    import pickle

    import numpy as np

    from engage.errors import EngageError
    from engage.media import Limits, load_image

    notes = tmp_path / "notes.png"
    notes.write_text("text, named like a picture\n")
    with pytest.raises(EngageError) as caught:
        load_image(str(notes), Limits())
    assert str(caught.value) == "This file is not an image we can read."
    assert caught.value.words("vi") == "Tệp này không phải là ảnh mà ứng dụng đọc được."
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.key == "error.not_image" and again.words("vi") == caught.value.words("vi")
    big = tmp_path / "big.png"
    from PIL import Image

    Image.fromarray(np.zeros((60, 120, 3), np.uint8)).save(big)
    with pytest.raises(EngageError) as caught:
        load_image(str(big), Limits(max_image_pixels=1000))
    assert caught.value.words("vi") == "Ảnh có kích thước 120×60 (0 megapixel); giới hạn là 0 megapixel."


def test_names_and_renames_are_refused_in_the_visitors_language():
    from engage.classroom.session import check_name
    from engage.errors import InvalidInputError
    from engage.ui import views

    with pytest.raises(InvalidInputError) as caught:
        views.parse_renames("1=Ada, 9=Bob", [1, 2])
    assert caught.value.words("vi") == "Không có học sinh 9 trong phiên này (các mã: 1, 2)." and isinstance(caught.value, ValueError)
    with pytest.raises(InvalidInputError) as caught:
        views.parse_renames("Ada")
    assert caught.value.words("vi").startswith("Không đọc được 'Ada': hãy viết đổi tên theo dạng 1=An")
    with pytest.raises(InvalidInputError) as caught:
        check_name("a\x07b")
    assert caught.value.words("vi") == "Tên không được chứa ký tự điều khiển: 'a\\x07b'."


def _session():
    from engage.classroom.session import ClassSession, Observation

    session = ClassSession()
    probs = {s: [0.1, 0.2, 0.6, 0.1] for s in ("Boredom", "Engagement", "Confusion", "Frustration")}
    for t in range(4):
        session.add(Observation(t=float(t), track_id=1, box=(0, 0, 10, 10), affect=probs, emotions={"happy": 0.7, "neutral": 0.3}, pose=None, attending=True))
        session.add(Observation(t=float(t), track_id=2, box=(20, 0, 30, 10), affect=probs, emotions={"sad": 0.6, "neutral": 0.4}, pose=None, attending=False))
    session.rename(2, "Bảo")
    return session


def test_the_classroom_dashboard_in_vietnamese():
    from engage.ui import classroom_plots, views

    session = _session()
    cards = views.classroom_cards(session, ["Random test weights: these results are meaningless."], "vi")
    assert "Trọng số thử ngẫu nhiên" in cards and "| số học sinh | 2 |" in cards and "| mức tập trung trung bình | 1,7 / 3 |" in cards
    rows = views.student_rows(session, "vi")
    assert [r[1] for r in rows] == ["Học sinh 1", "Bảo"] and [r[6] for r in rows] == ["vui vẻ", "buồn"]
    assert views.student_headers("vi")[:3] == ["mã", "tên", "số giây xuất hiện"] and views.emotion_headers("vi")[2] == "tức giận"
    assert views.emotion_rows(session, "vi")[0][5] == "100% · 0,70"  # happy: always the most likely, mean 0.70
    made = (classroom_plots.class_timeline(session, lang="vi"), classroom_plots.student_levels(session, lang="vi"))
    figures = " ".join(str(f.to_plotly_json()) for f in made)
    for words in ("Cả lớp theo thời gian", "Chán nản", "mức trung bình", "trung bình của", "Học sinh 1", "Bảo (#2)", "rất thấp"):
        assert words in figures, words
    assert "Boredom" not in figures and "Student" not in figures and "students" not in figures


def test_the_per_student_csv_has_a_vietnamese_header_row_above_the_machines_one():
    import csv
    import io

    from engage.ui import views

    session = _session()
    english = views.students_csv(session)
    vietnamese = views.students_csv(session, "vi")
    assert not english.startswith("\ufeff") and english.splitlines()[0].startswith("track_id,name,seconds")
    first, rest = vietnamese.lstrip("\ufeff").split("\n", 1)
    assert vietnamese.startswith("\ufeff") and rest == english  # below the Vietnamese row, the English file as it is
    header = next(csv.reader(io.StringIO(first)))
    assert len(header) == len(english.splitlines()[0].split(",")) and header[:3] == ["mã", "tên", "số giây xuất hiện"]
    assert "Chán nản: mức trung bình" in header and "vui vẻ: xác suất trung bình" in header


def test_a_language_switch_redraws_the_results_shown(monkeypatch, tiny_dir, heads_dir):
    """The results on screen come back in the other language from what each tab holds: the JSON of a result, the
    classroom's session; tables get their headers in it even when empty."""
    import importlib
    import sys

    monkeypatch.setenv("ENGAGE_BACKBONE", tiny_dir)
    monkeypatch.setenv("ENGAGE_WEIGHTS", heads_dir)
    monkeypatch.setenv("ENGAGE_DEVICE", "cpu")
    sys.path.insert(0, ROOT)
    importlib.import_module("app")
    from engage.ui import class_handlers, handlers

    analysis = _analysis()
    outputs = handlers.redraw_results("vi", "mlp", analysis.to_dict(), analysis.to_dict(), None)
    image_md, _, video_md, _, timeline, share, table, webcam_md, _ = outputs
    assert "Chán nản" in image_md and "3 cửa sổ" in video_md and "Tỉ lệ thời gian" in str(share.to_plotly_json())
    assert table["headers"][0] == "trạng thái" and webcam_md == "Đang chờ camera…"
    assert "Boredom" in handlers.redraw_results("en", "mlp", analysis.to_dict(), None, None)[0]
    empty = handlers.redraw_results("vi", "mlp", None, None, None)
    assert empty[6]["headers"][0] == "trạng thái" and empty[6]["data"] == []
    nothing = class_handlers.redraw_classroom("vi", None, None, None)
    assert nothing[5]["headers"][1] == "tên" and nothing[6]["headers"][2] == "tức giận" and nothing[7] == "Danh sách lớp đang trống."


def test_the_classroom_plan_and_progress_speak_the_visitors_language():
    from engage.ui import zerogpu

    assert zerogpu.classroom_plan(1, 1, 40, False, "vi") == (
        "Đang tìm khuôn mặt trên CPU trong 1 cửa sổ; sau đó tối đa 1 đoạn khuôn mặt (khuôn mặt của một học sinh trong một cửa sổ 10 giây), "
        "được mô hình phân tích trong tối đa 1 lần gọi…"
    )


def test_gradios_own_words_are_matched_as_gradio_writes_them():
    """The page swaps Gradio's own words in the browser by their English (engage/ui/gradio_words.py): each must be
    Gradio's exactly, or a Gradio upgrade that rewords one leaves it English on a Vietnamese page unnoticed."""
    import glob
    from pathlib import Path

    import gradio

    from engage.ui import gradio_words

    bundle = "\n".join(Path(f).read_text(encoding="utf-8", errors="ignore")
                       for f in glob.glob(os.path.join(os.path.dirname(gradio.__file__), "templates", "frontend", "assets", "*.js")))
    composed = {"gradio.or": "- ${"}  # "- or -" is drawn as `- ${i18n("common.or")} -`
    for k in gradio_words.EXACT + gradio_words.PREFIX:
        assert composed.get(k, en.TEXT[k]) in bundle, f"{k}: {en.TEXT[k]!r} is not in Gradio's frontend"
    words = gradio_words.words()
    assert words["exact"]["vi"][gradio_words.EXACT.index("gradio.drop_video")] == "Thả video vào đây"
    script = gradio_words.script()
    assert "Thả video vào đây" in script and "Drop Video Here" in script and "engageLanguage" in gradio_words.set_language_js
