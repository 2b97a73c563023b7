"""The tracker's rules on boxes and stand-in descriptors (each person a fixed point of the descriptor space plus
noise); real faces, dlib's descriptors and the composed scenes are in tests/test_identity.py."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from engage.classroom import tracking
from engage.classroom.tracking import SAME_PERSON, FaceTracker, assign, iou, nearest

PEOPLE = {name: v / np.linalg.norm(v) for name, v in zip("ABCD", np.random.default_rng(0).normal(size=(4, 128)))}


@dataclass
class Face:
    """Stand-in for ``engage.classroom.faces.Face`` carrying its person (the tracker reads ``.box`` only)."""

    box: tuple[float, float, float, float]
    who: str = "A"


def describer(faces, rng=None, noise: float = 0.02, calls: list | None = None):
    """describe(i): the person's point plus noise (distances between people about 1.4, within one about 0.3)."""
    rng = rng or np.random.default_rng(1)

    def describe(i: int) -> np.ndarray:
        if calls is not None:
            calls.append(i)
        return PEOPLE[faces[i].who] + rng.normal(0, noise, 128)

    return describe


def box_at(x: float, y: float = 50.0, w: float = 40.0) -> tuple[float, float, float, float]:
    return (x, y, x + w, y + w)


def step(tracker: FaceTracker, faces: list[Face], t: float, **kw) -> list[int | None]:
    return tracker.update(faces, t, describer(faces, **kw))


def test_a_face_counts_once_seen_in_3_of_5_seconds():
    tracker = FaceTracker()
    a = [Face(box_at(10))]
    assert [step(tracker, a, t) for t in (0, 1)] == [[None], [None]]
    assert step(tracker, a, 2) == [1]
    assert tracker.confirmed == {tracker.keys[0]: 1}
    assert step(tracker, a, 3) == [1] and tracker.confirmed == {}
    assert tracker.ids == [1]


def test_a_flicker_never_counts():
    """A patch found in 2 of every 5 frames (like the mission patch) never becomes a student."""
    tracker = FaceTracker()
    for t in range(30):
        faces = [Face(box_at(10))] + ([Face(box_at(200), "B")] if t % 5 in (0, 2) else [])
        ids = step(tracker, faces, t)
        assert ids[1:] in ([], [None])
    assert tracker.ids == [1]


def test_misses_inside_the_window_still_count():
    tracker = FaceTracker()
    seen = [0, 2, 4]  # 3 of the 5 seconds 0-4
    out = [step(tracker, [Face(box_at(10))], t) for t in seen]
    assert out == [[None], [None], [1]]


def test_a_student_away_up_to_60_s_keeps_their_id_anywhere():
    tracker = FaceTracker()
    for t in range(5):
        step(tracker, [Face(box_at(10), "A"), Face(box_at(200), "B")], t)
    for t in range(5, 55):  # B away for 50 s
        step(tracker, [Face(box_at(10), "A")], t)
    ids = [step(tracker, [Face(box_at(10), "A"), Face(box_at(400, 300), "B")], t) for t in range(55, 60)]
    assert ids[2] == [1, 2]  # confirmed again after 3 s, and recognised as student 2
    assert ids[-1] == [1, 2] and tracker.ids == [1, 2]


def test_a_student_away_longer_than_the_gap_gets_a_new_id():
    tracker = FaceTracker(max_gap_seconds=10)
    for t in range(5):
        step(tracker, [Face(box_at(10), "A")], t)
    for t in range(20, 25):
        ids = step(tracker, [Face(box_at(300), "A")], t)
    assert ids == [2] and tracker.ids == [1, 2]


def test_someone_new_is_not_taken_for_someone_away():
    tracker = FaceTracker()
    for t in range(5):
        step(tracker, [Face(box_at(10), "A")], t)
    for t in range(5, 10):
        ids = step(tracker, [Face(box_at(300), "C")], t)
    assert ids == [2]


def test_someone_else_in_the_same_seat_after_a_miss_gets_a_new_id():
    tracker = FaceTracker()
    for t in range(4):
        step(tracker, [Face(box_at(10), "A")], t)
    step(tracker, [], 4)
    ids = [step(tracker, [Face(box_at(10), "C")], t) for t in range(5, 8)]
    assert ids == [[None], [None], [2]]


def test_the_same_seat_after_a_miss_keeps_the_id_and_overlap_needs_no_descriptor():
    tracker = FaceTracker()
    calls: list[int] = []
    for t in range(4):
        tracker.update([Face(box_at(10 + t))], t, describer([Face(box_at(10))], calls=calls))
    assert len(calls) == 1  # at confirmation only; later frames follow by overlap
    step(tracker, [], 4)
    assert step(tracker, [Face(box_at(15))], 5) == [1]


