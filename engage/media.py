"""Media in: decode, validate, cut into windows, keep the frames the report's processor call keeps.

A *clip* is the frames of one window (a DAiSEE clip is 10 s; an image is a one-frame clip).
Videos are probed with PyAV (metadata only) and decoded with decord, once, window by window.
"""
from __future__ import annotations

import math
import os
import struct
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import (
    CorruptMediaError,
    EmptyMediaError,
    MediaTooLargeError,
    MediaTooLongError,
    UnsupportedMediaError,
)
from .settings import Limits, Windowing

# FFmpeg demuxers that turn non-video files (text, subtitles, raw data) into a "video" stream.
NOT_VIDEO_FORMATS = {"tty", "bin", "xbin", "adf", "idf", "srt", "ass", "webvtt", "data", "image2"}
VIDEO_EXTENSIONS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


@dataclass
class Clip:
    """Frames of one window: ``frames`` is (T, H, W, 3) uint8, ``timestamps`` in seconds."""

    frames: np.ndarray
    timestamps: np.ndarray
    start: float
    end: float
    still: bool = False  # a photo (or one frame taken as a photo), not frames of a video

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def seconds(self) -> float:
        """Seconds of video the clip covers (0 for a still image)."""
        return float(self.end - self.start)


@dataclass(frozen=True)
class VideoInfo:
    path: str
    fps: float
    num_frames: int
    duration: float
    width: int
    height: int
    # decord seeks to the wrong frame in AVI files with B-frames (dmlc/decord#195): those decode with PyAV.
    needs_sequential_decode: bool = False
    # Counter-clockwise quarter turns that put the frames upright (the stream's display matrix: phone videos);
    # width and height above are the upright ones.
    quarter_turns: int = 0
    # Seconds of each frame from the first, in presentation order, when the frame rate varies; None when constant.
    frame_times: np.ndarray | None = None

    @property
    def coded_size(self) -> tuple[int, int]:
        """(width, height) of the frames as stored, before turning them upright (PyAV decodes them so; decord
        turns them itself)."""
        return (self.height, self.width) if self.quarter_turns % 2 else (self.width, self.height)


# ---------------------------------------------------------------- pure sampling helpers


def report_frame_indices(total: int, video_fps: float, fps: float = 1.0, temporal_patch: int = 2, min_frames: int = 4, max_frames: int = 768) -> np.ndarray:
    """The frames of a ``total``-frame clip that the report's call keeps: Qwen2-VL's video processor sampling at
    ``fps`` (``sample_frames`` in transformers 4.57.1, the report's version, and unchanged in 5.x): a multiple of
    ``temporal_patch`` frames, ``floor(total / video_fps * fps / 2) * 2`` (at least ``min_frames``, at most the
    frames there are), spread evenly over the clip by truncated fractional steps. A clip too short for one
    temporal patch keeps its first frame."""
    import torch

    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    top = math.floor(min(max_frames, total) / temporal_patch) * temporal_patch
    n = min(max(total / video_fps * fps, min_frames), top, total)
    n = math.floor(n / temporal_patch) * temporal_patch
    if n <= 0:
        return np.zeros(1, dtype=np.int64)
    # the same torch expression as transformers, so float steps truncate identically
    return torch.arange(0, total, total / n).int().numpy().astype(np.int64)


