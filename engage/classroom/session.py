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
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

from ..affect.results import LEVELS, STATES, AffectResult
from ..errors import InvalidInputError
from .tracking import default_name

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
FORMAT = "engage-class-session"
VERSION = 1
NAME_MAX = 40  # characters in a student's name
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula


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


def _add_span(spans: list[tuple[float, float]], start: float, stop: float) -> float:
    """Add ``[start, stop)`` to ``spans`` (sorted, disjoint) and return how much it added to their union. Searched
    from the end: observations arrive nearly in time order, so this is constant work per observation."""
    i = len(spans)
    while i > 0 and spans[i - 1][1] >= start:
        i -= 1
    j, lo, hi, removed = i, start, stop, 0.0
    while j < len(spans) and spans[j][0] <= stop:
        lo, hi = min(lo, spans[j][0]), max(hi, spans[j][1])
        removed += spans[j][1] - spans[j][0]
        j += 1
    spans[i:j] = [(lo, hi)]
    return (hi - lo) - removed


@dataclass
class _Tally:
    """Running sums over observations (one student's or the whole class's), so that every summary is read in
    time independent of how long the session has run. Sums are added in arrival order."""

    count: int = 0
    first: float = math.inf
    last: float = -math.inf
    spans: list[tuple[float, float]] = field(default_factory=list)
    covered: float = 0.0  # length of the union of the stretches [t, t + duration): time seen, counted once
    affect_s: float = 0.0
    share: dict[str, list[float]] = field(default_factory=lambda: {s: [0.0] * len(LEVELS) for s in STATES})
    expected: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATES, 0.0))
    emotion_s: float = 0.0
    emotions: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EMOTIONS, 0.0))
    emotion_top: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EMOTIONS, 0.0))  # seconds most likely
    attention_s: float = 0.0
    attending_s: float = 0.0

    def add(self, o: Observation, spans: bool = True) -> None:
        self.count += 1
        self.first, self.last = min(self.first, o.t), max(self.last, o.t + o.duration)
        if spans:
            self.covered += _add_span(self.spans, o.t, o.t + o.duration)
        if o.affect is not None:
            self.affect_s += o.duration
            for s in STATES:
                self.share[s][_level(o.affect[s])] += o.duration
                self.expected[s] += o.duration * _expected(o.affect[s])
        if o.emotions is not None:
            self.emotion_s += o.duration
            for e in EMOTIONS:
                self.emotions[e] += o.duration * o.emotions.get(e, 0.0)
            self.emotion_top[max(EMOTIONS, key=lambda e: o.emotions.get(e, 0.0))] += o.duration  # first on ties
        if o.attending is not None:
            self.attention_s += o.duration
            self.attending_s += o.duration if o.attending else 0.0

    def high_share(self, state: str) -> float:
        """Share of the affect time whose most likely level of ``state`` is 2 or 3 (high, very high)."""
        return _ratio(self.share[state][2] + self.share[state][3], self.affect_s)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def no_student(sid: int, known: list[int]) -> InvalidInputError:
    """The error for an id no student of this session has, with the ids there are."""
    ids = ", ".join(map(str, known))
    return InvalidInputError(key="error.no_student_ids", id=sid, ids=ids) if ids else InvalidInputError(key="error.no_student_yet", id=sid)


# Characters a name cannot hold: control characters (Cc: a newline, a tab) and the invisible format characters (Cf:
# the U+202E bidi override that shows "gpj.exe" as "exe.jpg", zero-width joiners and spaces), lone surrogates (Cs),
# and the line and paragraph separators (Zl, Zp)
NAME_REFUSED = {"Cc": "error.name_control", "Cf": "error.name_format", "Cs": "error.name_format", "Zl": "error.name_control",
                "Zp": "error.name_control"}


def check_name(name: object) -> str:
    """A student's name, stripped; InvalidInputError (a ValueError) when it is not text, too long, or holds control or
    invisible format characters."""
    if not isinstance(name, str):
        raise InvalidInputError(key="error.name_not_text")
    name = name.strip()
    if len(name) > NAME_MAX:
        raise InvalidInputError(key="error.name_too_long", n=NAME_MAX, start=name[:20], length=len(name))
    refused = next((NAME_REFUSED[c] for c in map(unicodedata.category, name) if c in NAME_REFUSED), None)
    if refused:
        raise InvalidInputError(key=refused, name=repr(name))
    return name


