"""Classroom mode: every face in the frame, tracked, analysed per student on their own face crops.

Per sampled frame (1 FPS): detect faces, drop those whose landmarks do not look like a face, keep at most
``max_faces`` (the largest first), follow them (``engage.classroom.tracking``: a face becomes a student once seen
in 3 of 5 sampled seconds, and keeps their id for 60 s away, recognised by dlib's face descriptor), crop each face,
estimate head pose from the landmarks, and name students from the class roster when one is given
(``engage.classroom.identity``). What is seen of a face before it is confirmed is held and filed under its id once
it is. Per window (10 s of video, or each
webcam update): each student's crops form a clip; ONE forward pass over that clip's video prefix serves the
four affective states (MLP heads on the feature, or zero-shot levels) and the seven basic emotions.
"""
from __future__ import annotations

import bisect
import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..affect.emotions import prefix_emotion_probs
from ..affect.pipeline import Engine, normalize_method
from ..affect.results import STATES
from ..affect.zeroshot import prefix_level_probs
from ..errors import InvalidInputError
from ..i18n import DEFAULT, count, text
from ..media import Clip, VideoSource, prefetch, validate_frame
from ..model.features import prefix_feature
from ..model.prefix import encode_prefix
from ..settings import classroom_away_seconds
from . import faces as facelib
from . import identity
from .faces import FaceModelMissingError
from .session import ClassSession, Observation, check_name, no_student
from .tracking import FaceTracker

Bounds = list[tuple[float, float]]
Progress = Callable[[float, str], None]

DEFAULT_MAX_FACES = 12
CROP_SIZE = 224
PHOTO_WINDOW = (0.0, 1.0)  # a photo is a one-second window


def _head_pose(face, frame: np.ndarray) -> tuple[tuple[float, float, float] | None, bool | None]:
    """(yaw, pitch, roll) and the attending estimate, or (None, None) without usable landmarks."""
    from .headpose import attending, face_pose

    if face.landmarks is None:
        return None, None
    try:
        pose = face_pose(face, frame)
    except ValueError:
        return None, None
    return (float(pose.yaw), float(pose.pitch), float(pose.roll)), bool(attending(pose))


@dataclass
class FrameResult:
    t: float
    faces: list
    ids: list[int | None]  # None: a face not confirmed as a student (yet)
    beyond: int = 0  # candidates past the cap (possible faces: not all checked)


@dataclass
class _Held:
    """What was seen of a face before it was confirmed as a student."""

    crop: np.ndarray
    face: facelib.Face  # in the crop's pixels, for its descriptor
    obs: Observation


def _encoder():
    try:
        return identity.default_encoder()
    except FaceModelMissingError:
        return None


@dataclass
class StudentWindow:
    """One student's face crops in one window: the unit of work a GPU call receives (no room, no history)."""

    track_id: int
    clip: Clip


@dataclass
class StudentResult:
    track_id: int
    start: float
    end: float
    affect: dict[str, list[float]]
    emotions: dict[str, float]


def analyze_students(engine: Engine, jobs: list[StudentWindow], method: str) -> list[StudentResult]:
    """The model part of classroom mode, the only one that needs a GPU: ONE forward pass over each student's
    clip prefix serves the four states and the seven emotions."""
    method = normalize_method(method)
    if method == "mlp" and engine.heads is None:
        raise engine.heads_unavailable()
    bb = engine.backbone
    out = []
    for job in jobs:
        with bb.lock:
            prefix = encode_prefix(bb, job.clip)
            if method == "mlp":
                probs = engine.heads.predict_proba(prefix_feature(bb, prefix)[None])[0]
            else:
                probs = prefix_level_probs(bb, prefix)
            emotions = prefix_emotion_probs(bb, prefix)
        affect = {s: [float(p) for p in probs[i]] for i, s in enumerate(STATES)}
        out.append(StudentResult(job.track_id, job.clip.start, job.clip.end, affect, emotions))
    return out


