"""Every GPU path of app.py, called as its event handlers are, under the ZeroGPU harness:
``python tests/zerogpu/run.py tests/zerogpu/app_paths.py MEDIA_JSON STEP [STEP ...]``.

MEDIA_JSON names the files the test wrote ({"image", "short_video", "long_video", "classroom_video",
"classroom_photo", "frames_dir"}). Prints one JSON line: per step, what the visitor saw (or the error, title and
message) and which lines of the calls log (ZEROGPU_CALLS_LOG) its GPU calls wrote.
"""
from __future__ import annotations

import glob
import json
import os
import sys
import time
from types import SimpleNamespace

import gradio as gr
import numpy as np

import app
from engage.ui import class_handlers, handlers, server
from zerogpu.run import read_calls

LOG = os.environ["ZEROGPU_CALLS_LOG"]
MEDIA = json.loads(sys.argv[1])


def _frames(n: int, seed: int = 0) -> list[np.ndarray]:
    """640×480 camera frames (DAiSEE's size), each a little different."""
    base = np.random.default_rng(seed).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    return [np.roll(base, 8 * k, axis=1) for k in range(n)]


def _video(path: str, method: str) -> dict:
    steps = list(app.analyze_video(path, method, None))
    return {"yields": len(steps), "plan": steps[0][0], "windows": [len(s[5]["windows"]) for s in steps[1:]]}


def _webcam(frames: int) -> dict:
    clock = iter(float(k) for k in range(frames))
    handlers.time = class_handlers.time = SimpleNamespace(monotonic=lambda: next(clock))
    stream, shown, day = None, 0, app.zerogpu.GpuDay()  # one session: its stream and its GPU day
    for frame in _frames(frames):
        md, fig, data, stream = app.webcam_frame(frame, "mlp", stream, day)
        shown += isinstance(data, dict) and "kind" in data  # gr.skip() is a dict too
    return {"frames": frames, "shown": shown, "stream": type(stream).__name__, "every_s": handlers.webcam_every("mlp", day)[0]}


ROOM = {}


def _classroom_video() -> dict:
    plan, out = app.analyze_classroom(MEDIA["classroom_video"], None, "zero-shot", 4, None, None, progress=lambda *a, **k: None)
    room = ROOM["room"] = out[-2]  # then the export folder
    return {"plan": plan[0], "students": len(room.session.students()), "analysed": sum(o.affect is not None for o in room.session.observations)}


def _classroom_photo() -> dict:
    (out,) = app.analyze_classroom(None, MEDIA["classroom_photo"], "zero-shot", 12, None, None, progress=lambda *a, **k: None)
    return {"students": len(out[-2].session.students())}


def _classroom_camera(seconds: int) -> dict:
    from PIL import Image

    frame = np.asarray(Image.open(MEDIA["classroom_photo"]).convert("RGB"))
    clock = iter(float(k) for k in range(seconds))
    handlers.time = class_handlers.time = SimpleNamespace(monotonic=lambda: next(clock))
    room, analyses = None, 0
    for _ in range(seconds):
        until = room.analysed_until if room is not None else 0.0
        room = app.classroom_frame(frame, "zero-shot", 12, None, room, None)[-2]
        analyses += room.analysed_until > until  # the students were analysed on this frame
    return {"seconds": seconds, "analyses": analyses, "analysed": sum(o.affect is not None for o in room.session.observations)}


STEPS = {
    "image": lambda: {"kind": app.analyze_image(MEDIA["image"], "mlp")[2]["kind"]},
    "short_video": lambda: _video(MEDIA["short_video"], "mlp"),
    "long_video_mlp": lambda: _video(MEDIA["long_video"], "mlp"),
    "long_video_zero_shot": lambda: _video(MEDIA["long_video"], "zero-shot"),
    "frames": lambda: {"kind": app.analyze_frames(sorted(glob.glob(os.path.join(MEDIA["frames_dir"], "*.png"))), "mlp")[2]["kind"]},
    "webcam": lambda: _webcam(60),
    "classroom_video": _classroom_video,
    "classroom_photo": _classroom_photo,
    "classroom_camera": lambda: _classroom_camera(13),
    "class_report": lambda: {"chars": len(app.write_class_report(ROOM["room"], True))},
}

results = []
for name in sys.argv[2:]:
    first = len(read_calls(LOG))
    t0 = time.perf_counter()
    try:
        detail, error = STEPS[name](), None
    except gr.Error as exc:
        detail, error = None, {"title": exc.title, "message": exc.message}
    results.append({"step": name, "detail": detail, "error": error, "wall_s": round(time.perf_counter() - t0, 3), "calls": [first, len(read_calls(LOG))]})
shares = {kind: server.COSTS.model_share(kind) for kind in ("mlp", "zero-shot", "student", "token")}
print(json.dumps({"main_pid": os.getpid(), "zero_gpu": app.ZERO_GPU, "steps": results, "model_share": shares}))
