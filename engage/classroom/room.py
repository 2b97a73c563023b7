"""Classroom mode: every face in the frame, tracked, analysed per student on their own face crops.

Per sampled frame (1 FPS): detect faces (at most ``max_faces``, the largest first), follow them with stable
ids, crop each face, estimate head pose from the detector's landmarks. Per window (10 s of video, or each
webcam update): each student's crops form a clip; ONE forward pass over that clip's video prefix serves the
four affective states (MLP heads on the feature, or zero-shot levels) and the seven basic emotions.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..affect.emotions import prefix_emotion_probs
from ..affect.pipeline import Engine, normalize_method
from ..affect.results import STATES
from ..affect.zeroshot import prefix_level_probs
from ..media import Clip, VideoSource, load_image, prefetch, validate_frame
from ..model.features import prefix_feature
from ..model.prefix import encode_prefix
from . import faces as facelib
from .session import ClassSession, Observation
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
    ids: list[int]
    found: int  # faces detected before the cap


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
    tracker: FaceTracker = field(default_factory=FaceTracker)
    session: ClassSession = field(default_factory=ClassSession)
    crops: dict[int, list[tuple[float, np.ndarray]]] = field(default_factory=dict)
    last: FrameResult | None = None
    last_frame: np.ndarray | None = None
    analysed_until: float = 0.0
    clock: float | None = None  # webcam: monotonic time of the stream's first frame
    kind: str = "video"  # "video", "photo" or "camera": what the dashboard can show (a photo has no timeline)

    # ------------------------------------------------------------------ per frame

    def observe(self, detector, frame: np.ndarray, t: float) -> FrameResult:
        """Detect, track, crop and pose every face (up to ``max_faces``) in one sampled frame."""
        frame = validate_frame(frame)
        found = detector.detect(frame)
        kept = sorted(found, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]), reverse=True)[: self.max_faces]
        ids = self.tracker.update(kept, frame, t)
        for face, tid in zip(kept, ids):
            self.crops.setdefault(tid, []).append((t, facelib.crop_face(frame, face, size=CROP_SIZE)))
            pose, att = _head_pose(face, frame)
            self.session.add(Observation(t=t, track_id=tid, box=tuple(map(float, face.box)), affect=None, emotions=None, pose=pose, attending=att))
        self.last = FrameResult(t, kept, ids, len(found))
        self.last_frame = frame
        return self.last

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
        """Bytes of the crops not analysed yet (what the next GPU call will carry)."""
        return sum(c.nbytes for items in self.crops.values() for _, c in items)

    def add_results(self, results: list[StudentResult]) -> int:
        for r in results:
            self.session.add(
                Observation(
                    t=r.start, track_id=r.track_id, box=self._last_box(r.track_id), affect=r.affect, emotions=r.emotions,
                    pose=None, attending=None, duration=max(r.end - r.start, 1.0),
                )
            )
        return len(results)

    def analyze_window(self, engine: Engine, start: float, end: float, method: str) -> int:
        """Affect and emotions for every student seen in ``[start, end)``, in this process; returns how many."""
        return self.add_results(analyze_students(engine, self.take_window(start, end), method))

    def _last_box(self, tid: int) -> tuple[float, float, float, float]:
        for o in reversed(self.session.observations):
            if o.track_id == tid:
                return o.box
        return (0.0, 0.0, 0.0, 0.0)

    # ------------------------------------------------------------------ whole inputs

    def observe_clip(self, detector, clip: Clip) -> None:
        """Detect, track and crop every sampled frame of one window (CPU work: keep it outside GPU calls)."""
        for frame, t in zip(clip.frames, clip.timestamps):
            self.observe(detector, frame, float(t))

    def run_video(self, engine: Engine, detector, path: str, method: str = "zero-shot", progress: Progress | None = None) -> ClassSession:
        """The whole video in this process, window by window (the app splits it into GPU calls: ``run_video_in_calls``)."""
        source = VideoSource(path, engine.limits, engine.windowing)
        return run_video_in_calls(self, detector, source, lambda jobs: analyze_students(engine, jobs, method), progress, 1).session

    def run_photo(self, engine: Engine, detector, image: str | np.ndarray, method: str = "zero-shot") -> ClassSession:
        self.observe_photo(detector, load_image(image, engine.limits) if isinstance(image, str) else image)
        self.analyze_window(engine, *PHOTO_WINDOW, method)
        return self.session

    def observe_photo(self, detector, frame: np.ndarray) -> None:
        self.kind = "photo"
        self.observe(detector, frame, PHOTO_WINDOW[0])

    def stream_due(self, t: float, every: float = 5.0) -> tuple[float, float] | None:
        """Webcam: the window to analyse after observing the frame at ``t``, once ``every`` s have passed."""
        return (self.analysed_until, t + 1.0) if t + 1.0 - self.analysed_until >= every else None

    def stream_step(self, engine: Engine, detector, frame: np.ndarray, t: float, method: str, every: float = 5.0) -> bool:
        """Webcam: observe one frame (call at most once per second) and analyse when ``every`` s have passed."""
        self.observe(detector, frame, t)
        due = self.stream_due(t, every)
        if due:
            self.analyze_window(engine, *due, method)
        return due is not None

    def status(self) -> str:
        """What the last frame showed, including the cap, for the UI."""
        if self.last is None:
            return "No frame analysed yet."
        if self.last.found == 0:
            return "No face found in the last frame: move closer, add light, or face the camera."
        capped = f" (the {self.max_faces} largest analysed; the cap is {self.max_faces} faces per frame)" if self.last.found > self.max_faces else ""
        return f"{self.last.found} face{'s' if self.last.found != 1 else ''} found in the last frame{capped}."


def run_video_in_calls(
    room: Classroom,
    detector,
    source: VideoSource,
    analyze: Callable[[list[StudentWindow]], list[StudentResult]],
    progress: Progress | None = None,
    students_per_call: int = 40,
) -> Classroom:
    """Find the faces of each window on the CPU, and hand the students' clips to ``analyze`` (the model: on a
    Space, one GPU call) as soon as ``students_per_call`` of them are waiting, and the rest at the end."""
    total, done, pending = source.num_windows, 0, []
    queued: list[int] = []  # student-windows queued once each window had been looked at (cumulative)

    def send(jobs: list[StudentWindow]) -> None:
        nonlocal done
        done += room.add_results(analyze(jobs))

    def report(k: int, message: str) -> None:
        # half the bar for finding faces, half for the model: a window counts there once all its students are analysed
        if progress:
            progress((k + bisect.bisect_right(queued, done)) / (2 * total), message)

    report(0, f"Finding faces in {source.info.duration:.0f} s of video")
    for k, clip in enumerate(prefetch(source.windows()), start=1):
        room.observe_clip(detector, clip)
        pending += room.take_window(clip.start, clip.end)
        queued.append(done + len(pending))
        while len(pending) >= students_per_call:
            send(pending[:students_per_call])
            pending = pending[students_per_call:]
        report(k, f"Window {k} of {total}: faces found; {done} student-windows analysed")
    if pending:
        report(total, f"Analysing the last {len(pending)} student-windows")
        send(pending)
    return room