def test_descriptors_are_refreshed_every_10_seconds_of_being_seen():
    tracker = FaceTracker(refresh_seconds=10)
    calls: list[int] = []
    faces = [Face(box_at(10))]
    for t in range(40):
        tracker.update(faces, t, describer(faces, calls=calls))
    assert len(calls) == 4  # at 2 (confirmed), 12, 22, 32
    assert len(tracker.students[1].gallery) == 4


def test_refreshes_are_spread_over_frames():
    """Ten students confirmed in one frame are refreshed at most four per frame afterwards."""
    tracker = FaceTracker(refresh_seconds=10, refresh_per_update=4)
    faces = [Face(box_at(60 * i), "ABCD"[i % 4]) for i in range(10)]
    per_frame = []
    for t in range(25):
        calls: list[int] = []
        tracker.update(faces, t, describer(faces, calls=calls))
        per_frame.append(len(calls))
    assert per_frame[2] == 10  # at confirmation every one is described
    assert max(per_frame[3:]) == 4 and sum(per_frame[3:]) == 20  # each again once from 12 s on, four at a time


def test_crossing_faces_keep_their_ids():
    tracker = FaceTracker()
    seen = set()
    for i in range(40):
        faces = [Face(box_at(40 + 7 * i, 60), "A"), Face(box_at(320 - 7 * i, 80), "B")]
        seen.add(tuple(step(tracker, faces, i)))
    assert seen - {(None, None)} == {(1, 2)}


def test_finish_confirms_a_short_input_by_the_same_share():
    photo = FaceTracker()
    assert step(photo, [Face(box_at(10))], 0) == [None]
    keys = photo.finish(lambda key: PEOPLE["A"])
    assert list(keys.values()) == [1] and photo.students[1].gallery

    clip = FaceTracker()  # 3 frames: a face in 2 of them counts (2 of 3 >= 3 of 5), one in 1 does not
    for t in range(3):
        faces = [Face(box_at(10))] + ([Face(box_at(200), "B")] if t == 1 else []) + ([Face(box_at(400), "C")] if t else [])
        ids = step(clip, faces, t)
    assert ids == [1, None]  # A, seen 3 times, already counts
    assert list(clip.finish().values()) == [2] and clip.ids == [1, 2]

    long = FaceTracker()
    for t in range(6):
        step(long, [Face(box_at(10))] + ([Face(box_at(200), "B")] if t == 5 else []), t)
    assert long.finish() == {}  # 5 frames or more: the usual rule already applied


def test_merge_pools_descriptors_and_the_live_track():
    tracker = FaceTracker(max_gap_seconds=5)
    for t in range(3):
        step(tracker, [Face(box_at(10), "A")], t)
    for t in range(20, 23):
        step(tracker, [Face(box_at(300), "A")], t)
    assert tracker.ids == [1, 2]
    tracker.merge(2, 1)
    assert tracker.ids == [1] and step(tracker, [Face(box_at(301), "A")], 23) == [1]
    assert len(tracker.students[1].gallery) == 2
    with pytest.raises(KeyError):
        tracker.merge(1, 1)


def test_without_descriptors_ids_follow_overlap():
    tracker = FaceTracker()
    for t in range(3):
        ids = tracker.update([Face(box_at(10)), Face(box_at(200))], t)
    assert ids == [1, 2]
    for t in range(10, 13):
        ids = tracker.update([Face(box_at(400))], t)
    assert ids == [3]


def test_greedy_fallback_gives_the_same_ids(monkeypatch):
    def run():
        tracker = FaceTracker()
        return [tuple(step(tracker, [Face(box_at(40 + 7 * i), "A"), Face(box_at(320 - 7 * i, 60), "B")], i)) for i in range(40)]

    hungarian = run()
    monkeypatch.setattr(tracking, "_linear_sum_assignment", None)
    assert run() == hungarian


def test_time_must_not_go_backwards_and_settings_are_checked():
    tracker = FaceTracker()
    assert tracker.update([], 1.0) == []
    with pytest.raises(ValueError):
        tracker.update([], 0.5)
    with pytest.raises(ValueError):
        FaceTracker(confirm_hits=6, confirm_seconds=5)


def test_iou_nearest_and_assign():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0
    assert nearest(np.zeros(3), [np.ones(3), np.array([0, 0, 0.5])]) == pytest.approx(0.5)
    assert nearest(np.zeros(3), []) == np.inf
    inf = np.inf
    cost = np.array([[0.1, 0.2], [0.15, inf]])
    assert sorted(assign(cost)) == [(0, 1), (1, 0)]  # the optimum, not the greedy (0, 0)
    assert assign(np.array([[inf, inf]])) == []
    assert assign(np.zeros((0, 3))) == []
    assert 0.3 < SAME_PERSON < 0.6
