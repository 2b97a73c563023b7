"""Student ids for the faces of a classroom: confirmed faces, box overlap frame to frame, face descriptors across
absences.

A ``FaceTracker`` is fed the faces found in each sampled frame (objects with ``.box`` = ``(x0, y0, x1, y1)``) and
a ``describe(i)`` callback giving the face descriptor of face ``i`` (``engage.classroom.identity``: 128 numbers,
Euclidean distance ``<= same_person`` means one person), called only when a descriptor is needed. It answers, per
face, a student id (1, 2, 3, ... in order of confirmation, never reused) or None for a face that is not a student
(yet). Per ``update(faces, t, describe)``:

0. **Tracks** (one per face followed by overlap) unseen for more than ``track_gap`` seconds end. A student whose
   track ended stays known for ``max_gap_seconds`` (60 s) after they were last seen, by their descriptors.
1. **Overlap** (the usual case: someone sitting or moving a little). Tracks and faces whose boxes overlap by
   ``IoU >= iou_threshold`` are paired one to one (Hungarian, ``scipy.optimize.linear_sum_assignment``, on
   ``1 - IoU``). A student's track missed in the previous update must also be the same person by descriptor:
   someone else may have taken the seat.
2. Every face left over starts a **candidate** track.
3. **Confirmation.** A candidate becomes a student when it was seen in ``confirm_hits`` of the last
   ``confirm_seconds`` sampled seconds (3 of 5 at 1 FPS): a mission patch or a poster found as a face in one
   frame never becomes a student. Its descriptor is then compared with the students who are away (not seen in
   this update, last seen at most ``max_gap_seconds`` ago): the nearest within ``same_person`` is the same
   student, who keeps their id wherever they came back; otherwise the candidate gets a new id. The caller keeps
   what it saw of a candidate (``keys`` says which track each face is) and files it under the id once confirmed.
4. **Descriptors** of each student are kept (their last ``gallery_size``), refreshed every ``refresh_seconds``
   seconds of being seen, at most ``refresh_per_update`` students per update (a descriptor costs about 75 ms of
   CPU: 22 students confirmed together must not all be refreshed in the same frame again); a descriptor farther
   than ``same_person`` from all of a student's (a half-hidden face) is not kept.

``finish()`` ends an input shorter than ``confirm_seconds`` (a photo, a 3 s clip): candidates seen in the same
share of its frames are confirmed then. ``merge(src, dst)`` makes two ids one student. Without descriptors
(``describe`` None or answering None: a detector without landmarks) ids follow overlap alone, and a student
who left gets a new id when they come back.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

try:  # Hungarian assignment; the greedy fallback gives the same answer on well-separated costs.
    from scipy.optimize import linear_sum_assignment as _linear_sum_assignment
except ImportError:  # pragma: no cover - scipy is installed where the app runs
    _linear_sum_assignment = None

_BIG = 1e6
# Euclidean distance between two dlib face descriptors at or below which they are one person: measured on the test
# faces (docs/face_detection.md, ``python -m engage.classroom.measure --distances``); dlib's own figure for LFW is 0.6.
SAME_PERSON = 0.5
Describe = Callable[[int], "np.ndarray | None"]


@dataclass
class Track:
    """One face followed frame to frame by overlap; ``id`` is its student id, 0 while it is a candidate."""

    key: int
    box: tuple[float, float, float, float]
    last_seen: float
    id: int = 0
    hits: list[float] = field(default_factory=list)  # times seen, the last ``confirm_seconds`` only


@dataclass
class Student:
    """What the tracker knows of a confirmed student (times in the caller's seconds)."""

    id: int
    first_seen: float
    last_seen: float
    gallery: list[np.ndarray] = field(default_factory=list)
    described_at: float = -math.inf


def default_name(track_id: int) -> str:
    return f"Student {track_id}"


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes (0 when either is empty)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def nearest(desc: np.ndarray, gallery: Sequence[np.ndarray]) -> float:
    """The smallest Euclidean distance from ``desc`` to a descriptor of ``gallery`` (inf for an empty gallery)."""
    if not len(gallery):
        return math.inf
    g = np.asarray(gallery, dtype=np.float64)
    return float(np.min(np.linalg.norm(g - np.asarray(desc, dtype=np.float64), axis=1)))


def assign(cost: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs (row, col) minimising the total of finite costs; ``inf`` marks a forbidden pair."""
    cost = np.asarray(cost, dtype=np.float64)
    if cost.size == 0:
        return []
    allowed = np.isfinite(cost)
    if _linear_sum_assignment is not None:
        rows, cols = _linear_sum_assignment(np.where(allowed, cost, _BIG))
        return [(int(r), int(c)) for r, c in zip(rows, cols) if allowed[r, c]]
    return _greedy(cost)


def _greedy(cost: np.ndarray) -> list[tuple[int, int]]:
    """Cheapest allowed pair first, then the next among rows and columns still free."""
    pairs, used_r, used_c = [], set(), set()
    order = np.argsort(cost, axis=None, kind="stable")
    for flat in order:
        r, c = np.unravel_index(flat, cost.shape)
        if not np.isfinite(cost[r, c]):
            break
        if r in used_r or c in used_c:
            continue
        pairs.append((int(r), int(c)))
        used_r.add(r)
        used_c.add(c)
    return pairs


class FaceTracker:
    """Gives each confirmed face a student id that stays with the person (see the module docstring)."""

    def __init__(
        self,
        iou_threshold: float = 0.3,
        max_gap_seconds: float = 60.0,
        same_person: float | None = None,
        confirm_hits: int = 3,
        confirm_seconds: float = 5.0,
        track_gap: float = 5.0,
        refresh_seconds: float = 10.0,
        refresh_per_update: int = 4,
        gallery_size: int = 10,
    ) -> None:
        if not 0.0 < iou_threshold <= 1.0:
            raise ValueError(f"iou_threshold must be in (0, 1], got {iou_threshold}")
        if max_gap_seconds < 0:
            raise ValueError(f"max_gap_seconds must be >= 0, got {max_gap_seconds}")
        if confirm_hits < 1 or confirm_seconds < confirm_hits - 1e-9:
            raise ValueError(f"confirm_hits ({confirm_hits}) must be >= 1 and at most confirm_seconds ({confirm_seconds})")
        self.iou_threshold = iou_threshold
        self.max_gap_seconds = max_gap_seconds
        self.same_person = SAME_PERSON if same_person is None else same_person
        self.confirm_hits, self.confirm_seconds = confirm_hits, confirm_seconds
        self.track_gap, self.refresh_seconds, self.gallery_size = track_gap, refresh_seconds, gallery_size
        self.refresh_per_update = refresh_per_update
        self.tracks: dict[int, Track] = {}  # live tracks by key
        self.students: dict[int, Student] = {}  # every student ever confirmed (merged ones removed)
        self.keys: list[int] = []  # the track key of each face of the last update
        self.confirmed: dict[int, int] = {}  # key -> student id, for candidates confirmed in the last update
        self.described: list[tuple[int, np.ndarray]] = []  # (student id, descriptor) taken in the last update
        self.frames = 0  # updates so far
        self._next_key, self._next_id = 1, 1
        self._last_t: float | None = None
        self._previous: set[int] = set()  # keys matched in the previous update

    # ---------------------------------------------------------------------------------- matching
    def update(self, faces: Sequence, t: float, describe: Describe | None = None) -> list[int | None]:
        """Student ids (None for candidates) for ``faces`` (same order), seen at time ``t`` seconds."""
        t = float(t)
        if self._last_t is not None and t < self._last_t:
            raise ValueError(f"time went backwards: {t} after {self._last_t}")
        self._last_t, self.frames = t, self.frames + 1
        self.confirmed, self.described = {}, []
        for key in [k for k, tr in self.tracks.items() if t - tr.last_seen > self.track_gap]:
            del self.tracks[key]
        cache: dict[int, np.ndarray | None] = {}

        def desc(i: int) -> np.ndarray | None:
            if i not in cache:
                cache[i] = describe(i) if describe is not None else None
            return cache[i]

        boxes = [tuple(float(v) for v in f.box) for f in faces]
        live = sorted(self.tracks)
        keys: list[int | None] = [None] * len(boxes)

        # 1. overlap; a student's track missed last time must also be the same person
        if live and boxes:
            cost = np.full((len(live), len(boxes)), np.inf)
            for r, key in enumerate(live):
                tr = self.tracks[key]
                for c, box in enumerate(boxes):
                    overlap = iou(tr.box, box)
                    if overlap < self.iou_threshold:
                        continue
                    if tr.id and key not in self._previous and not self._same(tr.id, desc(c), allow_unknown=True):
                        continue
                    cost[r, c] = 1.0 - overlap
            for r, c in assign(cost):
                keys[c] = live[r]

        # 2. candidates for the faces left over
        for c in range(len(boxes)):
            if keys[c] is None:
                keys[c] = self._next_key
                self.tracks[self._next_key] = Track(self._next_key, boxes[c], t)
                self._next_key += 1
            tr = self.tracks[keys[c]]
            tr.box, tr.last_seen = boxes[c], t
            tr.hits = [h for h in tr.hits if t - h < self.confirm_seconds - 1e-9] + [t]

        # 3. confirmation, 4. descriptors
        due = [c for c in range(len(boxes)) if not self.tracks[keys[c]].id and len(self.tracks[keys[c]].hits) >= self.confirm_hits]
        self._confirm([(keys[c], desc(c)) for c in due], t, present={self.tracks[k].id for k in keys})
        seen = [(c, self.tracks[key].id) for c, key in enumerate(keys) if self.tracks[key].id]
        due = sorted((self.students[sid].described_at, c) for c, sid in seen if t - self.students[sid].described_at >= self.refresh_seconds)
        refresh = {c for _, c in due[: self.refresh_per_update]}  # the longest waiting first: no frame pays for all
        for c, sid in seen:
            self._seen(sid, t, desc(c) if c in refresh else None)
        self.keys = [int(k) for k in keys]
        self._previous = set(self.keys)
        return [self.tracks[k].id or None for k in self.keys]

    def finish(self, describe_key: Callable[[int], np.ndarray | None] | None = None) -> dict[int, int]:
        """End of a short input: confirm the candidates seen in at least the share ``confirm_hits / confirm_seconds``
        of the frames there were (when fewer than ``confirm_seconds``); ``describe_key(key)`` gives a candidate's
        descriptor. Returns key -> id for those confirmed."""
        self.confirmed, self.described = {}, []
        n = min(self.frames, int(round(self.confirm_seconds)))
        if self._last_t is None or n >= round(self.confirm_seconds):
            return {}
        need = math.ceil(self.confirm_hits * n / self.confirm_seconds - 1e-9)
        due = [k for k, tr in self.tracks.items() if not tr.id and len(tr.hits) >= need]
        present = {tr.id for tr in self.tracks.values() if tr.last_seen == self._last_t}
        self._confirm([(k, describe_key(k) if describe_key else None) for k in due], self._last_t, present)
        for key in due:
            self._seen(self.tracks[key].id, self.tracks[key].last_seen, None)
        return dict(self.confirmed)

    def _same(self, student_id: int, desc: np.ndarray | None, allow_unknown: bool = False) -> bool:
        gallery = self.students[student_id].gallery
        if desc is None or not gallery:
            return allow_unknown
        return nearest(desc, gallery) <= self.same_person

    def _confirm(self, due: list[tuple[int, np.ndarray | None]], t: float, present: set[int]) -> None:
        """Give each due candidate (key, descriptor) the id of the nearest student away, or a new id."""
        away = [s.id for s in self.students.values() if s.id not in present and t - s.last_seen <= self.max_gap_seconds]
        ids: dict[int, int] = {}
        if due and away:
            cost = np.full((len(due), len(away)), np.inf)
            for r, (_, d) in enumerate(due):
                for c, sid in enumerate(away):
                    if d is not None and self.students[sid].gallery:
                        dist = nearest(d, self.students[sid].gallery)
                        if dist <= self.same_person:
                            cost[r, c] = dist
            ids = {due[r][0]: away[c] for r, c in assign(cost)}
        for key, d in due:
            sid = ids.get(key)
            if sid is None:
                sid = self._next_id
                self._next_id += 1
                self.students[sid] = Student(sid, first_seen=self.tracks[key].hits[0], last_seen=t)
            for other in self.tracks.values():  # the student's old track, if still live, ends here
                if other.id == sid:
                    other.id = -1
            self.tracks[key].id = sid
            self.confirmed[key] = sid
            self._add_descriptor(sid, d, t)
        self.tracks = {k: tr for k, tr in self.tracks.items() if tr.id != -1}

    def _seen(self, sid: int, t: float, desc: np.ndarray | None) -> None:
        student = self.students[sid]
        student.last_seen = max(student.last_seen, t)
        self._add_descriptor(sid, desc, t)

    def _add_descriptor(self, sid: int, desc: np.ndarray | None, t: float) -> None:
        student = self.students[sid]
        if desc is None or (student.gallery and not self._same(sid, desc)):
            return
        student.gallery.append(np.asarray(desc, dtype=np.float32))
        del student.gallery[: -self.gallery_size]
        student.described_at = t
        self.described.append((sid, student.gallery[-1]))

    # ---------------------------------------------------------------------------------- ids
    @property
    def ids(self) -> list[int]:
        return sorted(self.students)

    def present(self) -> set[int]:
        """Ids of the students in the last update's frame."""
        return {self.tracks[k].id for k in self.keys if k in self.tracks and self.tracks[k].id}

    def merge(self, src: int, dst: int) -> None:
        """Student ``src`` is ``dst``: one id from now on (descriptors pooled, a live track of ``src`` becomes ``dst``'s)."""
        if src == dst or src not in self.students or dst not in self.students:
            raise KeyError(f"cannot merge student {src} into {dst}")
        a, b = self.students.pop(src), self.students[dst]
        mine = [tr for tr in self.tracks.values() if tr.id in (src, dst)]
        for tr in sorted(mine, key=lambda tr: tr.last_seen)[:-1]:  # one live track per student: the latest
            del self.tracks[tr.key]
        b.first_seen, b.last_seen = min(a.first_seen, b.first_seen), max(a.last_seen, b.last_seen)
        b.gallery = (b.gallery + a.gallery)[-self.gallery_size :]
        b.described_at = max(a.described_at, b.described_at)
        for tr in self.tracks.values():
            if tr.id == src:
                tr.id = dst


__all__ = ["SAME_PERSON", "Track", "Student", "FaceTracker", "default_name", "iou", "nearest", "assign"]
