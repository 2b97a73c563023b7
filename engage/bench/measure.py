"""One pipeline measured on a few windows (seconds, peak memory, FLOPs) and the table that sets the report's
pipeline beside engage's."""
from __future__ import annotations

import functools
import statistics
from dataclasses import dataclass

import numpy as np

from ..media import VideoSource
from ..model.backbone import Backbone
from ..model.batching import CPU_BATCH
from ..model.features import clip_features
from .flops import flop_counts
from .reference import report_face_feature, report_video_features
from .timing import PeakRSS, timed


@dataclass
class BenchResult:
    config: str
    pipeline: str  # "engage" or "reference" (the report's calls, engage.bench.reference)
    device: str
    dtype: str
    params_m: float
    tokens_per_window: int
    batch_size: int  # windows per forward pass
    seconds_per_window: float
    # one live update: engage's forward over the newest 10 s window, or its incremental webcam stream when
    # run_bench measures it; the reference's is the report's deployment call (one face image per request)
    webcam_latency_s: float
    peak_memory_gb: float
    memory_kind: str
    flops_per_window: float  # counted by torch's FlopCounterMode over one window of this pipeline
    matmul_tflops: float  # measured on this device and dtype

    @property
    def video_minutes_per_second(self) -> float:
        """Analysed video-minutes per second of accelerator (CPU here) held: what ZeroGPU charges."""
        return (10.0 / 60.0) / self.seconds_per_window

    @property
    def bound_seconds(self) -> float:
        """The window's compute bound: its FLOPs at the measured matmul rate."""
        return self.flops_per_window / (self.matmul_tflops * 1e12)

    @property
    def times_bound(self) -> float:
        return self.seconds_per_window / self.bound_seconds


def engage_features(backbone: Backbone, paths: list[str], batch_size: int = CPU_BATCH) -> np.ndarray:
    """engage's pipeline on whole files: decode only the frames the report's rule keeps, then ``clip_features``."""
    clips = [clip for path in paths for clip in VideoSource(path).clips()]
    return clip_features(backbone, clips, batch_size)


def measure(
    backbone: Backbone,
    name: str,
    files: list[str],
    repeats: int,
    pipeline: str = "engage",
    *,
    matmul_tflops: float,
    batch_size: int = CPU_BATCH,
) -> BenchResult:
    """One pipeline on DAiSEE-like files, end to end (decoding included, as the report's call decoded).
    The update column: engage's forward over the newest window (``run_bench`` puts its incremental webcam stream
    there when it measures it); the report's deployment call on one frame for the reference."""
    import torch

    if pipeline == "engage":
        extract = functools.partial(engage_features, batch_size=batch_size)
        update = functools.partial(extract, backbone, files[-1:])
    else:
        extract, batch_size = report_video_features, 1  # the report's code: one clip at a time
        frame = VideoSource(files[-1]).clips()[0].frames[-1]
        update = functools.partial(report_face_feature, backbone, frame)
    tokens = int(backbone.inputs(VideoSource(files[0]).clips(), [backbone.protocol.prompt])["input_ids"].shape[1])
    flops = sum(flop_counts(extract, backbone, files[0]).values())
    extract(backbone, files[:1])  # warm-up
    cuda = backbone.device.startswith("cuda")
    times, latency = [], []
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    with PeakRSS() as rss:
        for _ in range(repeats):
            times.append(timed(lambda: extract(backbone, files), cuda) / len(files))
            latency.append(timed(update, cuda))
    if cuda:
        peak, kind = torch.cuda.max_memory_allocated() / 2**30, "GPU max allocated"
    else:
        peak, kind = rss.peak / 2**30, "process peak RSS"
    params = sum(p.numel() for p in backbone.model.parameters()) / 1e6
    dtype = str(next(backbone.model.parameters()).dtype).replace("torch.", "")
    return BenchResult(
        name, pipeline, backbone.device, dtype, params, tokens, batch_size, statistics.median(times), statistics.median(latency),
        peak, kind, flops, matmul_tflops,
    )


HEADER = (
    f"{'config':<8}{'pipeline':<11}{'dtype':<10}{'params (M)':>11}{'tokens/win':>11}{'batch':>6}{'s/window':>10}"
    f"{'video-min/s':>12}{'update s':>10}{'peak GB':>9}{'TFLOP/win':>10}{'bound s':>9}{'x bound':>8}  memory"
)


def result_line(r: BenchResult) -> str:
    return (
        f"{r.config:<8}{r.pipeline:<11}{r.dtype:<10}{r.params_m:>11.1f}{r.tokens_per_window:>11}{r.batch_size:>6}"
        f"{r.seconds_per_window:>10.3f}{r.video_minutes_per_second:>12.4f}{r.webcam_latency_s:>10.3f}{r.peak_memory_gb:>9.2f}"
        f"{r.flops_per_window / 1e12:>10.4f}{r.bound_seconds:>9.4f}{r.times_bound:>8.1f}  {r.memory_kind}"
    )


def format_results(results: list[BenchResult]) -> str:
    lines = [HEADER] + [result_line(r) for r in results]
    pairs = {}
    for r in results:
        pairs.setdefault(r.config, {})[r.pipeline] = r
    ratio_lines = []
    for config, pair in pairs.items():
        if {"engage", "reference"} <= set(pair):
            e, ref = pair["engage"], pair["reference"]
            ratio_lines.append(
                f"{config}: engage/reference video-minutes per second {e.video_minutes_per_second / ref.video_minutes_per_second:.2f}x, "
                f"update latency {e.webcam_latency_s / ref.webcam_latency_s:.2f}x (the report's: one face image per request), "
                f"peak memory {e.peak_memory_gb / ref.peak_memory_gb:.2f}x"
                + (" (CPU: the process resident set, sampled during each run)" if e.memory_kind != "GPU max allocated" else "")
            )
    return "\n".join(lines + ratio_lines)
