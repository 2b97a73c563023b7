"""How many 10 s windows of a video go through the model in one forward pass: as many as memory holds."""
from __future__ import annotations

import math

import numpy as np

from ..media import Clip
from ..settings import Limits, Windowing, gpu_memory_budget_gib
from .backbone import Backbone

CPU_BATCH = 4
MAX_BATCH = 16
SAFETY = 0.8  # headroom for allocator fragmentation and padding to the longest window of a batch


def batch_for_memory(free_bytes: int, per_window_bytes: int, safety: float = SAFETY, max_batch: int = MAX_BATCH) -> int:
    """floor(safety × free / per window), clamped to [1, max_batch]."""
    if per_window_bytes <= 0:
        return max_batch
    return max(1, min(max_batch, math.floor(safety * free_bytes / per_window_bytes)))


def memory_room(free_bytes: int, resident_bytes: int, budget_bytes: int) -> int:
    """Bytes a batch may use: what the device has free, but no more than the budget leaves above the model."""
    return max(0, min(free_bytes, budget_bytes - resident_bytes))


def largest_window(windowing: Windowing | None = None, limits: Limits | None = None) -> Clip:
    """The costliest window the engine can meet: the longest one (a short tail joins the last window) of
    the largest frames decoding yields (4:3, long side ``max_side``), which the processor then brings down
    to the protocol's ``max_pixels``."""
    windowing, limits = windowing or Windowing(), limits or Limits()
    frames = math.ceil((windowing.window_seconds + windowing.min_tail_seconds) * windowing.fps)
    pixels = np.zeros((frames, limits.max_side * 3 // 4, limits.max_side, 3), dtype=np.uint8)
    return Clip(pixels, np.arange(frames) / windowing.fps, 0.0, frames / windowing.fps)


def pick_batch_size(
    backbone: Backbone, windowing: Windowing | None = None, limits: Limits | None = None, max_batch: int = MAX_BATCH
) -> int:
    """On CUDA: the peak memory of one largest window's forward above the resident model, against the
    memory free on the device (plus what PyTorch's allocator holds unused) or the room left under
    ``gpu_memory_budget_gib`` above the resident model, whichever is smaller.

    On CPU a fixed ``CPU_BATCH``: there is no allocator peak counter to size against, and one window
    already keeps every core busy, so larger batches buy little there.
    """
    if not backbone.device.startswith("cuda"):
        return CPU_BATCH
    import torch

    from .features import clip_features

    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    resident = torch.cuda.memory_allocated()
    clip_features(backbone, [largest_window(windowing, limits)], batch_size=1)
    torch.cuda.synchronize()
    per_window = torch.cuda.max_memory_allocated() - resident
    free, _ = torch.cuda.mem_get_info()
    free += torch.cuda.memory_reserved() - torch.cuda.memory_allocated()
    room = memory_room(free, resident, int(gpu_memory_budget_gib() * 2**30))
    return batch_for_memory(room, per_window, max_batch=max_batch)
