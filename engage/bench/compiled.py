"""torch.compile of the model's repeated blocks, with and without CUDA graphs: does either pay on a window of
video and on the webcam's due window (the Space's update: 6-10 frames recomputed whole)?

Regional compilation (``engage.model.compiled``, which ``ENGAGE_COMPILE=1`` turns on for the app and the CLI on
CUDA); with whole files, extraction compiled against the model alone compiled, as the end-to-end rows do eagerly.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from ..daisee.extract import decode_video
from ..media import Clip
from ..model.backbone import Backbone
from ..model.compiled import compile_blocks, repeated_blocks, uncompile
from ..model.features import clip_features
from ..settings import decode_workers
from .throughput import compare, extraction, model_only
from .timing import timed

# (label, torch.compile mode); "reduce-overhead" replays each compiled block as a CUDA graph
VARIANTS = (("blocks compiled", "default"), ("blocks compiled, CUDA graphs", "reduce-overhead"))


@contextmanager
def compiled(model, mode: str = "default", backend: str = "inductor") -> Iterator[None]:
    """``model``'s repeated blocks compiled for the block (``engage.model.compiled``), eager again afterwards."""
    blocks = []
    try:
        blocks = compile_blocks(model, None if backend != "inductor" else mode, backend)
        yield
    finally:
        uncompile(blocks)


def _end_to_end(backbone: Backbone, files: list[str], batch_size: int, label: str) -> Iterator[str]:
    yield f"{label}, {len(files)} files end to end against the model alone:"
    alone = model_only(backbone, files, batch_size, name=f"model only, {label}")
    yield alone.line(alone)
    row = extraction(backbone, files, batch_size, decode_workers(), chunk_size=16)
    row.name = row.name.replace("extraction", f"extraction, {label}", 1)
    yield row.line(alone)


def webcam_window(clip: Clip, frames: int) -> Clip:
    return Clip(clip.frames[:frames], np.arange(float(frames)), 0.0, float(frames))


def _webcam_seconds(backbone: Backbone, due: Clip, repeats: int) -> float:
    cuda = backbone.device.startswith("cuda")
    for _ in range(2):  # warm-up, and for a compiled model its recompilation for the new shape
        clip_features(backbone, [due], 1)
    return statistics.median(timed(lambda: clip_features(backbone, [due], 1), cuda) for _ in range(repeats))


def compile_variants(
    backbone: Backbone,
    files: list[str],
    batch_size: int,
    webcam_frames: int = 6,
    repeats: int = 3,
    backend: str = "inductor",
    e2e_files: list[str] | None = None,
) -> Iterator[str]:
    """Lines, as each is measured: model-only rows for the eager model and each of ``VARIANTS`` (CUDA graphs on
    CUDA only), each with its compile time (the first calls), the webcam's due window and its features against
    the eager model's; with ``e2e_files``, extraction against the model alone over them, eager and compiled (the
    first variant). The blocks are left eager."""
    cuda = backbone.device.startswith("cuda")
    blocks = repeated_blocks(backbone.model)
    if any(b._compiled_call_impl is not None for b in blocks):  # ENGAGE_COMPILE=1: measure from eager
        uncompile(blocks)
    clips = [decode_video(p) for p in files]
    due = webcam_window(clips[0], webcam_frames)
    eager = model_only(backbone, files, batch_size, name="model only, eager", clips=clips)
    eager_features = clip_features(backbone, clips, batch_size)
    eager_webcam = _webcam_seconds(backbone, due, repeats)
    yield f"{eager.line()}  webcam due window of {webcam_frames} frames {eager_webcam:.4f} s"
    if e2e_files:
        yield from _end_to_end(backbone, e2e_files, batch_size, "eager")
    for label, mode in VARIANTS:
        if mode == "reduce-overhead" and not cuda:
            continue
        try:
            with compiled(backbone.model, mode, backend):
                t0 = time.perf_counter()
                clip_features(backbone, clips[:batch_size], batch_size)
                first = time.perf_counter() - t0
                row = model_only(backbone, files, batch_size, name=f"model only, {label}", clips=clips)
                features = clip_features(backbone, clips, batch_size)
                webcam = _webcam_seconds(backbone, due, repeats)
                yield (
                    f"{row.line(eager)}  first call {first:.1f} s; webcam due window {webcam:.4f} s "
                    f"({webcam / eager_webcam:.2f}x eager); vs eager: {compare(eager_features, features)}"
                )
                if e2e_files and mode == VARIANTS[0][1]:
                    yield from _end_to_end(backbone, e2e_files, batch_size, label)
        except Exception as exc:  # a compiler or a GPU feature this machine lacks
            yield f"{label}: failed: {type(exc).__name__}: {str(exc)[:300]}"
