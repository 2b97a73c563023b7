"""Limits and defaults, overridable by environment variables (``ENGAGE_*``).

The one place where engage reads the environment: every other module asks a function here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_BACKBONE = "Qwen/Qwen2.5-VL-7B-Instruct"
REFERENCE_HEADS_REPO = "mapotofu40/qwen-mlp"  # the first report's published heads
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES_DIR = os.path.join(REPO_ROOT, "examples")


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class Limits:
    """What the app accepts. Defaults suit a ZeroGPU Space."""

    max_upload_mb: float = field(default_factory=lambda: _env_float("ENGAGE_MAX_UPLOAD_MB", 1024.0))
    max_video_seconds: float = field(default_factory=lambda: _env_float("ENGAGE_MAX_VIDEO_SECONDS", 3600.0))
    # Frames are downscaled at decode time so the long side is at most this many pixels.
    max_side: int = field(default_factory=lambda: _env_int("ENGAGE_MAX_SIDE", 1280))
    # Anything larger than this on a side is refused outright (no sane camera films it).
    max_input_side: int = field(default_factory=lambda: _env_int("ENGAGE_MAX_INPUT_SIDE", 8192))
    # Images above this many pixels are refused before decoding (decompression bombs).
    max_image_pixels: int = field(default_factory=lambda: _env_int("ENGAGE_MAX_IMAGE_PIXELS", 50_000_000))


@dataclass(frozen=True)
class Windowing:
    """How a video is cut: 1 frame per second, 10 s windows as in DAiSEE."""

    fps: float = 1.0
    window_seconds: float = field(default_factory=lambda: _env_float("ENGAGE_WINDOW_SECONDS", 10.0))
    # A trailing piece shorter than this joins the window before it instead of standing alone.
    min_tail_seconds: float = 5.0


def gpu_memory_budget_gib() -> float:
    """Peak GPU memory engage allows itself while analysing (``ENGAGE_GPU_MEMORY_GB``, GiB). 17 by default: the
    speed issue's target (the first report states 18-22 GB); the 7B weights alone take 15.4 GiB in bf16."""
    return _env_float("ENGAGE_GPU_MEMORY_GB", 17.0)


def decode_workers() -> int:
    """Threads that decode clips ahead of the model in feature extraction (``ENGAGE_DECODE_WORKERS``; by default
    one per CPU, at most 8)."""
    return max(1, _env_int("ENGAGE_DECODE_WORKERS", min(8, os.cpu_count() or 1)))


def vision_attention_choice() -> str | None:
    """``ENGAGE_VISION_ATTENTION``: how the vision tower attends within its windows: ``grouped`` (batched SDPA
    calls), ``varlen`` (PyTorch's variable-length flash kernel, CUDA) or ``sdpa`` (transformers' own, one call
    per window); unset: varlen on CUDA, grouped elsewhere (``engage.model.attention``)."""
    value = os.environ.get("ENGAGE_VISION_ATTENTION", "").strip().lower()
    if value and value not in ("grouped", "varlen", "sdpa"):
        raise ValueError(f"ENGAGE_VISION_ATTENTION must be grouped, varlen or sdpa, not {value!r}")
    return value or None


def compile_blocks_on_gpu() -> bool:
    """``ENGAGE_COMPILE=1``: on CUDA the model's repeated blocks are compiled (``engage.model.compiled``): on an
    H200 29 % less model time per window and 24 % less end to end, after a first call of 12-16 s. Off by default:
    every new process (a ZeroGPU worker, an app's first visitor) pays that first call; a long extraction gains."""
    return _env_int("ENGAGE_COMPILE", 0) != 0


def vision_mlp_multiple() -> int:
    """``ENGAGE_PAD_VISION_MLP``: widen the vision blocks' MLPs with zeros to a multiple of this many units (the
    same features; ``engage.model.padding``); 0, the default, leaves them as loaded."""
    return max(0, _env_int("ENGAGE_PAD_VISION_MLP", 0))


def resize_on_gpu() -> bool:
    """``ENGAGE_RESIZE_ON_GPU=1``: on CUDA the video processor resizes frames on the GPU. Off by default: on an
    H200 it did not pay once decoding ran in 8 threads, and its features differ from the CPU's (the report's way)
    by about 1 % (docs/performance.md)."""
    return _env_int("ENGAGE_RESIZE_ON_GPU", 0) != 0


def backbone_source() -> str:
    """Hub id or local directory of the backbone (``ENGAGE_BACKBONE``)."""
    return os.environ.get("ENGAGE_BACKBONE", DEFAULT_BACKBONE)


def weights_dir() -> str:
    """Where the heads live (``ENGAGE_WEIGHTS``, default ``weights/`` next to the package)."""
    return os.environ.get("ENGAGE_WEIGHTS", os.path.join(REPO_ROOT, "weights"))


