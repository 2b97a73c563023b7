"""Faces in a frame: detect them, crop them, and give the landmarks that head pose needs.

Every detector here runs on weights that are installed with its package: nothing is downloaded
at run time. ``load_detector("default")`` is dlib's HOG detector (built into ``dlib-bin``) with
dlib's 68-point landmark model (from ``face-recognition-models``); ``load_detector("haar")`` is
OpenCV's bundled frontal-face Haar cascade, the floor. ``docs/face_detection.md`` has the
measured comparison and the reasons for the pick; ``python -m engage.classroom.faces --compare`` prints it.

Landmarks (``Face.landmarks``, shape (68, 2), pixel x, y of the frame) follow the iBUG 300-W /
dlib 68-point scheme: 0-16 jaw line (8 = chin), 17-26 eyebrows, 27-35 nose (30 = tip,
33 = base), 36-41 the eye on the image's left (36 = its outer corner), 42-47 the eye on the
image's right (45 = its outer corner), 48-67 mouth (48 and 54 = corners). ``engage.classroom.headpose``
turns them into yaw, pitch and roll.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import EngageError
from ..media import validate_frame
from ..settings import EXAMPLES_DIR
from .tracking import iou


class FaceModelMissingError(EngageError):
    """A face detector whose package (and so whose weights) is not installed."""


@dataclass
class Face:
    """One detected face.

    ``box`` is (x0, y0, x1, y1) in pixels of the frame, clipped to it. ``score`` ranks faces
    of one detector (dlib: SVM/CNN margin; Haar: the cascade's level weight); it is not a
    probability and is not comparable across detectors. ``landmarks`` is (68, 2) pixel x, y in
    the dlib 68-point scheme (see the module docstring), or None for detectors without them.
    """

    box: tuple[float, float, float, float]
    score: float
    landmarks: np.ndarray | None = None

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


class FaceDetector(Protocol):
    name: str

    def detect(self, frame: np.ndarray) -> list[Face]:
        """Faces in an (H, W, 3) uint8 RGB frame, best score first; [] when there is none."""
        ...


def _clip_box(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> tuple[float, float, float, float]:
    return (
        float(min(max(x0, 0), width)),
        float(min(max(y0, 0), height)),
        float(min(max(x1, 0), width)),
        float(min(max(y1, 0), height)),
    )


def _models_dir() -> str:
    """Folder of the ``face-recognition-models`` weights, found without importing the package.

    (Its ``__init__`` imports ``pkg_resources``, which current setuptools no longer ships.)
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelMissingError(
            "The face landmark models are not installed: pip install face-recognition-models==0.3.0"
        )
    return os.path.join(list(spec.submodule_search_locations)[0], "models")


def _import_dlib():
    try:
        import dlib
    except ImportError as exc:
        raise FaceModelMissingError("The face detector needs dlib: pip install dlib-bin==20.0.1.post1") from exc
    return dlib


class HaarDetector:
    """OpenCV's frontal-face Haar cascade (``haarcascade_frontalface_default.xml`` in ``cv2.data``).

    No landmarks. Measured on the composed scenes (docs/face_detection.md): all faces found from
    26 px wide (the smallest found 22 px), but it misses most faces cut by the frame's edge and
    more of the mirrored, rotated or re-lit copies than dlib's HOG.
    """

    name = "haar"

    def __init__(self, scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 20):
        import cv2

        path = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
        self._cascade = cv2.CascadeClassifier(path)
        if self._cascade.empty():
            raise FaceModelMissingError(
                f"OpenCV's Haar cascade is missing ({path}); opencv-python-headless 5.x no longer ships "
                "cv2.data cascades: pip install opencv-python-headless==4.14.0.94"
            )
        self.scale_factor, self.min_neighbors, self.min_size = scale_factor, min_neighbors, min_size

    def detect(self, frame: np.ndarray) -> list[Face]:
        import cv2

        frame = validate_frame(frame)
        gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        boxes, _, weights = self._cascade.detectMultiScale3(
            gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors,
            minSize=(self.min_size, self.min_size), outputRejectLevels=True,
        )
        h, w = gray.shape
        faces = [
            Face(_clip_box(x, y, x + bw, y + bh, w, h), float(s))
            for (x, y, bw, bh), s in zip(np.asarray(boxes).reshape(-1, 4), np.asarray(weights).reshape(-1))
        ]
        return sorted(faces, key=lambda f: -f.score)


class _DlibLandmarks:
    """dlib's 68-point shape predictor, run inside each detected box."""

    def __init__(self):
        dlib = _import_dlib()
        self._dlib = dlib
        self._predictor = dlib.shape_predictor(os.path.join(_models_dir(), "shape_predictor_68_face_landmarks.dat"))

    def __call__(self, frame: np.ndarray, rect) -> np.ndarray:
        shape = self._predictor(frame, rect)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)


