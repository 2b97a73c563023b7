"""``python -m engage bench``: tokens, seconds and peak memory per 10 s window of feature extraction.

Random weights are fine for timing and never used for predictions. Configurations:
- ``tiny``: the test checkpoint of ``engage.tiny`` (2 layers, hidden 64), loaded with from_pretrained;
- ``mid``: the real Qwen2.5-VL-7B widths (text 3584, vision 1280) with only 2 + 2 layers, CPU-sized;
- ``full``: the full Qwen2.5-VL-7B architecture (28 + 32 layers), bf16, only on a CUDA machine.

Each window's compute bound is its FLOPs (torch's FlopCounterMode over one window of the pipeline) at the
matmul rate measured on the same device and dtype; "x bound" is the measured time over that bound.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .backbone import Backbone, pick_device
from .batching import CPU_BATCH, pick_batch_size
from .features import clip_features
from .media import Clip, VideoSource

EXAMPLE_CLIP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "astronaut_clip.mp4")

FULL_TEXT = dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4, vocab_size=152064)
FULL_VISION = dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, out_hidden_size=3584, fullatt_block_indexes=[7, 15, 23, 31], window_size=112, tokens_per_second=2)


@dataclass
class BenchResult:
    config: str
    pipeline: str  # "engage" or "reference"
    device: str
    dtype: str
    params_m: float
    tokens_per_window: int
    batch_size: int  # windows per forward pass
    seconds_per_window: float
    # newest frame to feature: a forward over one 10 s window; for engage, run_bench puts the webcam stream's
    # incremental update here when it measures it
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


def reference_features(backbone: Backbone, clips: list[Clip]) -> np.ndarray:
    """The first report's feature code, as described in the reference implementation facts: the chat template
    applied per clip, one clip at a time, the full model (vision + language model + lm_head) with the hidden
    states of every layer requested, then the mean of the last layer's."""
    import torch

    out = []
    for clip in clips:
        batch = backbone.inputs([clip], [backbone.protocol.prompt])
        with torch.no_grad():
            result = backbone.model(**batch, output_hidden_states=True)
        out.append(result.hidden_states[-1].float().mean(dim=1)[0].cpu().numpy())
    return np.stack(out)


def daisee_like_windows(count: int) -> list[Clip]:
    """``count`` windows of 10 frames at 640×480 (a DAiSEE clip at 1 FPS), from the example clip."""
    frames = VideoSource(EXAMPLE_CLIP).clips()[0].frames[:10]
    return [Clip(frames.copy(), np.arange(10.0), 10.0 * i, 10.0 * (i + 1)) for i in range(count)]


def _config(name: str, ids: dict[str, int] | None = None):
    """Qwen2.5-VL-7B's configuration; ``mid`` keeps its widths with 2 text layers and 2 vision blocks (one of
    them full-attention, as 4 of the 7B's 32 are)."""
    from transformers import Qwen2_5_VLConfig

    ids = ids or {}
    text = dict(FULL_TEXT, rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]})
    vision = dict(FULL_VISION)
    if name == "mid":
        text["num_hidden_layers"], vision["depth"], vision["fullatt_block_indexes"] = 2, 2, [1]
    tokens = {"image_token_id": "<|image_pad|>", "video_token_id": "<|video_pad|>", "vision_start_token_id": "<|vision_start|>", "vision_end_token_id": "<|vision_end|>"}
    config = Qwen2_5_VLConfig(text_config=text, vision_config=vision, **{k: ids[t] for k, t in tokens.items() if t in ids})
    config._attn_implementation = "sdpa"
    return config


def _random_backbone(name: str, processor_dir: str, device: str) -> Backbone:
    import torch
    from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

    from .tiny import SPECIAL_TOKENS

    processor = AutoProcessor.from_pretrained(processor_dir)
    config = _config(name, {t: processor.tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS})
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = Qwen2_5_VLForConditionalGeneration(config).eval()
    finally:
        torch.set_default_dtype(torch.float32)
    backbone = Backbone(source=f"random {name} Qwen2.5-VL", processor=processor, model=model, device=device)
    backbone.processor.tokenizer.padding_side = "left"
    return backbone


class _PeakRSS:
    """Samples this process's resident memory in a thread (CPU has no allocator peak counter)."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = self.base = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.005)

    def __enter__(self) -> "_PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _timed(fn, cuda: bool) -> float:
    import torch

    t0 = time.perf_counter()
    fn()
    if cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def matmul_tflops(device: str, dtype, size: int, repeats: int = 10) -> float:
    """The best rate of a ``size`` × ``size`` torch.matmul on ``device`` in ``dtype`` (2·size³ FLOPs), in TFLOP/s;
    the best, not the median, so that the compute bound derived from it is the tightest."""
    import torch

    cuda = device.startswith("cuda")
    a, b = (torch.randn(size, size, device=device, dtype=dtype) for _ in range(2))
    torch.matmul(a, b)  # warm-up
    if cuda:
        torch.cuda.synchronize()
    best = min(_timed(lambda: torch.matmul(a, b), cuda) for _ in range(repeats))
    return 2 * size**3 / best / 1e12


def flop_counts(extract: Callable[[Backbone, list[Clip]], np.ndarray], backbone: Backbone, clip: Clip) -> dict[str, int]:
    """FLOPs of ``extract`` on one window per aten op (matmuls, convolutions, SDPA), as FlopCounterMode counts them."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        extract(backbone, [clip])
    return {str(op): n for op, n in counter.get_flop_counts()["Global"].items()}


