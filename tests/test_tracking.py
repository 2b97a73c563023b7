"""Face tracking on a synthetic classroom: crops of the astronaut, tinted and flipped, moving on a background."""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image

from engage.classroom import tracking
from engage.classroom.tracking import FaceTracker, Track, assign, descriptor, iou, similarity

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FPS = 10
W, H = 320, 240
FACE_W, FACE_H = 60, 64


@dataclass
class Face:
    """Stand-in for ``engage.classroom.faces.Face`` (the tracker only reads ``.box`` and ``.score``)."""

    box: tuple[float, float, float, float]
    score: float
    landmarks: np.ndarray | None = None


def _face_images() -> dict[str, np.ndarray]:
    im = Image.open(os.path.join(ROOT, "examples", "astronaut.png")).convert("RGB")
    base = np.asarray(im.crop((140, 20, 310, 200)).resize((FACE_W, FACE_H), Image.BILINEAR), dtype=np.float64)
    wide = np.asarray(im.crop((110, 0, 340, 240)).resize((FACE_W, FACE_H), Image.BILINEAR), dtype=np.float64)

    def tint(img, r, g, b):
        return np.clip(img * np.array([r, g, b]), 0, 255).astype(np.uint8)

    return {
        "A": base.astype(np.uint8),  # as photographed
        "B": tint(base[:, ::-1], 0.55, 0.8, 1.25),  # mirrored, blue light
        "C": tint(wide, 1.2, 1.1, 0.5),  # further away, yellow light: the newcomer
    }


FACES = _face_images()


def _background() -> np.ndarray:
    y, x = np.mgrid[0:H, 0:W]
    bg = np.stack([90 + 60 * x / W, 110 + 40 * y / H, 100 + 20 * np.sin(x / 17.0)], axis=2)
    bg[150:, :] *= 0.7  # desks
    return bg


BACKGROUND = _background()


