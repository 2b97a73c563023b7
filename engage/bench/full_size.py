"""The full 7B's FLOPs estimated without a GPU: the ``mid`` configuration's per-layer counts times the 7B's
layer counts, and its weights counted on the meta device."""
from __future__ import annotations

from dataclasses import dataclass

from ..affect.webcam import WebcamStream
from ..model.backbone import Backbone
from ..model.features import clip_features
from .configs import FULL_TEXT, daisee_like_windows, qwen_config
from .flops import module_flops


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


def scaled_to_full(counts: dict[str, int], mid_config) -> float:
    """``counts`` (per module, of a mid-configuration run) with every layer the 7B has and mid lacks added."""

    def one(suffix: str) -> int:
        return next(v for k, v in counts.items() if k.endswith(suffix))

    full_vision, mid_vision = qwen_config("full").vision_config, mid_config.vision_config
    full_blocks = set(mid_vision.fullatt_block_indexes)
    window_block, full_block = one(f"visual.blocks.{min(set(range(mid_vision.depth)) - full_blocks)}"), one(f"visual.blocks.{min(full_blocks)}")
    extra_text = FULL_TEXT["num_hidden_layers"] - mid_config.text_config.num_hidden_layers
    extra_full = len(full_vision.fullatt_block_indexes) - len(full_blocks)
    extra_window = (full_vision.depth - len(full_vision.fullatt_block_indexes)) - (mid_vision.depth - len(full_blocks))
    return counts["Global"] + extra_text * one("language_model.layers.0") + extra_window * window_block + extra_full * full_block


def estimate_full(mid: Backbone) -> FullSizeEstimate:
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    clip = daisee_like_windows(1)[0]
    window = scaled_to_full(module_flops(lambda: clip_features(mid, [clip])), mid.model.config)
    stream = WebcamStream()
    for frame in clip.frames[:7]:
        stream.push(mid, frame)
    # the 8th frame completes a patch of an 8-frame window (the 7B's webcam cost barely depends on which)
    step = module_flops(lambda: stream.push(mid, clip.frames[7]).feature(mid))
    webcam = scaled_to_full(step, mid.model.config)
    with torch.device("meta"):
        params = sum(p.numel() for p in Qwen2_5_VLForConditionalGeneration(qwen_config("full")).parameters())
    return FullSizeEstimate(window, webcam, params)
