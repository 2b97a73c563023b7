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

    md, fig, data, buffer = app.webcam_frame(None, "mlp", None)
    assert isinstance(md, type(gr.skip())) and buffer is not None and not buffer.frames


def test_webcam_frame_updates_then_waits(app):
    import gradio as gr

    frame = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    md, fig, data, buffer = app.webcam_frame(frame, "MLP heads (report's method)", None)
    assert "last 1 s of the camera (1 frame at 1 FPS)" in md and data["kind"] == "webcam"
    again = app.webcam_frame(frame, "MLP heads (report's method)", buffer)
    assert isinstance(again[0], type(gr.skip()))  # under 1 s later: no new frame, no new result


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
