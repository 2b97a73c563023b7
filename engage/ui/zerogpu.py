"""ZeroGPU budgets: how many GPU seconds each call asks for, and how long work is split so that every call fits.

ZeroGPU (``spaces`` 0.51.3, Hugging Face docs of 2026-07) schedules a requested duration × 1.5 on its default GPU
(half an RTX Pro 6000 Blackwell) and refuses a call whose scheduled time exceeds what the visitor has left of the
day (anonymous 120 s, free account 300 s, PRO 2,400 s); what is charged is the time used. Every request here is at
most ``MAX_REQUEST_S`` = 40 s (60 s scheduled), so an anonymous visitor's first call of the day always fits.

Where the per-unit costs come from (docs/performance.md, "ZeroGPU budgets", has the derivation): one 10 s window
of 640×480 video is 1,996 tokens and 38.0 TFLOP through the 7B; on H200s it took 0.207-0.294 s end to end
(decoding, preprocessing, the model; issue 14), and a new worker's fork, CUDA start and weights 0.90-5.75 s. The
per-window constant holds on a GPU up to 4.9× slower than the slowest of those runs; zero-shot, per-student and
report costs are still estimates from FLOP counts.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

DURATION_FACTOR = 1.5  # spaces multiplies a request by this on the default GPU (configs.json, RTX PRO 6000 entry)
QUOTA_S = {"anonymous": 120, "free account": 300, "PRO": 2400}  # per visitor and day (HF docs 2026-07)
MAX_REQUEST_S = 40  # × 1.5 = 60 s scheduled ≤ the anonymous 120 s

# Fixed cost of a call on a new worker, measured on an H200: fork 0.185 s, CUDA 0.405 s, 15.45 GiB of weights to the
# GPU 0.314 s pinned (5.155 s pageable): at most 5.75 s; 10 s leaves room for the packed weights' read from disk
# and scheduling. A request is refused only if it exceeds what is left, so generous is cheap.
CALL_OVERHEAD_S = 10.0
# One 10 s window: 0.207-0.294 s end to end on H200s; 2.0 s (with MARGIN) covers a GPU up to 4.9× slower. Zero-shot adds
# four short question passes over the window's key/value cache (≈ 30 short decoder passes of 28 layers, ≤ 0.5 s).
PER_WINDOW_S = {"mlp": 2.0, "zero-shot": 2.5}
# The per-window constants over the pre-GPU estimate (0.76 s + 0.66 s = 1.42 s for a window; H200s measured
# 0.207-0.294 s, but the Space's card was not measured, so what a call is charged keeps the estimate)
MARGIN = 1.4
ESTIMATED_CALL_S = 2.0  # a warm worker's fixed cost per call: scheduling, CUDA sync, pickling (≤ 0.035 s on an H200)


def estimated_seconds(windows: int, method: str) -> float:
    """What a call of ``windows`` windows is expected to use (and be charged) on the Space's GPU: the request
    without its margins. An estimate until issue 14 measures it."""
    return ESTIMATED_CALL_S + windows * PER_WINDOW_S[method] / MARGIN


# One student's face crops in one window: 10 crops of 224×224 are 320 video tokens (≈ 6 TFLOP, 0.12 s) plus
# eleven questions over the prefix (4 states, 7 emotions; ≈ 0.35 s); ×1.6. 40 of them fill a call: the slider's
# maximum of faces, so a photo or one camera window of a full class is one call.
PER_STUDENT_WINDOW_S = 0.75
# The class report: up to 400 generated tokens at ≥ 25 tokens/s on the 7B, plus the prompt.
REPORT_S = 30.0


def no_gpu(task=None, *, duration=None, size=None):
    """Stand-in for ``spaces.GPU`` where the ``spaces`` package is not installed: the function, unchanged (what
    ``spaces.GPU`` itself returns off ZeroGPU). Used bare (``@no_gpu``) or with arguments (``@no_gpu(duration=…)``)."""
    if callable(task):
        return task
    return lambda fn: fn


def _request(seconds: float) -> int:
    """Whole seconds asked for; never above the cap (the plans below keep every call under it)."""
    return min(MAX_REQUEST_S, math.ceil(seconds))


def _per_call(unit_seconds: float) -> int:
    """How many units of ``unit_seconds`` fit in one call after the overhead."""
    return max(1, int((MAX_REQUEST_S - CALL_OVERHEAD_S) // unit_seconds))


def windows_per_call(method: str) -> int:
    return _per_call(PER_WINDOW_S[method])


def students_per_call() -> int:
    """Student-windows (one student's crops in one window) per classroom call."""
    return _per_call(PER_STUDENT_WINDOW_S)


def windows_seconds(windows: int, method: str) -> int:
    """Request for ``windows`` windows of video (an image or a webcam window is one)."""
    return _request(CALL_OVERHEAD_S + windows * PER_WINDOW_S[method])


def students_seconds(student_windows: int) -> int:
    return _request(CALL_OVERHEAD_S + student_windows * PER_STUDENT_WINDOW_S)


def report_seconds() -> int:
    return _request(CALL_OVERHEAD_S + REPORT_S)


def scheduled(requested: int) -> float:
    return requested * DURATION_FACTOR


def split(total: int, per_call: int) -> list[range]:
    """``range(total)`` in consecutive pieces of at most ``per_call``, the last one shortest."""
    return [range(a, min(a + per_call, total)) for a in range(0, total, per_call)]


@dataclass(frozen=True)
class VideoPlan:
    """The GPU calls of one video: which windows each holds and what each asks for."""

    method: str
    parts: list[range]

    @classmethod
    def of(cls, num_windows: int, method: str) -> VideoPlan:
        return cls(method, split(num_windows, windows_per_call(method)))

    @property
    def windows(self) -> int:
        return sum(len(p) for p in self.parts)

    def seconds(self, part: range) -> int:
        return windows_seconds(len(part), self.method)

    @property
    def total_seconds(self) -> int:
        return sum(self.seconds(p) for p in self.parts)

    @property
    def largest_seconds(self) -> int:
        return max((self.seconds(p) for p in self.parts), default=0)

    def markdown(self, zero_gpu: bool) -> str:
        calls = len(self.parts)
        head = f"Analysing {self.windows} window{'s' if self.windows != 1 else ''} in {calls} GPU call{'s' if calls != 1 else ''}"
        if not zero_gpu:
            return head + "…"
        return (
            f"{head}, asking ZeroGPU for at most {self.largest_seconds} s each ({self.total_seconds} s in all; each "
            f"request counts × {DURATION_FACTOR:g} against your daily quota while it waits, and only the time used is "
            "charged). Results appear as each call ends…"
        )


def classroom_plan(windows: int, max_faces: int, zero_gpu: bool) -> str:
    """What a classroom video will ask of the GPU, before its faces are known (at most ``max_faces`` each window)."""
    jobs = windows * max_faces
    calls = max(1, -(-jobs // students_per_call()))
    head = (
        f"Finding faces on the CPU in {windows} window{'s' if windows != 1 else ''}; then at most {jobs} "
        f"student-windows in at most {calls} GPU call{'s' if calls != 1 else ''}"
    )
    if not zero_gpu:
        return head + "…"
    return f"{head} of at most {MAX_REQUEST_S} s each (× {DURATION_FACTOR:g} scheduled against your daily quota)…"


def windows_within_quota(method: str, quota_s: float, charged_s: Callable[[int], float], windows: int = 10_000) -> int:
    """Windows of one long video analysed before ZeroGPU refuses a call: each call is scheduled at its request
    × 1.5 and must fit what is left of ``quota_s``; a call of n windows then costs ``charged_s(n)`` (the time it
    used, at most its request)."""
    left, done = float(quota_s), 0
    for part in VideoPlan.of(windows, method).parts:
        if scheduled(windows_seconds(len(part), method)) > left:
            break
        left -= min(charged_s(len(part)), windows_seconds(len(part), method))
        done += len(part)
    return done


REFUSAL_HELP = (
    "Sign in to Hugging Face for 5 GPU-minutes a day instead of 2, try a shorter clip, or come back when the "
    "daily quota resets."
)


def refusal_message(title: str | None, message: str, requested: int | None) -> str | None:
    """One line for a ZeroGPU refusal (``spaces`` raises ``gr.Error`` with these titles), else None."""
    asked = f" ({requested} s requested, {scheduled(requested):g} s scheduled)" if requested else ""
    if title == "ZeroGPU quota exceeded":
        return f"ZeroGPU refused this request{asked}: your GPU quota for today has less time left. {REFUSAL_HELP}"
    if title == "ZeroGPU illegal duration":
        return f"ZeroGPU refused this request{asked}: it is longer than one call may be. Try a shorter clip."
    if title in ("ZeroGPU queue timeout", "ZeroGPU pending credits exceeded"):
        return f"No GPU was free in time{asked}. Try again in a minute; signed-in visitors are queued first."
    if title == "ZeroGPU worker error":
        return f"The GPU worker failed ({message}). Try again; if it happens again, try a shorter clip."
    return None
