"""``python -m engage bench``: the whole benchmark in one run, printed as a table with ratios."""
from __future__ import annotations

import dataclasses
import os
import platform
import tempfile
import time
import traceback

from ..daisee.extract import decode_video
from ..model.attention import TRANSFORMERS_DEFAULT, use_vision_attention
from ..model.backbone import Backbone, model_dtype, pick_device
from ..model.batching import CPU_BATCH, pick_batch_size
from ..model.protocol import REPORT_PROTOCOL
from ..model.tiny import make_tiny_backbone
from ..settings import decode_workers
from . import throughput
from .compiled import compile_variants
from .configs import daisee_like_files, random_backbone
from .flops import matmul_tflops
from .full_size import estimate_full
from .measure import BenchResult, format_results, measure, result_line
from .parts import E2E_PARTS, PARTS
from .webcam import webcam_updates


def machine_description() -> str:
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {gpu}, torch {torch.__version__}"


def run_bench(
    configs: list[str] | None = None,
    windows: int = 4,
    repeats: int = 3,
    backbone: str | None = None,
    reference: bool = True,
    webcam_frames: int = 16,
    gpu_tflops: float | None = None,
    e2e_files: int = 0,
    parts: tuple[str, ...] | None = None,
) -> list[BenchResult]:
    """The table of ``measure`` rows (engage and the reference per configuration), the webcam lines, and with
    ``e2e_files`` the end-to-end section (``end_to_end_lines``); ``parts`` (of ``PARTS``) runs only those."""
    import torch

    device = pick_device()
    cuda = device.startswith("cuda")
    configs = configs or ["tiny", "mid", "full"]
    parts = tuple(parts or PARTS)
    results, webcam_lines, estimate_lines, e2e_lines = [], [], [], []
    print(f"machine: {machine_description()}")
    print(
        f"input: {windows} DAiSEE-like AVIs (MPEG-4, 10 s at 30 fps, 640×480), end to end: engage decodes the 10 frames "
        f"the report's rule keeps and batches 'batch' windows (sized to free GPU memory on CUDA, {CPU_BATCH} on CPU); "
        f"the reference is the report's call (every frame decoded by transformers, one clip at a time, in "
        f"{REPORT_PROTOCOL.gpu_dtype} on a GPU); median of {repeats} runs"
    )
    dtype, size = (torch.bfloat16, 8192) if cuda else (torch.float32, 2048)
    rate = matmul_tflops(device, dtype, size)
    dtype_name = str(dtype).replace("torch.", "")
    print(f"matmul rate: {rate:.2f} TFLOP/s ({dtype_name}, {size}×{size} torch.matmul on {device}, best of 10)")
    with tempfile.TemporaryDirectory() as tmp:
        tiny_dir = make_tiny_backbone(os.path.join(tmp, "tiny"))
        files = daisee_like_files(windows, tmp, b_frames_every=2)
        many = daisee_like_files(e2e_files, tmp, b_frames_every=2) if e2e_files else []
        plans = [("checkpoint", backbone)] if backbone else [(c, None) for c in configs]
        for name, source in plans:
            if name == "full" and not device.startswith("cuda"):
                print("full: not run (needs a CUDA GPU: the 7B model in float32 does not fit this machine); with mid, its FLOPs are estimated below")
                continue
            if source:
                bb = Backbone.load(source, device=device)
            elif name == "tiny":
                bb = Backbone.load(tiny_dir, device=device)
            else:
                bb = random_backbone(name, tiny_dir, device)
            stamp(f"{name}: loaded")
            batch = pick_batch_size(bb)
            engage_row = None
            if "window" in parts:
                engage_row = attempt(f"{name} engage", measure, bb, name, files, repeats, "engage", matmul_tflops=rate, batch_size=batch)
            if engage_row:
                results.append(engage_row)
                stamp(f"so far: {result_line(engage_row)}")
            webcam = attempt(f"{name} webcam", webcam_updates, bb, webcam_frames) if webcam_frames and "webcam" in parts else None
            if webcam:
                webcam_lines.append(webcam.line(name))
                stamp(f"so far: {webcam_lines[-1]}")
                if engage_row:  # engage's webcam answers from the incremental stream, not from a whole window
                    results[-1] = dataclasses.replace(engage_row, webcam_latency_s=webcam.latency_s)
            if name == "mid" and not cuda and "full" in configs:
                estimate_lines.append(estimate_full(bb).lines(gpu_tflops))
            if many and set(parts) & set(E2E_PARTS):
                e2e_lines += end_to_end_lines(bb, name, many, batch, tuple(p for p in parts if p in E2E_PARTS))
                stamp(f"{name}: end to end done")
            if reference and "window" in parts:
                if device.startswith("cuda"):
                    bb.model.to(model_dtype(REPORT_PROTOCOL, device))
                use_vision_attention(bb.model, TRANSFORMERS_DEFAULT)  # the report's: transformers' own
                row = attempt(f"{name} reference", measure, bb, name, files, repeats, "reference", matmul_tflops=rate)
                if row:
                    results.append(row)
                    stamp(f"so far: {result_line(row)}")
            del bb
            if device.startswith("cuda"):
                torch.cuda.empty_cache()
    print(format_results(results))
    print("\n".join(webcam_lines + estimate_lines + e2e_lines))
    return results


