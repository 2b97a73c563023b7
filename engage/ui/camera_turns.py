"""Whose classroom cameras are streaming now, and what a teacher opening the camera section is told: that a camera
is free, that theirs is on and when its turn ends, or that every camera is in use and about how long theirs waits.

Gradio queues a stream that finds every slot taken and never runs its handler while it waits, so nothing can report
the wait from inside it; the camera section asks this registry instead (on opening, then every few seconds while it
is open). A stream's handler is called every half second while it runs: ``streaming(session)`` marks it around each
call, and a camera counts as on while a call is running or the last ended under ``SEEN_S`` ago. Its turn began at
the first call after a pause longer than that (gradio ends a stream after its ``time_limit``, the turn)."""
from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..i18n import DEFAULT, text
from .views import minutes

SEEN_S = 3.0


@dataclass
class _Camera:
    began: float
    seen: float
    running: int = 0


class CameraTurns:
    def __init__(self, cameras: int, turn_s: float, clock: Callable[[], float] = time.monotonic):
        self.cameras, self.turn_s, self.clock = cameras, turn_s, clock
        self._on: dict[str, _Camera] = {}
        self._lock = threading.Lock()

    def _live(self, camera: _Camera, now: float) -> bool:
        return camera.running > 0 or now - camera.seen < SEEN_S

    @contextlib.contextmanager
    def streaming(self, session: str | None) -> Iterator[None]:
        """Around one call of a camera stream's handler."""
        if not session:
            yield
            return
        with self._lock:
            now = self.clock()
            camera = self._on.get(session)
            if camera is None or not self._live(camera, now):
                camera = self._on[session] = _Camera(began=now, seen=now)
            camera.running += 1
        try:
            yield
        finally:
            with self._lock:
                camera.running -= 1
                camera.seen = self.clock()

    def forget(self, session: str | None) -> None:
        with self._lock:
            self._on.pop(session, None)

    def line(self, session: str | None, lang: str = DEFAULT) -> str:
        """What the camera section says now, in ``lang``."""
        with self._lock:
            now = self.clock()
            self._on = {s: c for s, c in self._on.items() if self._live(c, now)}
            left = {s: max(0.0, self.turn_s - (now - c.began)) for s, c in self._on.items()}
        if session in left:
            return text("class.camera_yours", lang, minutes=_about(left[session], lang))
        if len(left) < self.cameras:
            return text("class.camera_free", lang)
        return text("class.camera_wait", lang, n=self.cameras, minutes=_about(min(left.values()), lang))


def _about(seconds: float, lang: str) -> str:
    """A turn's time left, rounded up to the minute: "4 minutes", "1 minute"."""
    return minutes(60 * max(1, math.ceil(seconds / 60)), lang)
