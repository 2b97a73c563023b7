"""app.py under ZeroGPU's rules: the real ``spaces`` decorators in ZeroGPU mode (forked worker, pickled arguments
and results) against a fake device API that applies the quotas (tests/zerogpu). Every GPU path of the app runs
through it; each call's request, scheduled time, wall time and bytes each way are recorded."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, write_frames, write_video

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for `zerogpu`, whatever pytest's import mode

from zerogpu.device_api import FakeDeviceAPI  # noqa: E402
from zerogpu.run import RUN_PY, free_port, launched, read_calls, run_script, zerogpu_env  # noqa: E402

from engage.ui.zerogpu import MAX_REQUEST_S, PRIOR_UNIT_S  # noqa: E402

APP_PATHS = os.path.join(ROOT, "tests", "zerogpu", "app_paths.py")
ALL_STEPS = ["image", "short_video", "long_video_mlp", "long_video_zero_shot", "frames", "webcam", "classroom_video", "classroom_photo",
             "classroom_camera", "class_report"]
MB = 1_000_000
HIDDEN_7B = 3584  # Qwen2.5-VL-7B's hidden size: the MLP features that come back per window are this many float32


@pytest.fixture(scope="module")
def media(tmp_path_factory, short_video) -> dict[str, str]:
    from engage.classroom.scenes import benchmark_scenes

    folder = tmp_path_factory.mktemp("zerogpu-media")
    scene = next(s for s in benchmark_scenes() if len(s.boxes) >= 3)
    photo = str(folder / "class.png")
    Image.fromarray(scene.frame).save(photo)
    frames_dir = folder / "frames"
    frames_dir.mkdir()
    base = np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    for k in range(10):
        Image.fromarray(np.roll(base, 8 * k, axis=1)).save(frames_dir / f"{k:02d}.png")
    return {
        "image": os.path.join(ROOT, "examples", "astronaut.png"),
        "short_video": short_video,
        "long_video": write_video(str(folder / "five_minutes.mp4"), seconds=300, fps=1),  # 30 windows
        "classroom_video": write_frames(str(folder / "class.mp4"), [scene.frame] * 15, fps=1),  # 2 windows
        "classroom_photo": photo,
        "frames_dir": str(frames_dir),
    }


def _run(api: FakeDeviceAPI, workdir: Path, media: dict[str, str], env: dict[str, str], steps: list[str]) -> dict[str, Any]:
    log = str(workdir / "calls.jsonl")
    done = run_script(APP_PATHS, json.dumps(media), *steps, env=dict(zerogpu_env(api.url, str(workdir), log), **env), cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    calls = read_calls(log)
    out["steps"] = {s["step"]: dict(s, calls=calls[s["calls"][0] : s["calls"][1]]) for s in out["steps"]}
    return out


@pytest.fixture(scope="module")
def app_env(tiny_dir, heads_dir, tmp_path_factory) -> dict[str, str]:
    return {"ENGAGE_BACKBONE": tiny_dir, "ENGAGE_WEIGHTS": heads_dir, "ENGAGE_DEVICE": "cpu",
            "GRADIO_TEMP_DIR": str(tmp_path_factory.mktemp("gradio"))}


@pytest.fixture(scope="module")
def visit(media, app_env, tmp_path_factory):
    """One anonymous visitor runs every GPU path of the app once."""
    with FakeDeviceAPI(quota_anonymous=100_000) as api:  # the budgets are checked per call below, not the day's total
        out = _run(api, tmp_path_factory.mktemp("zerogpu"), media, app_env, ALL_STEPS)
        out["api"] = list(api.calls)
    return out


def test_every_gpu_path_runs_in_a_forked_worker_within_the_budget(visit):
    assert visit["zero_gpu"] is True
    errors = {name: s["error"] for name, s in visit["steps"].items() if s["error"]}
    assert not errors
    log = [c for s in visit["steps"].values() for c in s["calls"]]
    names = {c["name"] for c in log}
    assert names == {"image_gpu", "video_gpu", "clip_gpu", "students_gpu", "report_gpu"}
    assert all(visit["steps"][name]["calls"] for name in ALL_STEPS), "a path made no GPU call"
    assert len(visit["api"]) == len(log) and all(c["result"] == "approved" for c in visit["api"])
    assert {c["worker_pid"] for c in visit["api"]}.isdisjoint({visit["main_pid"]})  # the work ran in forked workers
    for call in log:
        assert call["error"] is None and call["bytes_in"] and call["bytes_out"]
        assert call["requested_s"] <= MAX_REQUEST_S  # so scheduled ≤ 60 s: an anonymous visitor's first call fits
        assert call["scheduled_s"] == round(1.5 * call["requested_s"])  # spaces' factor on the default GPU
    assert [c["scheduled_s"] for c in visit["api"]] == [c["scheduled_s"] for c in log]


@pytest.mark.parametrize("step, method", [("long_video_mlp", "mlp"), ("long_video_zero_shot", "zero-shot")])
def test_a_five_minute_video_asks_for_what_its_windows_were_measured_to_cost(visit, step, method):
    """By the long video, each method has been measured on this server (an image, a short video): its calls ask for
    far less than the first estimate, every window comes back, and the page grows with them."""
    s = visit["steps"][step]
    calls = [c for c in s["calls"] if c["name"] == "video_gpu"]
    asked = sum(c["requested_s"] for c in calls)
    assert asked < 30 * PRIOR_UNIT_S[method]  # the first estimate would have asked 60-75 s for the 30 windows
    assert "5.0 min of video (30 windows" in s["detail"]["plan"]
    if method == "mlp":  # measured on the image and the short video before
        assert "measured rate" in s["detail"]["plan"]
    else:  # zero-shot's first call is sized from the first estimate (12-15 windows at 2.5 s), the rest from its measurement
        assert "first-estimate rate" in s["detail"]["plan"] and calls[0]["requested_s"] >= 12 * PRIOR_UNIT_S[method]
        assert len(calls) == 2 and calls[1]["requested_s"] < calls[0]["requested_s"] / 2
    grown = s["detail"]["windows"]
    assert grown[-1] == 30 and grown == sorted(grown)  # the timeline grows, never loses a window


def test_webcam_makes_at_most_one_call_per_result_and_carries_frames_not_caches(visit):
    s = visit["steps"]["webcam"]
    assert s["detail"]["stream"] == "WebcamFrames" and s["detail"]["frames"] == 60
    # paced so that the anonymous day lasts ten minutes of camera: about one result every 5-6 s (1 s charged each)
    every = s["detail"]["every_s"]
    assert 2 <= every <= 10 and 60 // (every + 2) <= s["detail"]["shown"] <= 60 // every + 1
    assert len(s["calls"]) == s["detail"]["shown"]
    assert {c["name"] for c in s["calls"]} == {"clip_gpu"}
    biggest = max(c["bytes_in"] for c in s["calls"])
    assert 10 * 640 * 480 * 3 <= biggest <= 20 * MB  # ten 640×480 frames, the same for the 7B (frames, not caches)
    assert max(c["bytes_out"] for c in s["calls"]) < 0.1 * MB


def test_classroom_camera_makes_one_call_per_analysis_under_20_mb(visit):
    s = visit["steps"]["classroom_camera"]
    assert s["detail"]["analyses"] >= 2 and len(s["calls"]) == s["detail"]["analyses"]
    assert s["detail"]["analysed"] > 0
    assert all(c["name"] == "students_gpu" and c["bytes_in"] <= 20 * MB for c in s["calls"])


def test_classroom_video_and_photo_send_student_clips(visit):
    video, photo = visit["steps"]["classroom_video"], visit["steps"]["classroom_photo"]
    assert video["detail"]["analysed"] == 2 * 4 and len(video["calls"]) == 1  # 2 windows × 4 students in one call
    assert "at most 8 face clips (one student's face over one 10 s window each) in at most 1 GPU call of at most 40 s" in video["detail"]["plan"]
    assert photo["detail"]["students"] >= 12 and len(photo["calls"]) == 1


def _bytes_7b(step: str, call: dict) -> tuple[int, int]:
    """Bytes each way for the 7B: the same inputs (paths, frames, crops); MLP features come back 3584-wide."""
    out = call["bytes_out"]
    if call["name"] == "video_gpu" and step.endswith("mlp"):
        out += 30 * (HIDDEN_7B - 64) * 4  # at most the video's 30 windows' features come back in one call
    elif call["name"] in ("image_gpu", "clip_gpu"):
        out += (HIDDEN_7B - 64) * 4
    return call["bytes_in"], out


def test_table_of_gpu_calls_per_action(visit):
    """The table in docs/performance.md ("ZeroGPU: every action"): printed with ``-s`` only
    (``python -m pytest -q -s tests/test_zerogpu.py -k table``), not among the dots of a quiet run."""
    rows = []
    for step in ALL_STEPS:
        calls = visit["steps"][step]["calls"]
        big = max(calls, key=lambda c: c["requested_s"])
        seven = [_bytes_7b(step, c) for c in calls]
        rows.append(
            f"| {step} | {len(calls)} | {big['requested_s']} / {big['scheduled_s']} | "
            f"{max(c['bytes_in'] for c in calls) / MB:.3f} / {max(c['bytes_out'] for c in calls) / MB:.3f} | "
            f"{max(i for i, _ in seven) / MB:.3f} / {max(o for _, o in seven) / MB:.3f} | "
            f"{max(c['wall_s'] for c in calls):.2f} |"
        )
    # pytest captures these lines: -s shows them
    print("\n| action | GPU calls | largest request s (requested / scheduled) | MB per call in / out (tiny, measured) | "
          "MB per call in / out (7B, computed) | longest call wall s (tiny, CPU) |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\n| work | model time / work inside the calls | model time / the calls' wall time (what is charged) |\n|---|---|---|")
    for kind, share in visit["model_share"].items():
        if share:
            print(f"| {kind} | {share[0]:.0%} | {share[1]:.0%} |")
    assert len(rows) == len(ALL_STEPS)
    assert all(0 < inside <= 1 and 0 < charged <= inside for inside, charged in filter(None, visit["model_share"].values()))



def test_a_refusal_is_one_line_that_says_what_to_do(media, app_env, tmp_path):
    """10 s left of an anonymous day, and no token (an API client that did not sign in: spaces' refusal then names
    no figures): the image's request (18 s scheduled) and the long video's first call are refused by ZeroGPU, and
    the visitor reads what to do instead of spaces' error."""
    with FakeDeviceAPI() as api:
        api.set_used("anonymous", 110)
        out = _run(api, tmp_path, media, app_env, ["image", "long_video_mlp"])
        assert [c["result"] for c in api.calls] == ["quota-exceeded", "quota-exceeded"]
    for step in ("image", "long_video_mlp"):
        error = out["steps"][step]["error"]
        assert error["title"] == "GPU time" and "\n" not in error["message"]
    image, video = out["steps"]["image"]["error"]["message"], out["steps"]["long_video_mlp"]["error"]["message"]
    assert "requested" in image and "Sign in" in image and "shorter clip" in image
    assert video.startswith("Stopped at 0.0 of 5.0 min") and "signing in to Hugging Face" in video


