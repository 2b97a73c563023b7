"""Training-set extraction: DAiSEE clips (and augmentation images) → features on disk.

Every clip goes through the two halves of the function the app uses, ``engage.model.features.clip_features``
(``prepare_batch``, then ``batch_features``, the next batch prepared while the model runs one), with the
same ``Backbone`` and the same decoding (``engage.media``), so heads trained on these features see at
serving time exactly what they were trained on.

* A DAiSEE clip (about 10 s) is decoded with ``VideoSource`` and ``WHOLE_CLIP`` windowing: one window as
  long as the whole file, so the clip is ONE clip whose frames are those the report's processor call keeps
  (``media.report_frame_indices``: floor(seconds / 2) × 2 frames at fps=1, evenly spread), as the reference fed
  the whole clip to the model as one video (``tests/test_fidelity.py`` checks the feature against that call).
  (The app's 10 s windows give the same single window for a clip under 15 s; the explicit windowing keeps a
  longer clip, or a changed ``ENGAGE_WINDOW_SECONDS``, from being split.)
* An augmentation image goes through ``load_image`` → ``image_array_to_clip`` → ``clip_features``, the
  app's image path, fed as the backbone's feature protocol says (``--protocol``): under ``report`` as an image
  with "Analyze this image.", as the report's notebook fed them; under ``engage`` as a one-frame video with the
  video prompt. The features directory's meta.json records the protocol, and heads trained on it record it too.

Output is written with ``engage.daisee.featurestore`` (see there for the layout), a chunk every ``chunk_size``
clips. Runs are resumable: a rerun skips clips already written or recorded as failed, and since chunks and
batches are formed from the remaining clips in the same order, it ends with the same features as an
uninterrupted run. Clips that are missing or cannot be decoded are recorded in ``failures.tsv``, never
dropped silently.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .. import settings
from ..affect.results import LEVELS, STATES
from ..errors import EmptyMediaError, EngageError, MediaError
from ..media import Clip, VideoSource, image_array_to_clip, load_image, map_ahead
from ..model.backbone import Backbone
from ..model.features import batch_features, prepare_batch
from ..model.protocol import DEFAULT_PROTOCOL, PROTOCOLS, protocol_named
from ..settings import Limits, Windowing
from . import featurestore
from .labels import canonical_split, find_clips, parse_shard
from .labels import shard as take_shard

# One window longer than any clip: the whole DAiSEE clip is one clip (see the module docstring).
WHOLE_CLIP = Windowing(window_seconds=1e9)
AUGMENT_SPLIT = "Augment"
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


@dataclass(frozen=True)
class Item:
    """One clip to extract: its id, its file (None when missing) and its labels in STATES order."""

    clip_id: str
    path: str | None
    labels: tuple[int, ...]


@dataclass
class Summary:
    split: str
    shard: str  # "i/n"
    total: int  # clips in this shard
    done: int  # written by this run
    skipped: int  # already written or recorded as failed by an earlier run
    failed: int  # recorded as failed by this run
    folder: str
    failures_path: str

    def to_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        text = f"{self.split} shard {self.shard}: {self.done} written, {self.skipped} skipped (already there), {self.failed} failed"
        if os.path.isfile(self.failures_path):
            with open(self.failures_path) as fh:
                recorded = sum(1 for line in fh if line.strip())
            text += f" ({recorded} in all listed in {self.failures_path})"
        return f"{text}; features in {self.folder}"


# ---------------------------------------------------------------- items


def daisee_items(root: str, split: str) -> list[Item]:
    return [Item(c.clip_id, c.path, c.labels) for c in find_clips(root, split)]


def image_items(images_dir: str, state: str, level: int = 2) -> list[Item]:
    """Every image under ``images_dir`` (recursive), labelled ``level`` for ``state`` and unknown otherwise."""
    if state not in STATES:
        raise EngageError(f"Unknown state {state!r}; choose one of {', '.join(STATES)}.")
    if level not in LEVELS:
        raise EngageError(f"Level {level} is not one of 0, 1, 2, 3.")
    if not os.path.isdir(images_dir):
        raise EngageError(f"Image folder not found: {images_dir}")
    labels = tuple(level if s == state else featurestore.UNKNOWN for s in STATES)
    items = []
    for dirpath, dirnames, filenames in os.walk(images_dir):
        dirnames.sort()
        for name in filenames:
            if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, images_dir).replace(os.sep, "/")
                items.append(Item(f"{state}/{rel}", path, labels))
    if not items:
        raise EngageError(f"No images ({', '.join(IMAGE_EXTENSIONS)}) found under {images_dir}.")
    return sorted(items, key=lambda it: it.clip_id)


# ---------------------------------------------------------------- decoding (the app's paths)


def decode_video(path: str, limits: Limits | None = None) -> Clip:
    clips = VideoSource(path, limits, WHOLE_CLIP).clips()
    if len(clips) != 1:
        raise EmptyMediaError("The video gave no frames.")
    return clips[0]


def decode_image(path: str, limits: Limits | None = None) -> Clip:
    return image_array_to_clip(load_image(path, limits))


# ---------------------------------------------------------------- the loop


def _meta(backbone: Backbone) -> dict:
    return {"backbone": backbone.source, "hidden_size": backbone.hidden_size, "protocol": backbone.protocol.to_dict()}


def _remove_partial_chunks(folder: str) -> None:
    # write_chunk writes ".tmp-chunk-N.npz" then renames it; a crash in between leaves one behind.
    for path in glob.glob(os.path.join(folder, ".tmp-chunk-*.npz")):
        os.remove(path)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def extract_items(
    items: Sequence[Item],
    out: str,
    split: str,
    backbone: Backbone,
    decode: Callable[[str, Limits | None], Clip],
    shard: tuple[int, int] = (0, 1),
    batch_size: int = 4,
    chunk_size: int = 64,
    limits: Limits | None = None,
    progress: bool = True,
    workers: int | None = None,
) -> Summary:
    """Extract shard ``shard`` of ``items`` into ``out/<split>/shard-i-of-n``, resuming where a run stopped;
    ``workers`` threads decode ahead (default ``settings.decode_workers()``)."""
    if batch_size < 1 or chunk_size < 1:
        raise EngageError("--batch-size and --chunk-size must be at least 1.")
    workers = workers or settings.decode_workers()
    featurestore.write_meta(out, _meta(backbone))
    i, n = shard
    mine = take_shard(list(items), i, n)
    folder = featurestore.shard_dir(out, split, i, n)
    os.makedirs(folder, exist_ok=True)
    _remove_partial_chunks(folder)
    already = featurestore.done_ids(folder)
    todo = [it for it in mine if it.clip_id not in already]
    summary = Summary(
        split=split,
        shard=f"{i}/{n}",
        total=len(mine),
        done=0,
        skipped=len(mine) - len(todo),
        failed=0,
        folder=folder,
        failures_path=os.path.join(folder, "failures.tsv"),
    )
    if progress and backbone.is_test_weights:
        print(f"note: {backbone.source} is a random test backbone; these features are for tests only", file=sys.stderr)

    t0 = time.perf_counter()
    chunk: list[tuple[Item, np.ndarray]] = []  # computed, waiting to be written

    def fail(item: Item, reason: str) -> None:
        featurestore.record_failure(folder, item.clip_id, item.path or "", reason)
        summary.failed += 1

    def write() -> None:
        featurestore.write_chunk(
            folder,
            np.stack([f for _, f in chunk]),
            [item.clip_id for item, _ in chunk],
            np.array([item.labels for item, _ in chunk], dtype=np.int64),
        )
        summary.done += len(chunk)
        chunk.clear()
        if progress:
            _report(summary, time.perf_counter() - t0)

    def load(item: Item) -> Clip | str:
        if item.path is None:
            return "video file missing: the clip is labelled but no .avi/.mp4 of that name was found"
        try:
            return decode(item.path, limits)
        except MediaError as exc:
            return f"{type(exc).__name__}: {exc}"

    def batches() -> Iterator[list[tuple[Item, Clip]]]:
        """The clips decoded (in worker threads, up to a chunk ahead), in batches of ``batch_size`` that never span
        two chunks: a resumed run forms exactly the batches of an uninterrupted one."""
        pending: list[tuple[Item, Clip]] = []
        in_chunk = 0
        for item, clip in zip(todo, map_ahead(load, todo, workers, ahead=chunk_size)):
            if isinstance(clip, str):
                fail(item, clip)
                continue
            pending.append((item, clip))
            in_chunk += 1
            if len(pending) == batch_size or in_chunk == chunk_size:
                yield pending
                pending, in_chunk = [], in_chunk % chunk_size
        if pending:
            yield pending

    def prepare(batch: list[tuple[Item, Clip]]):
        return batch, prepare_batch(backbone, [clip for _, clip in batch])

    # the next batch is prepared (resized, patched) in a thread while the model runs this one
    for batch, inputs in map_ahead(prepare, batches(), workers=1, ahead=1):
        chunk.extend((item, f) for (item, _), f in zip(batch, batch_features(backbone, inputs)))
        if len(chunk) == chunk_size:
            write()
    if chunk:
        write()
    return summary


def _report(summary: Summary, elapsed: float) -> None:
    worked = summary.done + summary.failed
    processed = worked + summary.skipped
    rate = worked / elapsed if elapsed > 0 else 0.0
    eta = _duration((summary.total - processed) / rate) if rate > 0 else "?"
    print(
        f"{summary.split} shard {summary.shard}: {processed}/{summary.total} clips "
        f"({summary.failed} failed), {rate:.2f} clips/s, ETA {eta}",
        file=sys.stderr,
        flush=True,
    )


# ---------------------------------------------------------------- public entry points


def extract_split(
    root: str,
    split: str,
    out: str,
    backbone: Backbone,
    shard: tuple[int, int] = (0, 1),
    batch_size: int = 4,
    chunk_size: int = 64,
    limits: Limits | None = None,
    progress: bool = True,
) -> dict:
    """Features of one DAiSEE split (one shard of it) under ``out``; returns the summary counts."""
    split = canonical_split(split)
    items = daisee_items(root, split)
    return extract_items(items, out, split, backbone, decode_video, shard, batch_size, chunk_size, limits, progress).to_dict()


def extract_images(
    images_dir: str,
    state: str,
    out: str,
    backbone: Backbone,
    level: int = 2,
    shard: tuple[int, int] = (0, 1),
    batch_size: int = 4,
    chunk_size: int = 64,
    limits: Limits | None = None,
    progress: bool = True,
) -> dict:
    """Features of augmentation images for one state, written under the ``Augment`` split."""
    items = image_items(images_dir, state, level)
    return extract_items(items, out, AUGMENT_SPLIT, backbone, decode_image, shard, batch_size, chunk_size, limits, progress).to_dict()


# ---------------------------------------------------------------- CLI


def resolve_shard(text: str | None) -> tuple[int, int, str]:
    """``--shard`` when given, else the launcher's (torchrun, accelerate, a SLURM array), else the whole split."""
    if text is not None:
        return (*parse_shard(text), "--shard")
    try:
        found = settings.launcher_shard()
    except ValueError as exc:
        raise EngageError(f"{exc}; or pass --shard i/n.") from None
    return found or (0, 1, "no launcher: the whole split")