def window_bounds(duration: float, window_seconds: float = 10.0, min_tail_seconds: float = 5.0) -> list[tuple[float, float]]:
    """Consecutive windows ``[start, end)`` covering ``duration``.

    A trailing piece shorter than ``min_tail_seconds`` joins the previous window, so no window
    is a sliver of a second.
    """
    if duration <= 0:
        return []
    full = int(math.floor(duration / window_seconds + 1e-9))
    if full == 0:
        return [(0.0, float(duration))]
    bounds = [(i * window_seconds, (i + 1) * window_seconds) for i in range(full)]
    tail = duration - full * window_seconds
    if tail > 1e-9:
        if tail < min_tail_seconds:
            bounds[-1] = (bounds[-1][0], float(duration))
        else:
            bounds.append((full * window_seconds, float(duration)))
    return bounds


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """(width, height) scaled down so the long side is at most ``max_side`` (never up)."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


# ---------------------------------------------------------------- images


def _to_rgb_uint8(img: Image.Image) -> np.ndarray:
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = arr.max() if arr.size and arr.max() > 255 else 255.0
        arr = (arr / (65535.0 if hi > 255 else 255.0) * 255.0).clip(0, 255).astype(np.uint8)
        return np.repeat(arr[..., None], 3, axis=2)
    if img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        rng = arr.max() - arr.min()
        arr = ((arr - arr.min()) / (rng if rng > 0 else 1.0) * 255.0).astype(np.uint8)
        return np.repeat(arr[..., None], 3, axis=2)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return np.array(img.convert("RGB"), dtype=np.uint8)


def load_image(path: str, limits: Limits | None = None) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8 RGB, refusing bombs and downscaling big ones."""
    limits = limits or Limits()
    _check_file(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                if width * height > limits.max_image_pixels:
                    raise MediaTooLargeError(key="error.image_too_large", width=width, height=height,
                                             mp=round(width * height / 1e6), limit=round(limits.max_image_pixels / 1e6))
                img.load()
                ImageOps.exif_transpose(img, in_place=True)  # a phone photo's orientation tag, before any sizing
                if img.width == 0 or img.height == 0:
                    raise EmptyMediaError(key="error.image_empty")
                if max(img.size) > limits.max_side:
                    img = img.resize(scaled_size(img.width, img.height, limits.max_side), Image.Resampling.BICUBIC)
                return _to_rgb_uint8(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaTooLargeError(key="error.image_bomb", limit=round(limits.max_image_pixels / 1e6)) from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaError(key="error.not_image") from exc
    except ValueError as exc:  # Pillow's refusal of an oversized text chunk or colour profile (PNG zTXt, iTXt, iCCP)
        error = CorruptMediaError(key="error.image_metadata" if _metadata_refusal(exc) else "error.image_corrupt")
        error.detail = str(exc)
        raise error from exc
    except (OSError, SyntaxError, EOFError, IndexError, struct.error) as exc:  # what Pillow's plugins raise on a bad file
        error = CorruptMediaError(key="error.image_corrupt")
        error.detail = str(exc)  # the decoder's words, for the log: not a visitor's
        raise error from exc


def _metadata_refusal(exc: ValueError) -> bool:
    """Pillow's words when a PNG's text chunks or colour profile are over its limits (``MAX_TEXT_CHUNK``,
    ``MAX_TEXT_MEMORY``)."""
    words = str(exc)
    return "Decompressed data too large" in words or "Too much memory used in text chunks" in words


def image_array_to_clip(frame: np.ndarray | None) -> Clip:
    """A still image (or one webcam frame) as a one-frame clip."""
    frame = validate_frame(frame)
    return Clip(frames=frame[None], timestamps=np.zeros(1), start=0.0, end=0.0, still=True)


def validate_frame(frame: np.ndarray | None) -> np.ndarray:
    """Check a webcam/array frame and return it as (H, W, 3) uint8."""
    if frame is None:
        raise EmptyMediaError(key="error.no_camera_frame")
    arr = np.asarray(frame)
    if arr.size == 0 or arr.ndim < 2:
        raise EmptyMediaError(key="error.camera_frame_empty")
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.shape[2] == 4:
        arr = arr[..., :3]
    if arr.shape[2] != 3:
        raise UnsupportedMediaError(key="error.frame_not_rgb", shape="×".join(map(str, arr.shape)))
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return arr


def fit_pixels(frame: np.ndarray, max_pixels: int) -> np.ndarray:
    """The frame scaled down (bicubic, aspect kept) to at most ``max_pixels`` pixels; unchanged if it fits."""
    height, width = frame.shape[:2]
    if height * width <= max_pixels:
        return frame
    scale = math.sqrt(max_pixels / (height * width))
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BICUBIC))


