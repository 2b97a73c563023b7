"""What a hostile visitor sends (issue 26, items 12, 17, 18, 19): each is refused with engage's own line in both
languages, or shown as the text it is; nothing of another visitor's is deleted; a refused import changes nothing."""
from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import struct
import zlib

import av
import gradio as gr
import numpy as np
import pytest
from markdown_it import MarkdownIt
from PIL import Image, PngImagePlugin

from engage.classroom import identity
from engage.classroom.report import clean_generated, template_report
from engage.classroom.session import ClassSession, Observation, check_name
from engage.errors import CorruptMediaError, InvalidInputError
from engage.i18n import text
from engage.media import VideoSource, load_image, media_kind

from conftest import ROOT

EVIL = ("![p](https://evil.example/p.png)", "[click me](https://evil.example/x)", "a | b | c", "www.evil.example", "x@evil.example")


@pytest.fixture(scope="module")
def app(tiny_dir, heads_dir):
    saved = {k: os.environ.get(k) for k in ("ENGAGE_BACKBONE", "ENGAGE_WEIGHTS", "ENGAGE_DEVICE")}
    os.environ.update(ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu")
    class_handlers = importlib.import_module("engage.ui.class_handlers")  # loads the tiny engine at import, as the app does
    yield class_handlers
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


# ---------------------------------------------------------------- 18: names are text


def _session(names) -> ClassSession:
    session = ClassSession()
    affect = {s: [0.1, 0.2, 0.3, 0.4] for s in ("Boredom", "Engagement", "Confusion", "Frustration")}
    emotions = dict.fromkeys(("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"), 1 / 7)
    for i, name in enumerate(names, start=1):
        session.add(Observation(0.0, i, (0, 0, 10, 10), affect, emotions, None, None, duration=10.0))
        session.rename(i, name)
    return session


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_names_in_the_class_report_are_text_not_markdown(lang):
    markdown = template_report(_session(EVIL), lang).markdown
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<img" not in html and "<a " not in html, html
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(EVIL)  # the header and one row per student
    cells = {r.count("|") - r.count("\\|") for r in rows}
    assert cells == {9}, rows  # no name shifts the emotions table: 8 cells each
    for bare in ("https:", "www.", "x@"):  # GFM's autolinks (not in commonmark) need these unescaped
        assert bare not in markdown
    for name in EVIL:  # each reads as typed once rendered
        assert name in html.replace("&amp;", "&")


def test_links_the_model_would_repeat_are_text():
    cleaned = clean_generated("Bao wrote ![p](https://evil.example/p.png) and [x](http://a.b) www.c.d e@f.g | h")
    html = MarkdownIt("commonmark").enable("table").render(cleaned)
    assert "<img" not in html and "<a " not in html and "https:" not in cleaned and "www." not in cleaned


@pytest.mark.parametrize("name", ["Ana\u202egpj.exe", "Bao\u200b", "Chi\u2066x", "Dung\u2028x"])
def test_names_with_format_characters_are_refused(name):
    with pytest.raises(InvalidInputError) as refused:
        check_name(name)
    for lang in ("en", "vi"):
        assert "\u202e" not in refused.value.words(lang) and refused.value.key in ("error.name_format", "error.name_control")
    with pytest.raises(InvalidInputError):
        identity.Roster().add(name, np.zeros(identity.DIMENSIONS, np.float32))


@pytest.mark.parametrize("name", [5, {"a": 1}, ["Ann"], None])
def test_a_name_that_is_not_text_is_refused(name):
    with pytest.raises(InvalidInputError) as refused:
        check_name(name)
    assert refused.value.key == "error.name_not_text" and text("error.name_not_text", "vi") != text("error.name_not_text")


def test_the_roster_line_shows_names_and_file_names_as_text(app):
    roster = identity.Roster()
    roster.add("[click me](https://evil.example/x)", np.zeros(identity.DIMENSIONS, np.float32))
    line, table = app._roster_view(roster, "![p](https://evil.example/p.png).jpg: photo of a | b added.")
    html = MarkdownIt("commonmark").enable("table").render(line)
    assert "<img" not in html and "<a " not in html and "https:" not in line
    assert table["data"][0][0] == "[click me](https://evil.example/x)"  # a table cell is text already: kept as typed


# ---------------------------------------------------------------- 12: no upload deleted, 17: all or nothing


def _roster_file(folder, names, name="roster.json") -> dict:
    rng = np.random.default_rng(0)
    data = {"format": identity.ROSTER_FORMAT, "version": 1, "model": "dlib-resnet-v1",
            "students": [{"name": n, "descriptors": [rng.normal(size=identity.DIMENSIONS).round(4).tolist()]} for n in names]}
    path = folder / name
    path.write_text(json.dumps(data))
    return {"path": str(path), "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def test_the_roster_deletes_no_upload(app, tmp_path):
    """Any path of gradio's upload folder can be named (the examples' are published): none is deleted, used or not."""
    example = tmp_path / "astronaut.png"
    shutil.copy(os.path.join(ROOT, "examples", "astronaut.png"), example)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 64)).save(blank)
    with pytest.raises(gr.Error, match="No face found"):
        app.add_to_roster([{"path": str(blank), "orig_name": "Bao.png"}], "", None, None, None)
    upload = _roster_file(tmp_path, ["Chi"])
    out = app.add_to_roster([{"path": str(example), "orig_name": "Ana.png"}, upload], "", None, None, None)
    assert out[2].names == ["Ana", "Chi"]
    assert example.is_file() and blank.is_file() and os.path.isfile(upload["path"])


