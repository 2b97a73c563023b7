"""app.py's handlers called directly (no server, no browser), with the tiny backbone."""
from __future__ import annotations

import importlib
import os
import sys
from types import SimpleNamespace

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
    monkeypatch.setattr(app, "time", SimpleNamespace(monotonic=lambda: next(clock)))  # app's clock only
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


def test_classroom_camera_observes_each_second_and_analyses_every_few(app, monkeypatch):
    """The classroom camera handler: frames under a second apart are skipped; students are analysed once enough
    camera time is in (every 2 × ENGAGE_WEBCAM_UPDATE_S = 6 s by default)."""
    import gradio as gr

    from engage.classroom.faces import benchmark_scenes

    frame = next(s for s in benchmark_scenes() if len(s.boxes) >= 2).frame
    clock = iter([200.0, 200.3, 201.0, 202.0, 203.0, 204.0, 205.0])
    monkeypatch.setattr(app, "time", SimpleNamespace(monotonic=lambda: next(clock)))  # app's clock only
    calls, real_gpu = [], app._classroom_gpu
    monkeypatch.setattr(app, "_classroom_gpu", lambda room, bounds, method: calls.append(list(bounds)) or real_gpu(room, bounds, method))
    room, skipped = None, []
    for _ in range(7):
        out = app.classroom_frame(frame, "zero-shot", 4, room)
        room = out[-1]
        skipped.append(all(isinstance(o, type(gr.skip())) for o in out[:-1]))
    assert skipped == [False, True, False, False, False, False, False]
    assert calls == [[(0.0, 6.0)]]  # at the frame of t = 5 s
    assert room.analysed_until == 6.0 and "face" in out[0]


def test_the_real_spaces_decorator_is_used_where_the_package_is_installed(app):
    import spaces

    assert app.gpu is spaces.GPU and app.ZERO_GPU is False  # off ZeroGPU it returns each function unchanged


def test_the_app_runs_without_the_spaces_package(tiny_dir, heads_dir, tmp_path):
    """Locally, without `spaces` (it is not in requirements.txt), a no-op stand-in takes its place."""
    import subprocess

    env = dict(os.environ, ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu", GRADIO_TEMP_DIR=str(tmp_path))
    code = (
        "import sys; sys.modules['spaces'] = None\n"  # as if not installed: `import spaces` raises ImportError
        "import app\n"
        "md, fig, data = app.analyze_image('examples/astronaut.png', 'zero-shot')\n"
        "print(app.gpu.__module__, app.ZERO_GPU, data['kind'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-3:] == ["engage.ui.zerogpu", "False", "image"]


def test_no_gpu_returns_the_function_bare_or_with_arguments():
    from engage.ui.zerogpu import no_gpu

    def f(x):
        return x + 1

    assert no_gpu(f) is f and no_gpu(duration=lambda x: 3)(f) is f and no_gpu(duration=30, size="large")(f)(1) == 2