def _cell(text: str) -> str:
    """Text for a CSV cell that a spreadsheet shows as text, never runs as a formula (OWASP's advice: a leading
    apostrophe)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class ClassSession:
    """All observations of one classroom session, and what a teacher reads from them."""

    def __init__(self) -> None:
        self.observations: list[Observation] = []
        self._names: dict[int, str] = {}  # custom names only
        self._students: dict[int, _Tally] = {}
        self._class = _Tally()
        self._cells: dict[tuple[int, int], list[float]] = {}  # (10 s bin, id) -> [seconds, expected x seconds per state]
        self._cell_seconds = 0.0
        self._last_affect_t = -math.inf

    # building ----------------------------------------------------------------------------------
    def add(self, obs: Observation) -> Observation:
        """Store a validated copy of ``obs`` (ValueError on a malformed one) and return it."""
        obs = _normalised(obs)
        self.observations.append(obs)
        self._students.setdefault(obs.track_id, _Tally()).add(obs)
        self._class.add(obs, spans=False)
        if obs.affect is not None:
            self._last_affect_t = max(self._last_affect_t, obs.t)
            self._add_to_cell(obs)
        return obs

    @property
    def ids(self) -> list[int]:
        """Track ids of the students observed, ascending."""
        return sorted(self._students)

    def rename(self, track_id: int, name: str) -> None:
        """Name a student; an empty name restores "Student <id>". ValueError for a name over ``NAME_MAX``
        characters or with control characters."""
        name = check_name(name)
        if name and name != default_name(int(track_id)):
            self._names[int(track_id)] = name
        else:
            self._names.pop(int(track_id), None)

    @property
    def names(self) -> dict[int, str]:
        """Name of every student observed or renamed, by track id ("Student <id>" unless renamed)."""
        ids = sorted(set(self._students) | set(self._names))
        return {i: self._names.get(i, default_name(i)) for i in ids}

    @property
    def custom_names(self) -> dict[int, str]:
        """The names given (by a rename or the roster), by track id."""
        return dict(self._names)

    def together(self, a: int, b: int) -> float | None:
        """The first time students ``a`` and ``b`` were in one sampled frame, or None if never."""
        seen: dict[int, set[float]] = {a: set(), b: set()}
        for o in self.observations:
            if o.track_id in seen and o.affect is None and o.emotions is None:
                seen[o.track_id].add(o.t)
        both = seen[a] & seen[b]
        return min(both) if both else None

    def merge(self, src: int, dst: int) -> None:
        """Student ``src``'s observations become ``dst``'s (``dst`` keeps its name, or takes ``src``'s if it had
        none). A window analysed for each of them counts twice towards the affect and emotion seconds."""
        names = dict(self._names)
        if dst not in names and src in names:
            names[dst] = names[src]
        names.pop(src, None)
        observations = [replace(o, track_id=dst) if o.track_id == src else o for o in self.observations]
        cell_seconds = self._cell_seconds
        self.__init__()
        self._cell_seconds = cell_seconds
        for o in observations:
            self.add(o)
        self._names = names

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
          ``emotion_share[emotion]``: share of ``emotion_seconds`` that emotion was the most likely (sums to 1);
          ``dominant_emotion``: the emotion with the highest mean probability (None without emotions)
          and ``dominant_emotion_share``: that mean probability.
        - ``attention_seconds``; ``attention_share``: share of ``attention_seconds`` with ``attending``.
        """
        names = self.names
        return [self._student(i, names[i], self._students[i]) for i in self.ids]

    @staticmethod
    def _student(track_id: int, name: str, tally: _Tally) -> dict:
        affect_s, emotion_s = tally.affect_s, tally.emotion_s
        emotions = {e: _ratio(tally.emotions[e], emotion_s) for e in EMOTIONS}
        dominant = max(EMOTIONS, key=lambda e: emotions[e]) if emotion_s > 0 else None  # first on ties
        return {
            "id": track_id,
            "name": name,
            "observations": tally.count,
            "seconds": float(tally.covered),
            "first_seen": tally.first,
            "last_seen": tally.last,
            "affect_seconds": float(affect_s),
            "level_share": {s: [_ratio(x, affect_s) for x in tally.share[s]] for s in STATES},
            "mean_level": {s: _ratio(tally.expected[s], affect_s) for s in STATES},
            "emotion_seconds": float(emotion_s),
            "emotions": emotions,
            "emotion_share": {e: _ratio(tally.emotion_top[e], emotion_s) for e in EMOTIONS},
            "dominant_emotion": dominant,
            "dominant_emotion_share": emotions[dominant] if dominant else 0.0,
            "attention_seconds": float(tally.attention_s),
            "attention_share": _ratio(tally.attending_s, tally.attention_s),
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
        c = self._class
        return {
            "students_seen": len(self._students),
            "student_seconds": float(sum(t.covered for t in self._students.values())),
            "session_seconds": float(c.last) if c.count else 0.0,
            "affect_seconds": float(c.affect_s),
            "average_engagement": _ratio(c.expected["Engagement"], c.affect_s),
            "confused_share": c.high_share("Confusion"),
            "bored_share": c.high_share("Boredom"),
            "attention_seconds": float(c.attention_s),
            "attention_share": _ratio(c.attending_s, c.attention_s),
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
        if bin_seconds != self._cell_seconds:  # kept up to date by add() from now on
            self._cell_seconds, self._cells = float(bin_seconds), {}
            for o in self.observations:
                self._add_to_cell(o)
        n_bins = int(self._last_affect_t // bin_seconds) + 1 if self._cells else 0
        out = {"bin_seconds": float(bin_seconds), "start": [k * float(bin_seconds) for k in range(n_bins)], "states": {}}
        for i, s in enumerate(STATES, start=1):
            per_bin: list[list[float]] = [[] for _ in range(n_bins)]
            for (k, _), cell in sorted(self._cells.items()):
                per_bin[k].append(cell[i] / cell[0])
            out["states"][s] = {
                "mean": [float(np.mean(v)) if v else None for v in per_bin],
                "students": [len(v) for v in per_bin],
            }
        return out

    def _add_to_cell(self, o: Observation) -> None:
        if o.affect is None or not self._cell_seconds:
            return
        cell = self._cells.setdefault((int(o.t // self._cell_seconds), o.track_id), [0.0] * (1 + len(STATES)))
        cell[0] += o.duration
        for i, s in enumerate(STATES, start=1):
            cell[i] += o.duration * _expected(o.affect[s])

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
        ("row", "t", "duration", "track_id", "name", "x0", "y0", "x1", "y1")
        + tuple(f"{s}_p{lv}" for s in STATES for lv in LEVELS)
        + tuple(f"{s}_level" for s in STATES)
        + tuple(f"{s}_expected" for s in STATES)
        + tuple(f"emotion_{e}" for e in EMOTIONS)
        + ("yaw", "pitch", "roll", "attending")
    )
    CSV_ROWS = ("sample", "window")  # a 1 FPS sample (box, head pose), an analysed window (states, emotions)

    def to_csv(self) -> str:
        """For spreadsheets: one row per observation, typed by ``row`` ("sample": one frame at 1 FPS with the box
        and head pose; "window": an analysed window with the states and emotions), sorted by time, then samples
        before windows, then id. Rounded: seconds and degrees to 0.01, pixels to 0.1, probabilities to 0.0001.
        Empty cells where a field is None. A name that a spreadsheet would run as a formula (=, +, -, @) gets a
        leading apostrophe. The JSON export is the exact one; ``from_csv`` reads this back to that rounding."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.CSV_HEADER)
        names = self.names
        def window(o: Observation) -> int:
            return int(o.affect is not None or o.emotions is not None)

        for o in sorted(self.observations, key=lambda o: (o.t, window(o), o.track_id)):
            row = [self.CSV_ROWS[window(o)], f"{o.t:.2f}", f"{o.duration:.2f}", o.track_id, _cell(names[o.track_id])]
            row += [f"{v:.1f}" for v in o.box]
            if o.affect is None:
                row += [""] * (len(STATES) * (len(LEVELS) + 2))
            else:
                row += [f"{p:.4f}" for s in STATES for p in o.affect[s]]
                row += [_level(o.affect[s]) for s in STATES]
                row += [f"{_expected(o.affect[s]):.2f}" for s in STATES]
            emotions = o.emotions or {}
            row += [f"{emotions[e]:.4f}" if e in emotions else "" for e in EMOTIONS]
            row += [f"{v:.2f}" for v in o.pose] if o.pose is not None else ["", "", ""]
            row.append("" if o.attending is None else int(o.attending))
            writer.writerow(row)
        return buf.getvalue()

    STUDENTS_CSV_HEADER: tuple[str, ...] = (
        ("track_id", "name", "seconds", "first_seen", "last_seen", "affect_seconds")
        + tuple(f"{s}_mean_level" for s in STATES)
        + tuple(f"{s}_high_share" for s in STATES)
        + ("emotion_seconds",)
        + tuple(f"{e}_most_likely_share" for e in EMOTIONS)
        + tuple(f"{e}_mean_probability" for e in EMOTIONS)
        + ("attention_seconds", "attention_share")
    )

    def students_csv(self) -> str:
        """One row per student: the summaries of ``students()`` (``_high_share``: share of the affect time whose most
        likely level is 2 or 3; ``_most_likely_share``: share of the emotion time that emotion was the most likely),
        rounded to 0.01 s and 0.0001; shares and means are empty where their seconds are 0."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.STUDENTS_CSV_HEADER)
        for st in self.students():
            def share(value: float, seconds: float) -> str:
                return f"{value:.4f}" if seconds > 0 else ""

            a, e = st["affect_seconds"], st["emotion_seconds"]
            row = [st["id"], _cell(st["name"])] + [f"{st[k]:.2f}" for k in ("seconds", "first_seen", "last_seen", "affect_seconds")]
            row += [share(st["mean_level"][s], a) for s in STATES]
            row += [share(st["level_share"][s][2] + st["level_share"][s][3], a) for s in STATES]
            row += [f"{e:.2f}"] + [share(st["emotion_share"][x], e) for x in EMOTIONS] + [share(st["emotions"][x], e) for x in EMOTIONS]
            row += [f"{st['attention_seconds']:.2f}", share(st["attention_share"], st["attention_seconds"])]
            writer.writerow(row)
        return buf.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> ClassSession:
        reader = csv.DictReader(io.StringIO(text))
        missing = set(cls.CSV_HEADER) - {"row"} - set(reader.fieldnames or ())
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
            session.rename(track_id, _uncell(row["name"]))
        return session


__all__ = ["EMOTIONS", "Observation", "ClassSession", "affect_from_result"]
