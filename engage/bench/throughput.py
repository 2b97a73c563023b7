"""Whole files against the model alone: does decoding and preprocessing keep the model busy? And the vision
tower's attention implementations, a profile of one forward, and bfloat16 against float16 features.

- ``model_only``: the windows decoded and prepared beforehand (pinned on CUDA), only the forward passes timed
  (the copy to the device and the pooled feature's way back included);
- ``serial``: the extraction loop as it was before issue 14 (decode a batch's files, prepare, run, wait);
- ``extraction``: ``engage.daisee.extract.extract_items`` itself, as ``python -m engage extract`` runs it
  (decoding in worker threads a chunk ahead, the next batch prepared while the model runs one), on
  ``backbone.resize_on_device`` either way.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from ..daisee.extract import Item, decode_video, extract_items
from ..model.attention import TRANSFORMERS_DEFAULT, VARLEN_ATTENTION, VISION_ATTENTION, use_vision_attention
from ..model.backbone import Backbone
from ..model.features import batch_features, clip_features, prepare_batch
from .timing import clocked


@dataclass
class Throughput:
    name: str
    windows: int
    seconds: float
    batch_size: int
    note: str = ""

    @property
    def video_minutes_per_second(self) -> float:
        return self.windows * 10.0 / 60.0 / self.seconds

    def line(self, model_only: Throughput | None = None) -> str:
        share = f"{self.video_minutes_per_second / model_only.video_minutes_per_second:>10.0%}" if model_only else f"{'':>10}"
        return (
            f"{self.name:<50}{self.batch_size:>6}{self.windows:>8}{self.seconds / self.windows:>10.4f}"
            f"{self.video_minutes_per_second:>12.3f}{share}  {self.note}"
        )


HEADER = f"{'pipeline':<50}{'batch':>6}{'windows':>8}{'s/window':>10}{'video-min/s':>12}{'of model':>10}"


def _cuda(backbone: Backbone) -> bool:
    return backbone.device.startswith("cuda")


def model_only(backbone: Backbone, files: list[str], batch_size: int, name: str = "model only", clips=None) -> Throughput:
    """``clips``: the files already decoded, where the caller has them."""
    clips = clips or [decode_video(p) for p in files]
    batches = [prepare_batch(backbone, clips[i : i + batch_size]) for i in range(0, len(clips), batch_size)]
    batch_features(backbone, batches[0])  # warm-up
    _, seconds = clocked(_cuda(backbone), lambda: [batch_features(backbone, b) for b in batches])
    return Throughput(name, len(clips), seconds, batch_size)


def prepared_ahead(backbone: Backbone, files: list[str], batch_size: int, clips=None) -> Throughput:
    """The clips decoded beforehand, each batch prepared in a thread while the model runs the one before
    (``clip_features``): what preprocessing alone costs the model, decoding left out."""
    clips = clips or [decode_video(p) for p in files]
    clip_features(backbone, clips[:batch_size], batch_size)  # warm-up
    _, seconds = clocked(_cuda(backbone), clip_features, backbone, clips, batch_size)
    return Throughput("prepared in a thread ahead, decoded beforehand", len(clips), seconds, batch_size)


def serial(backbone: Backbone, files: list[str], batch_size: int) -> Throughput:
    """Decode a batch's files one after the other, then prepare and run them, then the next batch."""

    def run() -> None:
        for i in range(0, len(files), batch_size):
            clip_features(backbone, [decode_video(p) for p in files[i : i + batch_size]], batch_size)

    _, seconds = clocked(_cuda(backbone), run)
    return Throughput("serial (extraction before issue 14)", len(files), seconds, batch_size)


def extraction(backbone: Backbone, files: list[str], batch_size: int, workers: int, chunk_size: int) -> Throughput:
    items = [Item(f"clip-{i}", path, (0, 0, 0, 0)) for i, path in enumerate(files)]
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        summary = extract_items(
            items, out, "Test", backbone, decode_video, batch_size=batch_size, chunk_size=chunk_size, progress=False,
            workers=workers,
        )
        if _cuda(backbone):
            import torch

            torch.cuda.synchronize()
        seconds = time.perf_counter() - t0
    if summary.done != len(files):
        raise RuntimeError(f"extraction wrote {summary.done} of {len(files)} clips")
    where = "GPU" if backbone.resize_on_device else "CPU"
    return Throughput(f"extraction, {workers} decode threads, resize on {where}", len(files), seconds, batch_size, f"chunks of {chunk_size}")


