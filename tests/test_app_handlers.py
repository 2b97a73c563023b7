"""app.py's handlers called directly (no server, no browser), with the tiny backbone."""
from __future__ import annotations

import importlib
import inspect
import os
import sys
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest
from gradio.helpers import special_args

from conftest import ROOT


@pytest.fixture(scope="module")
def app(tiny_dir, heads_dir):
    saved = {k: os.environ.get(k) for k in ("ENGAGE_BACKBONE", "ENGAGE_WEIGHTS", "ENGAGE_DEVICE")}
    os.environ.update(ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu")
    sys.path.insert(0, ROOT)
    module = importlib.import_module("app")
    from engage.ui import class_handlers, handlers, server

    # the app's page, and the modules its handlers live in (the tests patch those)
    module.server, module.handlers, module.class_handlers = server, handlers, class_handlers
    yield module
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_no_markdown_on_the_page_draws_latex(app):
    """engage writes no formula: a visitor's "$$…$$" (a student's name) stays text (the browser test renames one so)."""
    import gradio as gr

    shown = [b for b in app.demo.blocks.values() if isinstance(b, gr.Markdown)]
    assert len(shown) >= 20 and all(b.latex_delimiters == [] for b in shown)


def test_webcam_frame_skips_empty_frames(app):
    import gradio as gr

    md, fig, data, stream = app.webcam_frame(None, "mlp", None)
    assert isinstance(md, type(gr.skip())) and stream is not None and not stream.windows


def test_webcam_frame_shows_a_result_once_a_frame_pair_is_in(app, monkeypatch):
    import gradio as gr

    clock = iter([100.0, 100.5, 101.0])
    monkeypatch.setattr(app.handlers, "time", SimpleNamespace(monotonic=lambda: next(clock)))  # app's clock only
    frame = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    first = app.webcam_frame(frame, "MLP heads (the report's method)", None)
    assert isinstance(first[0], type(gr.skip())) and first[3].pushed == 1  # encoded, no result yet
    again = app.webcam_frame(frame, "MLP heads (the report's method)", first[3])
    assert isinstance(again[0], type(gr.skip())) and again[3].pushed == 1  # under 1 s later: not kept
    md, fig, data, stream = app.webcam_frame(frame, "MLP heads (the report's method)", again[3])
    assert "last 2 s of the camera (2 frames at 1 FPS)" in md and data["kind"] == "webcam" and stream.pushed == 2


def test_handlers_turn_library_errors_into_messages(app, tmp_path):
    import gradio as gr

    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(gr.Error, match="corrupt"):
        list(app.analyze_video(str(bad), "mlp", None))
    with pytest.raises(gr.Error, match="Upload an image"):
        app.analyze_image(None, "mlp")
    with pytest.raises(gr.Error, match="Unknown method"):
        app.analyze_image(os.path.join(ROOT, "examples", "astronaut.png"), "best guess")


def test_classroom_video_finds_faces_outside_the_gpu_calls(app, classroom_video, monkeypatch):
    """Face detection is CPU work: it runs between GPU calls; each call gets only students' clips, at most
    CLASSROOM_MAX_STUDENTS_PER_CALL of them (here 4)."""
    inside, calls, detected = [], [], []
    real_gpu, real_find = app.server.students_gpu, app.server.DETECTOR.find

    def gpu(seconds, jobs, method):
        calls.append((seconds, [(j.track_id, j.clip.start, j.clip.end) for j in jobs]))
        inside.append(True)
        try:
            return real_gpu(seconds, jobs, method)
        finally:
            inside.pop()

    monkeypatch.setattr(app.server, "students_gpu", gpu)
    monkeypatch.setattr(app.server.DETECTOR, "find", lambda frame, *a, **k: detected.append(bool(inside)) or real_find(frame, *a, **k))
    monkeypatch.setattr(app.server, "CLASSROOM_MAX_STUDENTS_PER_CALL", 4)
    plan, outputs = app.analyze_classroom(classroom_video, None, "zero-shot", 3, None, None, progress=lambda *a, **k: None)
    assert "3 windows" in plan[0] and "at most 9 face clips" in plan[0] and "at most 3 calls" in plan[0]
    jobs = [job for _, chunk in calls for job in chunk]
    assert [len(chunk) for _, chunk in calls] == [4, 4, 1]  # 3 windows × 3 students, 4 per call
    assert sorted({(start, end) for _, start, end in jobs}) == [(0.0, 10.0), (10.0, 20.0), (20.0, 27.0)]
    assert len(set(jobs)) == 9 and len({tid for tid, _, _ in jobs}) == 3
    requests = [s for s, _ in calls]  # sized from the costs measured so far: the one-student call asks for no more
    assert all(1 <= s <= app.zerogpu.MAX_REQUEST_S for s in requests) and requests[2] <= requests[1]
    assert detected and not any(detected)  # 54 frames looked at, none inside a GPU call
    assert outputs[-2].analysed_until == 27.0
    assert len([o for o in outputs[-2].session.observations if o.affect is not None]) == 9


def test_classroom_camera_observes_each_second_and_analyses_every_few(app, monkeypatch):
    """The classroom camera handler: frames under a second apart are skipped; students are analysed once enough
    camera time is in (every 2 × ENGAGE_WEBCAM_UPDATE_S = 6 s by default). Between analyses only the status and
    the frame are sent; the dashboard follows each analysis; the camera writes no export files."""
    import gradio as gr

    from engage.classroom.scenes import benchmark_scenes

    frame = next(s for s in benchmark_scenes() if len(s.boxes) >= 2).frame
    clock = iter([200.0, 200.3, 201.0, 202.0, 203.0, 204.0, 205.0, 205.2])
    monkeypatch.setattr(app.class_handlers, "time", SimpleNamespace(monotonic=lambda: next(clock)))  # app's clock only
    calls, real_gpu = [], app.server.students_gpu
    monkeypatch.setattr(app.server, "students_gpu", lambda s, jobs, m: calls.append({(j.clip.start, j.clip.end) for j in jobs}) or real_gpu(s, jobs, m))
    room, skipped, dashboard = None, [], []
    skip = type(gr.skip())
    for _ in range(7):
        out = app.classroom_frame(frame, "zero-shot", 4, None, room, None)
        room = out[-2]
        skipped.append(all(isinstance(o, skip) for o in out[:8]))
        dashboard.append(not isinstance(out[3], skip))
        assert isinstance(out[7], skip)  # no export written while the camera runs
    assert skipped == [False, True, False, False, False, False, False]
    assert dashboard == [False, False, False, False, False, False, True]
    assert calls == [{(0.0, 6.0)}]  # one call, at the frame of t = 5 s
    assert room.analysed_until == 6.0 and "face" in out[0] and room.kind == "camera"
    files, folder = app.export_classroom(room, None)  # when asked
    assert sorted(os.path.splitext(f)[1] for f in files) == [".csv", ".csv", ".json"] and all(f.startswith(folder) for f in files)
    # the camera section's line: this session's camera is on (its handler just ran), another session finds one free
    teacher, other = SimpleNamespace(session_hash="camera-teacher"), SimpleNamespace(session_hash="camera-other")
    assert "free now" in app.camera_now("en", teacher)
    app.classroom_frame(frame, "zero-shot", 4, None, room, None, request=teacher)  # 0.2 s later: skipped, but seen
    assert app.camera_now("en", teacher).startswith("Your camera is on: its turn ends in about 10 minutes")
    assert app.camera_now("vi", other) == "Hiện có một camera lớp học còn trống: bấm ghi để bắt đầu."


def test_the_real_spaces_decorator_is_used_where_the_package_is_installed(app):
    import spaces

    assert app.server.gpu is spaces.GPU and app.server.ZERO_GPU is False  # off ZeroGPU it returns each function unchanged


def test_the_app_runs_without_the_spaces_package(tiny_dir, heads_dir, tmp_path):
    """Locally, without `spaces` (it is not in requirements.txt), a no-op stand-in takes its place."""
    import subprocess

    env = dict(os.environ, ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu", GRADIO_TEMP_DIR=str(tmp_path))
    code = (
        "import sys; sys.modules['spaces'] = None\n"  # as if not installed: `import spaces` raises ImportError
        "import app\n"
        "md, fig, data = app.analyze_image('examples/astronaut.png', 'zero-shot')\n"
        "from engage.ui import server\n"
        "print(server.gpu.__module__, server.ZERO_GPU, data['kind'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-3:] == ["engage.ui.zerogpu", "False", "image"]


def test_no_gpu_returns_the_function_bare_or_with_arguments():
    from engage.ui.zerogpu import no_gpu

    def f(x):
        return x + 1

    assert no_gpu(f) is f and no_gpu(duration=lambda x: 3)(f) is f and no_gpu(duration=30, size="large")(f)(1) == 2


def _drive_webcam(app, monkeypatch, frames, keeps_frames: bool):
    """Stream ``frames`` one second apart through the webcam handler; every shown result and the GPU calls."""
    gpu_calls, shown, stream = [], [], None
    with monkeypatch.context() as m:
        m.setattr(app.server, "WEBCAM_KEEPS_FRAMES", keeps_frames)
        clock = iter(float(k) for k in range(len(frames)))
        m.setattr(app.handlers, "time", SimpleNamespace(monotonic=lambda: next(clock)))
        for name in ("clip_gpu", "webcam_gpu"):
            real = getattr(app.server, name)
            m.setattr(app.server, name, lambda *a, _real=real, _name=name: gpu_calls.append(_name) or _real(*a))
        for frame in frames:
            md, fig, data, stream = app.webcam_frame(frame, "mlp", stream)
            if isinstance(data, dict) and "kind" in data:  # gr.skip() is a dict too
                shown.append(data)
    return shown, gpu_calls, stream


def test_webcam_on_zerogpu_keeps_frames_and_shows_the_same_results(app, monkeypatch):
    """ZeroGPU mode (frames on the CPU, a due window computed whole in one call) against the cached incremental
    mode: the same results at the same moments, and one GPU call per shown result instead of one per second."""
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(24)]
    cached, cached_calls, _ = _drive_webcam(app, monkeypatch, frames, keeps_frames=False)
    kept, kept_calls, stream = _drive_webcam(app, monkeypatch, frames, keeps_frames=True)
    assert type(stream).__name__ == "WebcamFrames" and stream.frame_bytes() <= 10 * frames[0].nbytes
    assert len(cached_calls) == len(frames) and set(cached_calls) == {"webcam_gpu"}
    assert len(kept_calls) == len(kept) and set(kept_calls) == {"clip_gpu"}
    assert [(r["windows"][0]["frames"]) for r in kept] == [(r["windows"][0]["frames"]) for r in cached]
    for a, b in zip(kept, cached):
        for state, score in a["overall"]["states"].items():
            assert np.allclose(score["probs"], b["overall"]["states"][state]["probs"], atol=1e-4)


def test_webcam_frames_larger_than_daisee_are_scaled_down(app):
    from engage.affect.webcam import WebcamFrames

    stream = WebcamFrames()
    kept = stream.offer(np.zeros((1080, 1920, 3), np.uint8), 0.0)
    assert kept.shape[0] * kept.shape[1] <= 640 * 480 and abs(kept.shape[1] / kept.shape[0] - 16 / 9) < 0.01


@pytest.fixture
def on_zerogpu(app, monkeypatch):
    """app's ZeroGPU planning in this process: a fresh cost model (the priors: 10 s a new call, 2.5 s a zero-shot
    window), redrawing only at the end of each call."""
    from engage.ui.zerogpu import CostModel

    monkeypatch.setattr(app.server, "ZERO_GPU", True)
    monkeypatch.setattr(app.server, "COSTS", CostModel())
    monkeypatch.setattr(app.handlers, "VIDEO_REFRESH_S", 1e9)
    return app


def _recording_video_gpu(app, monkeypatch, fail=None):
    """Replace _video_gpu by the real one, recording (request, part) and failing as ``fail(part, yielded)`` says."""
    calls, real = [], app.server.video_gpu

    def video_gpu(seconds, path, method, part, progress):
        calls.append((seconds, part))
        for k, item in enumerate(real(seconds, path, method, part, None)):
            if fail is not None:
                fail(part, k)
            yield item
        if fail is not None:
            fail(part, None)

    video_gpu.__name__ = "video_gpu"
    monkeypatch.setattr(app.server, "video_gpu", video_gpu)
    return calls


def test_a_long_video_is_analysed_in_calls_that_fit_what_is_left_and_shown_as_it_grows(on_zerogpu, long_video, monkeypatch):
    """27 s = 3 windows. With 23 s left, the largest request that fits is 15 s (22 scheduled): 10 s for a new worker
    and two zero-shot windows at 2.5 s; the first call's measurement then sizes the second for the rest."""
    from engage.ui.zerogpu import GpuDay

    app = on_zerogpu
    calls = _recording_video_gpu(app, monkeypatch)
    day = GpuDay(known_left_s=23)
    steps = list(app.analyze_video(long_video, "zero-shot", None, day))
    assert [part for _, part in calls] == [range(0, 2), range(2, 3)]
    assert calls[0][0] == 15 and calls[1][0] < 15  # measured: the tiny backbone on a CPU costs far less than the prior
    assert len(steps) == 3 and "0.5 min of video (3 windows" in steps[0][0] and "of an anonymous visitor's day" in steps[0][0]
    assert steps[0][4]["data"] == [] and steps[0][5] is None and steps[0][6] is None  # the last clip's results are cleared
    assert all(step[-1] == steps[0][-1] for step in steps)  # one export folder for the session
    first, last = steps[1][5], steps[2][5]
    assert "2 of 3 windows analysed" in steps[1][0] and "windows analysed" not in steps[2][0]
    assert "GPU time used in this session" in steps[1][0] and f"{day.calls} calls" in steps[2][0] and day.calls == 2
    assert "the first 20.0 s of 27.0 s of video (2 windows" in steps[1][0] and "on 27.0 s of video (3 windows" in steps[2][0]
    assert [w["start"] for w in first["windows"]] == [0.0, 10.0] and [w["start"] for w in last["windows"]] == [0.0, 10.0, 20.0]
    assert first["duration_seconds"] == last["duration_seconds"] == 27.0  # the timeline's axis is the whole video
    whole = app.server.ENGINE.analyze_video(long_video, "zero-shot").to_dict()
    for a, b in zip(last["windows"], whole["windows"]):
        assert a["start"] == b["start"]
        for state in a["states"]:
            assert np.allclose(a["states"][state]["probs"], b["states"][state]["probs"], atol=1e-5)


def test_a_video_stopped_by_a_refusal_keeps_its_results_and_says_when_the_quota_resets(on_zerogpu, long_video, monkeypatch):
    """The second call is refused with nothing left: no error, the first two windows stay, one line says why."""
    import gradio as gr

    from engage.ui.zerogpu import GpuDay

    app = on_zerogpu

    def refuse_second(part, k):
        if part.start and k == 0:
            raise gr.Error("You have exceeded your ZeroGPU quota (4s requested vs. 1s left). Try again in 5:00:00. ", title="ZeroGPU quota exceeded")

    _recording_video_gpu(app, monkeypatch, refuse_second)
    day = GpuDay(known_left_s=23)
    steps = list(app.analyze_video(long_video, "zero-shot", None, day))
    summary, data = steps[-1][0], steps[-1][5]
    assert summary.startswith("Stopped at 0.3 of 0.5 min") and ("resets in 4 h 59 min" in summary or "resets in 5 h 0 min" in summary)
    assert "(1 s)" in summary  # what ZeroGPU said is left: less than one window's request (2 s scheduled at the least)
    assert "Everything analysed so far is shown" in summary and "\n" not in summary.split("\n\n")[0]
    assert [w["start"] for w in data["windows"]] == [0.0, 10.0] and day.refusals == 1 and day.left_s == 1
    assert steps[-1][6] and all(f.endswith((".json", ".csv")) for f in steps[-1][6])  # the exports hold them too


def test_an_aborted_call_loses_none_of_the_windows_it_handed_back(on_zerogpu, long_video, monkeypatch):
    """The first call is aborted after its first window: that window stays, the rest are redone in a new call, and
    the per-window estimate doubles."""
    import gradio as gr

    from engage.ui.zerogpu import GpuDay

    app = on_zerogpu
    aborted = []

    def abort_first(part, k):
        if part.start == 0 and k == 1 and not aborted:
            aborted.append(part)
            raise gr.Error("GPU task aborted", title="ZeroGPU worker error")

    calls = _recording_video_gpu(app, monkeypatch, abort_first)
    day = GpuDay()
    steps = list(app.analyze_video(long_video, "zero-shot", None, day))
    assert [part.start for _, part in calls] == [0, 1] and calls[1][1].stop == 3
    assert [w["start"] for w in steps[-1][5]["windows"]] == [0.0, 10.0, 20.0] and "Stopped" not in steps[-1][0]
    assert day.aborted == 1 and day.calls == 2


def test_the_file_sweeper_outlives_a_failed_tick(app, monkeypatch, tmp_path):
    """gradio's delete_cache task stops at its first error; engage's sweeper calls the same function and goes on."""
    import threading
    import time

    import gradio.route_utils as route_utils

    calls = []

    def flaky(blocks, age):
        calls.append(age)
        if len(calls) == 1:
            raise RuntimeError("Set changed size during iteration")

    monkeypatch.setattr(route_utils, "delete_files_created_by_app", flaky)
    monkeypatch.setattr(app, "FILES_MAX_AGE_S", 1)
    stop = threading.Event()
    from engage.ui import cleanup

    monkeypatch.setattr(cleanup, "upload_folder", lambda: str(tmp_path))  # not the machine's shared gradio folder
    sweeper = cleanup.sweep_every(app.demo, 1, stop)
    deadline = time.monotonic() + 20
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    sweeper.join(timeout=5)
    assert len(calls) >= 2 and calls[0] == 1 and not sweeper.is_alive()


# An error stays beside its input (issue 26, item 5): the failure listener shows the handler's own reason, for the
# session that failed only, once; Gradio still passes its request as it would to the handler itself.
def _refuse(image, lang="en"):
    raise gr.Error("Tệp này không phải là ảnh & không đọc được.")


def _refuse_streaming(video, lang="en", request: gr.Request = None):
    yield "plan"
    raise gr.Error("stopped")


def test_the_reason_is_kept_for_its_session_and_shown_once(app):
    handlers, shown_errors = app.handlers, app.handlers.shown_errors
    wrapped = shown_errors.remembered(_refuse)
    assert "request" in inspect.signature(wrapped).parameters  # so that Gradio passes the request
    args, *_ = special_args(wrapped, ["x.png", "vi"], request=None)
    mine, other = gr.Request(session_hash="mine"), gr.Request(session_hash="other")
    with pytest.raises(gr.Error):
        wrapped("x.png", "vi", mine)  # as Gradio calls it: the request in the declared place
    assert shown_errors.last_error(other) is None
    summary, _, json_out = handlers.image_failed("vi", mine)
    assert summary == "> ⚠️ Tệp này không phải là ảnh &amp; không đọc được." and json_out is None  # escaped once, as words
    assert handlers.error_line("vi", mine) == "> ⚠️ Không có kết quả: thông báo ở trên cùng cho biết lý do."  # taken once
    assert len(args) == 3


def test_a_generator_stays_a_generator_and_keeps_its_reason(app):
    handlers, shown_errors = app.handlers, app.handlers.shown_errors
    wrapped = shown_errors.remembered(_refuse_streaming)
    assert inspect.isgeneratorfunction(wrapped)
    request = gr.Request(session_hash="video")
    steps = wrapped("clip.mp4", "en", request)
    assert next(steps) == "plan"
    with pytest.raises(gr.Error):
        next(steps)
    outputs = handlers.video_failed("en", request)
    assert outputs[0] == "> ⚠️ stopped" and len(outputs) == 7
