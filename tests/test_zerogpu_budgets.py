"""ZeroGPU budgets (engage/ui/zerogpu.py): every request within 40 s, long work split by what it holds."""
from __future__ import annotations

import pytest

from engage.ui import zerogpu
from engage.ui.zerogpu import (
    MAX_REQUEST_S,
    QUOTA_S,
    VideoPlan,
    refusal_message,
    report_seconds,
    scheduled,
    split,
    students_per_call,
    students_seconds,
    windows_per_call,
    windows_seconds,
)


def test_the_largest_request_fits_an_anonymous_visitors_first_call():
    assert scheduled(MAX_REQUEST_S) == 60 <= QUOTA_S["anonymous"]
    for method in ("mlp", "zero-shot"):
        assert windows_seconds(windows_per_call(method), method) <= MAX_REQUEST_S
        assert windows_seconds(windows_per_call(method) + 1, method) == MAX_REQUEST_S  # the cap, not more
    assert students_seconds(students_per_call()) <= MAX_REQUEST_S
    assert report_seconds() <= MAX_REQUEST_S


def test_requests_grow_with_the_work_they_hold():
    assert windows_seconds(1, "mlp") < windows_seconds(5, "mlp") < windows_seconds(10, "mlp")
    assert windows_seconds(5, "zero-shot") > windows_seconds(5, "mlp")
    assert students_seconds(1) < students_seconds(12) < students_seconds(30)


def test_split_covers_every_item_once_in_order():
    assert split(0, 15) == []
    assert split(7, 15) == [range(0, 7)]
    parts = split(31, 15)
    assert parts == [range(0, 15), range(15, 30), range(30, 31)]
    assert [i for p in parts for i in p] == list(range(31))


@pytest.mark.parametrize("minutes", [1, 5, 10])
@pytest.mark.parametrize("method", ["mlp", "zero-shot"])
def test_a_long_video_becomes_several_calls_each_within_the_cap(minutes, method):
    windows = minutes * 6  # 10 s windows
    plan = VideoPlan.of(windows, method)
    assert plan.windows == windows
    assert all(plan.seconds(p) <= MAX_REQUEST_S for p in plan.parts)
    assert len(plan.parts) == -(-windows // windows_per_call(method))
    if windows > windows_per_call(method):
        assert len(plan.parts) > 1
    assert plan.largest_seconds == max(plan.seconds(p) for p in plan.parts)


def test_the_plan_says_what_it_asks_for_on_zerogpu_only():
    plan = VideoPlan.of(30, "mlp")  # a 5-minute video
    on_space, local = plan.markdown(True), plan.markdown(False)
    assert f"{len(plan.parts)} GPU calls" in on_space and f"at most {plan.largest_seconds} s each" in on_space
    assert "quota" in on_space and "quota" not in local


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


def test_windows_within_an_anonymous_quota():
    """Worst case (every call charged its whole request): two 40 s calls fit in 120 s, the third's 60 s scheduled
    does not fit the 40 s left; a call charged less leaves room for more."""
    from engage.ui.zerogpu import windows_within_quota

    worst = windows_within_quota("mlp", 120, lambda n: windows_seconds(n, "mlp"))
    assert worst == 2 * windows_per_call("mlp")
    assert windows_within_quota("mlp", 120, lambda n: zerogpu.estimated_seconds(n, "mlp")) > worst
    assert windows_within_quota("mlp", 300, lambda n: windows_seconds(n, "mlp")) > worst
    assert windows_within_quota("mlp", 59, lambda n: 0.0) == 0  # not even one full call is scheduled
    assert windows_within_quota("mlp", 120, lambda n: 0.0, windows=7) == 7  # a short video: all of it


def test_the_classroom_plan_bounds_the_calls_before_the_faces_are_known():
    from engage.ui.zerogpu import classroom_plan

    text = classroom_plan(3, 12, True)
    assert "at most 36 student-windows in at most 1 GPU call" in text and "40 s" in text and "quota" in text
    assert "at most 2 GPU calls" in classroom_plan(6, 12, False) and "quota" not in classroom_plan(6, 12, False)
