"""ZeroGPU budgets (engage/ui/zerogpu.py): requests sized from measured costs, a visitor's day, the webcam's pace."""
from __future__ import annotations

import math
import time

import pytest

from engage.ui import zerogpu
from engage.ui.zerogpu import (
    COLD_OVERHEAD_S,
    MARGIN,
    MAX_REQUEST_S,
    PRIOR_UNIT_S,
    QUOTA_S,
    WARM_OVERHEAD_S,
    CallCost,
    CostModel,
    GpuDay,
    Meter,
    refusal_message,
    scheduled,
    split,
    webcam_every_s,
)

# spaces' own refusal text for a visitor with a token (spaces/zero/client.py, 0.51.3)
REFUSAL = "You have exceeded your ZeroGPU quota (18s requested vs. 7s left). Try again in 13:02:05. "


def _cost(kind: str, units: int, work_s: float, cold: bool = False) -> CallCost:
    return CallCost(kind, units, work_s, 0.9 * work_s, cold)


def test_before_anything_is_measured_the_requests_are_todays_estimates():
    costs = CostModel()
    assert costs.request("video_gpu", "mlp", 15) == math.ceil(COLD_OVERHEAD_S + 15 * PRIOR_UNIT_S["mlp"]) == 40
    assert costs.units_fitting("video_gpu", "mlp", 120, 10_000) == 15  # the old plan: 15 windows a call
    assert costs.units_fitting("video_gpu", "zero-shot", 120, 10_000) == 12
    assert not costs.measured("mlp") and costs.model_share("mlp") is None


def test_the_documented_figures_are_what_the_code_computes():
    """The figures the README and docs/performance.md state, named here so that a change to a prior (2.0 → 2.1 s a
    window, 0.75 → 0.8 s a student-window) or to the words fails until both agree."""
    import os

    from conftest import ROOT

    assert COLD_OVERHEAD_S == 10 and MAX_REQUEST_S == 40
    assert PRIOR_UNIT_S == {"mlp": 2.0, "zero-shot": 2.5, "student": 0.75, "token": 0.075}
    costs = CostModel()
    per_call = {kind: costs.units_fitting("video_gpu", kind, math.inf, 10_000) for kind in ("mlp", "zero-shot", "student")}
    assert per_call == {"mlp": 15, "zero-shot": 12, "student": 40}
    assert costs.request("report_gpu", "token", zerogpu.REPORT_TOKENS) == 40  # 10 s + 400 × 0.075 s
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = " ".join(fh.read().split())
    assert ("(10 s for a new worker, 2.0 s a window with the heads, 2.5 s zero-shot, 0.75 s a student-window, 0.075 s a "
            "generated token): 15 windows per call (heads), 12 (zero-shot), 40 student-windows. No request is above 40 s.") in readme
    with open(os.path.join(ROOT, "docs", "performance.md"), encoding="utf-8") as fh:
        docs = " ".join(fh.read().split())
    assert "15 windows (2.5 min of video) per call for the heads, 12 for zero-shot, 40 student-windows per classroom call." in docs
    assert f"{zerogpu.STUDENT_WINDOW_TOKENS} video tokens (`STUDENT_WINDOW_TOKENS`" in docs


def test_a_student_windows_stated_tokens_are_what_engage_feeds(engine):
    """The student-window prior's basis (zerogpu.STUDENT_WINDOW_TOKENS): 10 face crops of 224×224 through engage's
    backbone as the classroom feeds them (one video, engage's protocol), counted from the processor's grid."""
    import numpy as np

    from engage.classroom.room import CROP_SIZE
    from engage.media import Clip
    from engage.model.protocol import DEFAULT_PROTOCOL

    bb = engine.backbone
    assert bb.protocol == DEFAULT_PROTOCOL
    crops = np.zeros((10, CROP_SIZE, CROP_SIZE, 3), np.uint8)
    clip = Clip(frames=crops, timestamps=np.arange(10.0), start=0.0, end=10.0)
    batch = bb.inputs_for_texts([clip], bb.feature_texts([clip]), to_device=False)
    assert int(batch["video_grid_thw"].prod()) // 4 == zerogpu.STUDENT_WINDOW_TOKENS == 720


