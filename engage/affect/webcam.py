"""The webcam at 1 FPS, analysed by two staggered growing windows that compute only what is new.

Window A starts with the first frame, window B half a window later; each grows to ``window_frames`` (10 s)
and then starts again (``engage.model.incremental``). Every kept frame goes into both. With an odd offset (5 frames),
a frame completes a two-frame temporal patch in exactly one of them, so each second costs one patch of
encoding, whatever the window length. A result is due when the newest frame completes a patch of the longer
window: the first after 2 s, then every 1-2 s, each covering the last 6, 8 or 10 s (after the first 10 s),
and each equal to a full forward pass over exactly those frames.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..media import validate_frame
from ..model.backbone import Backbone
from ..model.incremental import IncrementalWindow


@dataclass
class WebcamStream:
    """Per-visitor state: data only (caches, and at most one frame per window), so it can live in a Gradio
    State and cross into a ZeroGPU worker; the backbone is passed to ``push``."""

    window_frames: int = 10
    fps: float = 1.0
    windows: list[IncrementalWindow] = field(default_factory=list)
    pushed: int = 0  # frames pushed since the stream (re)started
    last_time: float | None = None
    last_shape: tuple | None = None

    def reset(self) -> None:
        self.windows.clear()
        self.pushed, self.last_time, self.last_shape = 0, None, None

    def offer(self, frame: np.ndarray | None, now: float) -> np.ndarray | None:
        """A streamed frame received at ``now`` (s): returned (validated) when a 1 FPS slot is due, else None."""
        frame = validate_frame(frame)
        if self.last_shape is not None and frame.shape != self.last_shape:
            self.reset()  # the camera changed resolution: start fresh windows
        elif self.last_time is not None and now - self.last_time > self.window_frames / self.fps:
            self.reset()  # the stream stopped and started again: old frames are stale
        if self.last_time is not None and now - self.last_time < (1.0 / self.fps) - 0.05:
            return None
        self.last_time, self.last_shape = now, frame.shape
        return frame

    def push(self, backbone: Backbone, frame: np.ndarray) -> IncrementalWindow | None:
        """Encode the frame into the windows; return the window whose result is due now, if any."""
        if not self.windows:
            self.windows.append(IncrementalWindow(self.window_frames))
        if len(self.windows) == 1 and self.pushed == self.window_frames // 2:
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
