"""Stable ids for the faces of a classroom: box overlap frame to frame, appearance across gaps.

A ``FaceTracker`` is fed the faces detected in each sampled frame (objects with ``.box`` =
``(x0, y0, x1, y1)`` in pixels and ``.score``, e.g. ``engage.classroom.faces.Face``) and returns one track id
per face. Ids are 1, 2, 3, ... in order of first appearance and are never reused.

Matching rule, per ``update(faces, frame, t)``:

0. **Retire** every track unseen for more than ``max_gap_seconds`` (``t - last_seen > max_gap``).
   A retired id never comes back; the same person seen later gets a new id.
1. **Overlap** (the usual case: a student sitting or moving a little). Every live track may match
   every face whose box overlaps the track's last box by ``IoU >= iou_threshold`` (0.3). A track that
   was missed in the previous update must also look alike (similarity >= ``min_overlap_similarity``,
   0.5): someone else may have taken that seat meanwhile. A track seen in the previous update is not
   vetoed on appearance, so a face half hidden by a neighbour or a change of light keeps its id.
   Among the allowed pairs, one-to-one assignment (Hungarian, ``scipy.optimize.
   linear_sum_assignment``; greedy by cost when scipy is missing) minimises
   ``(1 - IoU) + appearance_weight * (1 - similarity)`` so that two crossing faces keep their ids.
2. **Appearance** (a face that left the frame, was missed, or jumped). Faces left over are assigned,
   one-to-one, to live tracks left over by ``1 - similarity``, where only pairs with
   ``similarity >= reid_threshold`` (0.75) are allowed: the returning student gets the old id back.
3. Every face still left over starts a **new track** (ids given in the order of ``faces``).

Appearance is a cheap descriptor of the face crop (no model): the square root of a normalised
HSV histogram (16 hue x 4 saturation bins + 8 value bins; the dot product of two of them is the
Bhattacharyya coefficient) and a 16x16 grayscale thumbnail with its mean removed (the dot product is
the normalised cross-correlation), each L2-normalised and weighted 1/sqrt(2), so that
``similarity = dot(a, b) = (Bhattacharyya + NCC) / 2``, 1 for identical crops. A track keeps the
descriptors of its last ``gallery_size`` matched crops (a crop that looks unlike all of them, e.g. a
half-hidden face, is not added); its similarity to a face is the best over them.

Thresholds measured on ``tests/test_tracking.py`` (crops of ``examples/astronaut.png`` with tints and
flips, moving, with pixel noise and +-2 px box jitter): a face against its own first crop, across
frames and across a 2 s gap, scores 0.85-1.00; different faces score 0.19-0.53.
``reid_threshold`` = 0.75 sits between, nearer the same-face side because a wrong merge (two students
under one name) is worse than a split (one student under two ids, which a rename can join in the
report); ``min_overlap_similarity`` = 0.5 only vetoes clearly different faces. Real classrooms (pose,
light, look-alike uniforms) are harder, so an appearance match is only ever tried within
``max_gap_seconds`` and only for faces no overlap explained. Without a frame (``frame=None``) only step 1
runs, on overlap alone.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

try:  # Hungarian assignment; the greedy fallback gives the same answer on well-separated costs.
    from scipy.optimize import linear_sum_assignment as _linear_sum_assignment
except ImportError:  # pragma: no cover - scipy is installed where the app runs
    _linear_sum_assignment = None

HUE_BINS, SAT_BINS, VAL_BINS = 16, 4, 8
THUMB = 16
_BIG = 1e6


@dataclass
class Track:
    """One student as the tracker knows them (times in the caller's seconds)."""

    id: int
    name: str = ""
    first_seen: float = 0.0
    last_seen: float = 0.0
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = default_name(self.id)


def default_name(track_id: int) -> str:
    return f"Student {track_id}"


# ---------------------------------------------------------------- geometry and appearance


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes (0 when either is empty)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def _as_uint8(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        frame = frame.astype(np.float64)
        if frame.size and frame.max() <= 1.0:
            frame = frame * 255.0
        frame = np.clip(np.rint(frame), 0, 255).astype(np.uint8)
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    return frame[:, :, :3]


def descriptor(frame: np.ndarray, box: Sequence[float]) -> np.ndarray | None:
    """Unit-length appearance vector of the crop ``box`` of an RGB ``frame``; None if the crop is empty.

    The crop is shrunk by 10 % on each side to keep background and hair out of it as far as possible.
    """
    frame = _as_uint8(frame)
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = (float(v) for v in box)
    dx, dy = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
    x0, x1 = int(round(max(0.0, x0 + dx))), int(round(min(float(w), x1 - dx)))
    y0, y1 = int(round(max(0.0, y0 + dy))), int(round(min(float(h), y1 - dy)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    crop = Image.fromarray(np.ascontiguousarray(frame[y0:y1, x0:x1]))
    hsv = np.asarray(crop.convert("HSV"), dtype=np.int64).reshape(-1, 3)
    hs = np.bincount((hsv[:, 0] * HUE_BINS // 256) * SAT_BINS + hsv[:, 1] * SAT_BINS // 256, minlength=HUE_BINS * SAT_BINS)
    v = np.bincount(hsv[:, 2] * VAL_BINS // 256, minlength=VAL_BINS)
    hist = np.sqrt(np.concatenate([hs / hs.sum(), v / v.sum()]))
    hist /= np.linalg.norm(hist)
    thumb = np.asarray(crop.convert("L").resize((THUMB, THUMB), Image.BILINEAR), dtype=np.float64).ravel()
    thumb -= thumb.mean()
    norm = np.linalg.norm(thumb)
    thumb = thumb / norm if norm > 1e-9 else np.zeros_like(thumb)
    return np.concatenate([hist, thumb]) / np.sqrt(2.0)


def similarity(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """(Bhattacharyya coefficient of the histograms + NCC of the thumbnails) / 2; 0 if either is missing."""
    if a is None or b is None:
        return 0.0
    return float(np.dot(a, b))


# ---------------------------------------------------------------- assignment


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


# ---------------------------------------------------------------- tracker


class FaceTracker:
    """Gives each detected face a track id that stays with the person (see the module docstring)."""

    def __init__(
        self,
        iou_threshold: float = 0.3,
        max_gap_seconds: float = 5.0,
        reid_threshold: float = 0.75,
        min_overlap_similarity: float = 0.5,
        appearance_weight: float = 1.0,
        gallery_size: int = 10,
    ) -> None:
        if not 0.0 < iou_threshold <= 1.0:
            raise ValueError(f"iou_threshold must be in (0, 1], got {iou_threshold}")
        if max_gap_seconds < 0:
            raise ValueError(f"max_gap_seconds must be >= 0, got {max_gap_seconds}")
        self.iou_threshold = iou_threshold
        self.max_gap_seconds = max_gap_seconds
        self.reid_threshold = reid_threshold
        self.min_overlap_similarity = min_overlap_similarity
        self.appearance_weight = appearance_weight
        self.gallery_size = gallery_size
        self.tracks: dict[int, Track] = {}  # every track ever made, retired ones included (for names)
        self.active: set[int] = set()  # ids that can still be matched
        self._gallery: dict[int, list[np.ndarray]] = {}
        self._next_id = 1
        self._previous: set[int] = set()  # ids matched in the previous update
        self._last_t: float | None = None

    # names -------------------------------------------------------------------------------------
    def rename(self, track_id: int, name: str) -> None:
        """Give a track a name (an empty name restores "Student <id>"); KeyError for an unknown id."""
        if track_id not in self.tracks:
            raise KeyError(f"no track with id {track_id}")
        self.tracks[track_id].name = name.strip() or default_name(track_id)

    @property
    def names(self) -> dict[int, str]:
        return {i: tr.name for i, tr in self.tracks.items()}

    def active_tracks(self) -> list[Track]:
        return [self.tracks[i] for i in sorted(self.active)]

    # matching ----------------------------------------------------------------------------------
    def _similarity(self, track_id: int, desc: np.ndarray | None) -> float | None:
        gallery = self._gallery.get(track_id)
        if desc is None or not gallery:
            return None
        return max(similarity(g, desc) for g in gallery)

    def update(self, faces: Sequence, frame: np.ndarray | None, t: float) -> list[int]:
        """Track ids for ``faces`` (same order), seen in ``frame`` (RGB, H x W x 3) at time ``t`` seconds."""
        t = float(t)
        if self._last_t is not None and t < self._last_t:
            raise ValueError(f"time went backwards: {t} after {self._last_t}")
        self._last_t = t
        for tid in [i for i in self.active if t - self.tracks[i].last_seen > self.max_gap_seconds]:
            self.active.discard(tid)
            self._gallery.pop(tid, None)

        boxes = [tuple(float(v) for v in f.box) for f in faces]
        descs = [descriptor(frame, b) for b in boxes] if frame is not None else [None] * len(boxes)
        live = sorted(self.active)
        ids: list[int | None] = [None] * len(boxes)

        # 1. overlap, vetoed by clearly different appearance
        if live and boxes:
            cost = np.full((len(live), len(boxes)), np.inf)
            for r, tid in enumerate(live):
                for c, (box, desc) in enumerate(zip(boxes, descs)):
                    overlap = iou(self.tracks[tid].box, box)
                    if overlap < self.iou_threshold:
                        continue
                    sim = self._similarity(tid, desc)
                    if sim is not None and sim < self.min_overlap_similarity and tid not in self._previous:
                        continue
                    cost[r, c] = (1.0 - overlap) + (self.appearance_weight * (1.0 - sim) if sim is not None else 0.0)
            for r, c in assign(cost):
                ids[c] = live[r]

        # 2. appearance, for faces and tracks the overlap left over
        free_tracks = [tid for tid in live if tid not in ids]
        free_faces = [c for c, tid in enumerate(ids) if tid is None and descs[c] is not None]
        if free_tracks and free_faces:
            cost = np.full((len(free_tracks), len(free_faces)), np.inf)
            for r, tid in enumerate(free_tracks):
                for k, c in enumerate(free_faces):
                    sim = self._similarity(tid, descs[c])
                    if sim is not None and sim >= self.reid_threshold:
                        cost[r, k] = 1.0 - sim
            for r, k in assign(cost):
                ids[free_faces[k]] = free_tracks[r]

        # 3. new tracks, then bookkeeping
        for c in range(len(boxes)):
            if ids[c] is None:
                tid = self._next_id
                self._next_id += 1
                self.tracks[tid] = Track(tid, first_seen=t, last_seen=t, box=boxes[c])
                self.active.add(tid)
                self._gallery[tid] = []
                ids[c] = tid
            tr = self.tracks[ids[c]]
            tr.last_seen, tr.box = t, boxes[c]
            sim = self._similarity(tr.id, descs[c])
            if descs[c] is not None and (sim is None or sim >= self.min_overlap_similarity):
                gallery = self._gallery[tr.id]
                gallery.append(descs[c])
                del gallery[: -self.gallery_size]
        self._previous = {int(i) for i in ids}
        return [int(i) for i in ids]


__all__ = ["Track", "FaceTracker", "default_name", "iou", "descriptor", "similarity", "assign"]