def resize_difference(backbone: Backbone, files: list[str]) -> str:
    """Features with the processor resizing on the device against on the CPU (the report's way)."""
    clips = [decode_video(p) for p in files]
    before = backbone.resize_on_device
    try:
        backbone.resize_on_device = False
        cpu = clip_features(backbone, clips, len(clips))
        backbone.resize_on_device = True
        device = clip_features(backbone, clips, len(clips))
    finally:
        backbone.resize_on_device = before
    return f"resize on {backbone.device} vs CPU: {compare(cpu, device)}"


def compare(a: np.ndarray, b: np.ndarray) -> str:
    """Cosine (lowest over the rows), max absolute and max relative difference of two feature matrices."""
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    diff = np.abs(a - b).max()
    finite = bool(np.isfinite(a).all() and np.isfinite(b).all())
    return (
        f"cosine min {cos.min():.6f}, max |difference| {diff:.3g} (features up to {np.abs(a).max():.3g}; "
        f"relative {diff / np.abs(a).max():.2e}){'' if finite else ', NOT FINITE'}"
    )


def attention_variants(backbone: Backbone, files: list[str], batch_size: int) -> list[str]:
    """Model-only throughput and features of each vision attention implementation against transformers' own;
    leaves the backbone's own set."""
    names = [TRANSFORMERS_DEFAULT, VISION_ATTENTION] + ([VARLEN_ATTENTION] if _cuda(backbone) else [])
    clips = [decode_video(p) for p in files]
    lines, reference, before = [], None, backbone.model.config.vision_config._attn_implementation
    for name in names:
        try:
            use_vision_attention(backbone.model, name)
            row = model_only(backbone, files, batch_size, name=f"model only, vision attention {name}", clips=clips)
            feats = clip_features(backbone, clips, batch_size)
            reference = feats if reference is None else reference
            lines.append(f"{row.line()}  vs {TRANSFORMERS_DEFAULT}: {compare(reference, feats)}")
        except Exception as exc:  # an implementation this machine lacks (PyTorch's varlen kernel on an older GPU)
            lines.append(f"vision attention {name}: failed: {type(exc).__name__}: {str(exc)[:300]}")
    use_vision_attention(backbone.model, before)
    return lines


def padding_variants(backbone: Backbone, files: list[str], batch_size: int, multiples: tuple[int, ...] = (8, 64)) -> list[str]:
    """Model-only throughput and features with the vision MLPs widened with zeros (``engage.model.padding``) to
    each multiple in turn, against the model as loaded; leaves the model widened to the last."""
    from ..model.padding import pad_vision_mlp

    clips = [decode_video(p) for p in files]
    width = pad_vision_mlp(backbone.model, 0)
    base = model_only(backbone, files, batch_size, name=f"model only, vision MLP {width} wide", clips=clips)
    reference = clip_features(backbone, clips, batch_size)
    lines = [base.line()]
    for multiple in multiples:
        wide = pad_vision_mlp(backbone.model, multiple)
        row = model_only(backbone, files, batch_size, name=f"model only, vision MLP {wide} wide", clips=clips)
        lines.append(f"{row.line(base)}  vs {width} wide: {compare(reference, clip_features(backbone, clips, batch_size))}")
    return lines


def batch_sweep(backbone: Backbone, files: list[str], batches: list[int]) -> list[Throughput]:
    """Model-only at several batch sizes: what the memory budget's batch costs against larger ones."""
    return [model_only(backbone, files, b, name=f"model only, batch {b}") for b in batches]