def _device_for_rank() -> str | None:
    """Under torchrun/accelerate each process takes its own GPU (``LOCAL_RANK``) unless ENGAGE_DEVICE says."""
    import torch

    rank = settings.local_rank()
    if settings.device_override() or rank is None or not torch.cuda.is_available():
        return None
    return f"cuda:{rank}"


def cmd_extract(args: argparse.Namespace) -> int:
    i, n, where = resolve_shard(args.shard)
    shard = (i, n)
    # Check the inputs before loading the backbone: a typo should not cost a 16 GB model load.
    if args.daisee:
        if not args.split:
            raise EngageError("--daisee needs --split Train, Validation or Test.")
        if args.state or args.level is not None:
            raise EngageError("--state and --level go with --images, not --daisee (DAiSEE clips carry their labels).")
        split = canonical_split(args.split)
        items, decode = daisee_items(args.daisee, split), decode_video
    else:
        if not args.state:
            raise EngageError("--images needs --state (one of " + ", ".join(STATES) + ").")
        if args.split:
            raise EngageError("--split goes with --daisee; images are always written to the Augment split.")
        split = AUGMENT_SPLIT
        level = 2 if args.level is None else args.level
        items, decode = image_items(args.images, args.state, level), decode_image
    print(f"extracting shard {i}/{n} ({where})", file=sys.stderr)
    backbone = Backbone.load(args.backbone, device=_device_for_rank(), protocol=protocol_named(args.protocol))
    summary = extract_items(
        items, args.out, split, backbone, decode, shard, args.batch_size, args.chunk_size, progress=not args.quiet,
        workers=args.decode_workers
    )
    print(summary.line())
    return 0


