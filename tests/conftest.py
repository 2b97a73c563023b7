"""Shared fixtures: a tiny random Qwen2.5-VL checkpoint, random heads, test videos, a live app."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Modules whose tests launch the app (end-to-end through gradio_client, Chromium, load, the ZeroGPU emulation): marked
# "slow", so that `python -m pytest -q -m "not slow" tests` runs the rest alone while working; CI runs them all.
SLOW_MODULES = {"test_app", "test_browser", "test_browser_names", "test_files", "test_limits", "test_load", "test_phone",
                "test_vietnamese_browser", "test_zerogpu", "test_zerogpu_day"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
sys.path.insert(0, ROOT)


def write_video(path: str, seconds: float, fps: float = 10, size: tuple[int, int] = (160, 120), codec: str = "libx264") -> str:
    """A real video file whose frames differ over time (a moving bar on a gradient)."""
    import av

    width, height = size
    n = int(round(seconds * fps))
    with av.open(path, "w") as container:
        stream = container.add_stream(codec, rate=int(fps) if float(fps).is_integer() else fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        base = np.linspace(0, 255, width, dtype=np.uint8)[None, :, None].repeat(height, 0).repeat(3, 2)
        for i in range(n):
            frame = base.copy()
            x = int(i / max(n, 1) * (width - 8))
            frame[:, x : x + 8] = (255, 0, 0)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write_frames(path: str, frames: list[np.ndarray], fps: int = 2) -> str:
    """A video of exactly these RGB frames."""
    import av

    h, w = frames[0].shape[:2]
    with av.open(path, "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for f in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.fixture(scope="session")
def classroom_video(media_dir) -> str:
    """27 s of a classroom scene with at least three faces, at 2 FPS (1280×720)."""
    from engage.classroom.scenes import benchmark_scenes

    scene = next(s for s in benchmark_scenes() if len(s.boxes) >= 3)
    return write_frames(os.path.join(media_dir, "classroom.mp4"), [scene.frame] * 54)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> str:
    from engage.model.tiny import make_tiny_backbone

    return make_tiny_backbone(str(tmp_path_factory.mktemp("tiny-backbone")))


@pytest.fixture(scope="session")
def heads_dir(tmp_path_factory) -> str:
    from engage.affect.heads import random_heads

    return random_heads(64).save(str(tmp_path_factory.mktemp("heads")))


@pytest.fixture(scope="session")
def engine(tiny_dir, heads_dir):
    from engage.affect.pipeline import Engine

    return Engine.load(tiny_dir, heads_dir, device="cpu")


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("media"))


@pytest.fixture(scope="session")
def short_video(media_dir) -> str:
    return write_video(os.path.join(media_dir, "short.mp4"), seconds=4.5)


@pytest.fixture(scope="session")
def long_video(media_dir) -> str:
    return write_video(os.path.join(media_dir, "long.mp4"), seconds=27)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict[str, str], log_path: str, port: int | None = None, timeout: float = 180) -> tuple[str, subprocess.Popen]:
    """``python app.py`` on localhost with ``env`` added to this environment; returns its URL and process once it
    answers. Its output goes to ``log_path``."""
    port = port or _free_port()
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False", **env}
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}; see {log_path}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return url, proc
        except OSError:
            time.sleep(1)
    proc.kill()
    raise RuntimeError(f"app.py did not start within {timeout:.0f} s; see {log_path}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


APP_LOGS: dict[str, str] = {}  # url -> the log file of the app serving it
APP_TEMPS: dict[str, str] = {}  # url -> gradio's temp folder (uploads, downloads) of that app


@pytest.fixture(scope="session")
def app_url(tiny_dir, heads_dir, tmp_path_factory):
    """``python app.py`` on localhost with the tiny backbone and random heads."""
    env = dict(
        ENGAGE_BACKBONE=tiny_dir,
        ENGAGE_WEIGHTS=heads_dir,
        ENGAGE_DEVICE="cpu",
        ENGAGE_WEBCAM_UPDATE_S="2",
        GRADIO_TEMP_DIR=str(tmp_path_factory.mktemp("gradio")),
    )
    log = str(tmp_path_factory.mktemp("applog") / "app.log")
    url, proc = start_app(env, log)
    APP_LOGS[url] = log
    APP_TEMPS[url] = env["GRADIO_TEMP_DIR"]
    yield url
    stop_app(proc)


@pytest.fixture(scope="session")
def app_log(app_url) -> str:
    """The log file (stdout and stderr) of the app at ``app_url``."""
    return APP_LOGS[app_url]
