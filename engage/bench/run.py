"""``python -m engage bench``: the whole benchmark in one run, printed as a table with ratios."""
from __future__ import annotations

import dataclasses
import os
import platform
import tempfile

from ..model.backbone import Backbone, model_dtype, pick_device
from ..model.batching import CPU_BATCH, pick_batch_size
from ..model.protocol import REPORT_PROTOCOL
from ..model.tiny import make_tiny_backbone
from .configs import daisee_like_files, random_backbone
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
        files = daisee_like_files(windows, tmp)
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
            results.append(measure(bb, name, files, repeats, "engage", matmul_tflops=rate, batch_size=pick_batch_size(bb)))
            if webcam_frames:
                webcam = webcam_updates(bb, webcam_frames)
                webcam_lines.append(webcam.line(name))
                # engage's webcam answers from the incremental stream, not from a forward over the whole window
                results[-1] = dataclasses.replace(results[-1], webcam_latency_s=webcam.latency_s)
            if name == "mid" and not cuda and "full" in configs:
                estimate_lines.append(estimate_full(bb).lines(gpu_tflops))
            if reference:
                if device.startswith("cuda"):
                    bb.model.to(model_dtype(REPORT_PROTOCOL, device))
                results.append(measure(bb, name, files, repeats, "reference", matmul_tflops=rate))
            del bb
            if device.startswith("cuda"):
                torch.cuda.empty_cache()
    print(format_results(results))
    print("\n".join(webcam_lines + estimate_lines))
    return results