def frames_to_clip(paths: list[str], limits: Limits | None = None, fps: float = 1.0) -> Clip:
    """Still frames taken at ``fps`` (oldest first) as one clip; they must share one size."""
    frames = [load_image(p, limits) for p in paths]
    if len({f.shape for f in frames}) > 1:
        raise UnsupportedMediaError(key="error.frames_differ")
    times = np.arange(len(frames), dtype=np.float64) / fps
    return Clip(frames=np.stack(frames), timestamps=times, start=0.0, end=len(frames) / fps)


# ---------------------------------------------------------------- videos


def _check_file(path: str, limits: Limits) -> None:
    if not path or not os.path.isfile(path):
        raise EmptyMediaError(key="error.no_file")
    size = os.path.getsize(path)
    if size == 0:
        raise EmptyMediaError(key="error.file_empty")
    if size > limits.max_upload_mb * 1024 * 1024:
        raise MediaTooLargeError(key="error.file_too_large", size=round(size / 2**20), limit=round(limits.max_upload_mb))


def probe_video(path: str, limits: Limits | None = None) -> VideoInfo:
    """Read a video's metadata (no decoding) and check it against the limits."""
    import av

    limits = limits or Limits()
    _check_file(path, limits)
    try:
        with av.open(path) as container:
            if set(container.format.name.split(",")) & NOT_VIDEO_FORMATS:
                raise UnsupportedMediaError(key="error.not_media")
            streams = container.streams.video
            if not streams:
                raise EmptyMediaError(key="error.no_video_stream")
            stream = streams[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            turns = _quarter_turns(container, stream)
            times = _variable_frame_times(container, stream)
            sequential = "avi" in container.format.name.split(",") and bool(stream.codec_context.has_b_frames)
            fps = float(stream.average_rate or stream.guessed_rate or 0)
            frames = int(stream.frames or 0)
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            else:
                duration = frames / fps if fps > 0 else 0.0
    except (EmptyMediaError, UnsupportedMediaError):
        raise
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        if os.path.splitext(path)[1].lower() in VIDEO_EXTENSIONS:
            raise CorruptMediaError(key="error.video_unopenable") from exc
        raise UnsupportedMediaError(key="error.not_media") from exc
    if not width or not height:
        raise CorruptMediaError(key="error.video_no_size")
    if max(width, height) > limits.max_input_side:
        raise MediaTooLargeError(key="error.video_too_large", width=width, height=height, limit=limits.max_input_side)
    if times is not None:
        # a varying rate: count and average rate from the frames' times (FFmpeg's average is off with B-frames,
        # and Matroska/WebM often have neither)
        frames, fps = len(times), (len(times) - 1) / float(times[-1])
    if fps <= 0 or not math.isfinite(fps):
        raise CorruptMediaError(key="error.video_no_rate")
    if frames <= 0:
        frames = int(round(duration * fps))
    duration = duration if duration > 0 else frames / fps
    if frames <= 0 or duration <= 0:
        raise EmptyMediaError(key="error.video_empty")
    if duration > limits.max_video_seconds:
        raise MediaTooLongError(key="error.video_too_long", seconds=round(duration), limit=round(limits.max_video_seconds))
    if turns % 2:
        width, height = height, width
    return VideoInfo(
        path=path, fps=fps, num_frames=frames, duration=duration, width=width, height=height,
        needs_sequential_decode=sequential, quarter_turns=turns, frame_times=times,
    )


def _quarter_turns(container, stream) -> int:
    """From the display matrix, read off the first decoded frame (PyAV exposes it there): counter-clockwise
    quarter turns, 0-3."""
    import av

    try:
        frame = next(container.decode(stream), None)
    except av.error.FFmpegError:
        frame = None
    container.seek(0)
    return int(round((frame.rotation if frame is not None else 0) / 90)) % 4


def _variable_frame_times(container, stream) -> np.ndarray | None:
    """Each frame's time from the first (seconds, in presentation order) when the frame rate varies; None when it
    is constant. The container's index (no reading) settles a constant rate in MP4/MOV; its stamps are decode
    times, off by the B-frame delay, so the times themselves come from the packets' presentation stamps (read,
    not decoded), as for files whose index lists keyframes only (Matroska/WebM)."""
    if stream.time_base is None:
        return None
    entries = stream.index_entries
    indexed = entries is not None and bool(stream.frames) and len(entries) == stream.frames
    if indexed and _varying_times([e.timestamp for e in entries], stream.time_base) is None:
        return None
    stamps = [p.pts for p in container.demux(stream) if p.pts is not None]
    container.seek(0)
    return _varying_times(stamps, stream.time_base)


def _varying_times(stamps: list[int], time_base, tolerance: float = 0.25) -> np.ndarray | None:
    """The stamps as sorted seconds from the first, or None when every gap is within ``tolerance`` of the median."""
    if len(stamps) < 3:
        return None
    times = np.sort(np.asarray(stamps, dtype=np.float64)) * float(time_base)
    times -= times[0]
    gaps = np.diff(times)
    median = float(np.median(gaps))
    if median <= 0 or np.all(np.abs(gaps - median) <= tolerance * median):
        return None
    return times


def _nearest_frames(times: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted time, the index of the frame whose time is nearest (the earlier on a tie); ``times`` sorted,
    at least two."""
    right = np.clip(np.searchsorted(times, wanted), 1, len(times) - 1)
    left = right - 1
    return np.where(wanted - times[left] <= times[right] - wanted, left, right).astype(np.int64)


class VideoSource:
    """A probed video, decoded once with decord, window by window."""

    def __init__(self, path: str, limits: Limits | None = None, windowing: Windowing | None = None):
        self.limits = limits or Limits()
        self.windowing = windowing or Windowing()
        self.info = probe_video(path, self.limits)
        self.bounds = window_bounds(self.info.duration, self.windowing.window_seconds, self.windowing.min_tail_seconds)
        self._reader = None

    def _open(self):
        import decord

        if self._reader is None:
            # decord applies the display matrix itself: its sizes are the upright ones
            upright = (self.info.width, self.info.height)
            width, height = scaled_size(*upright, self.limits.max_side)
            if (width, height) == upright:
                width, height = -1, -1
            try:
                self._reader = decord.VideoReader(self.info.path, ctx=decord.cpu(0), width=width, height=height)
            except (RuntimeError, decord.DECORDError) as exc:
                raise CorruptMediaError(key="error.video_undecodable") from exc
            if len(self._reader) == 0:
                raise EmptyMediaError(key="error.video_empty")
        return self._reader

    @property
    def num_windows(self) -> int:
        return len(self.bounds)

    def _pyav_frames(self, wanted: np.ndarray) -> Iterator[np.ndarray]:
        """Frames at the ``wanted`` indices (sorted), decoded in order with PyAV."""
        import av

        width, height = scaled_size(*self.info.coded_size, self.limits.max_side)
        targets = iter(wanted.tolist())
        target = next(targets, None)
        last = None
        with av.open(self.info.path) as container:
            for index, frame in enumerate(container.decode(video=0)):
                while target is not None and target == index:
                    last = frame.to_ndarray(format="rgb24", width=width, height=height)
                    if self.info.quarter_turns:  # PyAV leaves the display matrix to us
                        last = np.ascontiguousarray(np.rot90(last, self.info.quarter_turns))
                    yield last
                    target = next(targets, None)
                if target is None:
                    return
        while target is not None and last is not None:  # metadata promised more frames than the file has
            yield last
            target = next(targets, None)

    def _window_frames(
        self, bounds: list[tuple[float, float]], video_fps: float, total: int, times: np.ndarray | None = None
    ) -> list[np.ndarray]:
        """For each window, the indices of the frames to decode: the report's sampling rule applied to the
        window's frames as if it were a clip of its own (the whole file when there is one window). With the
        frames' ``times`` (a varying rate), the rule's indices are read as times on a constant-rate clip
        (index / average rate) and the frame nearest each is taken."""
        out = []
        for start, end in bounds:
            first = min(total, int(round(start * video_fps)))
            stop = total if end >= self.info.duration - 1e-6 else min(total, int(round(end * video_fps)))
            indices = first + report_frame_indices(stop - first, video_fps, self.windowing.fps)
            out.append(indices if times is None else _nearest_frames(times, indices / video_fps))
        return out

    def windows(self, part: range | None = None) -> Iterator[Clip]:
        """Yield one clip per window (those numbered in ``part``, default all); only the frames the report's
        sampling keeps are decoded, each once."""
        bounds = self.bounds if part is None else [self.bounds[k] for k in part]
        if self.info.needs_sequential_decode:
            video_fps, total = self.info.fps, self.info.num_frames
        else:
            reader = self._open()
            video_fps, total = float(reader.get_avg_fps()) or self.info.fps, len(reader)
        times = self.info.frame_times
        if times is not None and len(times) != total:
            times = None  # the decoder counts other frames than the container: by index, as for a constant rate
        if times is not None:
            video_fps = self.info.fps  # the average over the frames' times
        per_window = self._window_frames(bounds, video_fps, total, times)
        if self.info.needs_sequential_decode:
            stream = self._pyav_frames(np.concatenate(per_window) if per_window else np.zeros(0, dtype=np.int64))
        yielded = False
        for (start, end), indices in zip(bounds, per_window):
            if not len(indices):
                continue
            try:
                if self.info.needs_sequential_decode:
                    frames = np.stack([next(stream) for _ in range(len(indices))])
                else:
                    frames = reader.get_batch(indices.tolist()).asnumpy()
            except Exception as exc:  # decord/FFmpeg raise plain errors on bad packets
                if not yielded and not self.info.needs_sequential_decode and "size must exactly match" in str(exc):
                    # decord copies the frames of some small sizes (1×1, 2×2, 16×16, 24×24, 48×20…) with a wrong row
                    # length and fails on every one: PyAV decodes them
                    self._reader, self.info = None, replace(self.info, needs_sequential_decode=True)
                    yield from self.windows(part)
                    return
                raise CorruptMediaError(key="error.video_undecodable_after", seconds=round(start)) from exc
            yielded = True
            stamps = times[indices] if times is not None else indices / video_fps
            yield Clip(frames=frames, timestamps=stamps, start=float(start), end=float(end))

    def clips(self) -> list[Clip]:
        return list(self.windows())


def prefetch(items: Iterator) -> Iterator:
    """Yield from ``items`` while the next one is produced in a background thread (decode overlaps compute)."""
    from concurrent.futures import ThreadPoolExecutor

    done = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="engage-decode") as pool:
        pending = pool.submit(next, items, done)
        while (item := pending.result()) is not done:
            pending = pool.submit(next, items, done)
            yield item


def map_ahead(fn, items: Iterable, workers: int, ahead: int) -> Iterator:
    """``fn(item)`` for each item, in order, computed by ``workers`` threads, at most ``ahead`` items ahead of the
    one being consumed (so memory stays bounded). The next item is taken from ``items`` and started before waiting
    for the current one, so that a slow ``items`` overlaps the work. An exception is raised where its item would
    have been yielded."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    items = iter(items)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engage-ahead") as pool:
        pending = deque(pool.submit(fn, item) for _, item in zip(range(max(0, ahead)), items))
        while True:
            for item in items:
                pending.append(pool.submit(fn, item))
                break
            if not pending:
                return
            yield pending.popleft().result()


def media_kind(path: str) -> str:
    """'image' or 'video', decided by content (extension only breaks ties)."""
    if not path or not os.path.isfile(path):
        raise EmptyMediaError(key="error.no_file")
    ext = os.path.splitext(path)[1].lower()
    if ext in VIDEO_EXTENSIONS:
        return "video"
    try:
        with Image.open(path) as img:
            if getattr(img, "n_frames", 1) > 1 and ext not in IMAGE_EXTENSIONS:
                return "video"
        return "image"
    except Image.DecompressionBombError:
        return "image"  # load_image gives the clear message
    except ValueError:  # an oversized PNG text chunk or colour profile: a picture that load_image refuses clearly
        return "image"
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError, IndexError, struct.error):
        pass
    if ext in IMAGE_EXTENSIONS:
        return "image"
    return "video"
