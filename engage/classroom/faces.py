"""Faces in a frame: detect them, crop them, and give the landmarks that head pose needs.

Every detector here runs on weights that are installed with its package: nothing is downloaded
at run time. ``load_detector("default")`` is dlib's HOG detector (built into ``dlib-bin``) with
dlib's 68-point landmark model (from ``face-recognition-models``), each of its candidates checked by
dlib's CNN face detector (``mmod_human_face_detector.dat``, also from ``face-recognition-models``) on a
small crop around it: HOG alone takes a round mission patch or a name badge for a face, the CNN does not
(``CnnCheck``). ``load_detector("haar")`` is OpenCV's bundled frontal-face Haar cascade, the floor.
``docs/face_detection.md`` has the measured comparison and the reasons for the pick;
``python -m engage.classroom.measure --compare`` prints it.

Landmarks (``Face.landmarks``, shape (68, 2), pixel x, y of the frame) follow the iBUG 300-W /
dlib 68-point scheme: 0-16 jaw line (8 = chin), 17-26 eyebrows, 27-35 nose (30 = tip,
33 = base), 36-41 the eye on the image's left (36 = its outer corner), 42-47 the eye on the
image's right (45 = its outer corner), 48-67 mouth (48 and 54 = corners). ``engage.classroom.headpose``
turns them into yaw, pitch and roll.
"""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import EngageError
from ..media import validate_frame
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


@dataclass
class Found:
    """What ``find`` kept of a frame: ``faces``, best score first, and ``beyond``: how many more candidates lay past
    ``max_faces`` (not all of them checked: possible faces, not faces)."""

    faces: list[Face]
    beyond: int = 0


class FaceDetector(Protocol):
    name: str

    def detect(self, frame: np.ndarray) -> list[Face]:
        """Faces in an (H, W, 3) uint8 RGB frame, best score first; [] when there is none."""
        ...

    def find(self, frame: np.ndarray, max_faces: int | None = None, accept: Callable[[Face], bool] | None = None) -> Found:
        """The largest (by box area) ``max_faces`` of the faces ``accept`` takes (all when None), best score first,
        and how many candidates lay beyond them."""
        ...


def _size_order(face: Face) -> tuple[float, float]:
    """Largest box first; of equal boxes (one scale of a detector's pyramid gives many), the best score."""
    return -face.width * face.height, -face.score


def largest(faces: list[Face], max_faces: int | None = None, accept: Callable[[Face], bool] | None = None) -> Found:
    """``find`` over faces already detected and checked."""
    kept = sorted((f for f in faces if accept is None or accept(f)), key=_size_order)
    cut = len(kept) if max_faces is None else max(0, int(max_faces))
    return Found(sorted(kept[:cut], key=lambda f: -f.score), len(kept) - min(cut, len(kept)))


class _EveryCandidate:
    """A detector that checks every candidate in ``detect``: ``find`` picks from its faces."""

    def detect(self, frame: np.ndarray) -> list[Face]:
        raise NotImplementedError

    def find(self, frame: np.ndarray, max_faces: int | None = None, accept: Callable[[Face], bool] | None = None) -> Found:
        return largest(self.detect(frame), max_faces, accept)


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


class HaarDetector(_EveryCandidate):
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


