"""app.py under ZeroGPU's rules: the real ``spaces`` decorators in ZeroGPU mode (forked worker, pickled arguments
and results) against a fake device API that applies the quotas (tests/zerogpu). Every GPU path of the app runs
through it; each call's request, scheduled time, wall time and bytes each way are recorded."""
from __future__ import annotations

import json
import math
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

from engage.ui.zerogpu import (  # noqa: E402
    MAX_REQUEST_S,
    QUOTA_S,
    estimated_seconds,  # noqa: E402
    windows_per_call,
    windows_seconds,
    windows_within_quota,
)

APP_PATHS = os.path.join(ROOT, "tests", "zerogpu", "app_paths.py")
ALL_STEPS = ["image", "short_video", "long_video_mlp", "long_video_zero_shot", "frames", "webcam", "classroom_video", "classroom_photo",
             "classroom_camera", "class_report"]
MB = 1_000_000
HIDDEN_7B = 3584  # Qwen2.5-VL-7B's hidden size: the MLP features that come back per window are this many float32


@pytest.fixture(scope="module")
def media(tmp_path_factory, short_video) -> dict[str, str]:
    from engage.classroom.faces import benchmark_scenes

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
    assert names == {"_image_gpu", "_video_gpu", "_clip_gpu", "_students_gpu", "_report_gpu"}
    assert all(visit["steps"][name]["calls"] for name in ALL_STEPS), "a path made no GPU call"
    assert len(visit["api"]) == len(log) and all(c["result"] == "approved" for c in visit["api"])
    assert {c["worker_pid"] for c in visit["api"]}.isdisjoint({visit["main_pid"]})  # the work ran in forked workers
    for call in log:
        assert call["error"] is None and call["bytes_in"] and call["bytes_out"]
        assert call["requested_s"] <= MAX_REQUEST_S  # so scheduled ≤ 60 s: an anonymous visitor's first call fits
        assert call["scheduled_s"] == round(1.5 * call["requested_s"])  # spaces' factor on the default GPU
    assert [c["scheduled_s"] for c in visit["api"]] == [c["scheduled_s"] for c in log]


@pytest.mark.parametrize("step, method", [("long_video_mlp", "mlp"), ("long_video_zero_shot", "zero-shot")])
def test_a_five_minute_video_is_several_calls_sized_by_their_windows(visit, step, method):
    s = visit["steps"][step]
    per_call = windows_per_call(method)
    calls = [c for c in s["calls"] if c["name"] == "_video_gpu"]
    assert len(calls) == -(-30 // per_call) >= 2
    assert s["detail"]["yields"] == 1 + len(calls) and "GPU calls" in s["detail"]["plan"] and "quota" in s["detail"]["plan"]
    grown = s["detail"]["windows"]
    assert grown == [min(30, per_call * k) for k in range(1, len(calls) + 1)]  # the timeline grows call by call
    assert calls[-1]["requested_s"] <= calls[0]["requested_s"]  # the last call holds the rest, and asks for less


def test_webcam_makes_at_most_one_call_per_result_and_carries_frames_not_caches(visit):
    s = visit["steps"]["webcam"]
    assert s["detail"]["stream"] == "WebcamFrames" and s["detail"]["frames"] == 60
    assert s["detail"]["shown"] >= 25 and len(s["calls"]) == s["detail"]["shown"]
    assert {c["name"] for c in s["calls"]} == {"_clip_gpu"}
    biggest = max(c["bytes_in"] for c in s["calls"])
    assert 10 * 640 * 480 * 3 <= biggest <= 20 * MB  # ten 640×480 frames, the same for the 7B (frames, not caches)
    assert max(c["bytes_out"] for c in s["calls"]) < 0.1 * MB


def test_classroom_camera_makes_one_call_per_analysis_under_20_mb(visit):
    s = visit["steps"]["classroom_camera"]
    assert s["detail"]["analyses"] >= 2 and len(s["calls"]) == s["detail"]["analyses"]
    assert s["detail"]["analysed"] > 0
    assert all(c["name"] == "_students_gpu" and c["bytes_in"] <= 20 * MB for c in s["calls"])


def test_classroom_video_and_photo_send_student_clips(visit):
    video, photo = visit["steps"]["classroom_video"], visit["steps"]["classroom_photo"]
    assert video["detail"]["analysed"] == 2 * 4 and len(video["calls"]) == 1  # 2 windows × 4 students in one call
    assert "at most 8 student-windows in at most 1 GPU call of at most 40 s" in video["detail"]["plan"]
    assert photo["detail"]["students"] >= 12 and len(photo["calls"]) == 1


def _bytes_7b(step: str, call: dict) -> tuple[int, int]:
    """Bytes each way for the 7B: the same inputs (paths, frames, crops); MLP features come back 3584-wide."""
    out = call["bytes_out"]
    if call["name"] == "_video_gpu" and step.endswith("mlp"):
        out += 15 * (HIDDEN_7B - 64) * 4
    elif call["name"] in ("_image_gpu", "_clip_gpu"):
        out += (HIDDEN_7B - 64) * 4
    return call["bytes_in"], out


def test_table_of_gpu_calls_per_action(visit, capsys):
    """The table in docs/performance.md ("ZeroGPU: every action"): printed by
    ``python -m pytest -q -s tests/test_zerogpu.py -k table``."""
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
    with capsys.disabled():
        print("\n| action | GPU calls | largest request s (requested / scheduled) | MB per call in / out (tiny, measured) | "
              "MB per call in / out (7B, computed) | longest call wall s (tiny, CPU) |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))
    assert len(rows) == len(ALL_STEPS)

    minutes = []
    for step, method in (("long_video_mlp", "mlp"), ("long_video_zero_shot", "zero-shot")):
        calls = visit["steps"][step]["calls"]
        per_window = sum(c["wall_s"] for c in calls) / 30  # measured here: the tiny backbone on this CPU
        charges = {
            "each call charged its whole request (worst case)": lambda n, m=method: windows_seconds(n, m),
            f"7B estimate: {estimated_seconds(1, method) - estimated_seconds(0, method):.2f} s per window + "
            f"{estimated_seconds(0, method):g} s per call": lambda n, m=method: estimated_seconds(n, m),
            f"measured here (tiny, CPU): {per_window:.3f} s per window": lambda n, w=per_window: math.ceil(n * w),
        }
        for label, charged in charges.items():
            windows = windows_within_quota(method, QUOTA_S["anonymous"], charged)
            minutes.append(f"| {method} | {label} | {windows} | {windows * 10 / 60:.1f} |")
            assert windows >= 2 * windows_per_call(method)  # at least two full calls whatever the charge
    with capsys.disabled():
        print("\n| method | what a call is charged | windows in an anonymous day (120 s) | minutes of video |")
        print("|---|---|---|---|")
        print("\n".join(minutes))


def test_a_refusal_is_one_line_that_says_what_to_do(media, app_env, tmp_path):
    """10 s left of an anonymous day: the image's request (18 s scheduled) and the long video's first call are
    refused by ZeroGPU, and the visitor reads what to do instead of spaces' error."""
    with FakeDeviceAPI() as api:
        api.set_used("anonymous", 110)
        out = _run(api, tmp_path, media, app_env, ["image", "long_video_mlp"])
        assert [c["result"] for c in api.calls] == ["quota-exceeded", "quota-exceeded"]
    for step in ("image", "long_video_mlp"):
        error = out["steps"][step]["error"]
        assert error["title"] == "GPU time" and "\n" not in error["message"]
        assert "requested" in error["message"] and "Sign in" in error["message"] and "shorter clip" in error["message"]


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