class DlibHogDetector:
    """dlib's HOG + linear SVM frontal face detector (built into dlib) with 68 landmarks.

    dlib's HOG window is 80×80 px: at the frame's own size it finds faces from about 56-64 px
    wide. So the frame is first enlarged ``upscale`` times (bilinear), and faces from about
    ``64 / upscale`` px are found; the cost grows with ``upscale ** 2``. Measured with the
    default ``upscale=3`` (docs/face_detection.md): on 1280×720 frames every face of 22 px or
    wider was found in the size sweep, the smallest found was 20 px, and a frame takes about
    0.5 s on one CPU core. Frontal and mildly turned faces only (up to about ±30-40° yaw).
    Landmarks are predicted on the enlarged frame and mapped back to frame pixels.
    """

    name = "dlib-hog"

    def __init__(self, upscale: float = 3.0, threshold: float = 0.0, landmarks: bool = True):
        dlib = _import_dlib()
        self._detector = dlib.get_frontal_face_detector()
        self.factor, self.threshold = max(1.0, float(upscale)), threshold
        self._landmarks = _DlibLandmarks() if landmarks else None
        if self.factor != 3.0:
            self.name = f"dlib-hog-x{self.factor:g}"

    def detect(self, frame: np.ndarray) -> list[Face]:
        import cv2

        frame = validate_frame(frame)
        h, w = frame.shape[:2]
        k = self.factor
        big = cv2.resize(frame, (round(w * k), round(h * k)), interpolation=cv2.INTER_LINEAR) if k > 1 else frame
        big = np.ascontiguousarray(big)
        rects, scores, _ = self._detector.run(big, 0, self.threshold)
        faces = []
        for rect, score in zip(rects, scores):
            marks = self._landmarks(big, rect) / k if self._landmarks else None
            box = (rect.left() / k, rect.top() / k, (rect.right() + 1) / k, (rect.bottom() + 1) / k)
            faces.append(Face(_clip_box(*box, w, h), float(score), marks))
        return sorted(faces, key=lambda f: -f.score)


class DlibCnnDetector:
    """dlib's MMOD CNN face detector (``mmod_human_face_detector.dat``) with 68 landmarks.

    Measured on 1280×720 frames (docs/face_detection.md): about 4 s per frame on this CPU build
    of dlib, and no face under about 64 px; ``upsample=1`` halves that size but took 28 s for
    one frame. Kept for comparison, not for serving.
    """

    name = "dlib-mmod"

    def __init__(self, upsample: int = 0, threshold: float = 0.0, landmarks: bool = True):
        dlib = _import_dlib()
        self._detector = dlib.cnn_face_detection_model_v1(os.path.join(_models_dir(), "mmod_human_face_detector.dat"))
        self.upsample, self.threshold = upsample, threshold
        self._landmarks = _DlibLandmarks() if landmarks else None
        if upsample:
            self.name = f"dlib-mmod-up{upsample}"

    def detect(self, frame: np.ndarray) -> list[Face]:
        frame = np.ascontiguousarray(validate_frame(frame))
        h, w = frame.shape[:2]
        faces = []
        for det in self._detector(frame, self.upsample):
            if det.confidence < self.threshold:
                continue
            rect = det.rect
            marks = self._landmarks(frame, rect) if self._landmarks else None
            faces.append(Face(_clip_box(rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1, w, h), float(det.confidence), marks))
        return sorted(faces, key=lambda f: -f.score)


# Bounds of ``plausible``: the landmarks of the comparison scenes' true faces (docs/face_detection.md) gave eye
# distance 0.37-0.62 of the box's width, roll within ±12°, nose tip 0.51-0.78 and mouth 0.89-1.37 eye distances below
# the eyes' line and the nose tip within 0.44 of the eyes' midpoint across; the bounds are wider to allow head turns
# up to about ±40° and a raised or lowered chin (estimated, not measured: a chin up 25° brings the nose tip to about 0.35).
EYES_WIDTH = (0.25, 0.8)  # eye distance / box width
MAX_ROLL = 40.0  # degrees
NOSE_BELOW = (0.3, 1.1)  # eye distances below the eyes' line
MOUTH_BELOW = (0.6, 1.7)
NOSE_ACROSS = 0.6  # eye distances from the eyes' midpoint, either way
MOUTH_AFTER_NOSE = 0.1  # the mouth at least this far below the nose tip


