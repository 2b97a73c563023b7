"""Visitors' GPU days under ZeroGPU's rules, at stated GPU costs: ``python tests/zerogpu/days.py [--quick]``.

Each day is one run of ``day.py`` (a visitor through the Hub's proxy: a 60-minute video, then the webcam until
ZeroGPU refuses; or the webcam alone) against a fresh fake device API with the real quotas (anonymous 120 s, free
account 300 s), the GPU's work stretched to a stated cost per window (``COSTS`` below; see ``shim``). Prints the
table of docs/performance.md ("A visitor's GPU day"): minutes of video and of webcam, share of the day used, calls,
refusals, aborted calls and results lost. ``--only anonymous`` (or ``"free account"``) runs one visitor's days.
``--quick`` runs one anonymous day of 24 s (a fifth of the quota, as the test does).
A full run holds the device API's time: about 30 minutes of wall time (1,813 s summed over the ten days of 2026-12-05).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TESTS)

from zerogpu.device_api import FakeDeviceAPI  # noqa: E402
from zerogpu.run import ROOT, run_script, zerogpu_env  # noqa: E402

sys.path.insert(0, ROOT)  # engage, when run as a script from anywhere

DAY_PY = os.path.join(TESTS, "zerogpu", "day.py")
# Stated costs. The H200 (all 132 SMs) ran the 7B's window in 0.124 s with the model alone and its extraction kept the
# GPU 88-92 % busy (docs/performance.md); ZeroGPU's own configs.json gives its H200 slice 60 SMs and the default GPU
# (half an RTX Pro 6000) a duration factor of 1.5 over that slice: 132 / 60 × 1.5 = 3.3× the H200's time, 0.41 s, and
# 10 % more for the CPU work left beside it: 0.45 s a window. A new worker: 5.75 s, the H200's worst (fork 0.185 s,
# CUDA 0.405 s, 15.45 GiB of weights from pageable memory 5.155 s). "3× slower": every figure × 3.
SPACE = {"mlp": 0.45, "cold": 5.75}
COSTS = {
    "Space estimate (0.45 s a window)": SPACE,
    "3× slower (1.35 s a window)": {k: 3 * v for k, v in SPACE.items()},
    "Space estimate, one call stalls 60 s": dict(SPACE, spike={"after": 45, "extra_s": 60.0}),
}
VISITORS = {"anonymous": "anonymous", "free account": "regular"}
SCENARIOS = ("video+webcam", "webcam")


def one_day(workdir: str, app_env: dict[str, str], video: str, auth: str, scenario: str, stretch: dict[str, Any],
            quotas: dict[str, int] | None = None) -> dict[str, Any]:
    """Run one visitor's day; what ``day.py`` printed plus the device API's own count of the calls."""
    os.makedirs(workdir, exist_ok=True)
    stretch = dict(stretch)
    if "spike" in stretch:
        stretch["spike"] = dict(stretch["spike"], once_file=os.path.join(workdir, "spiked"))
    quotas = quotas or {"anonymous": 120, "free account": 300}
    with FakeDeviceAPI(quota_anonymous=quotas["anonymous"], quota_regular=quotas["free account"]) as api:
        env = dict(zerogpu_env(api.url, workdir, os.path.join(workdir, "calls.jsonl")), **app_env, ZEROGPU_STRETCH=json.dumps(stretch),
                   ZEROGPU_QUOTAS=json.dumps(quotas))
        done = run_script(DAY_PY, video, auth, scenario, env=env, cwd=ROOT, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError(f"day.py failed:\n{done.stderr[-4000:]}")
        out = json.loads(done.stdout.strip().splitlines()[-1])
        quota = quotas["anonymous" if auth == "anonymous" else "free account"]
        out["api"] = {
            "charged_s": sum(api._used.values()),
            "quota_s": quota,
            "approved": sum(c["result"] == "approved" for c in api.calls),
            "refused": sum(c["result"] != "approved" for c in api.calls),
            "aborted": sum(bool(c.get("aborted")) for c in api.calls),
        }
    return out


def lost(day: dict[str, Any]) -> int:
    """Results computed but not shown: windows missing before the last one shown (the video's results are contiguous
    from its start, or some were lost)."""
    video = day["video"]
    if video is None:
        return 0
    shown = video["shown"]
    dropped = sum(max(0, a - b) for a, b in zip(shown, shown[1:]))  # windows that left the screen
    return dropped + (0 if video["contiguous"] else 1)


def row(visitor: str, cost: str, day: dict[str, Any]) -> str:
    api, video, cam = day["api"], day["video"], day["webcam"] or {"minutes": 0.0, "results": 0, "every_s": []}
    minutes = f"{video['minutes']:.1f} of {video['of_minutes']:.0f}" if video else "—"
    return (f"| {visitor} | {cost} | {day['scenario']} | {minutes} | {cam['minutes']:.1f} ({cam['results']} results, every "
            f"{'-'.join(str(e) for e in (cam['every_s'][:1] + cam['every_s'][-1:]) if cam['every_s']) or '—'} s) | "
            f"{api['charged_s']:.0f} of {api['quota_s']} s ({api['charged_s'] / api['quota_s']:.0%}) | {api['approved']} | {api['refused']} | "
            f"{api['aborted']} | {lost(day)} |")


HEADER = ("| visitor | GPU cost | what they did | minutes of video | minutes of webcam | GPU time charged | calls | refusals | "
          "aborted | results lost |\n|---|---|---|---|---|---|---|---|---|---|")


def prepare(folder: str, minutes: float) -> tuple[dict[str, str], str]:
    """The tiny backbone, random heads and a ``minutes``-long 160×120 video at 1 FPS, in ``folder``."""
    from engage.affect.heads import random_heads

    from conftest import write_video

    tiny, heads, video = (os.path.join(folder, n) for n in ("tiny", "heads", f"lecture-{minutes:g}min.mp4"))
    if not os.path.isdir(tiny):
        subprocess.run([sys.executable, "-m", "engage", "make-tiny-backbone", tiny], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    if not os.path.isdir(heads):
        random_heads(64).save(heads)
    if not os.path.exists(video):
        write_video(video, seconds=minutes * 60, fps=1)
    return {"ENGAGE_BACKBONE": tiny, "ENGAGE_WEIGHTS": heads, "ENGAGE_DEVICE": "cpu", "GRADIO_ANALYTICS_ENABLED": "False"}, video


def main() -> None:
    quick = "--quick" in sys.argv
    folder = tempfile.mkdtemp(prefix="engage-days-", dir=os.path.join(ROOT, ".pytest_cache") if os.path.isdir(os.path.join(ROOT, ".pytest_cache")) else None)
    app_env, video = prepare(folder, 60)
    print(HEADER, flush=True)
    plan = [("anonymous", "Space estimate (0.45 s a window)", "video+webcam")] if quick else [
        (v, c, s) for c in COSTS for v in VISITORS for s in SCENARIOS if not (c.endswith("stalls 60 s") and s == "webcam")
        and ("--only" not in sys.argv or v == sys.argv[sys.argv.index("--only") + 1])]
    for visitor, cost, scenario in plan:
        t0 = time.time()
        quotas = {"anonymous": 24, "free account": 60} if quick else None
        day = one_day(os.path.join(folder, f"{VISITORS[visitor]}-{scenario}-{list(COSTS).index(cost)}"), app_env, video, VISITORS[visitor],
                      scenario, COSTS[cost], quotas)
        print(row(visitor, cost, day), f"<!-- {time.time() - t0:.0f} s wall -->", flush=True)


if __name__ == "__main__":
    main()