@dataclass
class Classroom:
    """State of one classroom session (one per video, photo or webcam stream).

    It holds only data (picklable, so it can cross into a ZeroGPU worker and live in a Gradio State); the
    engine and the face detector are passed to each call.
    """

    max_faces: int = DEFAULT_MAX_FACES
    tracker: FaceTracker = field(default_factory=lambda: FaceTracker(max_gap_seconds=classroom_away_seconds()))
    session: ClassSession = field(default_factory=ClassSession)
    crops: dict[int, list[tuple[float, np.ndarray]]] = field(default_factory=dict)
    last: FrameResult | None = None
    last_frame: np.ndarray | None = None
    analysed_until: float = 0.0
    clock: float | None = None  # webcam: monotonic time of the stream's first frame
    kind: str = "video"  # "video", "photo" or "camera": what the dashboard can show (a photo has no timeline)
    roster: identity.Roster | None = None
    held: dict[int, list[_Held]] = field(default_factory=dict)  # candidate track key -> what was seen of it
    merged: dict[int, int] = field(default_factory=dict)  # id -> the id it was merged into

    # ------------------------------------------------------------------ per frame

    def observe(self, detector, frame: np.ndarray, t: float) -> FrameResult:
        """Detect, check, track, crop and pose every face (up to ``max_faces``) in one sampled frame."""
        frame = validate_frame(frame)
        # the detector checks the largest candidates first and stops at max_faces (its face check is the costly part)
        found = detector.find(frame, self.max_faces, self._plausible)
        kept = sorted(found.faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]), reverse=True)
        crops = [facelib.crop_face(frame, face, size=CROP_SIZE) for face in kept]
        in_crop = [facelib.face_in_crop(face, size=CROP_SIZE) for face in kept]
        ids = self.tracker.update(kept, t, lambda i: self._describe(crops[i], in_crop[i]))
        self._file_confirmed(self.tracker.confirmed)
        for face, sid, key, crop, local in zip(kept, ids, self.tracker.keys, crops, in_crop):
            pose, att = _head_pose(face, frame)
            obs = Observation(t=t, track_id=sid or 0, box=tuple(map(float, face.box)), affect=None, emotions=None, pose=pose, attending=att)
            if sid:
                self._file(sid, crop, obs)
            else:
                self.held.setdefault(key, []).append(_Held(crop, local, obs))
        self.held = {k: v[-int(self.tracker.confirm_seconds) :] for k, v in self.held.items() if k in self.tracker.tracks}
        self._name_from_roster()
        self.last = FrameResult(t, kept, ids, found.beyond)
        self.last_frame = frame
        return self.last

    def finish(self) -> None:
        """End of an input shorter than the confirmation needs (a photo, a clip of a few seconds): confirm the faces
        seen in as large a share of its frames (``FaceTracker.finish``)."""
        def describe(key: int):
            last = self.held[key][-1]
            return self._describe(last.crop, last.face)

        confirmed = self.tracker.finish(describe)
        self._file_confirmed(confirmed)
        self._name_from_roster()
        if confirmed and self.last is not None:
            self.last.ids = [self.tracker.tracks[k].id or None if k in self.tracker.tracks else None for k in self.tracker.keys]

    @staticmethod
    def _plausible(face: facelib.Face) -> bool:
        return facelib.plausible(face)

    @staticmethod
    def _describe(crop: np.ndarray, face: facelib.Face) -> np.ndarray | None:
        encoder = _encoder() if face.landmarks is not None else None
        return encoder.encode(crop, face) if encoder is not None else None

    def _file(self, sid: int, crop: np.ndarray, obs: Observation) -> None:
        obs.track_id = sid
        if obs.t >= self.analysed_until - 1e-9:  # a window already analysed cannot take it any more
            self.crops.setdefault(sid, []).append((obs.t, crop))
        self.session.add(obs)

    def _file_confirmed(self, confirmed: dict[int, int]) -> None:
        for key, sid in confirmed.items():
            for held in self.held.pop(key, []):
                self._file(sid, held.crop, held.obs)

    def _name_from_roster(self) -> None:
        """Name the students described in the last update from the roster; the same name twice is one student."""
        if not self.roster:
            return
        for sid, desc in self.tracker.described:
            if sid not in self.tracker.students or sid in self.session.custom_names:
                continue
            present = self.tracker.present() - {sid}
            taken = {self.session.names[i] for i in present if i in self.session.custom_names}
            match = self.roster.match(desc, exclude=taken)
            if match:
                with contextlib.suppress(ValueError):  # the name's student was in a frame with this one: the teacher decides
                    self.rename(sid, match[0])

    # ------------------------------------------------------------------ ids and names

    def rename(self, sid: int, name: str) -> int:
        """Name a student; a name another student has makes them one (the higher id joins the lower). Returns the id
        the student has afterwards. ValueError for an unknown id, a bad name, or two students seen together."""
        name = check_name(name)
        if sid not in self.session.ids:
            raise InvalidInputError(key="error.no_student", id=sid)
        other = next((i for i, n in self.session.custom_names.items() if i != sid and name and n.casefold() == name.casefold()), None)
        if other is not None:
            keep, gone = min(sid, other), max(sid, other)
            self.merge(gone, keep)
            sid = keep
        self.session.rename(sid, name)
        return sid

    def edit(self, edits: list[tuple[int, str | int]]) -> None:
        """Renames (id, name) and merges (id, other id), in order, all or none: tried on a copy first, so a ValueError
        (an unknown id, a bad name, two students seen together) leaves the room as it was."""
        trial = copy.deepcopy(self)
        trial._apply(edits)
        self.__dict__.update(trial.__dict__)

    def _apply(self, edits: list[tuple[int, str | int]]) -> None:
        for sid, target in edits:
            sid = self._current(sid)
            if isinstance(target, int):
                target = self._current(target)
                if sid != target:
                    self.merge(sid, target)
            else:
                self.rename(sid, target)

    def _current(self, sid: int) -> int:
        """The id a student has now (a merge earlier in the same edit may have moved it)."""
        return self.merged.get(sid, sid)

    def use_roster(self, roster: identity.Roster | None) -> None:
        """Use ``roster`` from now on, and name the students seen so far whom it recognises."""
        self.roster = roster
        self.tracker.described = [(sid, d) for sid, st in sorted(self.tracker.students.items()) for d in st.gallery]
        self._name_from_roster()

    def _check_merge(self, src: int, dst: int) -> None:
        known = self.session.ids
        for i in (src, dst):
            if i not in known:
                raise no_student(i, known)
        if src == dst:
            raise InvalidInputError(key="error.merge_self", id=src)
        together = self.session.together(src, dst)
        if together is not None:
            raise InvalidInputError(key="error.merge_together", a=src, b=dst, t=round(together))

    def merge(self, src: int, dst: int) -> None:
        """Student ``src`` is student ``dst``: their observations, crops and descriptors under ``dst`` from now on.
        ValueError when either is unknown or the two were in one frame (two people)."""
        self._check_merge(src, dst)
        self.merged = {k: dst if v == src else v for k, v in self.merged.items()} | {src: dst}
        if src in self.tracker.students and dst in self.tracker.students:
            self.tracker.merge(src, dst)
        self.session.merge(src, dst)
        if src in self.crops:
            self.crops[dst] = sorted(self.crops.get(dst, []) + self.crops.pop(src), key=lambda item: item[0])
        if self.last is not None:
            self.last.ids = [dst if i == src else i for i in self.last.ids]

    # ------------------------------------------------------------------ per window

    def take_window(self, start: float, end: float) -> list[StudentWindow]:
        """Each student's crops in ``[start, end)`` as a clip (CPU); crops before ``end`` are dropped."""
        jobs = []
        for tid, items in sorted(self.crops.items()):
            window = [(t, c) for t, c in items if start - 1e-9 <= t < end - 1e-9]
            if window:
                jobs.append(StudentWindow(tid, Clip(np.stack([c for _, c in window]), np.array([t - start for t, _ in window]), start, end)))
        self.crops = {tid: [(t, c) for t, c in items if t >= end - 1e-9] for tid, items in self.crops.items()}
        self.analysed_until = max(self.analysed_until, end)
        return jobs

    def take_windows(self, bounds: Bounds) -> list[StudentWindow]:
        return [job for start, end in bounds for job in self.take_window(start, end)]

    def pending_bytes(self) -> int:
        """Bytes of the crops not analysed yet (what the next GPU call will carry), those of faces not confirmed yet
        included."""
        return sum(c.nbytes for items in self.crops.values() for _, c in items) + sum(
            h.crop.nbytes for items in self.held.values() for h in items)

    def add_results(self, results: list[StudentResult]) -> int:
        for r in results:
            self.session.add(
                Observation(
                    t=r.start, track_id=r.track_id, box=self._last_box(r.track_id), affect=r.affect, emotions=r.emotions,
                    pose=None, attending=None, duration=max(r.end - r.start, 1.0),
                )
            )
        return len(results)

    def _last_box(self, tid: int) -> tuple[float, float, float, float]:
        for o in reversed(self.session.observations):
            if o.track_id == tid:
                return o.box
        return (0.0, 0.0, 0.0, 0.0)

    # ------------------------------------------------------------------ whole inputs

    def observe_clip(self, detector, clip: Clip, last: bool = False) -> None:
        """Detect, track and crop every sampled frame of one window (CPU work: keep it outside GPU calls); ``last``:
        the input's last window (``finish``)."""
        for frame, t in zip(clip.frames, clip.timestamps):
            self.observe(detector, frame, float(t))
        if last:
            self.finish()

    def run_video(self, engine: Engine, detector, path: str, method: str = "zero-shot", progress: Progress | None = None) -> ClassSession:
        """The whole video in this process, window by window (the app splits it into GPU calls: ``run_video_in_calls``)."""
        source = VideoSource(path, engine.limits, engine.windowing)
        return run_video_in_calls(self, detector, source, lambda jobs: analyze_students(engine, jobs, method), progress, 1).session

    def observe_photo(self, detector, frame: np.ndarray) -> None:
        self.kind = "photo"
        self.observe(detector, frame, PHOTO_WINDOW[0])
        self.finish()