def measure(
    backbone: Backbone,
    name: str,
    windows: int,
    repeats: int,
    pipeline: str = "engage",
    *,
    matmul_tflops: float,
    batch_size: int = CPU_BATCH,
) -> BenchResult:
    import torch

    if pipeline == "engage":
        extract = functools.partial(clip_features, batch_size=batch_size)
    else:
        extract, batch_size = reference_features, 1  # the report's code: one clip at a time
    clips = daisee_like_windows(windows)
    tokens = int(backbone.inputs(clips[:1], [backbone.protocol.prompt])["input_ids"].shape[1])
    flops = sum(flop_counts(extract, backbone, clips[0]).values())
    extract(backbone, clips[:1])  # warm-up
    cuda = backbone.device.startswith("cuda")
    times, latency = [], []
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    with _PeakRSS() as rss:
        for _ in range(repeats):
            times.append(_timed(lambda: extract(backbone, clips), cuda) / windows)
            latency.append(_timed(lambda: extract(backbone, clips[-1:]), cuda))
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


@dataclass
class WebcamBench:
    frames: int
    results: int
    latency_s: float  # mean, from the newest kept frame to the feature, over the results on 6-10 s
    recompute_s: float  # mean full forward over the same windows (the recompute-every-update way)
    per_frame_s: float  # mean encoding cost per kept frame (results or not)
    max_difference: float  # incremental vs full feature, max abs over the results
    state_mb: float  # key/value caches held between updates at the end
    offload_s: float  # state to host memory, pickled, unpickled and back: a ZeroGPU round trip

    def line(self, config: str) -> str:
        return (
            f"{config}: webcam stream of {self.frames} frames at 1 FPS, {self.results} results on the last 2-10 s: "
            f"latency {self.latency_s:.3f} s (results on 6-10 s) vs {self.recompute_s:.3f} s recomputing the same windows "
            f"({self.latency_s / self.recompute_s:.2f}x), {self.per_frame_s:.3f} s of encoding per kept frame, "
            f"max feature difference {self.max_difference:.1e}; state {self.state_mb:.1f} MB, "
            f"host round trip {self.offload_s:.3f} s"
        )


def webcam_updates(backbone: Backbone, frames: int = 16) -> WebcamBench:
    """The app's webcam scheme (``engage.webcam.WebcamStream``) against recomputing each reported window."""
    import pickle

    from .webcam import WebcamStream

    clip = daisee_like_windows(1)[0]
    stream_frames = [clip.frames[k % 10] for k in range(frames)]
    stream = WebcamStream()
    cuda = backbone.device.startswith("cuda")
    latency, recompute, per_frame, diff = [], [], [], 0.0
    for k, frame in enumerate(stream_frames, start=1):
        got = []
        per_frame.append(_timed(lambda: got.append(stream.push(backbone, frame)), cuda))
        window = got[0]
        if window is None:
            continue
        feature = []
        n = len(window)
        latency.append((n, per_frame[-1] + _timed(lambda: feature.append(window.feature(backbone)), cuda)))
        part = Clip(np.stack(stream_frames[k - n : k]), np.arange(float(n)), 0.0, float(n))
        ref = []
        recompute.append((n, _timed(lambda: ref.append(clip_features(backbone, [part])[0]), cuda)))
        diff = max(diff, float(np.abs(feature[0] - ref[0]).max()))
    state_mb = stream.cache_bytes() / 2**20
    offload = _timed(lambda: pickle.loads(pickle.dumps(stream.to("cpu"))).to(backbone.device), cuda)
    steady = [i for i, (n, _) in enumerate(latency) if n >= 6] or list(range(len(latency)))
    return WebcamBench(
        frames,
        len(latency),
        statistics.mean(latency[i][1] for i in steady),
        statistics.mean(recompute[i][1] for i in steady),
        statistics.mean(per_frame),
        diff,
        state_mb,
        offload,
    )


