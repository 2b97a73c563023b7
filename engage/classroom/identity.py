"""Who a face is: dlib's 128-d face descriptor, the distance that means "the same person", and a class roster.

``FaceEncoder`` runs ``dlib_face_recognition_resnet_model_v1`` (a ResNet trained on about 3 million faces; the
weights ship with ``face-recognition-models``) on a face aligned by its 68 landmarks. Two descriptors of one
person are close in Euclidean distance. dlib's own figure: below 0.6 means the same person for 99.38 % of LFW's
pairs. engage uses a stricter ``SAME_PERSON`` (0.5): it was measured on the test faces (docs/face_detection.md,
``python -m engage.classroom.identity --measure``) and a wrong merge (two students under one id) costs more than a
split, which a merge ("3=1") undoes.

A ``Roster`` is the teacher's list of students: for each name, the descriptors of one or more photos. It is kept
in the visitor's session only; ``to_json`` is the export (names and descriptors, no photos), ``from_json`` reads it
back.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import EmptyMediaError, EngageError
from ..media import validate_frame
from .session import check_name
from .tracking import SAME_PERSON, nearest

DIMENSIONS = 128
CHIP_FACE = 100.0  # the face box is scaled to this width before alignment, so small faces keep their landmarks' detail
ROSTER_FORMAT = "engage-roster"
ROSTER_MAX_NAMES = 60
ROSTER_MAX_PHOTOS = 10  # per name


class RosterError(EngageError):
    """A roster photo or file that cannot be used."""


class FaceEncoder:
    """dlib's face recognition ResNet on a face found by a detector with 68 landmarks."""

    name = "dlib-resnet-v1"

    def __init__(self) -> None:
        from .faces import _import_dlib, _models_dir

        dlib = _import_dlib()
        self._dlib = dlib
        self._model = dlib.face_recognition_model_v1(os.path.join(_models_dir(), "dlib_face_recognition_resnet_model_v1.dat"))

    def encode(self, frame: np.ndarray, face) -> np.ndarray | None:
        """The 128-d descriptor of ``face`` (with ``.box`` and ``.landmarks``) in an RGB ``frame``; None without
        landmarks. The region around the face is first scaled so the face is ``CHIP_FACE`` px wide: dlib takes
        whole-pixel landmarks, which would lose the detail of a 25 px face."""
        import cv2

        if getattr(face, "landmarks", None) is None:
            return None
        frame = validate_frame(frame)
        x0, y0, x1, y1 = face.box
        k = CHIP_FACE / max(x1 - x0, 1.0)
        h, w = frame.shape[:2]
        m = 0.6 * max(x1 - x0, y1 - y0)
        left, top = int(max(0, np.floor(x0 - m))), int(max(0, np.floor(y0 - m)))
        right, bottom = int(min(w, np.ceil(x1 + m))), int(min(h, np.ceil(y1 + m)))
        crop = frame[top:bottom, left:right]
        size = (max(1, round((right - left) * k)), max(1, round((bottom - top) * k)))
        crop = np.ascontiguousarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR))
        marks = (np.asarray(face.landmarks, dtype=np.float64) - (left, top)) * k
        dlib = self._dlib
        rect = dlib.rectangle(*(int(round(v)) for v in ((x0 - left) * k, (y0 - top) * k, (x1 - left) * k, (y1 - top) * k)))
        shape = dlib.full_object_detection(rect, dlib.points([dlib.point(int(round(x)), int(round(y))) for x, y in marks]))
        return np.asarray(self._model.compute_face_descriptor(crop, shape), dtype=np.float32)


@functools.lru_cache(maxsize=1)
def default_encoder() -> FaceEncoder:
    """The process's encoder (the model loads once, about 0.1 s); FaceModelMissingError without dlib or its models."""
    return FaceEncoder()


# ---------------------------------------------------------------- the roster


def name_from_filename(path: str) -> str:
    """"ana_lopez-2.jpg" -> "Ana Lopez": the file's stem, separators as spaces, a trailing photo number dropped,
    words capitalised where the name was all lower case."""
    stem = os.path.splitext(os.path.basename(path))[0]
    name = re.sub(r"[_\-.]+", " ", stem)
    name = re.sub(r"(\s+\(?\d{1,3}\)?)+$", "", name).strip()
    name = re.sub(r"\s+", " ", name)
    return name.title() if name == name.lower() else name


