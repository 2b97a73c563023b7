"""ZeroGPU budgets: what each GPU call asks for, sized from what earlier calls were measured to cost.

ZeroGPU (``spaces`` 0.51.3, Hugging Face docs of 2026-07) schedules a requested duration × 1.5 on its default GPU
(half an RTX Pro 6000 Blackwell), refuses a call whose scheduled time exceeds what the visitor has left of the day
(anonymous 120 s, free account 300 s, PRO 2,400 s), aborts a call that runs past its time, and charges the time used.

How engage spends a visitor's day (docs/performance.md, "A visitor's GPU day", has the derivation and the runs):

- **Measured inside the call.** Every GPU function starts a :class:`Meter`; what comes back carries a
  :class:`CallCost` (units of work done, seconds of work, seconds in the model, whether the worker was new). The caller
  adds its own wall time: the difference is the call's fixed cost (fork, CUDA start and weights on a new worker;
  scheduling and pickling on a warm one).
- **Requests from measurements.** :class:`CostModel` (one per server: the GPU is the same for every visitor) keeps
  the last ``SAMPLES`` per-unit costs of each kind and the fixed costs, cold and warm, and asks for
  ``fixed + units × unit``, each term its ``PERCENTILE``-th percentile × ``MARGIN``; before anything is measured it
  uses the priors below (the estimates engage used before it measured). Never above ``MAX_REQUEST_S``.
- **Why the margin is safe.** A call is aborted only when it runs past its scheduled time, which ZeroGPU sets at
  1.5 × the request: a call is lost only if it takes more than 1.5 × 1.25 = 1.9× the 90th percentile of what the same
  work took before. And an aborted call loses nothing already finished: the video's calls hand back each batch as it
  ends (a generator), and the caller redoes only the windows not handed back, in smaller calls, after doubling the
  per-window estimate. A low margin costs a redone batch; a high one costs refusals at the end of the day, when
  ZeroGPU compares the scheduled time (not the time used) with what is left.
- **The whole day.** :class:`GpuDay` (one per visitor session) counts what this session was charged and what ZeroGPU
  said was left at its last refusal; calls are sized to fit what is left, down to one unit, and only then does the
  work stop, with one line that says what was done and when the quota resets.
"""
from __future__ import annotations

import math
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

import numpy as np

from ..i18n import DEFAULT, count, number, text

DURATION_FACTOR = 1.5  # spaces multiplies a request by this on the default GPU (configs.json, RTX PRO 6000 entry)
QUOTA_S = {"anonymous": 120, "free account": 300, "PRO": 2400}  # per visitor and day (HF docs 2026-07)
TIER_BY_AUTH = {None: "anonymous", "regular": "free account", "pro": "PRO"}  # the X-IP-Token's "auth" claim
MAX_REQUEST_S = 40  # × 1.5 = 60 s scheduled ≤ the anonymous 120 s: a visitor's first call of the day always fits

# Priors, used until a kind of work has been measured on this server: the estimates engage asked for before it measured
# (a new worker's 0.90-5.75 s measured on an H200 for fork, CUDA start and weights, rounded up to 10 s; a 10 s window
# 0.207-0.294 s end to end on H200s, 2.0 s covers a GPU 4.9× slower; zero-shot adds four question passes; a student's
# 10 face crops and 11 questions 0.75 s, below; the class report 400 tokens at ≥ 25 tokens/s, 30 s). Generous on
# purpose: the first call of a kind pays only for the time it uses, and its measurement sizes every later call.
# With no measurement, a call holds (MAX_REQUEST_S - COLD_OVERHEAD_S) // unit: 15 windows with the heads, 12 zero-shot,
# 40 student-windows (tests/test_zerogpu_budgets.py pins these figures and the README's and docs' words for them).
COLD_OVERHEAD_S = 10.0
WARM_OVERHEAD_S = 2.0
# A student-window: the student's 10 face crops (224×224) go in as one video under engage's protocol, which enlarges
# each to 336×336 (its 100,352-pixel minimum, engage.model.protocol): STUDENT_WINDOW_TOKENS vision tokens (320 under
# the report's protocol, which keeps 224×224). On the 7B that is about 13.4 TFLOP (language model 6.53e9 weights ×
# 2 × ~745 tokens = 9.7 TFLOP; vision encoder 0.63e9 × 2 × 2,880 patches = 3.6 TFLOP), 0.27 s at the 50 TFLOP/s
# assumed for the Space's GPU, plus 11 questions over the cached prefix (≈ 0.35 s): 0.62 s, and 0.75 s is 1.2× that.
STUDENT_WINDOW_TOKENS = 720
PRIOR_UNIT_S = {"mlp": 2.0, "zero-shot": 2.5, "student": 0.75, "token": 0.075}
REPORT_TOKENS = 400  # the class report's max_new_tokens (engage.classroom.report)

