"""A visitor's GPU day through the ZeroGPU emulation (tests/zerogpu/days.py): the real ``spaces`` in ZeroGPU mode, a fake
device API that refuses, aborts and charges as ZeroGPU does, GPU work stretched to a stated cost. A day here is a fifth
of an anonymous one (24 s) so that it runs in about half a minute; ``python tests/zerogpu/days.py`` runs whole days."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for `zerogpu`, whatever pytest's import mode

from zerogpu.days import SPACE, lost, one_day  # noqa: E402

from conftest import write_video  # noqa: E402

SHORT_DAY = {"anonymous": 24, "free account": 60}


@pytest.fixture(scope="module")
def day_env(tiny_dir, heads_dir, tmp_path_factory) -> dict[str, str]:
    return {"ENGAGE_BACKBONE": tiny_dir, "ENGAGE_WEIGHTS": heads_dir, "ENGAGE_DEVICE": "cpu", "GRADIO_ANALYTICS_ENABLED": "False",
            "GRADIO_TEMP_DIR": str(tmp_path_factory.mktemp("gradio-day"))}


@pytest.fixture(scope="module")
def lecture(tmp_path_factory) -> str:
    """Ten minutes at 1 FPS (60 windows): more than a 24 s day covers at the Space's stated cost."""
    return write_video(str(tmp_path_factory.mktemp("lecture") / "lecture.mp4"), seconds=600, fps=1)


def test_a_short_anonymous_day_is_used_to_the_last_seconds_and_loses_nothing(day_env, lecture, tmp_path):
    """At 0.45 s a window and 5.75 s for a new worker: calls grow once measured, shrink to fit what is left when the
    day runs short, and the video stops with one line only when not even one window fits; then the webcam is
    refused at once. Nothing shown ever disappears."""
    day = one_day(str(tmp_path), day_env, lecture, "anonymous", "video+webcam", SPACE, SHORT_DAY)
    api, video = day["api"], day["video"]
    assert day["tier"] == "anonymous" and api["quota_s"] == 24
    assert api["charged_s"] >= 0.9 * 24 and api["charged_s"] == day["day"]["used_s"]  # the app counted what ZeroGPU charged
    assert api["refused"] >= 1 and api["aborted"] == 0 and lost(day) == 0
    assert video["contiguous"] and 25 <= video["windows"] < 60  # (24 - 5.75) s / 0.45 s ≈ 40 windows at most
    assert video["stopped"].startswith("Stopped at") and "resets in" in video["stopped"]
    assert day["webcam"]["results"] == 0  # the day was spent: refused at its first result


def test_an_aborted_call_is_redone_from_the_first_window_not_handed_back(day_env, lecture, tmp_path):
    """A call stalls 30 s after the worker's 20th window: ZeroGPU kills it at its scheduled time; the windows it
    yielded stay on screen, and only the rest are analysed again, by new calls."""
    stall = {"mlp": 0.05, "spike": {"after": 20, "extra_s": 30.0}}
    day = one_day(str(tmp_path), day_env, lecture, "anonymous", "video", stall)
    api, video = day["api"], day["video"]
    assert api["aborted"] == 1 and day["day"]["aborted"] == 1
    assert video["windows"] == 60 and video["contiguous"] and video["stopped"] is None and lost(day) == 0


def test_a_worker_error_keeps_what_was_analysed_and_says_why(day_env, lecture, tmp_path):
    """The worker raises after its 20th window: the video stops there with the reason, its first windows kept."""
    failing = {"mlp": 0.05, "spike": {"after": 20, "raise": True}}
    day = one_day(str(tmp_path), day_env, lecture, "anonymous", "video", failing)
    video = day["video"]
    assert 0 < video["windows"] < 60 and video["contiguous"] and lost(day) == 0
    assert video["stopped"].startswith("Stopped: The GPU worker failed (RuntimeError)")