def test_a_launched_app_tells_a_refused_visitor_what_to_do(media, app_env, tmp_path):
    """The same through the server with gradio_client, as a browser or API client meets it."""
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    port = free_port()
    with FakeDeviceAPI() as api:
        api.set_used("anonymous", 110)
        env = dict(zerogpu_env(api.url, str(tmp_path), str(tmp_path / "calls.jsonl")), **app_env, GRADIO_SERVER_PORT=str(port))
        with launched([sys.executable, RUN_PY, "app.py"], env, port, cwd=ROOT, timeout=300) as url, pytest.raises(AppError) as refused:
            Client(url, verbose=False).predict(handle_file(media["image"]), "MLP heads (the report's method)", api_name="/analyze_image")
    assert refused.value.title == "GPU time", (refused.value.title, str(refused.value))
    assert "Sign in" in str(refused.value) and api.startup_reports == 1


def test_a_cancelled_video_releases_the_gpu_and_the_app_goes_on_serving(media, app_env, tmp_path):
    """A visitor cancels a long video mid-call (gradio_client's cancel, as closing the tab or pressing stop does): the
    worker stops at its next batch and the GPU is released; the same session then analyses an image."""
    import time

    from gradio_client import Client, handle_file

    port = free_port()
    with FakeDeviceAPI() as api:
        env = dict(zerogpu_env(api.url, str(tmp_path), str(tmp_path / "calls.jsonl")), **app_env, GRADIO_SERVER_PORT=str(port),
                   ZEROGPU_STRETCH=json.dumps({"mlp": 0.5}))
        with launched([sys.executable, RUN_PY, "app.py"], env, port, cwd=ROOT, timeout=300) as url:
            client = Client(url, verbose=False)
            job = client.submit(handle_file(media["long_video"]), "MLP heads (the report's method)", api_name="/analyze_video")
            deadline = time.monotonic() + 120
            while not any(c["result"] == "approved" for c in api.calls) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2.0)  # inside the first call, a few windows in
            job.cancel()
            while any("t_release" not in c for c in api.calls if c["result"] == "approved") and time.monotonic() < deadline:
                time.sleep(0.2)
            held = [c for c in api.calls if c["result"] == "approved" and "t_release" not in c]
            assert not held, "the cancelled call still holds the GPU"
            video_calls = len(api.calls)
            summary, figure, result = client.predict(handle_file(media["image"]), "MLP heads (the report's method)", api_name="/analyze_image")
            assert result["kind"] == "image"
    assert video_calls == 1 and api.calls[0]["gpu_seconds"] < 15 * 0.5  # stopped well before its 15 windows were done