def add_cli(subparsers) -> None:
    """Add ``extract`` to ``python -m engage``'s subcommands."""
    p = subparsers.add_parser(
        "extract",
        help="write backbone features of a DAiSEE split or of augmentation images (resumable, shardable)",
        description="Features for training: every clip through the app's own clip → feature function.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--daisee", metavar="ROOT", help="DAiSEE root (holding DataSet/ and Labels/)")
    source.add_argument("--images", metavar="DIR", help="folder of images (searched recursively) for one state")
    p.add_argument("--split", help="with --daisee: Train, Validation or Test")
    p.add_argument("--state", choices=STATES, help="with --images: the state the images show")
    p.add_argument("--level", type=int, choices=LEVELS, help="with --images: their level (default 2)")
    p.add_argument("--out", required=True, help="features directory (see engage.daisee.featurestore)")
    p.add_argument(
        "--shard",
        help="i/n: extract the i-th of n shards (0-based), e.g. 0/4; default: from torchrun/accelerate (RANK, WORLD_SIZE) "
        "or a SLURM array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT), else the whole split",
    )
    p.add_argument("--batch-size", type=int, default=4, help="clips per forward pass (default 4)")
    p.add_argument("--chunk-size", type=int, default=64, help="clips per written chunk (default 64)")
    p.add_argument("--decode-workers", type=int, help="threads decoding ahead of the model (default $ENGAGE_DECODE_WORKERS or one per CPU, at most 8)")
    p.add_argument("--backbone", help="hub id or local directory (default $ENGAGE_BACKBONE)")
    p.add_argument(
        "--protocol",
        choices=list(PROTOCOLS),
        default=DEFAULT_PROTOCOL.name,
        help="feature protocol (engage.model.protocol): report (float16 on GPU, photos as images, as the report's code) "
        "or engage (bfloat16, photos as one-frame videos; the default); heads trained on the features record it",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=cmd_extract)
