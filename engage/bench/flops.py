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


def _counter():
    """A FlopCounterMode that also counts SDPA's CPU kernel: torch 2.10 has formulas for the CUDA attention kernels
    only, so attention went uncounted on the CPU; it gets the two matmuls the other SDPA formulas count."""
    import torch
    from torch.utils import flop_counter as fc

    cpu_sdpa = getattr(torch.ops.aten, "_scaled_dot_product_flash_attention_for_cpu", None)
    if cpu_sdpa is not None and cpu_sdpa not in fc.flop_registry and cpu_sdpa.default not in fc.flop_registry:

        @fc.register_flop_formula(cpu_sdpa)
        def _cpu_sdpa_flop(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
            # Q·Kᵀ then weights·V, for every query head (grouped-query keys and values count once per query head)
            batch, heads, queries, dim = query_shape
            return 2 * batch * heads * queries * key_shape[-2] * (dim + value_shape[-1])

    return fc.FlopCounterMode(display=False)


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