def test_a_refused_roster_import_adds_nothing(app, tmp_path):
    roster = identity.Roster()
    for i in range(55):
        roster.add(f"Student {i}", np.full(identity.DIMENSIONS, i, np.float32))
    upload = _roster_file(tmp_path, [f"New {i}" for i in range(10)])
    for lang, words in (("en", "none of them was added"), ("vi", "không học sinh nào được thêm")):
        with pytest.raises(gr.Error, match=words):
            app.add_to_roster([upload], "", roster, None, None, lang)
        assert len(roster) == 55  # the session's roster is untouched
    added = app.add_to_roster([_roster_file(tmp_path, [f"New {i}" for i in range(5)], "five.json")], "", roster, None, None)
    assert len(added[2]) == 60 and len(roster) == 55 and "60 students" in added[0]


def test_roster_add_refuses_a_name_that_is_not_text_and_keeps_the_upload(app, tmp_path):
    photo = tmp_path / "ana.png"
    Image.new("RGB", (64, 64)).save(photo)
    for name in (5, {"a": 1}):
        for lang in ("en", "vi"):
            with pytest.raises(gr.Error, match=text("error.name_not_text", lang)):
                app.add_to_roster([{"path": str(photo), "orig_name": "ana.png"}], name, None, None, None, lang)
    assert photo.is_file()


def test_renames_that_are_not_text_are_refused(app):
    room = app.Classroom(max_faces=4)
    with pytest.raises(gr.Error, match=text("error.name_not_text")):
        app.rename_students(5, room, None)


@pytest.mark.parametrize("faces", [True, False, float("inf"), float("nan"), "4", None])
def test_faces_must_be_a_number_not_true(app, faces):
    with pytest.raises(gr.Error, match="from 1 to 40"):
        app._faces(faces)


# ---------------------------------------------------------------- 19: files that raised Python's own errors