def run_video_in_calls(
    room: Classroom,
    detector,
    source: VideoSource,
    analyze: Callable[[list[StudentWindow]], list[StudentResult]],
    progress: Progress | None = None,
    students_per_call: int = 40,
    lang: str = DEFAULT,
) -> Classroom:
    """Find the faces of each window on the CPU, and hand the students' clips to ``analyze`` (the model: on a
    Space, one GPU call) as soon as ``students_per_call`` of them are waiting, and the rest at the end."""
    total, done, pending = source.num_windows, 0, []
    queued: list[int] = []  # student-windows queued once each window had been looked at (cumulative)

    def send(jobs: list[StudentWindow]) -> None:
        nonlocal done
        done += room.add_results(analyze(jobs))

    def report(windows_done: int, key: str, **fields) -> None:
        # half the bar for finding faces, half for the model: a window counts there once all its students are analysed
        if progress:
            progress((windows_done + bisect.bisect_right(queued, done)) / (2 * total), text(key, lang, **fields))

    report(0, "class.progress_finding", seconds=f"{source.info.duration:.0f}")
    for k, clip in enumerate(prefetch(source.windows()), start=1):
        room.observe_clip(detector, clip, last=k == total)
        pending += room.take_window(clip.start, clip.end)
        queued.append(done + len(pending))
        while len(pending) >= students_per_call:
            send(pending[:students_per_call])
            pending = pending[students_per_call:]
        report(k, "class.progress_window", k=k, total=total, clips=count(done, "clip_done", lang))
    if pending:
        report(total, "class.progress_last", clips=count(len(pending), "clip_done", lang))
        send(pending)
    return room
