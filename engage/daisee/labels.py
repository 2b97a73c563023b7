"""The DAiSEE dataset on disk: labels, clip files and shards of them.

Layout (as unpacked from the DAiSEE archive)::

    ROOT/DataSet/<Split>/<subject>/<clip>/<clip>.avi     (sometimes .mp4)
    ROOT/Labels/<Split>Labels.csv                        ClipID,Boredom,Engagement,Confusion,Frustration

``<Split>`` is ``Train``, ``Validation`` or ``Test``; a ClipID looks like ``5000441001.avi`` and the clip
id used everywhere in engage is its stem (``5000441001``).
"""
from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from typing import NamedTuple, TypeVar

from ..affect.results import LEVELS, STATES
from ..errors import EngageError

DAISEE_SPLITS = ("Train", "Validation", "Test")
CLIP_EXTENSIONS = (".avi", ".mp4")

T = TypeVar("T")


class DatasetError(EngageError):
    """The dataset folder or its label files are missing or malformed."""


class DaiseeClip(NamedTuple):
    clip_id: str  # ClipID without extension
    path: str | None  # None when the labelled clip's video file is missing
    labels: tuple[int, int, int, int]  # levels 0-3 in STATES order


def canonical_split(split: str) -> str:
    """``train`` → ``Train``; anything that is not a DAiSEE split is refused."""
    for name in DAISEE_SPLITS:
        if split.strip().lower() == name.lower():
            return name
    raise DatasetError(f"Unknown DAiSEE split {split!r}; choose one of {', '.join(DAISEE_SPLITS)}.")


def labels_path(root: str, split: str) -> str:
    return os.path.join(root, "Labels", f"{canonical_split(split)}Labels.csv")


def split_dir(root: str, split: str) -> str:
    return os.path.join(root, "DataSet", canonical_split(split))


def read_labels(csv_path: str) -> dict[str, tuple[int, int, int, int]]:
    """ClipID stem → levels in ``STATES`` order, every level checked to be 0-3."""
    if not os.path.isfile(csv_path):
        raise DatasetError(f"Labels file not found: {csv_path}")
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in ("ClipID", *STATES) if c not in header]
        if missing:
            raise DatasetError(f"{csv_path}: header lacks column(s) {', '.join(missing)} (found {', '.join(header) or 'nothing'}).")
        cols = [header.index(c) for c in ("ClipID", *STATES)]
        out: dict[str, tuple[int, int, int, int]] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            clip_id, levels = _parse_row(row, cols, f"{csv_path}, line {line}")
            if out.get(clip_id, levels) != levels:
                raise DatasetError(f"{csv_path}, line {line}: clip {clip_id} is labelled twice with different levels.")
            out[clip_id] = levels
    return out


def _parse_row(row: list[str], cols: list[int], where: str) -> tuple[str, tuple[int, int, int, int]]:
    if len(row) <= max(cols):
        raise DatasetError(f"{where}: expected {max(cols) + 1} columns, found {len(row)}.")
    clip_id = os.path.splitext(row[cols[0]].strip())[0]
    if not clip_id:
        raise DatasetError(f"{where}: empty ClipID.")
    levels = []
    for state, col in zip(STATES, cols[1:]):
        value = row[col].strip()
        try:
            level = int(value)
        except ValueError:
            level = -1
        if level not in LEVELS:
            raise DatasetError(f"{where}: {state} level {value!r} of clip {clip_id} is not one of 0, 1, 2, 3.")
        levels.append(level)
    return clip_id, tuple(levels)  # type: ignore[return-value]


def _index_videos(folder: str) -> dict[str, str]:
    """Clip id → video path for every .avi/.mp4 under ``folder`` (the first, sorted, on a clash)."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            stem, ext = os.path.splitext(name)
            if ext.lower() in CLIP_EXTENSIONS:
                found.setdefault(stem, os.path.join(dirpath, name))
    return found


def find_clips(root: str, split: str) -> list[DaiseeClip]:
    """Every labelled clip of ``split``, sorted by clip id; ``path`` is None where the file is missing."""
    labels = read_labels(labels_path(root, split))
    folder = split_dir(root, split)
    if not os.path.isdir(folder):
        raise DatasetError(f"Split folder not found: {folder}")
    videos = _index_videos(folder)
    return [DaiseeClip(cid, videos.get(cid), labels[cid]) for cid in sorted(labels)]


def parse_shard(text: str) -> tuple[int, int]:
    """``"1/4"`` → (1, 4): shard 1 of 4, 0-based."""
    parts = text.strip().split("/")
    try:
        i, n = (int(p) for p in parts)
    except ValueError:
        raise EngageError(f"--shard must look like i/n (e.g. 0/4), not {text!r}.") from None
    if n < 1 or not 0 <= i < n:
        raise EngageError(f"--shard {text}: need n >= 1 and 0 <= i < n.")
    return i, n


def shard(items: Sequence[T], i: int, n: int) -> list[T]:
    """Shard ``i`` of ``n``: every n-th item from the i-th, so shards are balanced and never overlap."""
    if n < 1 or not 0 <= i < n:
        raise EngageError(f"Shard {i}/{n}: need n >= 1 and 0 <= i < n.")
    return list(items[i::n])