def device_override() -> str | None:
    """``ENGAGE_DEVICE`` ("cpu", "cuda", "cuda:1"…), or None to pick CUDA when there is one."""
    return os.environ.get("ENGAGE_DEVICE") or None


def launcher_shard() -> tuple[int, int, str] | None:
    """The shard a launcher gives this process, as (i, n, where from): torchrun or accelerate (``RANK``,
    ``WORLD_SIZE``) or a SLURM job array (``SLURM_ARRAY_TASK_ID`` counted from ``SLURM_ARRAY_TASK_MIN``, of
    ``SLURM_ARRAY_TASK_COUNT``); None when neither is set. Values that do not make a shard raise ValueError."""
    env = os.environ
    if env.get("WORLD_SIZE"):
        i, n, source = env.get("RANK", ""), env["WORLD_SIZE"], f"torchrun/accelerate (RANK={env.get('RANK')}, WORLD_SIZE={env['WORLD_SIZE']})"
    elif env.get("SLURM_ARRAY_TASK_COUNT") or env.get("SLURM_ARRAY_TASK_ID"):
        task, first = env.get("SLURM_ARRAY_TASK_ID", ""), env.get("SLURM_ARRAY_TASK_MIN", "0")
        n = env.get("SLURM_ARRAY_TASK_COUNT", "")
        i = str(int(task) - int(first)) if task.isdigit() and first.isdigit() else task
        source = f"a SLURM array (SLURM_ARRAY_TASK_ID={task}, SLURM_ARRAY_TASK_MIN={first}, SLURM_ARRAY_TASK_COUNT={n})"
    else:
        return None
    try:
        index, count = int(i), int(n)
    except ValueError:
        raise ValueError(f"{source} does not give a shard: both must be integers") from None
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"{source} does not give a shard: need 0 <= index < count (a SLURM array must be contiguous, e.g. --array=0-3)")
    return index, count, source


def local_rank() -> int | None:
    """``LOCAL_RANK`` (torchrun, accelerate): which of this machine's GPUs the process should use."""
    value = os.environ.get("LOCAL_RANK")
    return int(value) if value and value.isdigit() else None


def on_space() -> bool:
    """Running as a Hugging Face Space (the platform sets ``SPACE_ID``)."""
    return bool(os.environ.get("SPACE_ID"))


def heads_source() -> str:
    """Where the Space fetches heads on first start when ``weights/`` has none (``ENGAGE_HEADS_SOURCE``)."""
    return os.environ.get("ENGAGE_HEADS_SOURCE", REFERENCE_HEADS_REPO)


def classroom_update_seconds() -> float:
    """Classroom camera: students are analysed every this many seconds, twice ``ENGAGE_WEBCAM_UPDATE_S`` (3)."""
    return 2 * _env_float("ENGAGE_WEBCAM_UPDATE_S", 3.0)


def session_ttl_seconds() -> float:
    """A visitor's session state (webcam caches, classroom, their export folder) is dropped this many seconds
    after its last use (``ENGAGE_SESSION_TTL_S``, 600), or when the tab closes."""
    return _env_float("ENGAGE_SESSION_TTL_S", 600.0)


def classroom_away_seconds() -> float:
    """Classroom: a student out of sight up to this long keeps their id when they come back, recognised by their
    face (``ENGAGE_AWAY_S``, 60)."""
    return _env_float("ENGAGE_AWAY_S", 60.0)


def files_max_age_seconds() -> int:
    """Gradio's copies of uploads and downloads are deleted once this old (``ENGAGE_FILES_MAX_AGE_S``, 900 s),
    checked every third of it, and all of them when the server stops."""
    return _env_int("ENGAGE_FILES_MAX_AGE_S", 900)


def session_requests() -> int:
    """Analyses (image, frames, video, classroom, roster, class report) one session may have queued or running at
    once (``ENGAGE_SESSION_REQUESTS``, 3); one more is refused before it joins the shared queue."""
    return max(1, _env_int("ENGAGE_SESSION_REQUESTS", 3))


def max_request_pixels() -> int:
    """Pixels the images of one request may hold together, read from their headers before any is decoded
    (``ENGAGE_MAX_REQUEST_PIXELS``, 100 million: two of the largest photos accepted)."""
    return _env_int("ENGAGE_MAX_REQUEST_PIXELS", 100_000_000)


def classroom_camera_seconds() -> int:
    """How long one classroom-camera stream holds one of its slots before it stops (``ENGAGE_CLASSROOM_CAMERA_S``,
    600); started again, the class carries on."""
    return max(30, _env_int("ENGAGE_CLASSROOM_CAMERA_S", 600))
