"""Nothing a visitor did not ask to keep stays on the server: 50 requests through the API, then the files they
made (uploads, gradio's copies, engage's exports) are counted until they are gone."""
from __future__ import annotations

import os
import socket
import time

import numpy as np
from gradio_client import Client, handle_file
from PIL import Image

from conftest import ROOT, start_app, stop_app, write_video

ZERO = "Zero-shot level probabilities (engage's, untrained)"
TTL_S, MAX_AGE_S = 4, 6
HANG_GUARD_S = 600  # only stops a broken test from hanging: what it waits for takes MAX_AGE_S and a sweep


def _files(*folders: str) -> list[str]:
    return [os.path.join(d, f) for folder in folders for d, _, names in os.walk(folder) for f in names]


def test_fifty_requests_leave_no_files_behind(tiny_dir, heads_dir, tmp_path):
    from engage.classroom.scenes import benchmark_scenes

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
            client.close()  # the tab closes: its session (and export folder) goes now
            requests += 5
        during = _files(str(tmp), str(cache))
        empty = [f for f in during if os.path.getsize(f) == 0]
        guard = time.monotonic() + HANG_GUARD_S  # no deadline on the sweep (CPU contention slows it): only a hang guard
        while time.monotonic() < guard and set(_files(str(tmp), str(cache))) - set(before):
            time.sleep(1)
        after = _files(str(tmp), str(cache))
    finally:
        stop_app(proc)
    print(f"\n{requests} requests: {len(before)} files before, {len(during)} right after, {len(after)} once "
          f"sessions ({TTL_S} s) and gradio's copies ({MAX_AGE_S} s) expired; {len(empty)} empty files")
    assert requests == 50 and len(during) > len(before)  # they did make files
    assert not empty, empty[:5]  # no 0-byte leftovers (one per frame, once)
    assert not set(after) - set(before), sorted(set(after) - set(before))[:10]  # (the sweep may take old ones too)


def _partial_upload(url: str, folder: str) -> socket.socket:
    """An upload cut off mid-transfer: a 20 MB file announced, 1 MB sent; returns the open socket and gradio's
    temporary file for it (a new file directly in its folder) once that is there."""
    existing = {e.path for e in os.scandir(folder) if e.is_file()} if os.path.isdir(folder) else set()
    host, port = url.split("//")[1].rstrip("/").split(":")
    head = b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="cut.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"POST /gradio_api/upload HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
                 b"Content-Length: " + str(len(head) + 20 * 2**20).encode() + b"\r\n\r\n" + head + b"\0" * 2**20)
    guard = time.monotonic() + HANG_GUARD_S
    while not (new := [e.path for e in os.scandir(folder) if e.is_file() and e.path not in existing]) and time.monotonic() < guard:
        time.sleep(0.2)
    return sock, new


def test_cut_off_uploads_and_a_previous_servers_files_are_swept(tiny_dir, heads_dir, tmp_path):
    """Gradio never tracks a partial upload nor what a killed server left: engage's sweep removes every file of
    its folder once it is ENGAGE_FILES_MAX_AGE_S old (issue 26, item 16)."""
    cache = tmp_path / "gradio"
    (cache / "0123abcd").mkdir(parents=True)
    (cache / "0123abcd" / "left-by-a-killed-server.png").write_bytes(b"x" * 100)
    (cache / "tmpleftpartial").write_bytes(b"x" * 100)
    env = dict(ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu", GRADIO_TEMP_DIR=str(cache), TMPDIR=str(tmp_path),
               ENGAGE_FILES_MAX_AGE_S="3")
    url, proc = start_app(env, str(tmp_path / "app.log"))
    try:
        sock, partial = _partial_upload(url, str(cache))
        sock.close()  # the visitor's connection drops
        stale = [str(cache / "0123abcd" / "left-by-a-killed-server.png"), str(cache / "tmpleftpartial"), *partial]
        guard = time.monotonic() + HANG_GUARD_S
        while any(os.path.exists(f) for f in stale) and time.monotonic() < guard:
            time.sleep(0.5)
        left = [f for f in stale if os.path.exists(f)]
    finally:
        stop_app(proc)
    assert partial and not left, left  # (the examples' copies, which gradio keeps for good, stay)


def test_a_stopped_server_leaves_no_upload_copy_or_export(tiny_dir, heads_dir, tmp_path):
    """SIGTERM (a restart) as SIGINT: every upload, partial upload, copy and export of the server goes (item 16)."""
    cache, tmp = tmp_path / "gradio", tmp_path / "tmp"
    tmp.mkdir()
    env = dict(ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu", GRADIO_TEMP_DIR=str(cache), TMPDIR=str(tmp))
    url, proc = start_app(env, str(tmp_path / "app.log"))
    own = set(_files(str(cache)))  # the examples' copies, which gradio keeps for good
    client = Client(url, verbose=False)  # a visitor whose page stays open
    try:
        photo = os.path.join(ROOT, "examples", "astronaut.png")
        client.predict(handle_file(photo), ZERO, api_name="/analyze_image")
        client.predict(None, handle_file(photo), ZERO, 1, api_name="/analyze_classroom")
        client.predict(api_name="/export_class")
        sock, partial = _partial_upload(url, str(cache))
        made = _files(str(cache), str(tmp))
    finally:
        stop_app(proc)  # SIGTERM
    sock.close()
    client.close()
    left = sorted(set(_files(str(cache), str(tmp))) - own)
    print(f"\n{len(made) - len(own)} visitor files while serving, {len(left)} after SIGTERM")
    assert partial and len(made) - len(own) >= 3 and proc.returncode is not None
    assert not left, left