@dataclass
class Roster:
    """Names and the descriptors of their photos. Matching: a face is the nearest name's student when its distance
    to any photo of that name is at most ``SAME_PERSON``."""

    photos: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.photos)

    @property
    def names(self) -> list[str]:
        return list(self.photos)

    def add(self, name: str, descriptor: np.ndarray) -> None:
        name = check_name(name)
        if not name:
            raise RosterError(key="error.roster_needs_name")
        key = next((n for n in self.photos if n.casefold() == name.casefold()), name)
        if key not in self.photos and len(self.photos) >= ROSTER_MAX_NAMES:
            raise RosterError(key="error.roster_full", n=ROSTER_MAX_NAMES)
        if len(self.photos.get(key, [])) >= ROSTER_MAX_PHOTOS:
            raise RosterError(key="error.roster_photos_full", name=key, n=ROSTER_MAX_PHOTOS)
        desc = np.asarray(descriptor, dtype=np.float32).reshape(-1)
        if desc.shape != (DIMENSIONS,) or not np.all(np.isfinite(desc)):
            raise RosterError(key="error.roster_descriptor", n=DIMENSIONS)
        self.photos.setdefault(key, []).append(desc)

    def copy(self) -> Roster:
        """A roster of its own (the descriptors are never changed in place, so they are shared)."""
        return Roster({name: list(gallery) for name, gallery in self.photos.items()})

    def merge(self, other: Roster) -> None:
        """Every photo of ``other`` added, or none (RosterError): a roster file that would take this one past
        ``ROSTER_MAX_NAMES`` names or a name past ``ROSTER_MAX_PHOTOS`` photos is refused whole."""
        merged = self.copy()
        for name, gallery in other.photos.items():
            for desc in gallery:
                try:
                    merged.add(name, desc)
                except RosterError as exc:
                    if exc.key == "error.roster_full":
                        new = sum(all(n.casefold() != known.casefold() for known in self.photos) for n in other.photos)
                        raise RosterError(key="error.roster_merge_full", new=new, have=len(self), n=ROSTER_MAX_NAMES) from exc
                    raise
        self.photos = merged.photos

    def remove(self, name: str) -> None:
        self.photos.pop(name, None)

    def match(self, desc: np.ndarray | None, threshold: float = SAME_PERSON, exclude: set[str] | frozenset = frozenset()) -> tuple[str, float] | None:
        """(name, distance) of the nearest name within ``threshold``, skipping names in ``exclude``; None if none."""
        if desc is None:
            return None
        best = None
        for name, gallery in self.photos.items():
            if name in exclude:
                continue
            d = nearest(desc, gallery)
            if d <= threshold and (best is None or d < best[1]):
                best = (name, d)
        return best

    def table(self) -> list[list]:
        return [[name, len(g)] for name, g in self.photos.items()]

    def to_json(self) -> str:
        return json.dumps({"format": ROSTER_FORMAT, "version": 1, "model": FaceEncoder.name,
                           "students": [{"name": n, "descriptors": [[round(float(v), 6) for v in d] for d in g]} for n, g in self.photos.items()]})

    @classmethod
    def from_json(cls, text: str | bytes) -> Roster:
        """A roster export read back; RosterError for anything else (not UTF-8 JSON, nested too deep to read, not a
        roster, a name that is not text)."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError; 100,000 "[" a RecursionError
            raise RosterError(key="error.roster_not_json") from exc
        if not isinstance(data, dict) or data.get("format") != ROSTER_FORMAT:
            raise RosterError(key="error.roster_not_roster")
        roster = cls()
        try:
            for student in data["students"]:
                if not isinstance(student["name"], str):  # an object or a number is no name
                    raise TypeError(f"a name is {type(student['name']).__name__}, not text")
                for d in student["descriptors"]:
                    roster.add(student["name"], np.asarray(d, dtype=np.float32))
        except (KeyError, TypeError, ValueError, RecursionError) as exc:
            if isinstance(exc, EngageError):
                raise
            error = RosterError(key="error.roster_damaged")
            error.detail = str(exc)
            raise error from exc
        return roster

    @classmethod
    def read(cls, path: str, max_bytes: int = 16 * 2**20) -> Roster:
        """A roster export read from a file (``from_json``); one larger than ``max_bytes`` (a full roster is about
        1 MB) is refused unread."""
        try:
            if os.path.getsize(path) > max_bytes:
                raise RosterError(key="error.roster_too_big", mb=max_bytes // 2**20)
            with open(path, "rb") as fh:
                data = fh.read()
        except (OSError, TypeError, ValueError) as exc:  # gone (swept), not a path
            raise EmptyMediaError(key="error.no_file") from exc
        return cls.from_json(data)


ROSTER_PHOTO_SIDE = 640  # a roster photo is scaled to this many pixels on its longer side before the face is looked for


def add_photo(roster: Roster, detector, encoder: FaceEncoder, frame: np.ndarray, name: str) -> int:
    """Add the largest face of a photo under ``name``; the number of faces in it. RosterError when none is found.
    The photo is first scaled to ``ROSTER_PHOTO_SIDE`` (a portrait's face stays large; a 12 MP photo would take the
    detector seconds)."""
    import cv2

    frame = validate_frame(frame)
    k = ROSTER_PHOTO_SIDE / max(frame.shape[:2])
    if k < 1:
        frame = cv2.resize(frame, (round(frame.shape[1] * k), round(frame.shape[0] * k)), interpolation=cv2.INTER_AREA)
    faces = [f for f in detector.detect(frame) if f.landmarks is not None]
    if not faces:
        raise RosterError(key="error.roster_no_face", name=name) if name else RosterError(key="error.roster_no_face_unnamed")
    face = max(faces, key=lambda f: f.width * f.height)
    roster.add(name, encoder.encode(frame, face))
    return len(faces)


__all__ = ["SAME_PERSON", "FaceEncoder", "default_encoder", "Roster", "RosterError", "add_photo", "name_from_filename"]
