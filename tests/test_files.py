"""Nothing a visitor did not ask to keep stays on the server: 50 requests through the API, then the files they
made (uploads, gradio's copies, engage's exports) are counted until they are gone."""
from __future__ import annotations

import os
import time

import numpy as np
from gradio_client import Client, handle_file
from PIL import Image

from conftest import ROOT, start_app, stop_app, write_video

ZERO = "Zero-shot level probabilities (engage's, untrained)"
TTL_S, MAX_AGE_S = 4, 6


def _files(*folders: str) -> list[str]:
    return [os.path.join(d, f) for folder in folders for d, _, names in os.walk(folder) for f in names]


def test_fifty_requests_leave_no_files_behind(tiny_dir, heads_dir, tmp_path):
    from engage.classroom.faces import benchmark_scenes

    tmp, cache = tmp_path / "tmp", tmp_path / "gradio"
    tmp.mkdir()
    env = dict(
        ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu", GRADIO_TEMP_DIR=str(cache),
        TMPDIR=str(tmp),  # engage's export folders live under the temp dir: this one is the test's own
        ENGAGE_SESSION_TTL_S=str(TTL_S), ENGAGE_FILES_MAX_AGE_S=str(MAX_AGE_S),
    )
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    stale = tmp / "engage-exports" / "session-left-by-a-crash"
    stale.mkdir(parents=True)
    (stale / "engage-video-old.json").write_text("{}")
    url, proc = start_app(env, str(tmp_path / "app.log"))
    try:
        assert not stale.exists()  # a new server clears what an old one left
        before = _files(str(tmp), str(cache))
        photo = os.path.join(ROOT, "examples", "astronaut.png")
        video = write_video(str(inputs / "clip.mp4"), seconds=2)
        frames = []
        for i in range(3):
            path = inputs / f"frame{i}.png"
            Image.fromarray(np.full((24, 32, 3), 40 * i, np.uint8)).save(path)
            frames.append(handle_file(str(path)))
        scene = next(s for s in benchmark_scenes() if len(s.boxes) >= 2)
        Image.fromarray(scene.frame).save(inputs / "class.png")
        requests = 0
        for _ in range(10):
            client = Client(url, verbose=False)  # a new visitor each round: a session of its own
            client.predict(handle_file(photo), ZERO, api_name="/analyze_image")
            client.predict(frames, ZERO, api_name="/analyze_frames")
            client.predict(handle_file(video), ZERO, api_name="/analyze_video")
            client.predict(None, handle_file(str(inputs / "class.png")), ZERO, 2, api_name="/analyze_classroom")
            client.predict(api_name="/export_class")
            requests += 5
        during = _files(str(tmp), str(cache))
        empty = [f for f in during if os.path.getsize(f) == 0]
        deadline = time.time() + 6 * (TTL_S + MAX_AGE_S)
        while time.time() < deadline and len(_files(str(tmp), str(cache))) > len(before):
            time.sleep(1)
        after = _files(str(tmp), str(cache))
    finally:
        stop_app(proc)
    print(f"\n{requests} requests: {len(before)} files before, {len(during)} right after, {len(after)} once "
          f"sessions ({TTL_S} s) and gradio's copies ({MAX_AGE_S} s) expired; {len(empty)} empty files")
    assert requests == 50 and len(during) > len(before)  # they did make files
    assert not empty, empty[:5]  # no 0-byte leftovers (one per frame, once)
    assert len(after) == len(before), sorted(set(after) - set(before))[:10]