@dataclass
class FullSizeEstimate:
    """The full 7B's FLOPs, from the mid configuration's per-layer counts times the 7B's layer counts (all
    text layers cost the same, as do the window-attention vision blocks and the full-attention ones), and
    its weights, from the parameters of the full configuration built on the meta device (no memory)."""

    window_flops: float  # engage's feature of one 10 s window
    webcam_flops: float  # one steady-state webcam result: a new two-frame patch into a 6-10 s window + the tail
    params: int

    def lines(self, gpu_tflops: float | None = None) -> str:
        out = [
            f"full (estimated from mid's per-layer FLOP counts, not measured): {self.window_flops / 1e12:.1f} TFLOP per "
            f"10 s window, {self.webcam_flops / 1e12:.2f} TFLOP per webcam result; weights {self.params / 1e9:.2f} B "
            f"parameters = {self.params * 2 / 2**30:.2f} GiB in bf16"
        ]
        if gpu_tflops:
            ms = lambda flops: f"{flops / (gpu_tflops * 1e12) * 1e3:.1f} ms"  # noqa: E731
            out.append(
                f"full: compute bound at {gpu_tflops:g} TFLOP/s (given with --gpu-tflops): {ms(self.window_flops)} per "
                f"window, {ms(self.webcam_flops)} per webcam result"
            )
        return "\n".join(out)


def _module_flops(fn) -> dict[str, int]:
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return {name: sum(ops.values()) for name, ops in counter.get_flop_counts().items()}


def _scaled_to_full(counts: dict[str, int], mid_config) -> float:
    """``counts`` (per module, of a mid-configuration run) with every layer the 7B has and mid lacks added."""

    def one(suffix: str) -> int:
        return next(v for k, v in counts.items() if k.endswith(suffix))

    full_vision, mid_vision = _config("full").vision_config, mid_config.vision_config
    full_blocks = set(mid_vision.fullatt_block_indexes)
    window_block, full_block = one(f"visual.blocks.{min(set(range(mid_vision.depth)) - full_blocks)}"), one(f"visual.blocks.{min(full_blocks)}")
    extra_text = FULL_TEXT["num_hidden_layers"] - mid_config.text_config.num_hidden_layers
    extra_full = len(full_vision.fullatt_block_indexes) - len(full_blocks)
    extra_window = (full_vision.depth - len(full_vision.fullatt_block_indexes)) - (mid_vision.depth - len(full_blocks))
    return counts["Global"] + extra_text * one("language_model.layers.0") + extra_window * window_block + extra_full * full_block


def estimate_full(mid: Backbone) -> FullSizeEstimate:
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    from .webcam import WebcamStream

    clip = daisee_like_windows(1)[0]
    window = _scaled_to_full(_module_flops(lambda: clip_features(mid, [clip])), mid.model.config)
    stream = WebcamStream()
    for frame in clip.frames[:7]:
        stream.push(mid, frame)
    # the 8th frame completes a patch of an 8-frame window (the 7B's webcam cost barely depends on which)
    step = _module_flops(lambda: stream.push(mid, clip.frames[7]).feature(mid))
    webcam = _scaled_to_full(step, mid.model.config)
    with torch.device("meta"):
        params = sum(p.numel() for p in Qwen2_5_VLForConditionalGeneration(_config("full")).parameters())
    return FullSizeEstimate(window, webcam, params)


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

    from .tiny import make_tiny_backbone

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
                bb = _random_backbone(name, tiny_dir, device)
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


def format_results(results: list[BenchResult]) -> str:
    lines = [
        f"{'config':<8}{'pipeline':<11}{'dtype':<10}{'params (M)':>11}{'tokens/win':>11}{'batch':>6}{'s/window':>10}"
        f"{'video-min/s':>12}{'webcam s':>10}{'peak GB':>9}{'TFLOP/win':>10}{'bound s':>9}{'x bound':>8}  memory"
    ]
    for r in results:
        lines.append(
            f"{r.config:<8}{r.pipeline:<11}{r.dtype:<10}{r.params_m:>11.1f}{r.tokens_per_window:>11}{r.batch_size:>6}"
            f"{r.seconds_per_window:>10.3f}{r.video_minutes_per_second:>12.4f}{r.webcam_latency_s:>10.3f}{r.peak_memory_gb:>9.2f}"
            f"{r.flops_per_window / 1e12:>10.4f}{r.bound_seconds:>9.4f}{r.times_bound:>8.1f}  {r.memory_kind}"
        )
    pairs = {}
    for r in results:
        pairs.setdefault(r.config, {})[r.pipeline] = r
    ratio_lines = []
    for config, pair in pairs.items():
        if {"engage", "reference"} <= set(pair):
            e, ref = pair["engage"], pair["reference"]
            ratio_lines.append(
                f"{config}: engage/reference video-minutes per second {e.video_minutes_per_second / ref.video_minutes_per_second:.2f}x, "
                f"webcam latency {e.webcam_latency_s / ref.webcam_latency_s:.2f}x, "
                f"peak memory {e.peak_memory_gb / ref.peak_memory_gb:.2f}x" + (" (CPU: the process resident set, sampled during each run)" if e.memory_kind != "GPU max allocated" else "")
            )
    return "\n".join(lines + ratio_lines)
