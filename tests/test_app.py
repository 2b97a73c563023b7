"""End to end: app.py on localhost with the tiny backbone, every API endpoint through gradio_client."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from conftest import APP_TEMPS, ROOT

MLP = "MLP heads (the report's method)"
ZERO = "Zero-shot level probabilities (engage's, untrained)"
STATES = ["Boredom", "Engagement", "Confusion", "Frustration"]


@pytest.fixture(scope="module")
def client(app_url) -> Client:
    return Client(app_url, verbose=False)


def _check_result(data: dict, kind: str, method: str) -> None:
    assert data["kind"] == kind and data["method"] == method
    assert "Random test weights: these results are meaningless." in data["warnings"]
    for w in data["windows"]:
        for s in STATES:
            assert len(w["states"][s]["probs"]) == 4
            assert sum(w["states"][s]["probs"]) == pytest.approx(1, abs=1e-6)


def test_endpoints_are_named(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/analyze_image", "/analyze_video", "/analyze_frames"} <= names


@pytest.mark.parametrize("method, short", [(MLP, "mlp"), (ZERO, "zero-shot")])
def test_analyze_image(client, method, short):
    md, fig, data = client.predict(handle_file(os.path.join(ROOT, "examples", "astronaut.png")), method, api_name="/analyze_image")
    _check_result(data, "image", short)
    assert "meaningless" in md and "| Boredom |" in md
    assert fig["type"] == "plotly" and "Boredom: level" in fig["plot"]


def test_analyze_video_long(client, long_video):
    md, bars, timeline, share, table, data, files = client.predict(handle_file(long_video), MLP, api_name="/analyze_video")
    _check_result(data, "video", "mlp")
    assert len(data["windows"]) == 3 and data["duration_seconds"] == pytest.approx(27, abs=0.2)
    assert "3 windows" in md
    assert timeline["type"] == "plotly" and "Frustration" in timeline["plot"]
    assert [row[0] for row in table["data"]] == STATES
    assert all(sum(row[1:]) == pytest.approx(100, abs=0.2) for row in table["data"])
    csv_file = next(f for f in files if f.endswith(".csv"))
    with open(csv_file) as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3 and rows[0]["window"] == "0"


def test_analyze_video_short_zero_shot(client, short_video):
    out = client.predict(handle_file(short_video), ZERO, api_name="/analyze_video")
    _check_result(out[5], "video", "zero-shot")
    assert len(out[5]["windows"]) == 1


def test_analyze_frames(client, tmp_path):
    rng = np.random.default_rng(1)
    paths = []
    for i in range(3):
        path = tmp_path / f"frame{i}.png"
        Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(path)
        paths.append(handle_file(str(path)))
    md, fig, data = client.predict(paths, MLP, api_name="/analyze_frames")
    _check_result(data, "webcam", "mlp")
    assert data["duration_seconds"] == 3 and data["windows"][0]["frames"] == 3
    assert "last 3 s of the camera" in md


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, long_video) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("bad")
    text = folder / "notes.txt"
    text.write_text("not media\n" * 20)
    corrupt = folder / "corrupt.mp4"
    data = Path(long_video).read_bytes()
    corrupt.write_bytes(data[: len(data) // 2])
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    return {"text": str(text), "corrupt": str(corrupt), "empty": str(empty)}


@pytest.mark.parametrize(
    "name, message",
    [("text", "neither an image nor a video"), ("corrupt", "corrupt"), ("empty", "empty")],
)
def test_bad_videos_get_clear_messages(client, bad_files, name, message):
    with pytest.raises(Exception, match=message):
        client.predict(handle_file(bad_files[name]), MLP, api_name="/analyze_video")


def test_bad_frames_get_clear_messages(client, bad_files, tmp_path):
    with pytest.raises(Exception, match="not an image"):
        client.predict([handle_file(bad_files["text"])], MLP, api_name="/analyze_frames")
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    Image.new("RGB", (10, 10)).save(a)
    Image.new("RGB", (20, 10)).save(b)
    with pytest.raises(Exception, match="same size"):
        client.predict([handle_file(str(a)), handle_file(str(b))], MLP, api_name="/analyze_frames")


def test_server_survives_bad_input(client, bad_files):
    with pytest.raises(AppError):
        client.predict(handle_file(bad_files["text"]), MLP, api_name="/analyze_image")
    md, fig, data = client.predict(handle_file(os.path.join(ROOT, "examples", "astronaut.png")), MLP, api_name="/analyze_image")
    assert data["kind"] == "image"


def test_classroom_photo_rename_report_and_export(client, tmp_path):
    from engage.classroom.scenes import benchmark_scenes

    scene = next(s for s in benchmark_scenes() if len(s.boxes) >= 3)
    photo = tmp_path / "class.png"
    Image.fromarray(scene.frame).save(photo)
    status, cards, frame, timeline, heat, table, emotions, files = client.predict(
        None, handle_file(str(photo)), ZERO, 8, api_name="/analyze_classroom"
    )
    assert "faces found" in status and "students seen" in cards and "meaningless" in cards
    seen = int(next(ln for ln in cards.splitlines() if "students seen" in ln).split("|")[2])  # the card "students seen | N"
    assert len(table["data"]) == seen == min(8, len(scene.boxes)) and table["data"][0][1] == "Student 1"
    assert any(f.endswith("-students.csv") for f in files) and frame
    assert emotions["headers"][2:] == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    assert len(emotions["data"]) == seen and " · " in emotions["data"][0][2]
    out = client.predict("1=Alice", api_name="/rename_students")
    assert out[5]["data"][0][1] == "Alice" and out[6]["data"][0][1] == "Alice"
    report = client.predict(False, api_name="/class_report")
    assert "### Class summary" in report and "Alice" in report


def test_the_roster_names_the_students_through_the_api(app_url, tmp_path):
    """/roster_add with photos named after two people, then a classroom photo of both: named in the table, the
    annotated frame's session and the exports; the roster exports and clears. One client: one session."""
    from engage.classroom import measure

    client = Client(app_url, verbose=False)
    people = measure.people()
    for name, person in (("eileen_collins-1.png", people["collins"]), ("Grace Hopper.png", people["hopper"])):
        Image.fromarray(measure.portrait(person, 110)).save(tmp_path / name)
    msg, roster, files, *_ = client.predict([handle_file(str(tmp_path / "eileen_collins-1.png")), handle_file(str(tmp_path / "Grace Hopper.png"))],
                                            "", api_name="/roster_add")
    assert "2 students in the roster" in msg and roster["data"] == [["Eileen Collins", 1], ["Grace Hopper", 1]]
    assert files is None  # the upload box is cleared: the roster keeps descriptors, not photos
    kept = [f for _, _, names in os.walk(APP_TEMPS[app_url]) for f in names if f in ("eileen_collins-1.png", "Grace Hopper.png")]
    assert len(kept) == 2, "no upload is deleted by a handler (a path proves no owner): gradio's copies go with the sweep"
    class_photo = tmp_path / "class.png"
    Image.fromarray(measure.pair_clip([people["hopper"], people["collins"]], seconds=1).frames[0]).save(class_photo)
    out = client.predict(None, handle_file(str(class_photo)), ZERO, 8, api_name="/analyze_classroom")
    assert sorted(row[1] for row in out[5]["data"]) == ["Eileen Collins", "Grace Hopper"]
    assert "Grace Hopper" in Path(next(f for f in out[7] if f.endswith("-students.csv"))).read_text()
    exported = client.predict(api_name="/roster_export")
    assert json.loads(Path(exported).read_text())["format"] == "engage-roster"
    msg, roster = client.predict(api_name="/roster_clear")
    assert "The roster is empty" in msg and not any(any(row) for row in roster["data"])
    with pytest.raises(Exception, match="No face found"):
        blank = tmp_path / "blank.png"
        Image.fromarray(np.full((200, 200, 3), 128, np.uint8)).save(blank)
        client.predict([handle_file(str(blank))], "Nobody", api_name="/roster_add")


