"""The vision tower's window attention in a few batched calls instead of one call per window.

Qwen2.5-VL's vision tower attends within 112-pixel windows (28 of its 32 blocks) and within each two-frame
temporal patch (the other 4). Without the flash-attn package, transformers runs that as one SDPA call per window:
for a 10 s window of 640×480 video, 150 windows a block, 4,200 small calls for the 28 window blocks, each a kernel
launch or several. Windows come in at most four sizes (inner, right edge, bottom edge, corner), so this runs one
SDPA call per distinct length, each over every window of that length stacked as a batch: the same arithmetic,
window by window, in a handful of launches. Registered with transformers' ``AttentionInterface`` under a name
holding "flash", which is what makes Qwen2.5-VL's vision attention pass the windows' boundaries
(``cu_seq_lens_q``) to it rather than split them itself.
"""
from __future__ import annotations

import logging

from ..settings import vision_attention_choice

VISION_ATTENTION = "flash_engage_grouped_sdpa"  # "flash" in the name: transformers then passes cu_seqlens
VARLEN_ATTENTION = "flash_engage_torch_varlen"  # PyTorch's varlen flash kernel: CUDA only
TRANSFORMERS_DEFAULT = "sdpa"
# ENGAGE_VISION_ATTENTION's values
CHOICES = {"grouped": VISION_ATTENTION, "varlen": VARLEN_ATTENTION, "sdpa": TRANSFORMERS_DEFAULT}

logger = logging.getLogger(__name__)
_varlen_failed = False


def grouped_window_attention(module, query, key, value, attention_mask=None, scaling=None, dropout=0.0, **kwargs):
    """Attention within the packed sequences that ``cu_seq_lens_q`` delimits. ``query``, ``key`` and ``value`` are
    (1, heads, tokens, head_dim); returns (1, tokens, heads, head_dim) as transformers' flash path does."""
    import torch
    import torch.nn.functional as F

    bounds = kwargs["cu_seq_lens_q"].tolist()
    _, heads, tokens, dim = query.shape
    out = query.new_empty(heads, tokens, dim)
    q, k, v = query[0], key[0], value[0]
    by_length: dict[int, list[int]] = {}
    for start, end in zip(bounds[:-1], bounds[1:]):
        if end > start:
            by_length.setdefault(end - start, []).append(start)
    for length, starts in by_length.items():
        index = (torch.tensor(starts, device=query.device)[:, None] + torch.arange(length, device=query.device)).reshape(-1)
        # (heads, windows × length, dim) → (windows, heads, length, dim)
        q_, k_, v_ = (t.index_select(1, index).view(heads, len(starts), length, dim).transpose(0, 1) for t in (q, k, v))
        o = F.scaled_dot_product_attention(q_, k_, v_, scale=scaling)
        out.index_copy_(1, index, o.transpose(0, 1).reshape(heads, -1, dim))
    return out.transpose(0, 1).unsqueeze(0), None


def varlen_window_attention(module, query, key, value, attention_mask=None, scaling=None, dropout=0.0, **kwargs):
    """The same through PyTorch's own variable-length flash attention (``torch.nn.attention.varlen``, CUDA only):
    one call for every window."""
    global _varlen_failed
    dim = query.shape[-1]
    if not _varlen_failed and query.is_cuda and (scaling is None or abs(scaling - dim**-0.5) < 1e-6):
        try:
            from torch.nn.attention.varlen import varlen_attn

            q, k, v = (t[0].transpose(0, 1) for t in (query, key, value))  # (tokens, heads, dim)
            bounds, longest = kwargs["cu_seq_lens_q"], kwargs["max_length_q"]
            return varlen_attn(q, k, v, bounds, bounds, longest, longest).unsqueeze(0), None
        except (ImportError, RuntimeError, NotImplementedError) as exc:  # a GPU or PyTorch without the kernel
            _varlen_failed = True
            logger.warning("PyTorch's varlen attention is unavailable here (%s); using batched SDPA instead", exc)
    return grouped_window_attention(module, query, key, value, attention_mask, scaling, dropout, **kwargs)


IMPLEMENTATIONS = {VISION_ATTENTION: grouped_window_attention, VARLEN_ATTENTION: varlen_window_attention}


def register() -> None:
    from transformers import AttentionInterface

    for name, fn in IMPLEMENTATIONS.items():
        AttentionInterface.register(name, fn)


def vision_attention_for(device: str) -> str:
    """``ENGAGE_VISION_ATTENTION`` (grouped, varlen or sdpa); by default PyTorch's varlen kernel on CUDA (the
    fastest measured on an H200; its features differ from transformers' own attention by bfloat16 rounding, see
    docs/performance.md) and the batched SDPA calls elsewhere (the same arithmetic as transformers' own)."""
    choice = vision_attention_choice()
    if choice:
        return CHOICES[choice]
    return VARLEN_ATTENTION if device.startswith("cuda") else VISION_ATTENTION


def use_vision_attention(model, name: str = VISION_ATTENTION) -> None:
    """Set the vision tower's attention implementation (``VISION_ATTENTION``, ``VARLEN_ATTENTION`` or
    transformers' ``"sdpa"``); the
    language model keeps its own."""
    if name in IMPLEMENTATIONS:
        register()
    model.config.vision_config._attn_implementation = name  # the vision tower's own config object
