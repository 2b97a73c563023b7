"""How many GPU seconds to ask ZeroGPU for, computed from the work (short calls queue first)."""
from __future__ import annotations

from ..errors import EngageError
from ..media import probe_video, window_bounds
from ..settings import Limits, Windowing

BASE_SECONDS = 15
PER_WINDOW_SECONDS = {"mlp": 2.0, "zero-shot": 6.0}
MAX_SECONDS = 300


def no_gpu(task=None, *, duration=None, size=None):
    """Stand-in for ``spaces.GPU`` where the ``spaces`` package is not installed: the function, unchanged (what
    ``spaces.GPU`` itself returns off ZeroGPU). Used bare (``@no_gpu``) or with arguments (``@no_gpu(duration=…)``)."""
    if callable(task):
        return task
    return lambda fn: fn


def clip_gpu_seconds(method: str = "mlp") -> int:
    return int(BASE_SECONDS + PER_WINDOW_SECONDS.get(method, 6.0))


def _windows(path: str, limits: Limits | None, windowing: Windowing | None) -> int | None:
    """Number of windows of a video, or None when it fails to probe (it will fail fast anyway)."""
    windowing = windowing or Windowing()
    try:
        info = probe_video(path, limits)
    except EngageError:
        return None
    return len(window_bounds(info.duration, windowing.window_seconds, windowing.min_tail_seconds))


def video_gpu_seconds(path: str, method: str = "mlp", limits: Limits | None = None, windowing: Windowing | None = None) -> int:
    """Estimate from the number of windows; a file that fails to probe gets the short default."""
    windows = _windows(path, limits, windowing)
    if windows is None:
        return BASE_SECONDS
    return int(min(MAX_SECONDS, BASE_SECONDS + windows * PER_WINDOW_SECONDS.get(method, 6.0)))


PER_STUDENT_WINDOW_SECONDS = 1.5  # one shared video prefix + 11 short questions per student and window


def classroom_gpu_seconds(windows: int, max_faces: int) -> int:
    """Classroom windows whose faces were already detected (on the CPU): up to ``max_faces`` students each."""
    return int(min(MAX_SECONDS, BASE_SECONDS + windows * max_faces * PER_STUDENT_WINDOW_SECONDS))
