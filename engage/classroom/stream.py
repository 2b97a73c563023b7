"""The classroom camera: one frame per second observed (faces found, tracked and cropped on the CPU), and
the students analysed every ``every`` seconds of camera (the model: on a Space, one GPU call).

Like ``engage.affect.webcam.WebcamStream`` it only decides; the room it fills is plain data kept in the
visitor's state, so that it can cross into a ZeroGPU worker and back.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .room import Bounds, Classroom


@dataclass(frozen=True)
class ClassroomStream:
    every: float = 6.0  # seconds of camera between two analyses of the students
    fps: float = 1.0

    def offer(self, room: Classroom | None, max_faces: int, now: float) -> tuple[Classroom, float | None]:
        """The room to fill (a new one unless ``room`` is this camera's) and the camera time of a frame received
        at ``now`` (monotonic seconds) when a 1 FPS slot is due, else None."""
        if room is None or room.clock is None:  # a room left by a video or photo is not continued
            room = Classroom(max_faces=int(max_faces))
            room.clock = now
        t = now - room.clock
        if room.last is not None and t - room.last.t < 1.0 / self.fps:
            return room, None
        return room, t

    def observe(self, room: Classroom, detector, frame: np.ndarray, t: float) -> Bounds | None:
        """Observe the kept frame; the window whose students are due for analysis now, if any."""
        room.observe(detector, frame, t)
        due = room.stream_due(t, every=self.every)
        return [due] if due else None
