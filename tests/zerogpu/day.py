"""A visitor's GPU day under ZeroGPU's rules: ``python tests/zerogpu/run.py tests/zerogpu/day.py VIDEO AUTH SCENARIO``.

The visitor (AUTH: ``anonymous``, ``regular`` or ``pro``) comes through the Hub's proxy as a browser does (an
X-IP-Token that spaces and the app read), and, as SCENARIO says, analyses VIDEO and then streams the webcam until
ZeroGPU refuses (``video+webcam``), or only streams the webcam (``webcam``). The webcam runs on a simulated clock
(one 640×480 frame a second); GPU calls take their real time, stretched by ``ZEROGPU_STRETCH`` (see ``shim``).
``ZEROGPU_QUOTAS`` (JSON, e.g. ``{"anonymous": 20}``) tells the app the quotas a shorter test day gives the device API.
Prints one JSON line: what was analysed and what the day's calls were, as the app counted them.
"""
from __future__ import annotations

import json
import os
import sys
import time
from types import SimpleNamespace

import gradio as gr
import numpy as np
from gradio.context import LocalContext

import app
from engage.ui import handlers, server
from zerogpu.device_api import fake_jwt

WEBCAM_MAX_S = 3600  # simulated seconds of camera at most


class Headers(dict):
    """What spaces accepts as a request's headers (a mapping with a ``__dict__``)."""


def visitor(auth: str) -> SimpleNamespace:
    token = fake_jwt("203.0.113.7", auth) if auth != "anonymous" else fake_jwt("203.0.113.7", "none")
    return SimpleNamespace(headers=Headers({"x-ip-token": token, "x-gradio-user": "app"}))


def video(path: str, day) -> dict:
    t0, last, shown = time.perf_counter(), None, []
    try:
        for outputs in app.analyze_video(path, "mlp", None, day):
            last = outputs
            shown.append(len(outputs[5]["windows"]) if isinstance(outputs[5], dict) else 0)
    except gr.Error as exc:  # nothing could be analysed
        return {"windows": 0, "minutes": 0.0, "of_minutes": None, "contiguous": True, "stopped": exc.message, "shown": shown, "error": exc.title}
    data = last[5]
    starts = [w["start"] for w in data["windows"]]
    return {
        "windows": len(starts),
        "minutes": round(data["windows"][-1]["end"] / 60, 2) if starts else 0.0,
        "of_minutes": round(data["duration_seconds"] / 60, 2),
        "contiguous": starts == [10.0 * k for k in range(len(starts))],
        "stopped": last[0].split("\n\n")[0] if last[0].startswith("Stopped") else None,
        "wall_s": round(time.perf_counter() - t0, 1),
        "shown": shown,  # windows on screen after each step: never fewer than before
    }


def webcam(day) -> dict:
    base = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    clock = {"t": 0.0}
    handlers.time = SimpleNamespace(monotonic=lambda: clock["t"])
    stream, shown, last_shown, refusals, every = None, 0, 0.0, day.refusals, []
    t0 = time.perf_counter()
    for second in range(WEBCAM_MAX_S):
        clock["t"] = float(second)
        md, fig, data, stream = app.webcam_frame(np.roll(base, 8 * second, axis=1), "mlp", stream, day)
        if isinstance(data, dict) and "kind" in data:
            shown, last_shown = shown + 1, float(second)
            every.append(handlers.webcam_every("mlp", day)[0])
        if day.refusals > refusals:
            break
    return {"results": shown, "minutes": round(last_shown / 60, 2), "every_s": sorted(set(every)),
            "wall_s": round(time.perf_counter() - t0, 1)}


def main() -> None:
    path, auth, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
    if quotas := os.environ.get("ZEROGPU_QUOTAS"):  # a shorter day for the tests: the device API's quotas, told to the app
        app.zerogpu.QUOTA_S.update(json.loads(quotas))
    request = visitor(auth)
    LocalContext.request.set(request)  # what spaces reads the visitor's token from
    day = server.visitor_day(None, request)
    out = {"auth": auth, "tier": day.tier, "scenario": scenario, "stretch": json.loads(os.environ.get("ZEROGPU_STRETCH") or "{}")}
    out["video"] = video(path, day) if "video" in scenario else None
    out["webcam"] = webcam(day) if "webcam" in scenario else None
    out["day"] = {"used_s": day.used_s, "calls": day.calls, "refusals": day.refusals, "aborted": day.aborted, "left_s": day.left_s,
                  "gpu_s": day.gpu_s}
    print(json.dumps(out))


main()