PERCENTILE = 90
MARGIN = 1.25
SAMPLES = 32  # per kind: the last 32 calls (the GPU does not change; a busy host does, for a while)
WARM_WITHIN_S = 60.0  # a GPU function that ran this recently keeps its worker (spaces reuses an idle worker)
WEBCAM_LASTING_S = 600  # the webcam's results are spaced so that what is left of the day lasts this long
WEBCAM_EVERY_MAX_S = 60


def no_gpu(task=None, *, duration=None, size=None):
    """Stand-in for ``spaces.GPU`` where the ``spaces`` package is not installed: the function, unchanged (what
    ``spaces.GPU`` itself returns off ZeroGPU). Used bare (``@no_gpu``) or with arguments (``@no_gpu(duration=…)``)."""
    if callable(task):
        return task
    return lambda fn: fn


def scheduled(requested: int) -> int:
    """What spaces asks the device API for: the request × 1.5, rounded half to even as ``round`` does."""
    return round(requested * DURATION_FACTOR)


def charged(wall_s: float) -> int:
    """What a call is taken to cost the visitor: its wall time in whole seconds, rounded up (ZeroGPU charges the time
    used; the rounding is the cautious reading, and the emulation's)."""
    return max(1, math.ceil(wall_s))


def split(total: int, per_call: int) -> list[range]:
    """``range(total)`` in consecutive pieces of at most ``per_call``, the last one shortest."""
    return [range(a, min(a + per_call, total)) for a in range(0, total, per_call)]


# ---------------------------------------------------------------------------------------------- inside the GPU call

_calls_in_process = 0  # a ZeroGPU worker is a fork of a process that never runs GPU work: 0 in a new worker


@dataclass(frozen=True)
class CallCost:
    """What one GPU call's work cost, measured inside the call, so far."""

    kind: str  # "mlp", "zero-shot" (windows), "student" (student-windows), "token" (generated tokens)
    units: int
    work_s: float  # from the function's start to now
    model_s: float  # of which in the model (forward passes and scoring)
    cold: bool  # the first call this process ran: a new ZeroGPU worker


class Meter:
    """Started at the top of a GPU function; ``add`` counts finished work and returns the cost so far."""

    def __init__(self, kind: str) -> None:
        global _calls_in_process
        self.kind, self.cold = kind, _calls_in_process == 0
        _calls_in_process += 1
        self.t0, self.units, self.model_s = time.perf_counter(), 0, 0.0

    def add(self, units: int, model_s: float = 0.0) -> CallCost:
        self.units += units
        self.model_s += model_s
        return CallCost(self.kind, self.units, time.perf_counter() - self.t0, self.model_s, self.cold)


# ---------------------------------------------------------------------------------------------- the server's costs


def _high(samples: deque) -> float:
    """The PERCENTILE-th percentile; the largest sample while there are too few for a percentile to mean much."""
    values = np.asarray(samples, dtype=float)
    return float(values.max() if len(values) < 5 else np.percentile(values, PERCENTILE))


