"""The camera section's line (engage.ui.camera_turns): a camera free, yours on, or all in use and about how long
yours waits; a camera counts as on while its handler runs or ran under SEEN_S ago (issue 26, item 20)."""
from __future__ import annotations

import pytest

from engage.ui.camera_turns import SEEN_S, CameraTurns


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stream(turns: CameraTurns, clock: Clock, session: str, seconds: float, step: float = 0.5) -> None:
    """``session``'s camera handler called every ``step`` s for ``seconds``."""
    end = clock.now + seconds
    while clock.now < end:
        with turns.streaming(session):
            pass
        clock.now += step


def test_free_on_and_waiting():
    clock = Clock()
    turns = CameraTurns(2, 600, clock)
    assert turns.line("c") == "A classroom camera is free now: press record to start yours."
    stream(turns, clock, "a", 60)
    assert turns.line("a").startswith("Your camera is on: its turn ends in about 9 minutes")
    assert turns.line("c") == "A classroom camera is free now: press record to start yours."
    for _ in range(int(190 / 0.5)):  # b starts; a goes on: 250 s into a's turn, 190 s into b's
        with turns.streaming("a"), turns.streaming("b"):
            pass
        clock.now += 0.5
    assert turns.line("c").startswith("The 2 classroom cameras are all in use now: yours waits until a turn ends, in about 6 minutes")
    assert turns.line("c", "vi").startswith("Cả 2 camera lớp học đang được dùng: camera của bạn chờ đến khi một lượt kết thúc, chậm nhất khoảng 6 phút")
    assert turns.line("b", "vi").startswith("Camera của bạn đang chạy: lượt này kết thúc sau khoảng 7 phút")


def test_a_stopped_camera_frees_its_place_and_a_long_call_keeps_it():
    clock = Clock()
    turns = CameraTurns(1, 600, clock)
    stream(turns, clock, "a", 5)
    assert "all in use" in turns.line("b")
    clock.now += SEEN_S + 0.1  # no call for longer than that: stopped
    assert "free now" in turns.line("b")
    with turns.streaming("a"):  # started again: a new turn, the full 10 minutes
        clock.now += 45  # one call that runs 45 s (the model's GPU call): still on
        line = turns.line("b")
        assert "all in use" in line and "in about 10 minutes" in line
    turns.forget("a")  # the tab closed
    assert "free now" in turns.line("b")


@pytest.mark.parametrize("left, words", [(600, "10 minutes"), (61, "2 minutes"), (59, "1 minute"), (0, "1 minute")])
def test_time_left_is_rounded_up_to_the_minute(left, words):
    clock = Clock()
    turns = CameraTurns(1, 600, clock)
    with turns.streaming("a"):
        clock.now += 600 - left
        assert f"in about {words}" in turns.line("a")