_T0 = time.perf_counter()


def stamp(line: str) -> None:
    """A line printed at once with the seconds since the benchmark started (a long GPU run shows where it is)."""
    print(f"[{time.perf_counter() - _T0:7.1f} s] {line}", flush=True)


def attempt(label: str, part, *args, **kwargs):
    """``part(*args, **kwargs)``, or None after printing why it failed: one failing part does not lose the others'
    figures."""
    try:
        return part(*args, **kwargs)
    except Exception as exc:
        print(f"{label} failed: {type(exc).__name__}: {str(exc)[:400]}", flush=True)
        traceback.print_exc()
        return None


def end_to_end_lines(bb: Backbone, name: str, files: list[str], batch_size: int, parts: tuple[str, ...] = E2E_PARTS) -> list[str]:
    """The ``parts`` of the end-to-end section, printed as each ends (a long GPU run keeps what it measured if it is
    stopped) and returned; a part that fails prints why and the others still run."""
    out = []

    def emit(line: str) -> None:
        print(line, flush=True)
        out.append(line)

    def e2e() -> None:
        clips = [decode_video(p) for p in files]
        rows = [throughput.model_only(bb, files, batch_size, clips=clips), throughput.prepared_ahead(bb, files, batch_size, clips)]
        del clips
        rows.append(throughput.serial(bb, files, batch_size))
        emit(throughput.HEADER)
        for row in rows:
            emit(row.line(rows[0]))
        for workers in throughput.decode_workers_to_try():
            emit(throughput.extraction(bb, files, batch_size, workers, chunk_size=16).line(rows[0]))
        if bb.device.startswith("cuda"):
            before, bb.resize_on_device = bb.resize_on_device, True
            try:
                emit(throughput.extraction(bb, files, batch_size, decode_workers(), chunk_size=16).line(rows[0]))
            finally:
                bb.resize_on_device = before
        for row in throughput.batch_sweep(bb, files[:16], [b for b in (1, 2, 4, 8) if b != batch_size]):
            emit(row.line(rows[0]))

    emit(
        f"{name}: {len(files)} DAiSEE-like AVIs (every 2nd with B-frames), end to end against the model alone; vision "
        f"attention {bb.model.config.vision_config._attn_implementation}, resize on the "
        f"{'GPU' if bb.resize_on_device else 'CPU'} unless a row says otherwise"
    )
    few = files[: max(2, min(len(files), 2 * batch_size))]
    if "e2e" in parts:
        attempt(f"{name}: end to end", e2e)
    if "attention" in parts:
        attempt(f"{name}: vision attention", lambda: [emit(line) for line in throughput.attention_variants(bb, few, batch_size)])
    if "padding" in parts:
        attempt(f"{name}: vision MLP padding", lambda: [emit(line) for line in throughput.padding_variants(bb, few, batch_size)])
    if "profile" in parts:
        attempt(f"{name}: profile", lambda: [emit(line) for line in throughput.profile_window(bb, few, batch_size)])
    if "compiled" in parts:
        attempt(f"{name}: compiled", lambda: [emit(line) for line in compile_variants(bb, few, batch_size, e2e_files=files)])
    if bb.device.startswith("cuda") and "precision" in parts:
        attempt(f"{name}: resize on the GPU", lambda: emit(throughput.resize_difference(bb, few[:4])))
        # leaves the model in float16, the reference's dtype
        attempt(f"{name}: precision", lambda: emit(throughput.precision(bb, few[:4], batch_size)))
    return out