def precision(backbone: Backbone, files: list[str], batch_size: int) -> str:
    """bfloat16 against float16 features of the same model (on CUDA; leaves the model in bfloat16)."""
    import torch

    clips = [decode_video(p) for p in files]
    bf16 = clip_features(backbone, clips, batch_size)
    backbone.model.to(torch.float16)
    try:
        fp16 = clip_features(backbone, clips, batch_size)
    finally:
        backbone.model.to(torch.bfloat16)
    return f"precision: float16 vs bfloat16 features of {len(clips)} windows: {compare(bf16, fp16)}"


def decode_workers_to_try() -> list[int]:
    cpus = os.cpu_count() or 1
    return sorted({min(4, cpus), min(8, cpus), cpus})


# operator families of a forward: aten names in the profiler, FlopCounterMode's names for their FLOPs
MATMUL_OPS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm")
CONV_OPS = ("aten::convolution", "aten::cudnn_convolution", "aten::convolution_overrideable", "aten::_convolution", "aten::mkldnn_convolution")


def op_family(name: str) -> str:
    low = name.lower()
    if name in MATMUL_OPS:
        return "matmul"
    if name in CONV_OPS:
        return "convolution"
    if "attention" in low or "attn" in low or "flash" in low:
        return "attention"
    return "the rest (elementwise, norms, copies, indexing)"


def flop_family(counter_name: str) -> str:
    """FlopCounterMode's 'aten.mm' → the profiler's family."""
    return op_family(counter_name.replace(".", "::", 1))


def profile_window(backbone: Backbone, files: list[str], batch_size: int, rows: int = 20) -> list[str]:
    """One model-only forward under torch's profiler: how much of the wall time the GPU is busy, the time and
    achieved rate of each operator family (matmuls against the measured matmul rate say what bounds the window),
    the peak memory the forward adds to the weights, and the operators that take the most time."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile

    from .flops import flop_counts

    cuda = _cuda(backbone)
    inputs = prepare_batch(backbone, [decode_video(p) for p in files[:batch_size]])
    batch_features(backbone, inputs)  # warm-up
    lines = []
    if cuda:
        import torch

        torch.cuda.synchronize()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        batch_features(backbone, inputs)
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated()
        lines.append(
            f"memory of one forward at batch {batch_size}: {before / 2**30:.2f} GiB held before (weights), peak "
            f"{peak / 2**30:.2f} GiB ({peak / 1e9:.2f} GB): the forward adds {(peak - before) / 2**30:.3f} GiB"
        )
    flops: dict[str, int] = {}
    for name, n in flop_counts(lambda bb, _: batch_features(bb, inputs), backbone, None).items():
        flops[flop_family(name)] = flops.get(flop_family(name), 0) + n
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    with profile(activities=activities) as prof:
        _, wall = clocked(cuda, batch_features, backbone, inputs)
    events = prof.key_averages()
    key = "self_device_time_total" if cuda else "self_cpu_time_total"
    # operators only: on CUDA the kernels are listed too, their time already counted in the operator that launched them
    ops = [e for e in events if e.device_type == DeviceType.CPU]
    busy = sum(getattr(e, key) for e in ops) / 1e6
    what = "GPU kernels" if cuda else "CPU operators (self time)"
    idle = f"; the GPU idle {wall - busy:.4f} s (launches, CPU work between kernels)" if cuda else ""
    lines.insert(0, f"profile of one forward at batch {batch_size}: wall {wall:.4f} s, {what} {busy:.4f} s ({busy / wall:.0%} of it){idle}")
    families: dict[str, float] = {}
    for e in ops:
        families[op_family(e.key)] = families.get(op_family(e.key), 0.0) + getattr(e, key) / 1e6
    for family, seconds in sorted(families.items(), key=lambda kv: -kv[1]):
        rate = f", {flops[family] / 1e12:.3g} TFLOP at {flops[family] / seconds / 1e12:.3g} TFLOP/s" if flops.get(family) and seconds else ""
        lines.append(f"  - {family}: {seconds:.4f} s ({seconds / busy:.0%} of the busy time){rate}")
    lines += events.table(sort_by=key, row_limit=rows).splitlines()
    return lines
