"""FLOPs and the compute bound: torch's FlopCounterMode over the pipeline, and the measured matmul rate."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..media import Clip
from ..model.backbone import Backbone
from .timing import timed


def matmul_tflops(device: str, dtype, size: int, repeats: int = 10) -> float:
    """The best rate of a ``size`` × ``size`` torch.matmul on ``device`` in ``dtype`` (2·size³ FLOPs), in TFLOP/s;
    the best, not the median, so that the compute bound derived from it is the tightest."""
    import torch

    cuda = device.startswith("cuda")
    a, b = (torch.randn(size, size, device=device, dtype=dtype) for _ in range(2))
    torch.matmul(a, b)  # warm-up
    if cuda:
        torch.cuda.synchronize()
    best = min(timed(lambda: torch.matmul(a, b), cuda) for _ in range(repeats))
    return 2 * size**3 / best / 1e12


def _sdpa_flops(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    """Q·Kᵀ then weights·V for every query head; grouped-query keys and values (the 7B's 28 query heads over 4
    key/value heads) count once per query head. torch's own formulas assert equal head counts, which the CUDA
    kernels meet only when keys are repeated."""
    batch, heads, queries, dim = query_shape
    return 2 * batch * heads * queries * key_shape[-2] * (dim + value_shape[-1])


SDPA_OPS = (
    "_scaled_dot_product_flash_attention_for_cpu",
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_cudnn_attention",
)


def _counter():
    """A FlopCounterMode that counts every SDPA kernel with ``_sdpa_flops``: torch 2.10 has no formula for the CPU
    kernel (attention went uncounted there), and its CUDA formulas refuse grouped-query shapes."""
    import torch
    from torch.utils import flop_counter as fc

    ops = [getattr(torch.ops.aten, name) for name in SDPA_OPS if hasattr(torch.ops.aten, name)]
    return fc.FlopCounterMode(display=False, custom_mapping={op: _sdpa_flops for op in ops})


def flop_counts(extract: Callable[[Backbone, list], np.ndarray], backbone: Backbone, item: Clip | str) -> dict[str, int]:
    """FLOPs of ``extract`` on one window (a clip, or a file of one window) per aten op (matmuls, convolutions,
    SDPA), as FlopCounterMode counts them."""
    counter = _counter()
    with counter:
        extract(backbone, [item])
    return {str(op): n for op, n in counter.get_flop_counts()["Global"].items()}


def module_flops(fn) -> dict[str, int]:
    counter = _counter()
    with counter:
        fn()
    return {name: sum(ops.values()) for name, ops in counter.get_flop_counts().items()}