def test_a_roster_nested_deep_or_with_an_object_as_a_name_is_refused(tmp_path):
    for content, key in (("[" * 100_000 + "]" * 100_000, "error.roster_not_json"), (b"\xff\xfe{", "error.roster_not_json")):
        with pytest.raises(identity.RosterError) as refused:
            identity.Roster.from_json(content)
        assert refused.value.key == key
    doc = {"format": identity.ROSTER_FORMAT, "students": [{"name": {"first": "Ann"}, "descriptors": [[0.0] * identity.DIMENSIONS]}]}
    with pytest.raises(identity.RosterError) as refused:
        identity.Roster.from_json(json.dumps(doc))
    assert refused.value.key == "error.roster_damaged"
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "engage-roster", "students": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(identity.RosterError):
        identity.Roster.read(str(deep))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@pytest.mark.parametrize(("kind", "late"), [(b"iCCP", False), (b"zTXt", False), (b"zTXt", True)])
def test_a_png_with_an_oversized_chunk_is_refused_in_one_line(tmp_path, kind, late):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "PNG")
    png = buf.getvalue()
    big = zlib.compress(b"\0" * (PngImagePlugin.MAX_TEXT_CHUNK + 10))
    chunk = _chunk(kind, (b"icc\0\0" if kind == b"iCCP" else b"Comment\0\0") + big)
    at = png.index(b"IEND") - 4 if late else 33  # before the image data (read on open), or after (read on load)
    path = tmp_path / "chunk.png"
    path.write_bytes(png[:at] + chunk + png[at:])
    with pytest.raises(CorruptMediaError) as refused:
        load_image(str(path))
    assert refused.value.key == "error.image_metadata" and "metadata" in refused.value.words("en")
    assert refused.value.words("vi") != refused.value.words("en")
    assert media_kind(str(path)) == "image"


def _tiny_video(path, width: int, height: int) -> str:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv444p" if width % 2 or height % 2 else "yuv420p"
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), i * 10, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (2, 2), (24, 24), (48, 20)])
def test_tiny_videos_are_decoded_not_called_corrupt(tmp_path, width, height):
    """decord fails on every frame of some small sizes; PyAV decodes them."""
    clips = VideoSource(_tiny_video(tmp_path / "tiny.mp4", width, height)).clips()
    assert clips and clips[0].frames.shape[1:] == (height, width, 3)
    assert int(clips[0].frames[-1].mean()) > int(clips[0].frames[0].mean())  # the frames asked for, not one repeated


# ---------------------------------------------------------------- through the API: one line each, no traceback in the log


def test_hostile_roster_and_classroom_calls_get_one_line_and_leave_no_traceback(app_url, app_log, tmp_path):
    from gradio_client import Client, handle_file
    from test_robust import ZERO, _visitor_line

    client = Client(app_url, verbose=False)
    photo = tmp_path / "ana.png"
    Image.new("RGB", (64, 64)).save(photo)
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "engage-roster", "students": ' + "[" * 100_000 + "]" * 100_000 + "}")
    named = tmp_path / "named.json"
    named.write_text(json.dumps({"format": identity.ROSTER_FORMAT, "students": [{"name": {"a": 1}, "descriptors": [[0.0] * identity.DIMENSIONS]}]}))
    start = os.path.getsize(app_log)
    for call, words in (
        (lambda: client.predict([handle_file(str(photo))], 5, api_name="/roster_add"), "A name must be text"),
        (lambda: client.predict([handle_file(str(photo))], {"a": 1}, api_name="/roster_add"), "A name must be text"),
        (lambda: client.predict([handle_file(str(deep))], "", api_name="/roster_add"), "not a roster exported by engage"),
        (lambda: client.predict([handle_file(str(named))], "", api_name="/roster_add"), "damaged"),
        (lambda: client.predict(None, handle_file(str(photo)), ZERO, True, api_name="/analyze_classroom"), "from 1 to 40"),
        (lambda: client.predict(5, api_name="/rename_students"), "Analyse a classroom first"),
    ):
        with pytest.raises(Exception, match=words) as refused:
            call()
        _visitor_line(str(refused.value))
    with open(app_log) as fh:
        fh.seek(start)
        logged = fh.read()
    assert "Traceback" not in logged, logged[-3000:]
