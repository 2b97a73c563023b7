"""``python -m engage bench``: the whole benchmark in one run, printed as a table with ratios."""
from __future__ import annotations

import dataclasses
import os
import platform
import tempfile

from ..model.backbone import Backbone, pick_device
from ..model.batching import CPU_BATCH, pick_batch_size
from ..model.tiny import make_tiny_backbone
from .configs import random_backbone
from .flops import matmul_tflops
from .full_size import estimate_full
from .measure import BenchResult, format_results, measure
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
) -> list[BenchResult]:
    import torch

    device = pick_device()
    cuda = device.startswith("cuda")
    configs = configs or ["tiny", "mid", "full"]
    results, webcam_lines, estimate_lines = [], [], []
    print(f"machine: {machine_description()}")
    print(
        f"input: {windows} windows of 10 frames at 640×480 (a DAiSEE clip at 1 FPS), batched 'batch' at a time "
        f"(engage: sized to free GPU memory on CUDA, {CPU_BATCH} on CPU; reference: 1); median of {repeats} runs"
    )
    dtype, size = (torch.bfloat16, 8192) if cuda else (torch.float32, 2048)
    rate = matmul_tflops(device, dtype, size)
    dtype_name = str(dtype).replace("torch.", "")
    print(f"matmul rate: {rate:.2f} TFLOP/s ({dtype_name}, {size}×{size} torch.matmul on {device}, best of 10)")
    with tempfile.TemporaryDirectory() as tmp:
        tiny_dir = make_tiny_backbone(os.path.join(tmp, "tiny"))
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
            results.append(measure(bb, name, windows, repeats, "engage", matmul_tflops=rate, batch_size=pick_batch_size(bb)))
            if webcam_frames:
                webcam = webcam_updates(bb, webcam_frames)
                webcam_lines.append(webcam.line(name))
                # engage's webcam answers from the incremental stream, not from a forward over the whole window
                results[-1] = dataclasses.replace(results[-1], webcam_latency_s=webcam.latency_s)
            if name == "mid" and not cuda and "full" in configs:
                estimate_lines.append(estimate_full(bb).lines(gpu_tflops))
            if reference:
                if device.startswith("cuda"):
                    bb.model.half()  # the report ran float16
                results.append(measure(bb, name, windows, repeats, "reference", matmul_tflops=rate))
            del bb
            if device.startswith("cuda"):
                torch.cuda.empty_cache()
    print(format_results(results))
    print("\n".join(webcam_lines + estimate_lines))
    return results
