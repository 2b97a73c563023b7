"""Measurements behind the classroom's counting and identity rules (docs/face_detection.md), and the test faces.

``python -m engage.classroom.measure --students`` counts false and missed students on clips made from the detector
comparison scenes, hard negatives (the astronaut's patches, logos, posters) and the two scenes of issue 13 (one
person in a space suit; a person who leaves and comes back elsewhere), with and without each rule.
``--distances`` prints same-person and different-person descriptor distances on the test faces, by face width.

Test faces, each with a clear licence: Eileen Collins (``examples/astronaut.png``, NASA, public domain) and Grace
Hopper (``grace_hopper.jpg`` in matplotlib's sample data, US Navy, public domain). Hard negatives come from the
astronaut photo and, when installed, scikit-image's and matplotlib's sample images (logos, a cat, coffee, a rocket,
the Hubble deep field). Two identities is few: see docs/face_detection.md for what that leaves untested.
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import platform
from dataclasses import dataclass

import numpy as np

from . import faces as facelib
from .faces import ASTRONAUT_FACE_BOX, Scene, _astronaut, _background, _paste_face, load_detector
from .tracking import FaceTracker, iou

Box = tuple[float, float, float, float]


# ---------------------------------------------------------------- test faces and images


def _package_file(package: str, *parts: str) -> str | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], *parts)
    return path if os.path.exists(path) else None


def _rgb(path: str, background: int = 255) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as img:
        img = img.convert("RGBA")
        flat = Image.new("RGBA", img.size, (background,) * 3 + (255,))
        return np.array(Image.alpha_composite(flat, img).convert("RGB"))


def face_box_from_landmarks(marks: np.ndarray) -> Box:
    """The scenes' face box convention (``ASTRONAUT_FACE_BOX``) from 68 landmarks: the jaw's extremes across, the
    chin at the bottom, the eyebrows plus 0.18 of the width (the forehead) at the top."""
    x0, x1 = float(marks[0:17, 0].min()) - 2, float(marks[0:17, 0].max())
    return (x0, float(marks[17:27, 1].min()) - 0.18 * (x1 - x0), x1, float(marks[8, 1]))


def people(detector=None) -> dict[str, tuple[np.ndarray, Box]]:
    """Test identities: name -> (photo, face box). Collins always; Hopper where matplotlib is installed."""
    out = {"collins": (_astronaut(), ASTRONAUT_FACE_BOX)}
    hopper = _package_file("matplotlib", "mpl-data", "sample_data", "grace_hopper.jpg")
    if hopper:
        photo = _rgb(hopper)
        face = max((detector or load_detector()).detect(photo), key=lambda f: f.width)
        out["hopper"] = (photo, face_box_from_landmarks(face.landmarks))
    return out


def portrait(person: tuple[np.ndarray, Box], face_width: float = 120.0, size: tuple[int, int] = (400, 400),
             seed: int = 0, **jitter) -> np.ndarray:
    """A photo for a roster: the person's head on the scenes' background, the face ``face_width`` px wide."""
    rng = np.random.default_rng(seed)
    frame = _background(_astronaut(), *size, rng)
    _paste_face(frame, person[0], size[0] / 2, size[1] / 2, face_width, face_box=person[1], **jitter)
    return frame


def hard_negative_scenes(width: int = 1280, height: int = 720) -> list[Scene]:
    """Faceless scenes that fool face detectors: "patches" (the astronaut's mission patch and flag, 60-240 px),
    "logos" and "posters" (scikit-image's and matplotlib's sample images, where installed)."""
    import cv2

    src = _astronaut()
    rng = np.random.default_rng(7)
    scenes = []
    frame = _background(src, width, height, rng)
    pieces = [src[320:450, 110:240], src[320:410, 260:345]]
    x = 20
    for k, side in enumerate((60, 90, 120, 160, 200, 240)):
        tile = cv2.resize(pieces[k % 2], (side, side), interpolation=cv2.INTER_CUBIC)
        y = (height - side) // 2 + (-1) ** k * 100
        frame[y : y + side, x : x + side] = tile
        x += side + 20
    scenes.append(Scene("patches", frame, []))

    logos = [p for p in (_package_file("skimage", "data", "logo.png"),
                         _package_file("matplotlib", "mpl-data", "sample_data", "logo2.png"),
                         _package_file("matplotlib", "mpl-data", "sample_data", "Minduka_Present_Blue_Pack.png")) if p]
    posters = [p for p in (_package_file("skimage", "data", name) for name in
                           ("chelsea.png", "coffee.png", "rocket.jpg", "hubble_deep_field.jpg", "motorcycle_left.png", "color.png")) if p]
    for name, paths in (("logos", logos), ("posters", posters)):
        if not paths:
            continue
        frame = np.full((height, width, 3), 235, np.uint8)
        cols = 3
        rows = -(-len(paths) // cols)
        cw, ch = width // cols, height // rows
        for k, path in enumerate(paths):
            img = _rgb(path, background=235)
            scale = min((cw - 20) / img.shape[1], (ch - 20) / img.shape[0])
            img = cv2.resize(img, (int(img.shape[1] * scale), int(img.shape[0] * scale)), interpolation=cv2.INTER_AREA)
            r, c = divmod(k, cols)
            y, x = r * ch + (ch - img.shape[0]) // 2, c * cw + (cw - img.shape[1]) // 2
            frame[y : y + img.shape[0], x : x + img.shape[1]] = img
        scenes.append(Scene(name, frame, []))
    return scenes


# ---------------------------------------------------------------- clips: frames at 1 FPS with their known boxes


@dataclass
class Clip:
    name: str
    frames: list[np.ndarray]
    boxes: list[list[Box]]  # known faces per frame
    people: int  # how many different people the clip shows


def camera_noise(frame: np.ndarray, rng: np.random.Generator, sigma: float = 3.0) -> np.ndarray:
    return np.clip(frame.astype(np.float32) + rng.normal(0, sigma, frame.shape), 0, 255).astype(np.uint8)


def still_clip(scene: Scene, seconds: int = 10, seed: int = 0) -> Clip:
    """A still scene filmed: each second the frame shifted by up to ±2 px, with sensor noise."""
    rng = np.random.default_rng(seed)
    frames, boxes = [], []
    for _ in range(seconds):
        dx, dy = (int(v) for v in rng.integers(-2, 3, 2))
        frames.append(camera_noise(np.roll(scene.frame, (dy, dx), axis=(0, 1)), rng))
        boxes.append([(x0 + dx, y0 + dy, x1 + dx, y1 + dy) for x0, y0, x1, y1 in scene.boxes])
    return Clip(scene.name, frames, boxes, len(scene.boxes))


def suit_clip(seconds: int = 15, size: int = 384, seed: int = 0) -> Clip:
    """Issue 13's first scene: the astronaut photo (one person in a space suit, with her mission patch) filmed at
    ``size`` px for ``seconds`` s."""
    import cv2

    photo = cv2.resize(_astronaut(), (size, size), interpolation=cv2.INTER_AREA)
    k = size / 512
    scene = Scene("suit", photo, [tuple(v * k for v in ASTRONAUT_FACE_BOX)])
    clip = still_clip(scene, seconds, seed)
    clip.name = f"suit{size}"
    return clip


def leave_and_return_clip(person: tuple[np.ndarray, Box] | None = None, before: int = 6, away: int = 8, after: int = 6,
                          size: tuple[int, int] = (640, 360), face_width: float = 70.0, seed: int = 0) -> Clip:
    """Issue 13's second scene: a person at the left for ``before`` s, gone for ``away`` s, back at the right of the
    frame (turned a little and lit differently) for ``after`` s."""
    rng = np.random.default_rng(seed)
    person = person or (_astronaut(), ASTRONAUT_FACE_BOX)
    empty = _background(_astronaut(), *size, np.random.default_rng(seed + 1))
    frames, boxes = [], []
    for t in range(before + away + after):
        frame = empty.copy()
        if t < before:
            box = _paste_face(frame, person[0], 0.25 * size[0] + 2 * t, 0.45 * size[1], face_width, face_box=person[1])
        elif t >= before + away:
            box = _paste_face(frame, person[0], 0.75 * size[0], 0.55 * size[1], face_width, face_box=person[1],
                              flip=True, angle=5.0, gain=0.85)
        frames.append(camera_noise(frame, rng))
        boxes.append([box] if t < before or t >= before + away else [])
    return Clip("leave-return", frames, boxes, 1)


def pair_clip(persons: list[tuple[np.ndarray, Box]], seconds: int = 8, size: tuple[int, int] = (640, 360),
              face_width: float = 80.0, seed: int = 0) -> Clip:
    """Two or more people side by side, still, for ``seconds`` s (for the roster)."""
    rng = np.random.default_rng(seed)
    base = _background(_astronaut(), *size, np.random.default_rng(seed + 1))
    xs = np.linspace(0, size[0], len(persons) + 2)[1:-1]
    scene_boxes = [_paste_face(base, p[0], x, size[1] / 2, face_width, face_box=p[1]) for p, x in zip(persons, xs)]
    frames = [camera_noise(base, rng) for _ in range(seconds)]
    return Clip("pair", frames, [list(scene_boxes)] * seconds, len(persons))


# ---------------------------------------------------------------- counting students


@dataclass
class Count:
    students: int
    false: int  # students that are no known face, or a second id for one
    missed: int  # known faces that are no student


class _Replay:
    """A detector that answers the detections made once per frame, so that every rule set sees the same faces."""

    name = "replay"

    def __init__(self, detections: list[list]):
        self._detections, self._k = detections, 0

    def detect(self, frame):
        out = self._detections[self._k]
        self._k += 1
        return out


@dataclass(frozen=True)
class Rules:
    """Which of the counting rules run (all of them in the app)."""

    name: str
    landmarks: bool = True  # the landmark check drops detections that do not look like a face
    confirm: bool = True  # a face counts once seen in 3 of 5 sampled seconds
    descriptors: bool = True  # a student away up to 60 s is recognised by their face descriptor


RULES = (
    Rules("before: every detection a student, ids by overlap, away > 5 s a new id", False, False, False),
    Rules("+ landmark check", True, False, False),
    Rules("+ 3 of 5 s", True, True, False),
    Rules("+ face descriptors, 60 s away (after)"),
)


def count_students(clip: Clip, detections: list[list], rules: Rules = Rules("after"), max_faces: int = 60) -> Count:
    """Run the classroom's per-frame part (no model) over ``clip`` with ``detections`` under ``rules`` and score
    its students: a student is true when most of its sampled boxes overlap one known face (IoU >= 0.4), each known
    face counting for one student only."""
    from .room import Classroom

    class Room(Classroom):
        @staticmethod
        def _plausible(face) -> bool:
            return facelib.plausible(face) or not rules.landmarks

        @staticmethod
        def _describe(crop, face):
            return Classroom._describe(crop, face) if rules.descriptors else None

    tracker = FaceTracker(confirm_hits=3 if rules.confirm else 1, confirm_seconds=5 if rules.confirm else 1,
                          max_gap_seconds=60 if rules.descriptors else 5)
    room = Room(max_faces=max_faces, tracker=tracker)
    replay = _Replay(detections)
    for t, frame in enumerate(clip.frames):
        room.observe(replay, frame, float(t))
    room.finish()
    truth_of: dict[int, list[int]] = {}
    for o in room.session.observations:
        truths = clip.boxes[int(o.t)]
        best = max(range(len(truths)), key=lambda j: iou(o.box, truths[j]), default=None)
        hit = best if best is not None and iou(o.box, truths[best]) >= 0.4 else -1
        truth_of.setdefault(o.track_id, []).append(hit)
    claimed: set[int] = set()
    false = 0
    for hits in truth_of.values():
        j = max(set(hits), key=hits.count)
        if j < 0 or j in claimed:
            false += 1
        else:
            claimed.add(j)
    return Count(len(truth_of), false, clip.people - len(claimed))


def students_table(seconds: int = 10, suit_seeds: int = 5) -> str:
    """False / missed students per clip and rule set (markdown)."""
    detector = load_detector()
    clips = [still_clip(s, seconds) for s in facelib.benchmark_scenes() + hard_negative_scenes()]
    for seed in range(suit_seeds):
        clips.append(suit_clip(seed=seed))
        clips[-1].name += f" (seed {seed})"
    clips.append(leave_and_return_clip())
    lines = [
        f"{len(clips)} clips at 1 FPS ({seconds} s each; suit384: 15 s, leave-return: 20 s), detector "
        f"{detector.name}; {platform.machine()}, {os.cpu_count()} cores. Cells: students / false / missed.",
        "",
        "| clip | people | " + " | ".join(r.name for r in RULES) + " |",
        "|---|---|" + "---|" * len(RULES),
    ]
    totals = np.zeros((len(RULES), 3), dtype=int)
    for clip in clips:
        detections = [detector.detect(frame) for frame in clip.frames]
        cells = []
        for k, rules in enumerate(RULES):
            c = count_students(clip, detections, rules)
            totals[k] += (c.students, c.false, c.missed)
            cells.append(f"{c.students} / {c.false} / {c.missed}")
        lines.append(f"| {clip.name} | {clip.people} | " + " | ".join(cells) + " |")
    lines.append("| **all** | " + str(sum(c.people for c in clips)) + " | "
                 + " | ".join(f"**{a} / {b} / {c}**" for a, b, c in totals) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- descriptor distances

WIDTHS = (24, 32, 48, 64, 96, 160)
VARIANTS = ("plain", "mirrored", "turned 8° and re-lit", "JPEG q40")


def test_descriptors(seed: int = 0) -> dict[tuple[str, int, str], np.ndarray]:
    """(person, face width, variant) -> descriptor, each face pasted alone on the background and found by the
    detector as the app finds it (faces it misses are left out)."""
    import cv2

    from .identity import default_encoder

    detector, encoder = load_detector(), default_encoder()
    rng = np.random.default_rng(seed)
    out = {}
    for name, person in people(detector).items():
        for width, variant in itertools.product(WIDTHS, VARIANTS):
            frame = _background(_astronaut(), 480, 360, rng)
            jitter = {"flip": variant == "mirrored", "angle": 8.0 if variant.startswith("turned") else 0.0,
                      "gain": 0.8 if variant.startswith("turned") else 1.0}
            box = _paste_face(frame, person[0], 240, 180, width, face_box=person[1], **jitter)
            if variant.startswith("JPEG"):
                frame = cv2.imdecode(cv2.imencode(".jpg", frame[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 40])[1], 1)[..., ::-1].copy()
            found = [f for f in detector.detect(frame) if iou(f.box, box) >= 0.4]
            if found:
                face = found[0]
                out[(name, width, variant)] = encoder.encode(facelib.crop_face(frame, face), facelib.face_in_crop(face))
    return out


def distances_table() -> str:
    descs = test_descriptors()
    from .tracking import SAME_PERSON

    same, diff = [], []
    for a, b in itertools.combinations(descs, 2):
        d = float(np.linalg.norm(descs[a] - descs[b]))
        (same if a[0] == b[0] else diff).append((min(a[1], b[1]), d))
    found = {name: sum(k[0] == name for k in descs) for name in {k[0] for k in descs}}
    lines = [
        f"faces found and described: {', '.join(f'{n} {c} of {len(WIDTHS) * len(VARIANTS)}' for n, c in sorted(found.items()))}"
        f" (widths {', '.join(map(str, WIDTHS))} px × {', '.join(VARIANTS)})",
        "",
        "| both faces at least (px) | same-person pairs | same: median / p95 / max | different-person pairs | different: min / p5 / median | same > "
        f"{SAME_PERSON} (splits) | different <= {SAME_PERSON} (wrong merges) |",
        "|---|---|---|---|---|---|---|",
    ]
    for w in WIDTHS[:-1]:
        s = np.array([d for m, d in same if m >= w])
        f = np.array([d for m, d in diff if m >= w])
        if not len(s) or not len(f):
            continue
        lines.append(
            f"| {w} | {len(s)} | {np.median(s):.3f} / {np.percentile(s, 95):.3f} / {s.max():.3f} | {len(f)} | "
            f"{f.min():.3f} / {np.percentile(f, 5):.3f} / {np.median(f):.3f} | {int((s > SAME_PERSON).sum())} | "
            f"{int((f <= SAME_PERSON).sum())} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engage.classroom.measure", description=__doc__.split("\n")[0])
    parser.add_argument("--students", action="store_true", help="false and missed students per clip and rule set")
    parser.add_argument("--distances", action="store_true", help="descriptor distances on the test faces")
    args = parser.parse_args(argv)
    if args.distances:
        print(distances_table())
    if args.students:
        print(students_table())
    if not (args.students or args.distances):
        parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["people", "portrait", "hard_negative_scenes", "still_clip", "suit_clip", "leave_and_return_clip", "pair_clip",
           "count_students", "students_table", "distances_table", "Clip", "Count", "Rules", "RULES"]
