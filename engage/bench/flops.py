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


def flop_counts(extract: Callable[[Backbone, list[Clip]], np.ndarray], backbone: Backbone, clip: Clip) -> dict[str, int]:
    """FLOPs of ``extract`` on one window per aten op (matmuls, convolutions, SDPA), as FlopCounterMode counts them."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        extract(backbone, [clip])
    return {str(op): n for op, n in counter.get_flop_counts()["Global"].items()}


def module_flops(fn) -> dict[str, int]:
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return {name: sum(ops.values()) for name, ops in counter.get_flop_counts().items()}
