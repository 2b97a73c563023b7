"""On-disk features: what ``extract`` writes and ``train`` / ``evaluate`` read.

Layout of a features directory::

    DIR/meta.json                                backbone, hidden size, feature protocol
    DIR/<split>/shard-<i>-of-<n>/chunk-00000.npz  features (k, H) float32, clip_ids (k,), labels (k, 4) int
    DIR/<split>/shard-<i>-of-<n>/failures.tsv     clip_id <TAB> path <TAB> reason, one line per unreadable clip

``<split>`` is ``Train``, ``Validation``, ``Test`` or ``Augment`` (static images). A label of -1 means
"unknown for this state" (an augmentation image is labelled for one state only).
"""
from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass

import numpy as np

from ..affect.results import STATES
from ..errors import EngageError

SPLITS = ("Train", "Validation", "Test", "Augment")
UNKNOWN = -1


@dataclass
class FeatureSet:
    features: np.ndarray  # (N, H) float32
    clip_ids: np.ndarray  # (N,) str
    labels: np.ndarray  # (N, 4) int64, STATES order, -1 = unknown

    def __len__(self) -> int:
        return int(self.features.shape[0])

    def for_state(self, state: str) -> tuple[np.ndarray, np.ndarray]:
        """Features and labels of the rows labelled for ``state``."""
        col = self.labels[:, STATES.index(state)]
        keep = col >= 0
        return self.features[keep], col[keep]

    @classmethod
    def concat(cls, sets: list[FeatureSet]) -> FeatureSet:
        sets = [s for s in sets if len(s)]
        if not sets:
            return cls(np.zeros((0, 0), np.float32), np.zeros(0, dtype=str), np.zeros((0, len(STATES)), np.int64))
        return cls(
            np.concatenate([s.features for s in sets]),
            np.concatenate([s.clip_ids for s in sets]),
            np.concatenate([s.labels for s in sets]),
        )


def shard_dir(root: str, split: str, shard: int, num_shards: int) -> str:
    return os.path.join(root, split, f"shard-{shard}-of-{num_shards}")


def write_meta(root: str, meta: dict) -> None:
    os.makedirs(root, exist_ok=True)
    path = os.path.join(root, "meta.json")
    if os.path.isfile(path):
        with open(path) as fh:
            old = json.load(fh)
        if any(old.get(k) != meta.get(k) for k in ("backbone", "hidden_size", "protocol")):
            raise EngageError(
                f"{root} holds features of another backbone or protocol ({old.get('backbone')}); use a new --out directory"
            )
        return
    with open(path, "w") as fh:
        json.dump(meta, fh, indent=2)


def read_meta(root: str) -> dict:
    with open(os.path.join(root, "meta.json")) as fh:
        return json.load(fh)


def write_chunk(folder: str, features: np.ndarray, clip_ids: list[str], labels: np.ndarray) -> str:
    """Write one chunk atomically (a crash never leaves a half-written chunk behind)."""
    os.makedirs(folder, exist_ok=True)
    index = len(glob.glob(os.path.join(folder, "chunk-*.npz")))
    path = os.path.join(folder, f"chunk-{index:05d}.npz")
    tmp = os.path.join(folder, f".tmp-chunk-{index:05d}.npz")  # not matched by chunk-*.npz if a crash leaves it
    np.savez(tmp, features=np.asarray(features, np.float32), clip_ids=np.asarray(clip_ids, dtype=str), labels=np.asarray(labels, np.int64))
    os.replace(tmp, path)
    return path


def done_ids(folder: str) -> set[str]:
    """Clip ids already written (or recorded as failed) in a shard folder: what a resumed run skips."""
    ids: set[str] = set()
    for path in sorted(glob.glob(os.path.join(folder, "chunk-*.npz"))):
        with np.load(path) as data:
            ids.update(str(c) for c in data["clip_ids"])
    failures = os.path.join(folder, "failures.tsv")
    if os.path.isfile(failures):
        with open(failures) as fh:
            ids.update(line.split("\t", 1)[0] for line in fh if line.strip())
    return ids


def record_failure(folder: str, clip_id: str, path: str, reason: str) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "failures.tsv"), "a") as fh:
        fh.write(f"{clip_id}\t{path}\t{' '.join(reason.split())}\n")


def load_split(root: str, split: str) -> FeatureSet:
    """All chunks of all shards of one split, each clip once, sorted by clip id."""
    sets = []
    for path in sorted(glob.glob(os.path.join(root, split, "shard-*", "chunk-*.npz"))):
        with np.load(path) as data:
            sets.append(FeatureSet(data["features"], data["clip_ids"], data["labels"]))
    merged = FeatureSet.concat(sets)
    if not len(merged):
        return merged
    _, first = np.unique(merged.clip_ids, return_index=True)
    order = np.sort(first)
    merged = FeatureSet(merged.features[order], merged.clip_ids[order], merged.labels[order])
    sort = np.argsort(merged.clip_ids, kind="stable")
    return FeatureSet(merged.features[sort], merged.clip_ids[sort], merged.labels[sort])


def load_failures(root: str, split: str) -> list[tuple[str, str, str]]:
    rows = []
    for path in sorted(glob.glob(os.path.join(root, split, "shard-*", "failures.tsv"))):
        with open(path) as fh:
            rows += [tuple(line.rstrip("\n").split("\t", 2)) for line in fh if line.strip()]
    return rows