def test_classroom_needs_input(client):
    with pytest.raises(Exception, match="Upload a classroom video or photo"):
        client.predict(None, None, ZERO, 8, api_name="/analyze_classroom")


def test_a_phone_photo_with_an_exif_tag_is_analysed_upright_through_the_app(client, tmp_path):
    """Through gradio's upload and the API: a tagged photo gives the upright photo's result, not the sideways one's."""
    from test_orientation import upright, write_tagged

    stored = write_tagged(tmp_path / "tagged.png", 6)
    Image.fromarray(upright()).save(tmp_path / "upright.png")
    Image.fromarray(stored).save(tmp_path / "sideways.png")
    probs = {}
    for name in ("tagged", "upright", "sideways"):
        data = client.predict(handle_file(str(tmp_path / f"{name}.png")), MLP, api_name="/analyze_image")[2]
        probs[name] = np.array([data["windows"][0]["states"][s]["probs"] for s in STATES])
    np.testing.assert_allclose(probs["tagged"], probs["upright"], atol=1e-6)
    assert np.abs(probs["tagged"] - probs["sideways"]).max() > 1e-6


def test_the_api_answers_in_english_unless_asked_for_vietnamese(client):
    """The language is an optional last parameter: existing clients get English; "vi" gets the report's words."""
    photo = handle_file(os.path.join(ROOT, "examples", "astronaut.png"))
    english = client.predict(photo, MLP, api_name="/analyze_image")[0]
    vietnamese = client.predict(photo, MLP, "vi", api_name="/analyze_image")[0]
    assert "Boredom" in english and "one still image" in english
    assert all(word in vietnamese for word in ("Chán nản", "Tập trung", "Bối rối", "Bực bội", "một ảnh tĩnh", "Trọng số thử ngẫu nhiên"))
    assert "Boredom" not in vietnamese and "random test weights" not in vietnamese.lower()
    with pytest.raises(AppError, match="Hãy tải lên một video trước"):
        client.predict(None, MLP, "vi", api_name="/analyze_video")
