"""The webcam at 1 FPS, analysed by two staggered growing windows that compute only what is new.

Window A starts with the first frame, window B half a window later; each grows to ``window_frames`` (10 s)
and then starts again (``engage.model.incremental``). Every kept frame goes into both. With an odd offset (5 frames),
a frame completes a two-frame temporal patch in exactly one of them, so each second costs one patch of
encoding, whatever the window length. A result is due when the newest frame completes a patch of the longer
window: the first after 2 s, then every 1-2 s, each covering the last 6, 8 or 10 s (after the first 10 s),
and each equal to a full forward pass over exactly those frames.

``WebcamStream`` keeps the windows' key/value caches where the GPU stays attached; ``WebcamFrames`` keeps their
frames on the CPU for ZeroGPU, where each due window is computed whole in one GPU call. Both give the same results.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..media import Clip, fit_pixels, validate_frame
from ..model.backbone import Backbone
from ..model.incremental import IncrementalWindow


@dataclass
class _Cadence:
    """What both webcam modes share: 1 FPS frame keeping and the two staggered windows' schedule."""

    window_frames: int = 10
    fps: float = 1.0
    # Larger camera frames are scaled down to DAiSEE's 640×480 area (the heads' training data), which also bounds
    # what a ZeroGPU call carries: 10 frames ≤ 9.2 MB.
    max_pixels: int = 640 * 480
    pushed: int = 0  # frames pushed since the stream (re)started
    last_time: float | None = None
    last_shape: tuple | None = None

    def reset(self) -> None:
        self._clear()
        self.pushed, self.last_time, self.last_shape = 0, None, None

    def _clear(self) -> None:
        raise NotImplementedError

    def offer(self, frame: np.ndarray | None, now: float) -> np.ndarray | None:
        """A streamed frame received at ``now`` (s): returned (validated) when a 1 FPS slot is due, else None."""
        frame = fit_pixels(validate_frame(frame), self.max_pixels)
        if self.last_shape is not None and frame.shape != self.last_shape:
            self.reset()  # the camera changed resolution: start fresh windows
        elif self.last_time is not None and now - self.last_time > self.window_frames / self.fps:
            self.reset()  # the stream stopped and started again: old frames are stale
        if self.last_time is not None and now - self.last_time < (1.0 / self.fps) - 0.05:
            return None
        self.last_time, self.last_shape = now, frame.shape
        return frame

    def _starts_second_window(self, windows: list) -> bool:
        return len(windows) == 1 and self.pushed == self.window_frames // 2


@dataclass
class WebcamStream(_Cadence):
    """Per-visitor state where the GPU stays attached (a local run, a dedicated GPU): the windows' key/value
    caches (and at most one frame per window), so each second encodes only the newest patch. Data only: the
    backbone is passed to ``push``."""

    windows: list[IncrementalWindow] = field(default_factory=list)

    def _clear(self) -> None:
        self.windows.clear()

    def push(self, backbone: Backbone, frame: np.ndarray) -> IncrementalWindow | None:
        """Encode the frame into the windows; return the window whose result is due now, if any."""
        if not self.windows:
            self.windows.append(IncrementalWindow(self.window_frames))
        if self._starts_second_window(self.windows):
            self.windows.append(IncrementalWindow(self.window_frames))
        for window in self.windows:
            window.push(backbone, frame)
        self.pushed += 1
        longest = max(self.windows, key=lambda w: len(w))
        return longest if len(longest) % backbone.processor.video_processor.temporal_patch_size == 0 else None

    def to(self, device: str) -> WebcamStream:
        for window in self.windows:
            window.to(device)
        return self

    def cache_bytes(self) -> int:
        return sum(w.cache_bytes() for w in self.windows)


@dataclass
class WebcamFrames(_Cadence):
    """Per-visitor state on ZeroGPU, where every GPU call is a fresh pickled round trip: the same two windows
    and the same results, but holding frames on the CPU; a due window's frames (at most ``window_frames``,
    about 9 MB at 640×480) go into one GPU call that computes the window whole, instead of 160 MB of the 7B's
    caches crossing both ways every second (docs/performance.md, "The webcam on ZeroGPU")."""

    temporal_patch: int = 2  # Qwen2.5-VL's temporal_patch_size: a result is due when a patch completes
    windows: list[list[np.ndarray]] = field(default_factory=list)
    last_result: float | None = None  # when the caller last computed a due window (it may space them out)

    def _clear(self) -> None:
        self.windows.clear()
        self.last_result = None

    def push(self, frame: np.ndarray) -> Clip | None:
        """Add the frame to the windows; the clip of the window whose result is due now, if any."""
        if not self.windows:
            self.windows.append([])
        if self._starts_second_window(self.windows):
            self.windows.append([])
        for window in self.windows:
            if len(window) >= self.window_frames or (window and window[0].shape != frame.shape):
                window.clear()
            window.append(frame)
        self.pushed += 1
        longest = max(self.windows, key=len)
        if len(longest) % self.temporal_patch:
            return None
        n = len(longest)
        return Clip(frames=np.stack(longest), timestamps=np.arange(n, dtype=np.float64) / self.fps, start=0.0, end=n / self.fps)

    def frame_bytes(self) -> int:
        """Bytes of the distinct frames held (the shorter window's frames are the longer one's newest)."""
        return sum({id(f): f.nbytes for w in self.windows for f in w}.values())
