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
    from engage.classroom.faces import benchmark_scenes

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


@pytest.fixture(scope="session")
def app_url(tiny_dir, heads_dir, tmp_path_factory):
    """``python app.py`` on localhost with the tiny backbone and random heads."""
    port = _free_port()
    env = dict(
        os.environ,
        ENGAGE_BACKBONE=tiny_dir,
        ENGAGE_WEIGHTS=heads_dir,
        ENGAGE_DEVICE="cpu",
        ENGAGE_WEBCAM_UPDATE_S="2",
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_SERVER_PORT=str(port),
        GRADIO_ANALYTICS_ENABLED="False",
        GRADIO_TEMP_DIR=str(tmp_path_factory.mktemp("gradio")),
    )
    log = open(tmp_path_factory.mktemp("applog") / "app.log", "w")  # noqa: SIM115 (the app writes to it until the session ends)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}; see {log.name}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        proc.kill()
        raise RuntimeError(f"app.py did not start within 180 s; see {log.name}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
