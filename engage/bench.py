"""``python -m engage bench``: tokens, seconds and peak memory per 10 s window of feature extraction.

Random weights are fine for timing and never used for predictions. Configurations:
- ``tiny``: the test checkpoint of ``engage.tiny`` (2 layers, hidden 64), loaded with from_pretrained;
- ``mid``: the real Qwen2.5-VL-7B widths (text 3584, vision 1280) with only 2 + 2 layers, CPU-sized;
- ``full``: the full Qwen2.5-VL-7B architecture (28 + 32 layers), bf16, only on a CUDA machine.
"""
from __future__ import annotations

import os
import platform
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass

import numpy as np

from .backbone import Backbone, pick_device
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
    seconds_per_window: float
    webcam_latency_s: float  # one 10 s window from its newest frame to the feature (no batching possible)
    peak_memory_gb: float
    memory_kind: str

    @property
    def video_minutes_per_second(self) -> float:
        """Analysed video-minutes per second of accelerator (CPU here) held: what ZeroGPU charges."""
        return (10.0 / 60.0) / self.seconds_per_window


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


PIPELINES = {"engage": clip_features, "reference": reference_features}


def daisee_like_windows(count: int) -> list[Clip]:
    """``count`` windows of 10 frames at 640×480 (a DAiSEE clip at 1 FPS), from the example clip."""
    frames = VideoSource(EXAMPLE_CLIP).clips()[0].frames[:10]
    return [Clip(frames.copy(), np.arange(10.0), 10.0 * i, 10.0 * (i + 1)) for i in range(count)]


def _random_backbone(name: str, processor_dir: str, device: str) -> Backbone:
    import torch
    from transformers import AutoProcessor, Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    from .tiny import SPECIAL_TOKENS

    processor = AutoProcessor.from_pretrained(processor_dir)
    ids = {t: processor.tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    text = dict(FULL_TEXT, rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]})
    vision = dict(FULL_VISION)
    if name == "mid":
        text["num_hidden_layers"], vision["depth"], vision["fullatt_block_indexes"] = 2, 2, [1]
    config = Qwen2_5_VLConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
    )
    config._attn_implementation = "sdpa"
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


def measure(backbone: Backbone, name: str, windows: int, repeats: int, pipeline: str = "engage") -> BenchResult:
    import torch

    extract = PIPELINES[pipeline]
    clips = daisee_like_windows(windows)
    tokens = int(backbone.inputs(clips[:1], [backbone.protocol.prompt])["input_ids"].shape[1])
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
        name, pipeline, backbone.device, dtype, params, tokens, statistics.median(times), statistics.median(latency), peak, kind
    )


def webcam_updates(backbone: Backbone, frames: int = 6) -> tuple[float, float, float]:
    """Per-update seconds over a growing window of ``frames`` frames (1 FPS), and the max abs difference
    of the features: (incremental, full recompute, difference)."""
    import torch

    from .incremental import IncrementalWindow

    clip = daisee_like_windows(1)[0]
    window = IncrementalWindow(backbone, max_frames=frames)
    cuda = backbone.device.startswith("cuda")
    inc, full, diff = [], [], 0.0
    for k in range(1, frames + 1):
        got = []
        inc.append(_timed(lambda: got.append(window.add(clip.frames[k - 1])), cuda))
        ref = []
        part = Clip(clip.frames[:k], clip.timestamps[:k], 0.0, float(k))
        full.append(_timed(lambda: ref.append(clip_features(backbone, [part])[0]), cuda))
        diff = max(diff, float(np.abs(got[0] - ref[0]).max()))
    if cuda:
        torch.cuda.synchronize()
    return statistics.mean(inc), statistics.mean(full), diff


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
    webcam_frames: int = 6,
) -> list[BenchResult]:
    import torch

    from .tiny import make_tiny_backbone

    device = pick_device()
    configs = configs or (["tiny", "mid", "full"] if device.startswith("cuda") else ["tiny", "mid"])
    results, webcam_lines = [], []
    print(f"machine: {machine_description()}")
    print(f"input: {windows} windows of 10 frames at 640×480 (a DAiSEE clip at 1 FPS), batched 4 at a time; median of {repeats} runs")
    with tempfile.TemporaryDirectory() as tmp:
        tiny_dir = make_tiny_backbone(os.path.join(tmp, "tiny"))
        plans = [("checkpoint", backbone)] if backbone else [(c, None) for c in configs]
        for name, source in plans:
            if name == "full" and not device.startswith("cuda"):
                print("full: skipped (needs a CUDA GPU: the 7B model in float32 does not fit this machine)")
                continue
            if source:
                bb = Backbone.load(source, device=device)
            elif name == "tiny":
                bb = Backbone.load(tiny_dir, device=device)
            else:
                bb = _random_backbone(name, tiny_dir, device)
            results.append(measure(bb, name, windows, repeats, "engage"))
            if webcam_frames:
                inc, full, diff = webcam_updates(bb, webcam_frames)
                webcam_lines.append(
                    f"{name}: webcam update over a growing window of {webcam_frames} frames: incremental {inc:.3f} s, "
                    f"full recompute {full:.3f} s per update ({inc / full:.2f}x), max feature difference {diff:.1e}"
                )
            if reference:
                if device.startswith("cuda"):
                    bb.model.half()  # the report ran float16
                results.append(measure(bb, name, windows, repeats, "reference"))
            del bb
            if device.startswith("cuda"):
                torch.cuda.empty_cache()
    print(format_results(results))
    print("\n".join(webcam_lines))
    return results


def format_results(results: list[BenchResult]) -> str:
    lines = [
        f"{'config':<8}{'pipeline':<11}{'dtype':<10}{'params (M)':>11}{'tokens/win':>11}{'s/window':>10}"
        f"{'video-min/s':>12}{'webcam s':>10}{'peak GB':>9}  memory"
    ]
    for r in results:
        lines.append(
            f"{r.config:<8}{r.pipeline:<11}{r.dtype:<10}{r.params_m:>11.1f}{r.tokens_per_window:>11}{r.seconds_per_window:>10.3f}"
            f"{r.video_minutes_per_second:>12.4f}{r.webcam_latency_s:>10.3f}{r.peak_memory_gb:>9.2f}  {r.memory_kind}"
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
