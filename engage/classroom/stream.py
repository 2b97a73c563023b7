"""The classroom camera: one frame per second observed (faces found, tracked and cropped on the CPU), and
the students analysed every ``every`` seconds of camera (the model: on a Space, one GPU call).

Like ``engage.affect.webcam.WebcamStream`` it only decides; the room it fills is plain data kept in the
visitor's state; only the students' face crops of the window due cross into a GPU call.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .room import Classroom, StudentWindow

MAX_CALL_BYTES = 20_000_000  # face crops carried into one GPU call (ZeroGPU pickles them across)


@dataclass(frozen=True)
class ClassroomStream:
    every: float = 6.0  # seconds of camera between two analyses of the students
    fps: float = 1.0
    max_bytes: int = MAX_CALL_BYTES

    def offer(self, room: Classroom | None, max_faces: int, now: float) -> tuple[Classroom, float | None]:
        """The room to fill (a new one unless ``room`` is this camera's) and the camera time of a frame received
        at ``now`` (monotonic seconds) when a 1 FPS slot is due, else None."""
        if room is None or room.clock is None:  # a room left by a video or photo is not continued
            room = Classroom(max_faces=int(max_faces), kind="camera")
            room.clock = now
        t = now - room.clock
        if room.last is not None and t - room.last.t < 1.0 / self.fps:
            return room, None
        return room, t

    def observe(self, room: Classroom, detector, frame: np.ndarray, t: float) -> list[StudentWindow] | None:
        """Observe the kept frame; when an analysis is due, the students' clips it covers (one GPU call; the list
        is empty when nobody was seen). Due every ``every`` seconds, or sooner when one more second of crops would
        take the call past ``max_bytes`` (a large class)."""
        room.observe(detector, frame, t)
        seconds = t + 1.0 - room.analysed_until
        pending = room.pending_bytes()
        if seconds >= self.every or pending + pending / max(seconds, 1.0) > self.max_bytes:
            return room.take_window(room.analysed_until, t + 1.0)
        return None