class CnnCheck:
    """A second opinion on a candidate face: dlib's MMOD CNN face detector run on a small crop around its box.

    The crop is the box widened by ``margin`` of its side on every side (edges replicated where it leaves the
    frame), scaled so the box's side is ``face_width`` px (the CNN finds faces from about 64-80 px); the candidate
    is a face when the CNN finds one there (IoU ≥ ``min_iou`` with the box) with a confidence above ``threshold``.
    Measured on the comparison scenes and hard negatives (``engage.classroom.scenes``, ``measure``): every true face
    HOG found passed (lowest confidence 0.36, most above 0.9); the mission patch, the name badge, the drawn badges and
    the scenes' other false detections gave no CNN face at all; about 80 ms per candidate on one CPU core (a 128 px
    crop). Drawn cartoon faces and printed faces do pass it: ``drawn`` and ``on_clothing`` take those.
    """

    def __init__(self, face_width: float = 80.0, margin: float = 0.3, threshold: float = 0.0, min_iou: float = 0.3):
        dlib = _import_dlib()
        self._cnn = dlib.cnn_face_detection_model_v1(os.path.join(_models_dir(), "mmod_human_face_detector.dat"))
        self.face_width, self.margin, self.threshold, self.min_iou = face_width, margin, threshold, min_iou

    def confidence(self, frame: np.ndarray, box: tuple[float, float, float, float]) -> float | None:
        """The CNN's best confidence for a face at ``box`` of an RGB uint8 ``frame``; None when it finds none there."""
        import cv2

        x0, y0, x1, y1 = box
        side = max(x1 - x0, y1 - y0, 1.0)
        k, m = self.face_width / side, self.margin * side
        h, w = frame.shape[:2]
        left, top = int(np.floor(x0 - m)), int(np.floor(y0 - m))
        right, bottom = int(np.ceil(x1 + m)), int(np.ceil(y1 + m))
        crop = frame[max(0, top) : min(h, bottom), max(0, left) : min(w, right)]
        if crop.size == 0:
            return None
        crop = cv2.copyMakeBorder(crop, max(0, -top), max(0, bottom - h), max(0, -left), max(0, right - w), cv2.BORDER_REPLICATE)
        size = (max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k)))
        crop = np.ascontiguousarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR))
        target = ((x0 - left) * k, (y0 - top) * k, (x1 - left) * k, (y1 - top) * k)
        found = [d.confidence for d in self._cnn(crop, 0)
                 if iou((d.rect.left(), d.rect.top(), d.rect.right() + 1, d.rect.bottom() + 1), target) >= self.min_iou]
        return float(max(found)) if found else None

    def __call__(self, frame: np.ndarray, face: Face) -> bool:
        conf = self.confidence(frame, face.box)
        return conf is not None and conf > self.threshold


class DlibHogDetector:
    """dlib's HOG + linear SVM frontal face detector (built into dlib) with 68 landmarks, each candidate checked by
    ``CnnCheck`` (``check=False``: HOG alone).

    dlib's HOG window is 80×80 px: at the frame's own size it finds faces from about 56-64 px
    wide. So the frame is first enlarged ``upscale`` times (bilinear), and faces from about
    ``64 / upscale`` px are found; the cost grows with ``upscale ** 2``. Measured with the
    default ``upscale=3`` (docs/face_detection.md): on 1280×720 frames every face of 22 px or
    wider was found in the size sweep, the smallest found was 20 px, and a frame takes about
    0.5 s on one CPU core, plus about 80 ms per candidate for the check. Frontal and mildly turned
    faces only (up to about ±30-40° yaw). Landmarks are predicted on the enlarged frame and mapped back
    to frame pixels.
    """

    name = "dlib-hog"

    def __init__(self, upscale: float = 3.0, threshold: float = 0.0, landmarks: bool = True, check: bool = True):
        dlib = _import_dlib()
        self._detector = dlib.get_frontal_face_detector()
        self.factor, self.threshold = max(1.0, float(upscale)), threshold
        self._landmarks = _DlibLandmarks() if landmarks else None
        self._check = CnnCheck() if check else None
        if self.factor != 3.0:
            self.name = f"dlib-hog-x{self.factor:g}"
        if not check:
            self.name += "-unchecked"

    def detect(self, frame: np.ndarray) -> list[Face]:
        return self.find(frame).faces

    def find(self, frame: np.ndarray, max_faces: int | None = None, accept: Callable[[Face], bool] | None = None) -> Found:
        """As ``FaceDetector.find``. The candidates are checked largest first, and the checking stops once
        ``max_faces`` passed: the CNN check costs about 80 ms a candidate, and a room that keeps its 3 largest faces
        need not check the other 19 of a class. The faces are those of ``largest(detect(frame), max_faces, accept)``
        (the clothing rule compares a face only with wider ones, checked before it); ``beyond`` counts the
        candidates left unchecked."""
        import cv2

        frame = validate_frame(frame)
        h, w = frame.shape[:2]
        k = self.factor
        big = cv2.resize(frame, (round(w * k), round(h * k)), interpolation=cv2.INTER_LINEAR) if k > 1 else frame
        big = np.ascontiguousarray(big)
        rects, scores, _ = self._detector.run(big, 0, self.threshold)
        candidates = [(rect, Face(_clip_box(rect.left() / k, rect.top() / k, (rect.right() + 1) / k, (rect.bottom() + 1) / k, w, h), float(score)))
                      for rect, score in zip(rects, scores)]
        candidates.sort(key=lambda c: _size_order(c[1]))
        checked, kept = [], []
        for n, (rect, face) in enumerate(candidates):
            if max_faces is not None and len(kept) >= max_faces:
                return Found(sorted(kept, key=lambda f: -f.score), len(candidates) - n)
            if self._check is not None:
                if drawn(frame, face.box) or not self._check(frame, face):
                    continue
                checked.append(face)
                if on_clothing(face, checked):
                    continue
            face.landmarks = self._landmarks(big, rect) / k if self._landmarks else None
            if accept is None or accept(face):
                kept.append(face)
        return Found(sorted(kept, key=lambda f: -f.score))


