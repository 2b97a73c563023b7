"""The webcam's rolling window: keep 1 frame per second of the last N seconds."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .media import Clip, validate_frame


@dataclass
class WebcamBuffer:
    window_seconds: float = 10.0
    fps: float = 1.0
    update_every: float = 3.0
    frames: list = field(default_factory=list)
    times: list = field(default_factory=list)
    last_update: float | None = None

    def reset(self) -> None:
        self.frames.clear()
        self.times.clear()
        self.last_update = None

    def add(self, frame: np.ndarray | None, now: float) -> bool:
        """Offer a streamed frame received at time ``now`` (s); keep it if a 1 FPS slot is due."""
        frame = validate_frame(frame)
        if self.frames and frame.shape != self.frames[-1].shape:
            self.reset()  # the camera changed resolution: start a fresh window
        elif self.times and now - self.times[-1] > self.window_seconds:
            self.reset()  # the stream stopped and started again: old frames are stale
        if self.times and now - self.times[-1] < (1.0 / self.fps) - 0.05:
            return False
        self.frames.append(frame)
        self.times.append(now)
        while self.times and self.times[0] <= now - self.window_seconds + 1e-6:
            self.frames.pop(0)
            self.times.pop(0)
        return True

    def due(self, now: float) -> bool:
        """Whether a new result should be computed now."""
        return bool(self.frames) and (self.last_update is None or now - self.last_update >= self.update_every)

    @property
    def seconds(self) -> float:
        """Seconds of video the buffered frames stand for."""
        return len(self.frames) / self.fps

    def clip(self) -> Clip:
        t0 = self.times[0]
        times = np.array([t - t0 for t in self.times])
        return Clip(frames=np.stack(self.frames), timestamps=times, start=0.0, end=self.seconds)
