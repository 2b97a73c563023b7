"""A classroom session's numbers: observations per student, per-student summaries, class cards, timeline.

An ``Observation`` is one student (a track id from ``engage.classroom.tracking``) at one sampled moment (a frame
at 1 FPS, ``duration`` 1 s) or over one analysed window (``duration`` = the window's length). ``t`` is
when the stretch it stands for starts, in seconds since the session started.

Conventions used by every number below:

- **Duration-weighted.** Each observation counts for its ``duration`` seconds, so a 10 s window weighs
  as much as ten 1 s samples.
- **Most likely level** of a state is the argmax of its P(level 0..3) (the first on ties), as in
  ``StateScore.level``; the **expected level** is sum(level x P(level)), a number in [0, 3].
- **Denominators.** A number about affect is over the observations that have ``affect``; about
  emotions, over those with ``emotions``; about attention, over those whose ``attending`` is not None
  (it is None exactly when no head pose was estimated). Each summary reports its denominators in
  seconds (``affect_seconds``, ``emotion_seconds``, ``attention_seconds``). Where a denominator is 0,
  shares and means are 0.0 (never an error), so read them together with it.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, replace

import numpy as np

from ..affect.results import LEVELS, STATES, AffectResult
from .tracking import default_name

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
FORMAT = "engage-class-session"
VERSION = 1


@dataclass
class Observation:
    """One student at one sampled moment (1 FPS) or over one analysed window."""

    t: float  # seconds since the session started (start of the stretch this stands for)
    track_id: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
    affect: dict[str, list[float]] | None  # state -> P(level 0..3)
    emotions: dict[str, float] | None  # emotion -> probability (sums to 1)
    pose: tuple[float, float, float] | None  # yaw, pitch, roll in degrees
    attending: bool | None
    duration: float = 1.0  # seconds this observation stands for


def affect_from_result(result: AffectResult) -> dict[str, list[float]]:
    """The ``affect`` field of an observation from an ``AffectResult``."""
    return {s: [float(p) for p in result.scores[s].probs] for s in STATES}


def _finite(value, what: str) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    return value


def _normalised(obs: Observation) -> Observation:
    """A copy with plain Python types (tuples, floats, lists), validated; raises ValueError."""
    duration = _finite(obs.duration, "duration")
    if duration <= 0:
        raise ValueError(f"duration must be > 0 seconds, got {duration}")
    box = tuple(_finite(v, "box") for v in obs.box)
    if len(box) != 4:
        raise ValueError(f"box must be (x0, y0, x1, y1), got {obs.box!r}")
    affect = None
    if obs.affect is not None:
        if set(obs.affect) != set(STATES):
            raise ValueError(f"affect must have exactly the states {STATES}, got {sorted(obs.affect)}")
        affect = {}
        for s in STATES:
            probs = [_finite(p, f"P({s})") for p in obs.affect[s]]
            if len(probs) != len(LEVELS):
                raise ValueError(f"affect[{s!r}] must have {len(LEVELS)} probabilities, got {len(probs)}")
            affect[s] = probs
    emotions = None
    if obs.emotions:  # an empty dict means no estimate, like None
        unknown = set(obs.emotions) - set(EMOTIONS)
        if unknown:
            raise ValueError(f"unknown emotions {sorted(unknown)}; expected some of {EMOTIONS}")
        emotions = {e: _finite(obs.emotions[e], f"P({e})") for e in EMOTIONS if e in obs.emotions}
    pose = None
    if obs.pose is not None:
        pose = tuple(_finite(v, "pose") for v in obs.pose)
        if len(pose) != 3:
            raise ValueError(f"pose must be (yaw, pitch, roll), got {obs.pose!r}")
    attending = None if obs.attending is None else bool(obs.attending)
    return replace(
        obs,
        t=_finite(obs.t, "t"),
        track_id=int(obs.track_id),
        box=box,
        affect=affect,
        emotions=emotions,
        pose=pose,
        attending=attending,
        duration=duration,
    )


def _level(probs: list[float]) -> int:
    return int(np.argmax(probs))


def _expected(probs: list[float]) -> float:
    return float(np.dot(probs, LEVELS))


def _covered(obs: list[Observation]) -> float:
    """Length of the union of the stretches ``[t, t + duration)``: a student's time seen, counted once
    even where 1 FPS samples (pose) and the window analysed from them (affect) cover the same seconds."""
    total, end = 0.0, -math.inf
    for start, stop in sorted((o.t, o.t + o.duration) for o in obs):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


class ClassSession:
    """All observations of one classroom session, and what a teacher reads from them."""

    def __init__(self) -> None:
        self.observations: list[Observation] = []
        self._names: dict[int, str] = {}  # custom names only

    # building ----------------------------------------------------------------------------------
    def add(self, obs: Observation) -> Observation:
        """Store a validated copy of ``obs`` (ValueError on a malformed one) and return it."""
        obs = _normalised(obs)
        self.observations.append(obs)
        return obs

    def rename(self, track_id: int, name: str) -> None:
        """Name a student; an empty name restores "Student <id>"."""
        name = name.strip()
        if name and name != default_name(int(track_id)):
            self._names[int(track_id)] = name
        else:
            self._names.pop(int(track_id), None)

    @property
    def names(self) -> dict[int, str]:
        """Name of every student observed or renamed, by track id ("Student <id>" unless renamed)."""
        ids = sorted({o.track_id for o in self.observations} | set(self._names))
        return {i: self._names.get(i, default_name(i)) for i in ids}

    def __len__(self) -> int:
        return len(self.observations)

    # per student -------------------------------------------------------------------------------
    def students(self) -> list[dict]:
        """One summary per student (by track id), each a dict with:

        - ``id``, ``name``; ``observations`` (count); ``seconds``: time seen, the length of the union of
          the observations' stretches ``[t, t + duration)`` (overlapping samples and windows count once);
          ``first_seen``: earliest ``t``; ``last_seen``: latest ``t + duration``.
        - ``affect_seconds``; ``level_share[state]``: for levels 0..3, the share of ``affect_seconds``
          whose most likely level is that level (sums to 1); ``mean_level[state]``: duration-weighted
          mean of the expected level (0-3).
        - ``emotion_seconds``; ``emotions[emotion]``: duration-weighted mean probability;
          ``dominant_emotion``: the emotion with the highest mean probability (None without emotions)
          and ``dominant_emotion_share``: that mean probability.
        - ``attention_seconds``; ``attention_share``: share of ``attention_seconds`` with ``attending``.
        """
        by_id: dict[int, list[Observation]] = {}
        for o in self.observations:
            by_id.setdefault(o.track_id, []).append(o)
        names = self.names
        return [self._student(i, names[i], by_id[i]) for i in sorted(by_id)]

    @staticmethod
    def _student(track_id: int, name: str, obs: list[Observation]) -> dict:
        with_affect = [o for o in obs if o.affect is not None]
        affect_s = sum(o.duration for o in with_affect)
        level_share, mean_level = {}, {}
        for s in STATES:
            share = [0.0] * len(LEVELS)
            for o in with_affect:
                share[_level(o.affect[s])] += o.duration
            level_share[s] = [_ratio(x, affect_s) for x in share]
            mean_level[s] = _ratio(sum(o.duration * _expected(o.affect[s]) for o in with_affect), affect_s)
        with_emotions = [o for o in obs if o.emotions is not None]
        emotion_s = sum(o.duration for o in with_emotions)
        emotions = {e: _ratio(sum(o.duration * o.emotions.get(e, 0.0) for o in with_emotions), emotion_s) for e in EMOTIONS}
        dominant = max(EMOTIONS, key=lambda e: emotions[e]) if with_emotions else None  # first on ties
        with_attention = [o for o in obs if o.attending is not None]
        attention_s = sum(o.duration for o in with_attention)
        return {
            "id": track_id,
            "name": name,
            "observations": len(obs),
            "seconds": float(_covered(obs)),
            "first_seen": min(o.t for o in obs),
            "last_seen": max(o.t + o.duration for o in obs),
            "affect_seconds": float(affect_s),
            "level_share": level_share,
            "mean_level": mean_level,
            "emotion_seconds": float(emotion_s),
            "emotions": emotions,
            "dominant_emotion": dominant,
            "dominant_emotion_share": emotions[dominant] if dominant else 0.0,
            "attention_seconds": float(attention_s),
            "attention_share": _ratio(sum(o.duration for o in with_attention if o.attending), attention_s),
        }

    # whole class -------------------------------------------------------------------------------
    def cards(self) -> dict:
        """The headline numbers, over all students' observations pooled (student-time):

        - ``students_seen``: distinct track ids; ``student_seconds``: sum of the students' ``seconds``;
          ``session_seconds``: latest ``t + duration`` (0 when empty).
        - ``average_engagement``: duration-weighted mean expected Engagement level (0-3) over
          ``affect_seconds``.
        - ``confused_share`` / ``bored_share``: share of ``affect_seconds`` whose most likely
          Confusion / Boredom level is 2 or 3 (high or very high).
        - ``attention_share``: share of ``attention_seconds`` with ``attending`` true.

        An empty session gives zeros everywhere.
        """
        obs = self.observations
        by_id: dict[int, list[Observation]] = {}
        for o in obs:
            by_id.setdefault(o.track_id, []).append(o)
        with_affect = [o for o in obs if o.affect is not None]
        affect_s = sum(o.duration for o in with_affect)
        with_attention = [o for o in obs if o.attending is not None]
        attention_s = sum(o.duration for o in with_attention)
        return {
            "students_seen": len(by_id),
            "student_seconds": float(sum(_covered(group) for group in by_id.values())),
            "session_seconds": float(max((o.t + o.duration for o in obs), default=0.0)),
            "affect_seconds": float(affect_s),
            "average_engagement": _ratio(sum(o.duration * _expected(o.affect["Engagement"]) for o in with_affect), affect_s),
            "confused_share": _ratio(sum(o.duration for o in with_affect if _level(o.affect["Confusion"]) >= 2), affect_s),
            "bored_share": _ratio(sum(o.duration for o in with_affect if _level(o.affect["Boredom"]) >= 2), affect_s),
            "attention_seconds": float(attention_s),
            "attention_share": _ratio(sum(o.duration for o in with_attention if o.attending), attention_s),
        }

    def timeline(self, bin_seconds: float = 10.0) -> dict:
        """The class over time, in bins ``[k * bin_seconds, (k + 1) * bin_seconds)`` by observation ``t``.

        Returns ``{"bin_seconds", "start": [bin starts], "states": {state: {"mean": [...], "students":
        [...]}}}``. Per bin, each student with affect there gets their duration-weighted mean expected
        level; ``mean`` is the plain mean of those over students (each student counts once however often
        sampled), None for a bin where nobody had an estimate; ``students`` is how many students that was.
        Bins run from 0 to the last observation with affect; no affect at all gives empty lists.
        """
        if not bin_seconds > 0:
            raise ValueError(f"bin_seconds must be > 0, got {bin_seconds}")
        with_affect = [o for o in self.observations if o.affect is not None]
        n_bins = int(max(o.t for o in with_affect) // bin_seconds) + 1 if with_affect else 0
        cells: dict[tuple[int, int], list[Observation]] = {}
        for o in with_affect:
            cells.setdefault((int(o.t // bin_seconds), o.track_id), []).append(o)
        out = {"bin_seconds": float(bin_seconds), "start": [k * float(bin_seconds) for k in range(n_bins)], "states": {}}
        for s in STATES:
            per_bin: list[list[float]] = [[] for _ in range(n_bins)]
            for (k, _), group in sorted(cells.items()):
                weight = sum(o.duration for o in group)
                per_bin[k].append(sum(o.duration * _expected(o.affect[s]) for o in group) / weight)
            out["states"][s] = {
                "mean": [float(np.mean(v)) if v else None for v in per_bin],
                "students": [len(v) for v in per_bin],
            }
        return out

    # exports -----------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Observations and custom names (what ``from_dict`` reads), plus students and cards for readers."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "names": {str(i): n for i, n in sorted(self._names.items())},
            "cards": self.cards(),
            "students": self.students(),
            "observations": [
                {
                    "t": o.t,
                    "track_id": o.track_id,
                    "box": list(o.box),
                    "affect": o.affect,
                    "emotions": o.emotions,
                    "pose": None if o.pose is None else list(o.pose),
                    "attending": o.attending,
                    "duration": o.duration,
                }
                for o in self.observations
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> ClassSession:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a class session export (format {data.get('format')!r}, expected {FORMAT!r})")
        session = cls()
        for o in data["observations"]:
            session.add(
                Observation(
                    t=o["t"],
                    track_id=o["track_id"],
                    box=tuple(o["box"]),
                    affect=o["affect"],
                    emotions=o["emotions"],
                    pose=None if o["pose"] is None else tuple(o["pose"]),
                    attending=o["attending"],
                    duration=o["duration"],
                )
            )
        for i, n in data.get("names", {}).items():
            session.rename(int(i), n)
        return session

    def to_json(self) -> str:
        """JSON with every float written exactly (``repr``), so ``from_json`` gives the same observations."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> ClassSession:
        return cls.from_dict(json.loads(text))

    CSV_HEADER: tuple[str, ...] = (
        ("t", "track_id", "name", "duration", "x0", "y0", "x1", "y1")
        + tuple(f"{s}_p{lv}" for s in STATES for lv in LEVELS)
        + tuple(f"{s}_level" for s in STATES)
        + tuple(f"{s}_expected" for s in STATES)
        + tuple(f"emotion_{e}" for e in EMOTIONS)
        + ("yaw", "pitch", "roll", "attending")
    )

    def to_csv(self) -> str:
        """One row per observation; empty cells where a field is None. Floats are written exactly
        (``repr``); ``{state}_level`` and ``{state}_expected`` are derived, for spreadsheets, and ignored
        by ``from_csv``. A name lives on its student's rows, so a renamed student with no observation is
        not in the CSV (it is in the JSON)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.CSV_HEADER)
        names = self.names
        for o in self.observations:
            row = [repr(o.t), o.track_id, names[o.track_id], repr(o.duration), *map(repr, o.box)]
            if o.affect is None:
                row += [""] * (len(STATES) * (len(LEVELS) + 2))
            else:
                row += [repr(p) for s in STATES for p in o.affect[s]]
                row += [_level(o.affect[s]) for s in STATES]
                row += [f"{_expected(o.affect[s]):.4f}" for s in STATES]
            emotions = o.emotions or {}
            row += [repr(emotions[e]) if e in emotions else "" for e in EMOTIONS]
            row += [repr(v) for v in o.pose] if o.pose is not None else ["", "", ""]
            row.append("" if o.attending is None else int(o.attending))
            writer.writerow(row)
        return buf.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> ClassSession:
        reader = csv.DictReader(io.StringIO(text))
        missing = set(cls.CSV_HEADER) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"not a class session CSV: missing columns {sorted(missing)}")
        session = cls()
        for row in reader:
            affect = None
            if row[f"{STATES[0]}_p0"] != "":
                affect = {s: [float(row[f"{s}_p{lv}"]) for lv in LEVELS] for s in STATES}
            emotions = {e: float(row[f"emotion_{e}"]) for e in EMOTIONS if row[f"emotion_{e}"] != ""}
            track_id = int(row["track_id"])
            session.add(
                Observation(
                    t=float(row["t"]),
                    track_id=track_id,
                    box=tuple(float(row[k]) for k in ("x0", "y0", "x1", "y1")),
                    affect=affect,
                    emotions=emotions or None,
                    pose=None if row["yaw"] == "" else tuple(float(row[k]) for k in ("yaw", "pitch", "roll")),
                    attending=None if row["attending"] == "" else row["attending"] == "1",
                    duration=float(row["duration"]),
                )
            )
            session.rename(track_id, row["name"])
        return session


__all__ = ["EMOTIONS", "Observation", "ClassSession", "affect_from_result"]