# Bounds of ``drawn`` and ``on_clothing`` (issue 26's hard negatives, ``python -m engage.classroom.measure --students``).
# ``drawn``: the inner 60 % of a face box, colours cut to 16 levels per channel; the three most common covered 0.22-0.41
# of the pixels on every true face of the comparison scenes (22-180 px, camera noise σ 3) and 0.72-0.84 on the drawn
# cartoon faces that HOG and the CNN both took for faces.
FLAT_COLOURS = 0.6
# ``on_clothing``: a face at most ``PRINT_WIDTH`` as wide as another whose top lies below that face's chin, at most
# ``PRINT_BELOW`` of its height further down, and whose centre is within ``PRINT_ACROSS`` of its width across: where
# that person's chest is, so a face printed on a shirt (in a classroom filmed from the front a smaller face is
# farther away, so higher in the frame, not on someone's chest).
PRINT_WIDTH, PRINT_BELOW, PRINT_ACROSS = 0.5, 3.0, 0.75


def drawn(frame: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Whether the face at ``box`` is flat colour, as drawn (a cartoon, an emoji, a logo): ``FLAT_COLOURS``."""
    x0, y0, x1, y1 = box
    mx, my = 0.2 * (x1 - x0), 0.2 * (y1 - y0)
    inner = np.asarray(frame)[int(y0 + my) : int(np.ceil(y1 - my)), int(x0 + mx) : int(np.ceil(x1 - mx))]
    if inner.size == 0 or inner.ndim != 3:
        return False
    q = inner.reshape(-1, inner.shape[2])[:, :3].astype(np.int64) // 16
    _, counts = np.unique(q[:, 0] * 256 + q[:, 1] * 16 + q[:, 2], return_counts=True)
    return float(np.sort(counts)[::-1][:3].sum()) / len(q) >= FLAT_COLOURS


def on_clothing(face: Face, others: list[Face]) -> bool:
    """Whether ``face`` sits on the chest of a larger face among ``others`` (a printed face): ``PRINT_*`` above."""
    x0, y0, x1, y1 = face.box
    for other in others:
        ox0, oy0, ox1, oy1 = other.box
        ow, oh = ox1 - ox0, oy1 - oy0
        if (other is not face and x1 - x0 <= PRINT_WIDTH * ow and oy1 <= y0 <= oy1 + PRINT_BELOW * oh
                and abs((x0 + x1) / 2 - (ox0 + ox1) / 2) <= PRINT_ACROSS * ow):
            return True
    return False


class DlibCnnDetector(_EveryCandidate):
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
    "dlib-hog-unchecked": lambda: DlibHogDetector(check=False),
    "dlib-hog-x2-unchecked": lambda: DlibHogDetector(upscale=2, check=False),
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