def test_requests_follow_the_measured_costs_with_the_stated_margin():
    costs = CostModel()
    for k in range(10):  # 0.40-0.49 s a window, a new worker's 3 s the first time, 0.1 s after
        costs.observe("video_gpu", _cost("mlp", 20, 20 * (0.40 + 0.01 * k), cold=k == 0), wall_s=20 * (0.40 + 0.01 * k) + (3.0 if k == 0 else 0.1))
    unit = costs.unit_s("mlp")
    assert unit == pytest.approx(0.481 * MARGIN, rel=1e-9)  # the 90th percentile of the ten (numpy's linear), × 1.25
    assert costs.warm("video_gpu") and not costs.warm("clip_gpu")
    assert costs.fixed_s(True) == pytest.approx(0.1 * MARGIN, rel=1e-6) and costs.fixed_s(False) == pytest.approx(3.0 * MARGIN)
    assert costs.request("video_gpu", "mlp", 10) == math.ceil(0.1 * MARGIN + 10 * unit)
    assert costs.request("clip_gpu", "mlp", 1) == math.ceil(3.0 * MARGIN + unit)  # a function not run lately: a new worker's cost
    assert costs.request("video_gpu", "mlp", 10_000) == MAX_REQUEST_S
    work = sum(20 * (0.40 + 0.01 * k) for k in range(10))
    assert costs.model_share("mlp") == pytest.approx((0.9, 0.9 * work / (work + 3.0 + 9 * 0.1)))
    # never below what the work needs: the request covers the slowest call seen, per window
    assert costs.request("video_gpu", "mlp", 20) >= 20 * 0.49


