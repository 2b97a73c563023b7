"""torch.compile of the model's repeated blocks, with and without CUDA graphs: does either pay on a window of
video and on the webcam's due window (the Space's update: 6-10 frames recomputed whole)?

Regional compilation: each vision block and each decoder layer is compiled, and since the copies share their
code, one graph serves every block of a kind. Measured by the bench only; the app runs eagerly unless these
figures say otherwise (docs/performance.md).
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
from ..model.features import clip_features
from .throughput import compare, model_only
from .timing import timed

# (label, parts compiled, torch.compile mode); "reduce-overhead" replays each compiled block as a CUDA graph
VARIANTS = (
    ("blocks compiled", ("vision", "text"), "default"),
    ("blocks compiled, CUDA graphs", ("vision", "text"), "reduce-overhead"),
)


def repeated_blocks(model, parts: tuple[str, ...]) -> list:
    inner = model.model
    return (list(inner.visual.blocks) if "vision" in parts else []) + (list(inner.language_model.layers) if "text" in parts else [])


@contextmanager
def compiled(modules: list, mode: str = "default", backend: str = "inductor") -> Iterator[None]:
    """``modules`` compiled in place (``nn.Module.compile``) for the block, eager again afterwards."""
    import torch

    try:
        for module in modules:
            module.compile(mode=None if backend != "inductor" else mode, backend=backend)
        yield
    finally:
        for module in modules:
            module._compiled_call_impl = None
        torch._dynamo.reset()


def webcam_window(clip: Clip, frames: int) -> Clip:
    return Clip(clip.frames[:frames], np.arange(float(frames)), 0.0, float(frames))


def _webcam_seconds(backbone: Backbone, due: Clip, repeats: int) -> float:
    cuda = backbone.device.startswith("cuda")
    for _ in range(2):  # warm-up, and for a compiled model its recompilation for the new shape
        clip_features(backbone, [due], 1)
    return statistics.median(timed(lambda: clip_features(backbone, [due], 1), cuda) for _ in range(repeats))


def compile_variants(
    backbone: Backbone, files: list[str], batch_size: int, webcam_frames: int = 6, repeats: int = 3, backend: str = "inductor"
) -> list[str]:
    """Model-only rows for the eager model and each of ``VARIANTS`` (CUDA graphs on CUDA only), each with its
    compile time (the first calls), the webcam's due window and its features against the eager model's."""
    cuda = backbone.device.startswith("cuda")
    clips = [decode_video(p) for p in files]
    due = webcam_window(clips[0], webcam_frames)
    eager = model_only(backbone, files, batch_size, name="model only, eager", clips=clips)
    eager_features = clip_features(backbone, clips, batch_size)
    eager_webcam = _webcam_seconds(backbone, due, repeats)
    lines = [f"{eager.line()}  webcam due window of {webcam_frames} frames {eager_webcam:.4f} s"]
    for label, parts, mode in VARIANTS:
        if mode == "reduce-overhead" and not cuda:
            continue
        try:
            with compiled(repeated_blocks(backbone.model, parts), mode, backend):
                t0 = time.perf_counter()
                clip_features(backbone, clips[:batch_size], batch_size)
                first = time.perf_counter() - t0
                row = model_only(backbone, files, batch_size, name=f"model only, {label}", clips=clips)
                features = clip_features(backbone, clips, batch_size)
                webcam = _webcam_seconds(backbone, due, repeats)
            lines.append(
                f"{row.line(eager)}  first call {first:.1f} s; webcam due window {webcam:.4f} s "
                f"({webcam / eager_webcam:.2f}x eager); vs eager: {compare(eager_features, features)}"
            )
        except Exception as exc:  # a compiler or a GPU feature this machine lacks
            lines.append(f"{label}: failed: {type(exc).__name__}: {str(exc)[:300]}")
    return lines
