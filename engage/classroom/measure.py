"""Measurements behind the classroom's counting and identity rules (docs/face_detection.md), and the test faces.

``python -m engage.classroom.measure --students`` counts false and missed students on clips made from the detector
comparison scenes (``engage.classroom.scenes``), hard negatives (the astronaut's patches, logos, posters, drawn badges
and emblems, cartoon faces, a face printed on a shirt), the two scenes of issue 13 (one person in a space suit; a
person who leaves and comes back elsewhere) and issue 26's collage and pan of five astronaut photos, with and without
each rule, and the detector's time per frame. ``--compare`` prints the detector comparison (recall, precision, ms per
frame, smallest face) on the scenes. ``--distances`` prints same-person and different-person descriptor distances on
the test faces, by face width.

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
from . import scenes as scenelib
from .faces import load_detector
from .scenes import ASTRONAUT_FACE_BOX, Scene, _astronaut, _background, _paste_face
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
    scenes += [_drawn_scene("badges", _badge, width, height), _drawn_scene("cartoons", _cartoon, width, height), shirt_print_scene()]
    return scenes


def _badge(draw, x: int, y: int, side: int, k: int) -> None:
    """A round emblem (rings, a star, two dots and a bar, like a mission patch) or a name tag, in a ``side`` px square."""
    colors = ((200, 40, 40), (30, 60, 150), (230, 190, 40), (40, 120, 60))
    ink, paper = colors[k % 4], (235, 235, 225)
    if k % 3 == 2:  # a name tag: a rounded rectangle with two lines of "text"
        draw.rounded_rectangle((x, y + side // 4, x + side, y + 3 * side // 4), radius=side // 10, fill=paper, outline=ink, width=max(2, side // 30))
        for row in (0.38, 0.55):
            draw.rectangle((x + side // 8, y + int(row * side), x + 7 * side // 8, y + int(row * side) + side // 14), fill=(30, 30, 30))
        return
    draw.ellipse((x, y, x + side, y + side), fill=ink, outline=(20, 20, 20), width=max(2, side // 25))
    m = side // 7
    draw.ellipse((x + m, y + m, x + side - m, y + side - m), fill=paper)
    c, r = x + side / 2, side / 2 - 2 * m
    star = [(c + (r if i % 2 == 0 else r / 2.5) * np.sin(i * np.pi / 5), y + side / 2 - (r if i % 2 == 0 else r / 2.5) * np.cos(i * np.pi / 5))
            for i in range(10)]
    draw.polygon(star, fill=colors[(k + 1) % 4])
    e = side // 12
    for ex in (c - side / 6, c + side / 6):  # two dots and a bar: the layout of eyes and a mouth
        draw.ellipse((ex - e, y + side * 0.38 - e, ex + e, y + side * 0.38 + e), fill=(20, 20, 20))
    draw.rectangle((c - side / 6, y + side * 0.66, c + side / 6, y + side * 0.66 + e), fill=(20, 20, 20))


def _cartoon(draw, x: int, y: int, side: int, k: int) -> None:
    """A drawn cartoon face: a round or oval head, eyes with pupils, eyebrows, a nose and a smile."""
    skin = ((250, 215, 70), (240, 200, 170), (190, 140, 100), (120, 200, 120))[k % 4]
    head = (x, y, x + side, y + side) if k % 2 == 0 else (x + side // 8, y, x + 7 * side // 8, y + side)
    draw.ellipse(head, fill=skin, outline=(30, 30, 30), width=max(2, side // 40))
    c = x + side / 2
    for ex in (c - side * 0.17, c + side * 0.17):
        er = side * 0.08
        draw.ellipse((ex - er, y + side * 0.38 - er, ex + er, y + side * 0.38 + er), fill=(255, 255, 255), outline=(30, 30, 30))
        draw.ellipse((ex - er / 2, y + side * 0.38 - er / 2, ex + er / 2, y + side * 0.38 + er / 2), fill=(20, 20, 20))
        draw.line((ex - er, y + side * 0.26, ex + er, y + side * 0.24), fill=(60, 40, 20), width=max(2, side // 40))
    draw.line((c, y + side * 0.45, c - side * 0.04, y + side * 0.58, c + side * 0.03, y + side * 0.6), fill=(90, 60, 40), width=max(1, side // 50))
    draw.arc((c - side * 0.22, y + side * 0.5, c + side * 0.22, y + side * 0.8), 20, 160, fill=(150, 30, 30), width=max(2, side // 25))


def _drawn_scene(name: str, paint, width: int, height: int) -> Scene:
    """Twelve shapes drawn with PIL at 40-240 px on the scenes' background."""
    from PIL import Image, ImageDraw

    img = Image.fromarray(_background(_astronaut(), width, height, np.random.default_rng(11)))
    draw = ImageDraw.Draw(img)
    x, y, row_h = 20, 20, 0
    for k, side in enumerate((40, 56, 72, 90, 110, 130, 150, 170, 200, 240, 64, 120)):
        if x + side > width - 20:
            x, y, row_h = 20, y + row_h + 20, 0
        paint(draw, x, y, side, k)
        x, row_h = x + side + 30, max(row_h, side)
    return Scene(name, np.array(img), [])


