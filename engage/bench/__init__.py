"""``python -m engage bench``: tokens, seconds, FLOPs and peak memory per 10 s window of feature extraction.

Random weights are fine for timing and never used for predictions. Configurations:
- ``tiny``: the test checkpoint of ``engage.model.tiny`` (2 layers, hidden 64), loaded with from_pretrained;
- ``mid``: the real Qwen2.5-VL-7B widths (text 3584, vision 1280) with only 2 + 2 layers, CPU-sized;
- ``full``: the full Qwen2.5-VL-7B architecture (28 + 32 layers), bf16, only on a CUDA machine.

Each window's compute bound is its FLOPs (torch's FlopCounterMode over one window of the pipeline) at the
matmul rate measured on the same device and dtype; "x bound" is the measured time over that bound.

Modules: ``configs`` (inputs, random-weight configurations), ``timing`` (clocks, peak memory), ``measure``
(one pipeline's seconds, memory and FLOPs; the table), ``flops`` (FLOP counts, matmul rate), ``full_size``
(the 7B estimated from ``mid``), ``webcam`` (the stream against recomputing), ``run`` (all of it, for the CLI).
"""
from __future__ import annotations

from .run import run_bench

__all__ = ["run_bench"]
