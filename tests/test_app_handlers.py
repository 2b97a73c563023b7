"""app.py's handlers called directly (no server, no browser), with the tiny backbone."""
from __future__ import annotations

import importlib
import os
import sys

import numpy as np
import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def app(tiny_dir, heads_dir):
    saved = {k: os.environ.get(k) for k in ("ENGAGE_BACKBONE", "ENGAGE_WEIGHTS", "ENGAGE_DEVICE")}
    os.environ.update(ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu")
    sys.path.insert(0, ROOT)
    module = importlib.import_module("app")
    yield module
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_webcam_frame_skips_empty_frames(app):
    import gradio as gr

    md, fig, data, stream = app.webcam_frame(None, "mlp", None)
    assert isinstance(md, type(gr.skip())) and stream is not None and not stream.windows


def test_webcam_frame_shows_a_result_once_a_frame_pair_is_in(app, monkeypatch):
    import gradio as gr

    clock = iter([100.0, 100.5, 101.0])
    monkeypatch.setattr(app.time, "monotonic", lambda: next(clock))
    frame = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    first = app.webcam_frame(frame, "MLP heads (report's method)", None)
    assert isinstance(first[0], type(gr.skip())) and first[3].pushed == 1  # encoded, no result yet
    again = app.webcam_frame(frame, "MLP heads (report's method)", first[3])
    assert isinstance(again[0], type(gr.skip())) and again[3].pushed == 1  # under 1 s later: not kept
    md, fig, data, stream = app.webcam_frame(frame, "MLP heads (report's method)", again[3])
    assert "last 2 s of the camera (2 frames at 1 FPS)" in md and data["kind"] == "webcam" and stream.pushed == 2


def test_handlers_turn_library_errors_into_messages(app, tmp_path):
    import gradio as gr

    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(gr.Error, match="corrupt"):
        app.analyze_video(str(bad), "mlp")
    with pytest.raises(gr.Error, match="Upload an image"):
        app.analyze_image(None, "mlp")
    with pytest.raises(gr.Error, match="Unknown method"):
        app.analyze_image(os.path.join(ROOT, "examples", "astronaut.png"), "best guess")


def test_classroom_video_finds_faces_outside_the_gpu_calls(app, long_video, monkeypatch):
    """Face detection is CPU work: it runs between GPU calls, each call analysing a few windows."""
    inside, calls, detected = [], [], []
    real_gpu, real_detect = app._classroom_gpu, app.DETECTOR.detect

    def gpu(room, bounds, method):
        calls.append(list(bounds))
        inside.append(True)
        try:
            return real_gpu(room, bounds, method)
        finally:
            inside.pop()

    monkeypatch.setattr(app, "_classroom_gpu", gpu)
    monkeypatch.setattr(app.DETECTOR, "detect", lambda frame: detected.append(bool(inside)) or real_detect(frame))
    monkeypatch.setattr(app, "CLASSROOM_WINDOWS_PER_CALL", 2)
    outputs = app.analyze_classroom(long_video, None, "zero-shot", 4, progress=lambda *a, **k: None)
    assert calls == [[(0.0, 10.0), (10.0, 20.0)], [(20.0, 27.0)]]
    assert detected and not any(detected)  # 27 frames looked at, none inside a GPU call
    assert outputs[-1].analysed_until == 27.0
