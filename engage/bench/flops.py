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


def _varlen_flops(query, key, value, cu_seq_q, cu_seq_k, *args, out_val=None, **kwargs) -> int:
    """PyTorch's varlen attention (engage's default vision attention on CUDA): Q·Kᵀ then weights·V within each
    packed sequence; query (tokens, heads, dim), sequence bounds in ``cu_seq_q`` and ``cu_seq_k``."""
    heads, dim, dim_v = query.shape[1], query.shape[2], value.shape[2]
    lengths_q, lengths_k = (c[1:] - c[:-1] for c in (cu_seq_q, cu_seq_k))
    return int(2 * heads * (dim + dim_v) * (lengths_q.long() * lengths_k.long()).sum().item())


_varlen_flops._get_raw = True  # FlopCounterMode passes the tensors themselves: the bounds are values, not shapes


def _varlen_op():
    import torch

    try:
        import torch.nn.attention.varlen  # noqa: F401  registers torch_attn::_varlen_attn

        return torch.ops.torch_attn._varlen_attn
    except (ImportError, AttributeError):
        return None


SDPA_OPS = (
    "_scaled_dot_product_flash_attention_for_cpu",
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_cudnn_attention",
)


def _counter():
    """A FlopCounterMode that counts every SDPA kernel with ``_sdpa_flops`` (torch 2.10 has no formula for the CPU
    kernel, and its CUDA formulas refuse grouped-query shapes) and PyTorch's varlen attention, which it counts
    not at all."""
    import torch
    from torch.utils import flop_counter as fc

    ops = [getattr(torch.ops.aten, name) for name in SDPA_OPS if hasattr(torch.ops.aten, name)]
    mapping = {op: _sdpa_flops for op in ops}
    if (varlen := _varlen_op()) is not None:
        mapping[varlen] = _varlen_flops
    return fc.FlopCounterMode(display=False, custom_mapping=mapping)


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