class CostModel:
    """What GPU work costs on this server, from the calls measured so far; thread-safe (one per process)."""

    def __init__(self) -> None:
        self._unit: dict[str, deque] = defaultdict(lambda: deque(maxlen=SAMPLES))
        self._fixed = {True: deque(maxlen=SAMPLES), False: deque(maxlen=SAMPLES)}  # cold, warm
        self._totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])  # model, work, wall seconds per kind
        self._last_ok: dict[str, float] = {}
        self._lock = threading.Lock()

    def observe(self, name: str, cost: CallCost, wall_s: float) -> None:
        """A finished call of GPU function ``name``: its measured cost and the wall time its caller saw."""
        with self._lock:
            if cost.units:
                self._unit[cost.kind].append(cost.work_s / cost.units)
            totals = self._totals[cost.kind]
            totals[0], totals[1], totals[2] = totals[0] + cost.model_s, totals[1] + cost.work_s, totals[2] + wall_s
            self._fixed[cost.cold].append(max(0.0, wall_s - cost.work_s))
            self._last_ok[name] = time.monotonic()

    def aborted(self, name: str, kind: str) -> None:
        """A call ran past its time: double the per-unit estimate (the next calls are smaller and ask more per unit),
        and count the worker as new (ZeroGPU killed it)."""
        with self._lock:
            self._unit[kind].append(2 * self._unit_s(kind))
            self._last_ok.pop(name, None)

    def _unit_s(self, kind: str) -> float:
        samples = self._unit.get(kind)
        return _high(samples) * MARGIN if samples else PRIOR_UNIT_S[kind]

    def unit_s(self, kind: str) -> float:
        """Seconds one unit of ``kind`` is budgeted at (its high percentile × MARGIN, else the prior)."""
        with self._lock:
            return self._unit_s(kind)

    def measured(self, kind: str) -> bool:
        with self._lock:
            return bool(self._unit.get(kind))

    def warm(self, name: str) -> bool:
        with self._lock:
            last = self._last_ok.get(name)
        return last is not None and time.monotonic() - last < WARM_WITHIN_S

    def fixed_s(self, warm: bool) -> float:
        """The fixed cost a call is budgeted at: a warm worker's when ``warm`` and one was measured, else a new one's."""
        with self._lock:
            for cold in ([False, True] if warm else [True]):
                if self._fixed[cold]:
                    return _high(self._fixed[cold]) * MARGIN
        return WARM_OVERHEAD_S if warm else COLD_OVERHEAD_S

    def model_share(self, kind: str) -> tuple[float, float] | None:
        """Of the calls of ``kind`` so far, the share of their work (inside the call) and of their wall time (what the
        visitor is charged) spent in the model; None before one was measured."""
        with self._lock:
            model, work, wall = self._totals.get(kind, (0.0, 0.0, 0.0))
        return (model / work, model / wall) if work > 0 and wall > 0 else None

    def request(self, name: str, kind: str, units: int) -> int:
        """Whole seconds to ask for ``units`` of ``kind`` in one call of ``name`` (at most MAX_REQUEST_S)."""
        need = self.fixed_s(self.warm(name)) + units * self.unit_s(kind)
        return min(MAX_REQUEST_S, max(1, math.ceil(need)))

    def units_fitting(self, name: str, kind: str, left_s: float, most: int) -> int:
        """How many units (at most ``most``) one call can hold with its request within MAX_REQUEST_S and its scheduled
        time within ``left_s``; 0 when not even one fits."""
        fixed, unit = self.fixed_s(self.warm(name)), self.unit_s(kind)
        n = 0
        for seconds in range(MAX_REQUEST_S, 0, -1):
            if scheduled(seconds) <= left_s:
                n = int((seconds - fixed) // unit)
                break
        return max(0, min(most, n))

    def seconds_for(self, kind: str, units: int, name: str) -> float:
        """What ``units`` of ``kind`` are expected to use in calls of ``name`` (fixed costs included), at the budgeted rate."""
        per_call = max(1, self.units_fitting(name, kind, math.inf, units))
        calls = math.ceil(units / per_call)
        return calls * self.fixed_s(True) + units * self.unit_s(kind)


# ---------------------------------------------------------------------------------------------- the visitor's day


def tier_of(token_payload: dict | None) -> str:
    """The visitor's quota tier from the payload of their X-IP-Token (what spaces reads); anonymous without one."""
    auth = (token_payload or {}).get("auth")
    return TIER_BY_AUTH.get(auth if auth in ("regular", "pro") else None, "anonymous")


_REFUSAL = re.compile(r"\((\d+)s requested vs\. (\d+)s left\)")
_WAIT = re.compile(r"Try again in (?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})")


@dataclass
class GpuDay:
    """One visitor session's GPU time: what it was charged, and what ZeroGPU said was left at its last refusal."""

    tier: str = "anonymous"
    used_s: float = 0.0  # charged to this session (calls' wall time, rounded up)
    calls: int = 0
    refusals: int = 0
    aborted: int = 0
    known_left_s: float | None = None  # ZeroGPU's own figure at the last refusal, less what was charged since
    resets_at: float | None = None  # time.time() when the quota resets, from the last refusal's wait
    first_use: float | None = None
    gpu_s: dict[str, float] = field(default_factory=dict)  # charged seconds per action

    @property
    def quota_s(self) -> int:
        return QUOTA_S[self.tier]

    @property
    def left_s(self) -> float:
        """What this session believes is left: its tier's day less what it was charged, or less when ZeroGPU said so
        (the quota is the visitor's across every Space and tab)."""
        left = self.quota_s - self.used_s
        return max(0.0, left if self.known_left_s is None else min(left, self.known_left_s))

    def charge(self, action: str, wall_s: float) -> int:
        cost = charged(wall_s)
        self.used_s += cost
        self.calls += 1
        self.gpu_s[action] = self.gpu_s.get(action, 0) + cost
        if self.known_left_s is not None:
            self.known_left_s = max(0.0, self.known_left_s - cost)
        if self.first_use is None:
            self.first_use = time.time() - wall_s
        return cost

    def refused(self, message: str) -> None:
        """ZeroGPU refused a call: what its message says is left, and when the quota resets (0 left when it says neither)."""
        self.refusals += 1
        found = _REFUSAL.search(message)
        self.known_left_s = float(found.group(2)) if found else 0.0
        wait = _WAIT.search(message)
        if wait:
            days, h, m, s = (int(g or 0) for g in wait.groups())
            self.resets_at = time.time() + ((days * 24 + h) * 60 + m) * 60 + s

    def resets_in_s(self) -> float | None:
        """Seconds until the quota resets: ZeroGPU's wait if it gave one, else 24 h after this session's first use."""
        if self.resets_at is not None:
            return max(0.0, self.resets_at - time.time())
        if self.first_use is not None:
            return max(0.0, self.first_use + 86_400 - time.time())
        return None


def webcam_every_s(cost_s: float, left_s: float, lasting_s: float = WEBCAM_LASTING_S) -> int:
    """Seconds between webcam results on ZeroGPU so that ``left_s`` lasts ``lasting_s`` of streaming at ``cost_s`` a result."""
    if left_s <= 0:
        return WEBCAM_EVERY_MAX_S
    return int(min(WEBCAM_EVERY_MAX_S, max(2, math.ceil(lasting_s * cost_s / left_s))))


# ---------------------------------------------------------------------------------------------- what the visitor reads


def duration_words(seconds: float, lang: str = DEFAULT) -> str:
    """A wait as a visitor reads it: "4 h 12 min", "12 min", "45 s"."""
    seconds = max(0, round(seconds))
    if seconds >= 3600:
        return text("gpu.wait_h", lang, h=seconds // 3600, m=seconds % 3600 // 60)
    if seconds >= 60:
        return text("gpu.wait_m", lang, m=seconds // 60)
    return text("gpu.wait_s", lang, s=seconds)


def day_shares(gpu_s: float, lang: str = DEFAULT) -> str:
    """``gpu_s`` as a share of each tier's day: "50 % of an anonymous day (120 s), 20 % of a free account's (300 s), …"."""
    q = QUOTA_S
    return text("gpu.shares", lang, anonymous=f"{gpu_s / q['anonymous']:.0%}", q_anonymous=q["anonymous"], free=f"{gpu_s / q['free account']:.0%}",
                q_free=q["free account"], pro=f"{gpu_s / q['PRO']:.0%}", q_pro=f"{q['PRO']:,}".replace(",", "." if lang == "vi" else ","))


def used_line(day: GpuDay, lang: str = DEFAULT) -> str:
    """After each call: what this session has used, and what it believes is left ("" before its first call)."""
    if not day.calls:
        return ""
    return text("gpu.used", lang, used=f"{day.used_s:.0f}", calls=count(day.calls, "call", lang), left=f"{day.left_s:.0f}",
                tier=text(f"gpu.tier.{day.tier}", lang), quota=day.quota_s)


def stop_line(done_s: float, total_s: float, day: GpuDay, lang: str = DEFAULT) -> str:
    """The one line a video ends with when the day cannot hold another window."""
    resets = day.resets_in_s()
    when = text("gpu.resets_in", lang, wait=duration_words(resets, lang)) if resets is not None else text("gpu.resets_day", lang)
    return text("gpu.stop", lang, done=number(done_s / 60, lang), total=number(total_s / 60, lang), left=f"{day.left_s:.0f}",
                used=f"{day.used_s:.0f}", calls=count(day.calls, "call", lang), when=when)


def video_plan_line(windows: int, seconds: float, method_kind: str, costs: CostModel, zero_gpu: bool, lang: str = DEFAULT) -> str:
    """Before a video starts: how much it is, and on ZeroGPU how much of a day it will use at the measured rate."""
    head = text("gpu.plan_head", lang, minutes=number(seconds / 60, lang), windows=count(windows, "window", lang))
    if not zero_gpu:
        return text("gpu.plan_local", lang, head=head)
    gpu = costs.seconds_for(method_kind, windows, "video_gpu")
    rate = text("gpu.rate_measured" if costs.measured(method_kind) else "gpu.rate_first", lang)
    return text("gpu.plan", lang, head=head, gpu=f"{gpu:.0f}", rate=rate, unit=number(costs.unit_s(method_kind), lang, 2), shares=day_shares(gpu, lang))


def webcam_line(every_s: int, cost_s: float, day: GpuDay, measured: bool = True, lang: str = DEFAULT) -> str:
    """The Webcam tab on ZeroGPU: how often a result comes, what one costs, and what the session has used."""
    line = text("gpu.webcam", lang, every=every_s, cost=f"{cost_s:.0f}", first="" if measured else text("gpu.webcam_first", lang),
                left=f"{day.left_s:.0f}", tier=text(f"gpu.tier.{day.tier}", lang), quota=day.quota_s, minutes=WEBCAM_LASTING_S // 60)
    return " ".join(filter(None, [line, used_line(day, lang)]))


def classroom_plan(windows: int, max_faces: int, per_call: int, zero_gpu: bool, lang: str = DEFAULT) -> str:
    """What a classroom video will ask of the model (of the GPU, on ZeroGPU), before its faces are known (at most
    ``max_faces`` each window)."""
    jobs = windows * max_faces
    calls = max(1, -(-jobs // per_call))
    head = text("class.plan_head", lang, windows=count(windows, "window", lang), clips=count(jobs, "face_clip", lang))
    if not zero_gpu:
        return text("class.plan_local", lang, head=head, calls=count(calls, "call", lang))
    return text("class.plan_zerogpu", lang, head=head, calls=count(calls, "gpu_call", lang), seconds=MAX_REQUEST_S,
                factor=number(DURATION_FACTOR, lang))


def refusal_message(title: str | None, message: str, requested: int | None, lang: str = DEFAULT) -> str | None:
    """One line for a ZeroGPU refusal (``spaces`` raises ``gr.Error`` with these titles), else None."""
    asked = text("gpu.asked", lang, requested=requested, scheduled=scheduled(requested)) if requested else ""
    if title == "ZeroGPU quota exceeded":
        return text("gpu.refused_quota", lang, asked=asked, help=text("gpu.help", lang))
    if title == "ZeroGPU illegal duration":
        return text("gpu.refused_illegal", lang, asked=asked)
    if title in ("ZeroGPU queue timeout", "ZeroGPU pending credits exceeded"):
        return text("gpu.no_gpu", lang, asked=asked)
    if title == "ZeroGPU worker error":
        return text("gpu.worker_error", lang, message=message)
    return None
