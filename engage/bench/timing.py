"""Clocks and memory: a timed call (synchronised on CUDA) and the process's peak resident memory."""
from __future__ import annotations

import threading
import time


class PeakRSS:
    """Samples this process's resident memory in a thread (CPU has no allocator peak counter)."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = self.base = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.005)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def clocked(cuda: bool, fn, *args):
    """``(fn(*args), seconds)``, the GPU's work included (synchronised on CUDA)."""
    import torch

    t0 = time.perf_counter()
    result = fn(*args)
    if cuda:
        torch.cuda.synchronize()
    return result, time.perf_counter() - t0


def timed(fn, cuda: bool) -> float:
    """Seconds that ``fn()`` takes, the GPU's work included."""
    return clocked(cuda, fn)[1]