def test_a_call_holds_as_many_units_as_fit_the_cap_and_what_is_left():
    costs = CostModel()
    costs.observe("video_gpu", _cost("mlp", 10, 4.0), wall_s=4.2)  # 0.4 s a window, 0.2 s fixed (warm)
    unit, fixed = costs.unit_s("mlp"), costs.fixed_s(True)
    assert costs.units_fitting("video_gpu", "mlp", 120, 10_000) == int((MAX_REQUEST_S - fixed) // unit)
    n = costs.units_fitting("video_gpu", "mlp", 10, 10_000)  # 10 s left: a request of 7 s (10.5, rounded to 10 scheduled)
    assert n == int((7 - fixed) // unit) and scheduled(costs.request("video_gpu", "mlp", n)) <= 10
    assert costs.units_fitting("video_gpu", "mlp", 10, 3) == 3
    assert costs.units_fitting("video_gpu", "mlp", 1, 10) == 0  # not even a 1 s request (2 scheduled) fits


def test_an_abort_doubles_the_estimate_and_forgets_the_warm_worker():
    costs = CostModel()
    costs.observe("video_gpu", _cost("mlp", 10, 4.0), wall_s=4.2)
    before = costs.unit_s("mlp")
    costs.aborted("video_gpu", "mlp")
    assert costs.unit_s("mlp") == pytest.approx(2 * before * MARGIN) and not costs.warm("video_gpu")


def test_meter_counts_units_and_knows_a_new_worker(monkeypatch):
    monkeypatch.setattr(zerogpu, "_calls_in_process", 0)
    first = Meter("mlp")
    cost = first.add(3, 0.5)
    assert cost.cold and cost.units == 3 and cost.model_s == 0.5 and cost.work_s >= 0
    assert first.add(2).units == 5
    assert not Meter("mlp").add(1).cold  # the same worker's next call


def test_the_day_counts_charges_refusals_and_when_the_quota_resets():
    day = GpuDay()
    assert day.quota_s == 120 and day.left_s == 120 and day.resets_in_s() is None
    assert day.charge("video_gpu", 3.2) == 4 and day.used_s == 4 and day.left_s == 116  # whole seconds, rounded up
    assert 86_390 < day.resets_in_s() <= 86_400  # 24 h after the first use when ZeroGPU has not said
    day.refused(REFUSAL)
    assert day.left_s == 7 and day.refusals == 1 and 13 * 3600 < day.resets_in_s() <= 13 * 3600 + 2 * 60 + 5
    day.charge("clip_gpu", 0.4)
    assert day.left_s == 6 and day.gpu_s == {"video_gpu": 4, "clip_gpu": 1}
    day.refused("Space app has reached its GPU limit. Try re-running outside of examples")  # no figures: nothing left
    assert day.left_s == 0
    assert GpuDay(tier=zerogpu.tier_of({"auth": "regular"})).quota_s == 300 and zerogpu.tier_of({"auth": "pro"}) == "PRO"
    assert zerogpu.tier_of(None) == zerogpu.tier_of({"auth": "none"}) == "anonymous"


def test_the_webcam_is_paced_to_last_ten_minutes():
    assert webcam_every_s(1, 120) == 5  # 120 s at 1 s a result: one every 5 s lasts 600 s
    assert webcam_every_s(2, 120) == 10 and webcam_every_s(1, 300) == 2  # never faster than every 2 s
    assert webcam_every_s(1, 5) == 60 and webcam_every_s(1, 0) == 60  # at most a minute apart
    for left in (120, 77, 30):
        every = webcam_every_s(1, left)
        assert left / 1 * every >= 600  # the results that fit, spaced that far apart, span ten minutes


def test_what_the_visitor_reads():
    costs = CostModel()
    costs.observe("video_gpu", _cost("mlp", 10, 4.5), wall_s=4.6)
    line = zerogpu.video_plan_line(360, 3600.0, "mlp", costs, True)
    assert "60.0 min of video (360 windows" in line and "measured rate of 0.56 s a window" in line
    assert "of an anonymous visitor's day (120 s)" in line and "PRO (2,400 s)" in line
    assert zerogpu.video_plan_line(360, 3600.0, "mlp", costs, False).endswith("windows of 10 s)…")
    day = GpuDay()
    day.charge("video_gpu", 40.5)
    assert zerogpu.used_line(GpuDay()) == ""  # nothing to say before the first call
    assert zerogpu.used_line(day) == "GPU time used in this session: 41 s in 1 call (about 79 s left of an anonymous visitor's 120 s day)."
    stop = zerogpu.stop_line(1800, 3600, day)
    assert stop.startswith("Stopped at 30.0 of 60.0 min") and "shown below and in the exports" in stop and "\n" not in stop
    assert zerogpu.duration_words(4 * 3600 + 12 * 60 + 3) == "4 h 12 min" and zerogpu.duration_words(59) == "59 s"
    assert zerogpu.webcam_line(5, 1, day).startswith("On ZeroGPU: a result every 5 s (about 1 s of GPU each), so that the 79 s you have left")
    assert "a first estimate until one is measured" in zerogpu.webcam_line(20, 4, GpuDay(), measured=False)


def test_split_covers_every_item_once_in_order():
    assert split(0, 15) == []
    assert split(7, 15) == [range(0, 7)]
    parts = split(31, 15)
    assert parts == [range(0, 15), range(15, 30), range(30, 31)]
    assert [i for p in parts for i in p] == list(range(31))


def test_scheduled_is_spaces_rounding():
    assert [scheduled(s) for s in (1, 12, 19, 40)] == [2, 18, 28, 60]  # round half to even: 28.5 -> 28
    assert scheduled(MAX_REQUEST_S) <= QUOTA_S["anonymous"]
    assert WARM_OVERHEAD_S < COLD_OVERHEAD_S


def test_refusals_become_one_line_that_says_what_to_do():
    quota = refusal_message("ZeroGPU quota exceeded", "You have exceeded your ZeroGPU quota (60s requested vs. 12s left).", 40)
    assert "40 s requested, 60 s scheduled" in quota and "Sign in" in quota and "shorter clip" in quota
    assert "\n" not in quota
    assert "shorter clip" in refusal_message("ZeroGPU illegal duration", "too long", 40)
    assert "GPU task aborted" in refusal_message("ZeroGPU worker error", "GPU task aborted", 10)
    assert refusal_message(None, "The video has no frames.", 10) is None  # not a refusal: the caller re-raises
    assert refusal_message("Error", "x", 10) is None


def test_no_gpu_stand_in_returns_the_function_unchanged():
    def f(x):
        return x + 1

    assert zerogpu.no_gpu(f) is f
    assert zerogpu.no_gpu(duration=10)(f) is f


def test_the_classroom_plan_bounds_the_calls_before_the_faces_are_known():
    text = zerogpu.classroom_plan(3, 12, 40, True)
    assert "at most 36 face clips" in text and "in at most 1 GPU call of at most 40 s" in text and "quota" in text
    local = zerogpu.classroom_plan(6, 12, 40, False)
    assert "at most 2 calls" in local and "GPU" not in local and "quota" not in local  # a server without a GPU says no GPU
    vi = zerogpu.classroom_plan(3, 12, 40, True, "vi")
    assert "tối đa 36 đoạn khuôn mặt" in vi and "tối đa 1 lần gọi GPU" in vi and "40 giây" in vi and "× 1,5" in vi


def test_the_warm_window_expires(monkeypatch):
    costs = CostModel()
    costs.observe("clip_gpu", _cost("mlp", 1, 0.5), wall_s=0.6)
    assert costs.warm("clip_gpu")
    later = time.monotonic() + zerogpu.WARM_WITHIN_S + 1
    monkeypatch.setattr(zerogpu.time, "monotonic", lambda: later)
    assert not costs.warm("clip_gpu")
