"""Scenes with known face boxes, composed from ``examples/astronaut.png``, and the detector comparison.

Used by the measurements (``engage.classroom.measure``: ``python -m engage.classroom.measure --compare`` prints
the detector comparison of docs/face_detection.md) and by the tests; nothing in the app imports it.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from ..settings import EXAMPLES_DIR
from .faces import Face, FaceDetector, _clip_box, load_detector
from .tracking import iou

# ---------------------------------------------------------------- scenes with known face boxes
#
# Test and comparison images composed from examples/astronaut.png (public domain): copies of its
# face, scaled, flipped, slightly rotated and re-lit, pasted at known positions.

ASTRONAUT = os.path.join(EXAMPLES_DIR, "astronaut.png")
# The face in astronaut.png (512×512), measured once: x from the leftmost to the rightmost jaw
# point of dlib's 68 landmarks (179, 272, widened by 2 px on the left), the chin point (y 178) at
# the bottom, and the top at y 70 (the eyebrow line, y 87, plus the forehead up to the hairline,
# checked by eye). On the original image Haar's box has IoU 0.81 with it, dlib HOG's 0.73,
# dlib MMOD's 0.74, so IoU ≥ 0.4 counts a detection as a match whatever the box convention.
ASTRONAUT_FACE_BOX = (177.0, 70.0, 272.0, 178.0)


@dataclass
class Scene:
    name: str
    frame: np.ndarray
    boxes: list[tuple[float, float, float, float]]  # known face boxes, clipped to the frame


def _astronaut() -> np.ndarray:
    from PIL import Image

    with Image.open(ASTRONAUT) as img:
        return np.array(img.convert("RGB"))


def _background(src: np.ndarray, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """The photo's lower half (suit, patch, flag, helmet) enlarged, slightly blurred, a little noise."""
    import cv2

    bg = cv2.resize(src[300:512, 0:512], (width, height), interpolation=cv2.INTER_LINEAR)
    bg = cv2.GaussianBlur(bg, (0, 0), 2)
    noise = rng.normal(0, 4, bg.shape)
    return np.clip(bg.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def _clutter(src: np.ndarray, width: int, height: int) -> np.ndarray:
    """No face: four sharp, enlarged crops of the photo's other parts (suit and patch, helmet, flag, shuttle)."""
    import cv2

    tw, th = width // 2, height // 2
    crops = (src[300:512, 0:380], src[280:512, 270:512], src[0:260, 0:130], src[0:300, 340:480])
    tiles = [cv2.resize(c, (tw, th), interpolation=cv2.INTER_CUBIC) for c in crops]
    frame = np.zeros((height, width, 3), np.uint8)
    frame[:th, :tw], frame[:th, tw : 2 * tw], frame[th : 2 * th, :tw], frame[th : 2 * th, tw : 2 * tw] = tiles
    return frame


def _paste_face(canvas: np.ndarray, src: np.ndarray, cx: float, cy: float, face_width: float,
                flip: bool = False, angle: float = 0.0, gain: float = 1.0,
                face_box: tuple[float, float, float, float] = ASTRONAUT_FACE_BOX) -> tuple[float, float, float, float]:
    """Paste a copy of the head around ``face_box`` of ``src`` (the astronaut's by default) with its face box
    centred at (cx, cy); return that box.

    The head (a square twice the face box's width, centred on it) is optionally mirrored, rotated
    by ``angle`` degrees (counter-clockwise) and brightened by ``gain``, resized so the face is
    ``face_width`` pixels wide, and blended in with a feathered round mask. Parts that fall
    outside the canvas are cut; the returned box is clipped to the canvas.
    """
    import cv2

    fx0, fy0, fx1, fy1 = face_box
    fw, fh = fx1 - fx0, fy1 - fy0
    fcx, fcy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
    head = src[int(round(fcy - fw)) : int(round(fcy + fw)), int(round(fcx - fw)) : int(round(fcx + fw))]
    if flip:
        head = head[:, ::-1]
    head = np.ascontiguousarray(head)
    if angle:
        c = (head.shape[1] - 1) / 2
        head = cv2.warpAffine(head, cv2.getRotationMatrix2D((c, c), angle, 1.0), head.shape[1::-1],
                              flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    out = max(3, int(round(2 * face_width)))
    interp = cv2.INTER_AREA if out < head.shape[0] else cv2.INTER_CUBIC
    patch = cv2.resize(head, (out, out), interpolation=interp).astype(np.float32) * gain
    yy, xx = np.mgrid[0:out, 0:out]
    r = np.hypot(xx - (out - 1) / 2, yy - (out - 1) / 2) / (out / 2)
    alpha = np.clip((1.0 - r) / 0.2, 0, 1)[..., None]
    H, W = canvas.shape[:2]
    x0, y0 = int(round(cx - out / 2)), int(round(cy - out / 2))
    dx0, dy0, dx1, dy1 = max(0, x0), max(0, y0), min(W, x0 + out), min(H, y0 + out)
    if dx1 > dx0 and dy1 > dy0:
        p = patch[dy0 - y0 : dy1 - y0, dx0 - x0 : dx1 - x0]
        a = alpha[dy0 - y0 : dy1 - y0, dx0 - x0 : dx1 - x0]
        region = canvas[dy0:dy1, dx0:dx1].astype(np.float32)
        canvas[dy0:dy1, dx0:dx1] = np.clip(a * p + (1 - a) * region, 0, 255).astype(np.uint8)
    bcx, bcy = x0 + out / 2, y0 + out / 2
    bw, bh = face_width, face_width * fh / fw
    return _clip_box(bcx - bw / 2, bcy - bh / 2, bcx + bw / 2, bcy + bh / 2, W, H)


def _place(rng: np.random.Generator, placed: list[tuple[float, float, float]], width: int, height: int,
           face_width: float, margin: float = 0.0, tries: int = 500) -> tuple[float, float] | None:
    """A centre for a head of ``face_width`` that overlaps no placed head (rejection sampling)."""
    r = face_width  # the pasted head is a square of side 2 × face width
    for _ in range(tries):
        cx = rng.uniform(r + margin, width - r - margin)
        cy = rng.uniform(r + margin, height - r - margin)
        if all(np.hypot(cx - x, cy - y) > 0.9 * (r + pr) for x, y, pr in placed):
            placed.append((cx, cy, r))
            return cx, cy
    return None


def _jitter(rng: np.random.Generator) -> dict:
    return {"flip": bool(rng.integers(2)), "angle": float(rng.uniform(-8, 8)), "gain": float(rng.uniform(0.75, 1.2))}


def _scattered(name: str, frame: np.ndarray, src: np.ndarray, widths, rng: np.random.Generator) -> Scene:
    """Faces of the given widths pasted at random places of ``frame`` that do not overlap."""
    height, width = frame.shape[:2]
    boxes, placed = [], []
    for fw in widths:
        centre = _place(rng, placed, width, height, fw)
        if centre:
            boxes.append(_paste_face(frame, src, *centre, fw, **_jitter(rng)))
    return Scene(name, frame, boxes)


def benchmark_scenes(width: int = 1280, height: int = 720, seed: int = 0) -> list[Scene]:
    """Five 1280×720 scenes with known face boxes (92 faces in all) and one with no face.

    classroom: three rows, faces 22-34 px (back), 38-52 px (middle), 70-110 px (front);
    mixed: 8 faces of 40-200 px at random places; border: 6 faces cut by the frame's edges
    (at least 60 % of each box inside), one with a grey rectangle over the lower half of its box,
    one of 18 px; tiny: 12 faces of 16-32 px; crowd: 60 faces of 56 px on a 10×6 grid;
    empty: sharp crops of the photo's other parts (suit, helmet, flag, shuttle), no face. Faces are randomly mirrored, rotated by up to ±8° and re-lit.
    """
    src = _astronaut()
    rng = np.random.default_rng(seed)
    scenes = []

    frame = _background(src, width, height, rng)
    boxes = []
    for row_y, count, (lo, hi) in ((150, 9, (22, 34)), (330, 8, (38, 52)), (560, 5, (70, 110))):
        xs = np.linspace(0, width, count + 2)[1:-1]
        for x in xs:
            fw = rng.uniform(lo, hi)
            boxes.append(_paste_face(frame, src, x + rng.uniform(-15, 15), row_y + rng.uniform(-20, 20), fw, **_jitter(rng)))
    scenes.append(Scene("classroom", frame, boxes))

    frame = _background(src, width, height, rng)
    scenes.append(_scattered("mixed", frame, src, rng.uniform(40, 200, 8), rng))

    frame = _background(src, width, height, rng)
    fw = 100.0
    fh = fw * (ASTRONAUT_FACE_BOX[3] - ASTRONAUT_FACE_BOX[1]) / (ASTRONAUT_FACE_BOX[2] - ASTRONAUT_FACE_BOX[0])
    edge = [  # centres that put 20-40 % of the box outside the frame
        (0.2 * fw, 200), (width - 0.25 * fw, 420), (400, 0.3 * fh), (900, height - 0.2 * fh),
        (0.3 * fw, height - 0.3 * fh), (width - 0.1 * fw, 0.35 * fh),
    ]
    boxes = [_paste_face(frame, src, cx, cy, fw, **_jitter(rng)) for cx, cy in edge]
    covered = _paste_face(frame, src, 640, 400, 120.0)
    x0, y0, x1, y1 = (int(round(v)) for v in covered)
    frame[(y0 + y1) // 2 : y1, x0:x1] = 128  # a grey rectangle over the lower half of the face
    boxes.append(covered)
    boxes.append(_paste_face(frame, src, 1000, 250, 18.0))
    scenes.append(Scene("border", frame, boxes))

    frame = _background(src, width, height, rng)
    scenes.append(_scattered("tiny", frame, src, np.linspace(16, 32, 12), rng))

    scenes.append(crowd_scene(60, width, height, seed))
    scenes.append(Scene("empty", _clutter(src, width, height), []))
    return scenes


def crowd_scene(count: int = 60, width: int = 1280, height: int = 720, seed: int = 0) -> Scene:
    """``count`` faces of 56 px on a grid (10 columns for 60), for the "many faces" check."""
    src = _astronaut()
    rng = np.random.default_rng(seed + 1)
    frame = _background(src, width, height, rng)
    cols = int(np.ceil(np.sqrt(count * width / height)))
    rows = int(np.ceil(count / cols))
    fw = min(56.0, 0.4 * width / cols, 0.4 * height / rows)
    boxes = []
    for i in range(count):
        r, c = divmod(i, cols)
        cx, cy = (c + 0.5) * width / cols, (r + 0.5) * height / rows
        boxes.append(_paste_face(frame, src, cx, cy, fw, flip=bool(i % 2), gain=float(rng.uniform(0.8, 1.15))))
    return Scene(f"crowd{count}", frame, boxes)


def size_scene(face_width: float, width: int = 1280, height: int = 720, seed: int = 0) -> Scene:
    """Four faces of one width (plain, mirrored, rotated ±5°), for the smallest-face sweep."""
    src = _astronaut()
    rng = np.random.default_rng(seed + 2)
    frame = _background(src, width, height, rng)
    variants = ({}, {"flip": True}, {"angle": 5.0}, {"angle": -5.0, "gain": 0.85})
    boxes = [
        _paste_face(frame, src, width * (i + 1) / 5, height / 2, face_width, **kw) for i, kw in enumerate(variants)
    ]
    return Scene(f"size{face_width:g}", frame, boxes)


# ---------------------------------------------------------------- scoring


def match(faces: list[Face], truths: list[tuple[float, float, float, float]], threshold: float = 0.4) -> tuple[int, int, int]:
    """(true positives, false positives, misses): each known box matches at most one face, best score first."""
    free = list(range(len(truths)))
    tp = 0
    for face in sorted(faces, key=lambda f: -f.score):
        best, best_iou = None, threshold
        for j in free:
            v = iou(face.box, truths[j])
            if v >= best_iou:
                best, best_iou = j, v
        if best is not None:
            free.remove(best)
            tp += 1
    return tp, len(faces) - tp, len(free)


@dataclass
class Evaluation:
    name: str
    recall: float
    precision: float
    ms_per_frame: float
    smallest_found: float | None  # smallest face width (px) with at least one of four found
    reliable_from: float | None  # smallest width from which all four are found at every larger width
    landmarks: bool
    per_scene: dict[str, tuple[int, int, int]]


SWEEP_WIDTHS = (12, 14, 16, 18, 20, 22, 24, 26, 28, 32, 36, 40, 44, 48, 56, 64, 80, 100, 130, 160, 200)


def evaluate(detector: FaceDetector, scenes: list[Scene] | None = None, threshold: float = 0.4,
             sweep: bool = True, repeats: int = 1) -> Evaluation:
    """Recall, precision (IoU ≥ ``threshold``), mean ms per frame, and the smallest-face sweep."""
    scenes = benchmark_scenes() if scenes is None else scenes
    per_scene, times, has_marks = {}, [], False
    detector.detect(scenes[0].frame)  # warm-up
    for scene in scenes:
        for _ in range(repeats):
            t0 = time.perf_counter()
            faces = detector.detect(scene.frame)
            times.append(time.perf_counter() - t0)
        has_marks = has_marks or any(f.landmarks is not None for f in faces)
        per_scene[scene.name] = match(faces, scene.boxes, threshold)
    tp, fp, fn = (sum(v[i] for v in per_scene.values()) for i in range(3))
    smallest = reliable = None
    if sweep:
        found = {}
        for w in SWEEP_WIDTHS:
            scene = size_scene(w)
            found[w] = match(detector.detect(scene.frame), scene.boxes, threshold)[0]
        hits = [w for w in SWEEP_WIDTHS if found[w] > 0]
        smallest = float(hits[0]) if hits else None
        for w in reversed(SWEEP_WIDTHS):
            if found[w] < 4:
                break
            reliable = float(w)
    return Evaluation(
        name=detector.name,
        recall=tp / max(tp + fn, 1),
        precision=tp / max(tp + fp, 1),
        ms_per_frame=1000 * float(np.mean(times)),
        smallest_found=smallest,
        reliable_from=reliable,
        landmarks=has_marks,
        per_scene=per_scene,
    )


def compare(names: list[str] | None = None, repeats: int = 2) -> str:
    """The comparison table of docs/face_detection.md, as markdown."""
    import platform

    names = names or ["haar", "dlib-hog-x1", "dlib-hog-x2", "dlib-hog-unchecked", "dlib-hog", "dlib-hog-x4", "dlib-mmod"]
    scenes = benchmark_scenes()
    total = sum(len(s.boxes) for s in scenes)
    lines = [
        f"{len(scenes)} scenes of 1280×720, {total} known faces, IoU ≥ 0.4; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "",
        "| detector | recall | precision | ms / frame | smallest found (px) | all found from (px) | landmarks | "
        + " | ".join(s.name + " tp/fp/fn" for s in scenes) + " |",
        "|---" * (7 + len(scenes)) + "|",
    ]
    for name in names:
        ev = evaluate(load_detector(name), scenes, repeats=repeats)
        cells = " | ".join("/".join(map(str, ev.per_scene[s.name])) for s in scenes)
        lines.append(
            f"| {ev.name} | {ev.recall:.3f} | {ev.precision:.3f} | {ev.ms_per_frame:.0f} | "
            f"{ev.smallest_found or '-'} | {ev.reliable_from or '-'} | {'68 points' if ev.landmarks else 'no'} | {cells} |"
        )
    return "\n".join(lines)


__all__ = ["ASTRONAUT", "ASTRONAUT_FACE_BOX", "Scene", "benchmark_scenes", "crowd_scene", "size_scene", "match", "evaluate", "compare", "Evaluation"]