def compose(placements: dict[str, tuple[float, float]], rng: np.random.Generator, noise: float = 4.0) -> np.ndarray:
    """One frame: every face at its top-left corner, plus sensor noise."""
    frame = BACKGROUND.copy()
    for name, (x, y) in placements.items():
        x, y = int(round(x)), int(round(y))
        frame[y : y + FACE_H, x : x + FACE_W] = FACES[name]
    frame += rng.normal(0, noise, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


def classroom(seed: int = 0):
    """60 frames at 10 FPS. A drifts right the whole time. B is seen 0-1.9 s, gone for 2 s (t 2.0-3.9),
    then back at another place from 4.0 s. C, a new face, appears at 2.5 s where B was last seen.

    Yields ``(t, frame, faces, truth)`` with the detector's faces (boxes jittered by up to 2 px) in a
    shuffled order and ``truth`` the name of each face.
    """
    rng = np.random.default_rng(seed)
    for i in range(60):
        t = i / FPS
        where = {"A": (20 + 1.7 * i, 30)}
        if i < 20:
            where["B"] = (200 + 1.0 * i, 110 + 1.5 * i)
        elif i >= 40:
            where["B"] = (30 + 2.0 * (i - 40), 160)
        if i >= 25:
            where["C"] = (219 + 0.3 * (i - 25), 138)
        frame = compose(where, rng)
        names = list(where)
        rng.shuffle(names)
        faces = []
        for name in names:
            x, y = where[name]
            jx0, jy0, jx1, jy1 = rng.uniform(-2, 2, 4)
            faces.append(Face((x + jx0, y + jy0, x + FACE_W + jx1, y + FACE_H + jy1), float(rng.uniform(0.8, 1.0))))
        yield t, frame, faces, names


def run(tracker: FaceTracker, video) -> list[dict[str, int]]:
    out = []
    for t, frame, faces, names in video:
        ids = tracker.update(faces, frame, t)
        assert len(ids) == len(faces)
        assert len(set(ids)) == len(ids), "two faces of one frame got the same id"
        out.append(dict(zip(names, ids)))
    return out


def ids_of(history: list[dict[str, int]], name: str) -> set[int]:
    return {frame[name] for frame in history if name in frame}


# ---------------------------------------------------------------- the classroom video


def test_ids_stable_returning_face_gets_its_id_new_face_gets_new_id():
    tracker = FaceTracker(iou_threshold=0.3, max_gap_seconds=5.0)
    history = run(tracker, classroom())
    # first appearance order: A and B in frame 0 (shuffled, so 1 and 2 in some order), C third
    assert {history[0]["A"], history[0]["B"]} == {1, 2}
    assert ids_of(history, "A") == {history[0]["A"]}
    assert ids_of(history, "B") == {history[0]["B"]}, "B came back after 2 s elsewhere and must keep its id"
    assert ids_of(history, "C") == {3}, "C appeared where B was last seen but is someone else"
    assert sorted(tracker.tracks) == [1, 2, 3]
    b = tracker.tracks[history[0]["B"]]
    assert b.first_seen == 0.0 and b.last_seen == pytest.approx(5.9)
    assert tracker.tracks[3].first_seen == pytest.approx(2.5)


def test_overlap_alone_would_fail_on_this_video():
    """Why appearance is needed: without frames, C takes B's id and B comes back as someone new."""
    tracker = FaceTracker()
    history = [dict(zip(names, tracker.update(faces, None, t))) for t, _, faces, names in classroom()]
    b = history[0]["B"]
    assert ids_of(history, "C") == {b}
    assert len(ids_of(history, "B")) == 2


def test_face_gone_longer_than_max_gap_gets_a_new_id():
    tracker = FaceTracker(max_gap_seconds=1.5)
    history = run(tracker, classroom())
    old_b = history[0]["B"]
    assert ids_of(history[:20], "B") == {old_b}
    assert ids_of(history[40:], "B") == {4}, "B was gone 2.1 s > 1.5 s: retired, so a new id"
    assert ids_of(history, "C") == {3}
    assert old_b not in tracker.active and old_b in tracker.tracks  # retired, name kept


def test_greedy_fallback_gives_the_same_ids(monkeypatch):
    hungarian = run(FaceTracker(), classroom(seed=3))
    monkeypatch.setattr(tracking, "_linear_sum_assignment", None)
    greedy = run(FaceTracker(), classroom(seed=3))
    assert greedy == hungarian


def test_similarity_margins_on_the_video():
    """The numbers the thresholds in engage/classroom/tracking.py are chosen from."""
    same, different = [], []
    for seed in range(3):
        first: dict[str, np.ndarray] = {}
        for _t, frame, faces, names in classroom(seed=seed):
            for face, name in zip(faces, names):
                d = descriptor(frame, face.box)
                if name in first:
                    same.append(similarity(first[name], d))
                else:
                    first[name] = d
                different += [similarity(first[o], d) for o in first if o != name]
    assert min(same) > 0.8  # measured 0.85-1.00 against the face's first crop
    assert max(different) < 0.6  # measured 0.19-0.53
    assert max(different) < FaceTracker().reid_threshold < min(same)


def test_crossing_faces_keep_their_ids():
    """A and B pass each other, B hiding part of A; overlap plus appearance keeps them apart."""
    rng = np.random.default_rng(5)
    tracker = FaceTracker()
    seen = []
    for i in range(30):
        where = {"A": (40 + 7 * i, 60), "B": (240 - 7 * i, 80)}
        frame = compose(where, rng)
        faces = [Face((x, y, x + FACE_W, y + FACE_H), 0.9) for x, y in where.values()]
        seen.append(tuple(tracker.update(faces, frame, i / FPS)))
    assert set(seen) == {(1, 2)}


def test_someone_else_in_the_same_seat_gets_a_new_id():
    rng = np.random.default_rng(2)
    tracker = FaceTracker()
    box = (100.0, 80.0, 100.0 + FACE_W, 80.0 + FACE_H)
    assert tracker.update([Face(box, 0.9)], compose({"A": box[:2]}, rng), 0.0) == [1]
    assert tracker.update([], compose({}, rng), 1.0) == []
    assert tracker.update([Face(box, 0.9)], compose({"C": box[:2]}, rng), 2.0) == [2]
    assert tracker.update([Face(box, 0.9)], compose({"C": box[:2]}, rng), 3.0) == [2]


def test_overlap_only_without_frames():
    tracker = FaceTracker()
    a, b = Face((0, 0, 10, 10), 0.9), Face((50, 50, 60, 60), 0.9)
    assert tracker.update([a, b], None, 0.0) == [1, 2]
    assert tracker.update([Face((51, 50, 61, 60), 0.9), Face((1, 1, 11, 11), 0.9)], None, 1.0) == [2, 1]
    assert tracker.update([Face((200, 200, 210, 210), 0.9)], None, 2.0) == [3]  # no overlap, no appearance


# ---------------------------------------------------------------- pieces


def test_track_names_and_rename():
    tracker = FaceTracker()
    tracker.update([Face((0, 0, 10, 10), 0.9)], None, 0.0)
    assert tracker.tracks[1] == Track(1, "Student 1", 0.0, 0.0, (0.0, 0.0, 10.0, 10.0))
    tracker.rename(1, "Ada")
    assert tracker.names == {1: "Ada"}
    tracker.rename(1, "  ")
    assert tracker.names == {1: "Student 1"}
    with pytest.raises(KeyError):
        tracker.rename(7, "Nobody")


def test_time_must_not_go_backwards_and_empty_updates():
    tracker = FaceTracker()
    assert tracker.update([], None, 1.0) == []
    with pytest.raises(ValueError):
        tracker.update([], None, 0.5)


def test_iou_and_assign():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0
    inf = np.inf
    cost = np.array([[0.1, 0.2], [0.15, inf]])
    assert sorted(assign(cost)) == [(0, 1), (1, 0)]  # the optimum, not the greedy (0, 0)
    assert assign(np.array([[inf, inf]])) == []
    assert assign(np.zeros((0, 3))) == []


def test_descriptor_is_unit_length_and_handles_edges():
    frame = compose({"A": (10, 10)}, np.random.default_rng(0))
    d = descriptor(frame, (10, 10, 10 + FACE_W, 10 + FACE_H))
    assert d.shape == (16 * 4 + 8 + 16 * 16,)
    assert np.linalg.norm(d) == pytest.approx(1.0)
    assert similarity(d, d) == pytest.approx(1.0)
    assert descriptor(frame, (-50, -50, -10, -10)) is None  # entirely outside the frame
    assert descriptor(frame[:, :, 0], (10, 10, 70, 74)) is not None  # grayscale frame
    assert descriptor(frame.astype(np.float32) / 255, (10, 10, 70, 74)) == pytest.approx(d, abs=0.02)