def plausible(face: Face) -> bool:
    """Whether the 68 landmarks look like a face: the eyes, nose tip and mouth inside the box (10 % margin), the eyes
    ``EYES_WIDTH`` of the box's width apart, roll within ``MAX_ROLL``, and along the eyes' axis the nose below the eyes
    and the mouth below the nose within the bounds above. True for a face without landmarks (nothing to check)."""
    if face.landmarks is None:
        return True
    marks = np.asarray(face.landmarks, dtype=np.float64)
    left, right = marks[36:42].mean(0), marks[42:48].mean(0)
    nose, mouth = marks[30], marks[48:68].mean(0)
    x0, y0, x1, y1 = face.box
    mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
    if not all(x0 - mx <= x <= x1 + mx and y0 - my <= y <= y1 + my for x, y in (left, right, nose, mouth)):
        return False
    axis = right - left
    d = float(np.hypot(*axis))
    if not d or not EYES_WIDTH[0] <= d / max(x1 - x0, 1e-9) <= EYES_WIDTH[1]:
        return False
    if abs(np.degrees(np.arctan2(axis[1], axis[0]))) > MAX_ROLL:
        return False
    ux, uy = axis / d
    mid = (left + right) / 2

    def along(p: np.ndarray) -> tuple[float, float]:  # (across, below) the eyes' line, in eye distances
        v = p - mid
        return (v[0] * ux + v[1] * uy) / d, (-v[0] * uy + v[1] * ux) / d

    (nose_x, nose_y), (_, mouth_y) = along(nose), along(mouth)
    return (
        NOSE_BELOW[0] <= nose_y <= NOSE_BELOW[1]
        and MOUTH_BELOW[0] <= mouth_y <= MOUTH_BELOW[1]
        and mouth_y - nose_y >= MOUTH_AFTER_NOSE
        and abs(nose_x) <= NOSE_ACROSS
    )


DETECTORS = {
    "haar": HaarDetector,
    "dlib-hog-x1": lambda: DlibHogDetector(upscale=1),
    "dlib-hog-x2": lambda: DlibHogDetector(upscale=2),
    "dlib-hog": DlibHogDetector,
    "dlib-hog-x4": lambda: DlibHogDetector(upscale=4),
    "dlib-mmod": DlibCnnDetector,
}
DEFAULT_DETECTOR = "dlib-hog"


def load_detector(name: str = "default") -> FaceDetector:
    """A face detector by name: "default" (= "dlib-hog"), "haar", or another key of ``DETECTORS``.

    Raises ``FaceModelMissingError`` when the detector's package is not installed.
    """
    key = DEFAULT_DETECTOR if name == "default" else name
    if key not in DETECTORS:
        raise ValueError(f"Unknown face detector {name!r}; choose one of: default, {', '.join(DETECTORS)}")
    return DETECTORS[key]()


def _crop_square(face: Face, scale: float) -> tuple[int, int, int]:
    """(left, top, side) in frame pixels of the square ``crop_face`` takes."""
    x0, y0, x1, y1 = face.box
    side = max(x1 - x0, y1 - y0, 1.0) * scale
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return int(round(cx - side / 2)), int(round(cy - side / 2)), max(1, int(round(side)))


def crop_face(frame: np.ndarray, face: Face, scale: float = 1.4, size: int = 224) -> np.ndarray:
    """A (size, size, 3) uint8 crop: a square ``scale`` times the box's longer side, centred on it.

    Parts of the square outside the frame are padded by replicating the border pixels.
    """
    import cv2

    frame = validate_frame(frame)
    left, top, side_px = _crop_square(face, scale)
    h, w = frame.shape[:2]
    pad = max(0, -left, -top, left + side_px - w, top + side_px - h)
    if pad:
        frame = cv2.copyMakeBorder(frame, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        left, top = left + pad, top + pad
    crop = frame[top : top + side_px, left : left + side_px]
    interp = cv2.INTER_AREA if side_px > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


def face_in_crop(face: Face, scale: float = 1.4, size: int = 224) -> Face:
    """``face`` in the pixels of its ``crop_face(frame, face, scale, size)``: box and landmarks moved and scaled."""
    left, top, side_px = _crop_square(face, scale)
    k = size / side_px
    x0, y0, x1, y1 = face.box
    marks = None if face.landmarks is None else (np.asarray(face.landmarks, dtype=np.float32) - (left, top)) * k
    return Face(((x0 - left) * k, (y0 - top) * k, (x1 - left) * k, (y1 - top) * k), face.score, marks)


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

    names = names or ["haar", "dlib-hog-x1", "dlib-hog-x2", "dlib-hog", "dlib-hog-x4", "dlib-mmod"]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engage.classroom.faces", description=__doc__.split("\n")[0])
    parser.add_argument("--compare", action="store_true", help="print the detector comparison table")
    parser.add_argument("--detectors", nargs="*", help="detector names (default: all)")
    parser.add_argument("--save-scenes", metavar="DIR", help="write the composed scenes as PNG with their boxes drawn")
    args = parser.parse_args(argv)
    if args.save_scenes:
        import cv2

        os.makedirs(args.save_scenes, exist_ok=True)
        for scene in benchmark_scenes():
            img = scene.frame[..., ::-1].copy()
            for x0, y0, x1, y1 in scene.boxes:
                cv2.rectangle(img, (int(x0), int(y0)), (int(x1), int(y1)), (0, 255, 0), 1)
            cv2.imwrite(os.path.join(args.save_scenes, scene.name + ".png"), img)
    if args.compare:
        print(compare(args.detectors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