def shirt_print_scene(width: int = 1280, height: int = 720) -> Scene:
    """Three people (the astronaut's head) whose shirts carry a printed face: the same face, small, posterised to
    four tones per channel and on the chest, 25-45 % of the wearer's face width. The three real faces are known."""
    src = _astronaut()
    frame = _background(src, width, height, np.random.default_rng(12))
    boxes = []
    for k, (cx, fw) in enumerate(((260, 120.0), (640, 100.0), (1020, 140.0))):
        box = _paste_face(frame, src, cx, 200, fw)
        boxes.append(box)
        x0, y0, x1, y1 = (int(v) for v in box)
        shirt = (x0 - int(0.4 * fw), y1 + int(0.5 * fw), x1 + int(0.4 * fw), min(height, y1 + int(2.6 * fw)))
        frame[shirt[1] : shirt[3], shirt[0] : shirt[2]] = ((70, 90, 160), (200, 200, 200), (40, 40, 40))[k]
        printed = np.zeros_like(frame)
        pw = fw * (0.25, 0.35, 0.45)[k]
        _paste_face(printed, src, (x0 + x1) / 2, y1 + 1.3 * fw, pw)
        mask = printed.any(axis=2)
        frame[mask] = (printed[mask] // 64) * 64 + 32  # a four-tone print
    return Scene("shirt-prints", frame, boxes)


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


def _collage(count: int = 5, tile: int = 256) -> tuple[np.ndarray, list[Box]]:
    """``count`` copies of the whole astronaut photo (face, mission patch and name tag each) side by side, ``tile``
    px each, alternate copies mirrored; and their face boxes."""
    import cv2

    photo = cv2.resize(_astronaut(), (tile, tile), interpolation=cv2.INTER_AREA)
    k = tile / 512
    frame = np.zeros((tile, tile * count, 3), np.uint8)
    boxes = []
    for i in range(count):
        x0, y0, x1, y1 = (v * k for v in ASTRONAUT_FACE_BOX)
        if i % 2:
            frame[:, i * tile : (i + 1) * tile] = photo[:, ::-1]
            x0, x1 = tile - x1, tile - x0
        else:
            frame[:, i * tile : (i + 1) * tile] = photo
        boxes.append((x0 + i * tile, y0, x1 + i * tile, y1))
    return frame, boxes


def collage_clip(count: int = 5, tile: int = 256, seconds: int = 10, seed: int = 0) -> Clip:
    """Issue 26's collage of ``count`` people (``_collage``), filmed still for ``seconds`` s."""
    return still_clip(Scene(f"collage{count}", *_collage(count, tile)), seconds, seed)


def pan_clip(count: int = 5, tile: int = 256, seconds: int = 20, view: int = 4, seed: int = 0) -> Clip:
    """Issue 26's pan: a camera ``view`` tiles wide panning at constant speed across the collage of ``count`` for
    ``seconds`` s at 1 FPS, with sensor noise. A face cut by the view's edge is known while 60 % of its box is in view."""
    strip, truths = _collage(count, tile)
    rng = np.random.default_rng(seed)
    width = view * tile
    frames, boxes = [], []
    for t in range(seconds):
        x = int(round((strip.shape[1] - width) * t / max(seconds - 1, 1)))
        frames.append(camera_noise(np.ascontiguousarray(strip[:, x : x + width]), rng))
        seen = []
        for x0, y0, x1, y1 in truths:
            cx0, cx1 = max(x0 - x, 0.0), min(x1 - x, float(width))
            if cx1 - cx0 >= 0.6 * (x1 - x0):
                seen.append((cx0, y0, cx1, y1))
        boxes.append(seen)
    return Clip(f"pan{count}", frames, boxes, count)


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

    def find(self, frame, max_faces=None, accept=None):
        out = self._detections[self._k]
        self._k += 1
        return facelib.largest(out, max_faces, accept)


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


def students_table(seconds: int = 10, suit_seeds: int = 5, detector: str = "default") -> str:
    """False / missed students per clip and rule set (markdown), and the detector's mean time per frame."""
    import time

    detector = load_detector(detector)
    clips = [still_clip(s, seconds) for s in scenelib.benchmark_scenes() + hard_negative_scenes()]
    for seed in range(suit_seeds):
        clips.append(suit_clip(seed=seed))
        clips[-1].name += f" (seed {seed})"
    clips += [leave_and_return_clip(), collage_clip(), pan_clip()]
    lines = [
        f"{len(clips)} clips at 1 FPS ({seconds} s each; suit384: 15 s, leave-return and pan5: 20 s), detector "
        f"{detector.name}; {platform.machine()}, {os.cpu_count()} cores. Cells: students / false / missed.",
        "",
        "| clip | people | ms / frame | " + " | ".join(r.name for r in RULES) + " |",
        "|---|---|---|" + "---|" * len(RULES),
    ]
    totals = np.zeros((len(RULES), 3), dtype=int)
    detector.detect(clips[0].frames[0])  # warm-up
    spent = {}
    for clip in clips:
        t0 = time.perf_counter()
        detections = [detector.detect(frame) for frame in clip.frames]
        spent[clip.name] = (time.perf_counter() - t0) / len(clip.frames)
        cells = []
        for k, rules in enumerate(RULES):
            c = count_students(clip, detections, rules)
            totals[k] += (c.students, c.false, c.missed)
            cells.append(f"{c.students} / {c.false} / {c.missed}")
        lines.append(f"| {clip.name} | {clip.people} | {1000 * spent[clip.name]:.0f} | " + " | ".join(cells) + " |")
    lines.append("| **all** | " + str(sum(c.people for c in clips)) + f" | {1000 * np.mean(list(spent.values())):.0f} | "
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


def cap_table(caps: tuple[int | None, ...] = (None, 12, 3), repeats: int = 3) -> str:
    """CPU seconds per frame of the room's detection (``find`` with its landmark check) on the classroom (22 faces) and
    crowd (60) scenes, with no cap and with the room's caps: the candidates past the cap go unchecked."""
    import time

    detector = load_detector()
    scenes = {s.name: s for s in scenelib.benchmark_scenes()}
    lines = ["| scene | faces | cap | faces kept | candidates past the cap | CPU s / frame |", "|---|---|---|---|---|---|"]
    for name in ("classroom", "crowd60"):
        frame = scenes[name].frame
        detector.find(frame)  # warm-up
        for cap in caps:
            start = time.process_time()
            found = [detector.find(frame, cap, facelib.plausible) for _ in range(repeats)][0]
            seconds = (time.process_time() - start) / repeats
            lines.append(f"| {name} | {len(scenes[name].boxes)} | {cap or 'none'} | {len(found.faces)} | {found.beyond} | {seconds:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engage.classroom.measure", description=__doc__.split("\n")[0])
    parser.add_argument("--students", action="store_true", help="false and missed students per clip and rule set")
    parser.add_argument("--detector", default="default", help="detector for --students (e.g. dlib-hog-unchecked: HOG without the CNN check)")
    parser.add_argument("--distances", action="store_true", help="descriptor distances on the test faces")
    parser.add_argument("--compare", action="store_true", help="the detector comparison table on the scenes")
    parser.add_argument("--detectors", nargs="*", help="detector names for --compare (default: all)")
    parser.add_argument("--cap", action="store_true", help="CPU time per frame of the room's detection with and without its face cap")
    parser.add_argument("--save-scenes", metavar="DIR", help="write the scenes and hard negatives as PNG with their known boxes drawn")
    args = parser.parse_args(argv)
    if args.save_scenes:
        import cv2

        os.makedirs(args.save_scenes, exist_ok=True)
        for scene in scenelib.benchmark_scenes() + hard_negative_scenes():
            img = scene.frame[..., ::-1].copy()
            for x0, y0, x1, y1 in scene.boxes:
                cv2.rectangle(img, (int(x0), int(y0)), (int(x1), int(y1)), (0, 255, 0), 1)
            cv2.imwrite(os.path.join(args.save_scenes, scene.name + ".png"), img)
    if args.compare:
        print(scenelib.compare(args.detectors))
    if args.distances:
        print(distances_table())
    if args.students:
        print(students_table(detector=args.detector))
    if args.cap:
        print(cap_table())
    if not (args.students or args.distances or args.compare or args.save_scenes or args.cap):
        parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["people", "portrait", "hard_negative_scenes", "shirt_print_scene", "still_clip", "suit_clip", "leave_and_return_clip", "pair_clip",
           "collage_clip", "pan_clip",
           "count_students", "students_table", "distances_table", "Clip", "Count", "Rules", "RULES"]
