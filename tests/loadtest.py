"""A bounded load test of a running engage app: concurrent clients, then a sequential run watched for memory growth.

Usage (the app already running, e.g. ``ENGAGE_BACKBONE=... ENGAGE_WEIGHTS=... ENGAGE_DEVICE=cpu GRADIO_SERVER_PORT=7911 python app.py``)::

    python tests/loadtest.py http://127.0.0.1:7911/ --pid <app.py's PID> [--clients 8] [--seconds 30] [--sequential 200]

Phase 1: ``--clients`` threads, each with its own ``gradio_client.Client`` (its own session), loop for ``--seconds``
alternating ``/analyze_image`` (a small PNG) and ``/analyze_video`` (a 4 s mp4), half of them starting with the video.
Every request's endpoint, latency and outcome (the exception's text when it failed) is recorded; a request the queue
turned away ("Queue is full") counts as rejected as well as failed.

Phase 2: ``--sequential`` image requests one after another on one client, with the server process's resident set
(the process and its children, psutil) sampled before, every ``--every`` requests and after. The leak check compares
the growth over the second half of the run (the first half is warm-up) with ``--bound-mb``.

``run()`` does both and returns a ``LoadResult``; ``LoadResult.table()`` is what the script prints.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a script: the tests' helpers beside it
from conftest import write_video  # noqa: E402 (a 4 s mp4 whose frames differ: a bar moving over a gradient)

METHOD = "Zero-shot level probabilities (engage's, untrained)"
IMAGE, VIDEO = "/analyze_image", "/analyze_video"
ENDPOINTS = (IMAGE, VIDEO)
# A leak of about 1 MB per request grows the resident set by ~100 MB over 100 requests; allocator and cache noise
# on the tiny model stays within a few MB. 50 MB over the last 100 requests (0.5 MB/request) flags the first and
# not the second.
DEFAULT_BOUND_MB = 50.0
MB = 1024 * 1024


@dataclass
class Request:
    """One request: which endpoint, in which phase, when it started (s since the phase began), how long it took."""

    endpoint: str
    phase: str  # "concurrent" or "sequential"
    client: int
    start_s: float
    latency_s: float
    ok: bool
    error: str = ""  # the exception's type and text when not ok

    @property
    def rejected(self) -> bool:
        return not self.ok and ("queue is full" in self.error.lower() or "QueueError" in self.error)


@dataclass
class EndpointStats:
    endpoint: str
    requests: int
    errors: int
    rejected: int
    p50_s: float  # latencies of the successful requests; nan when none succeeded
    p95_s: float
    max_s: float


@dataclass
class LoadResult:
    url: str
    pid: int
    clients: int
    seconds: float  # the concurrent phase's planned length
    concurrent_wall_s: float  # how long it took, the last requests' tails included
    endpoints: dict[str, EndpointStats]
    sequential: int
    sequential_stats: EndpointStats
    rss_samples: list[tuple[int, float]]  # (requests done in the sequential phase, server RSS in MB)
    rss_start_mb: float
    rss_end_mb: float
    growth_mb: float
    growth_per_request_mb: float
    tail_requests: int  # the leak check's span: the second half of the sequential phase
    tail_growth_mb: float
    bound_mb: float
    requests: list[Request] = field(default_factory=list, repr=False)

    @property
    def errors(self) -> int:
        return sum(not r.ok for r in self.requests)

    @property
    def rejected(self) -> int:
        return sum(r.rejected for r in self.requests)

    @property
    def error_messages(self) -> list[str]:
        return [f"{r.phase} {r.endpoint} client {r.client}: {r.error}" for r in self.requests if not r.ok]

    @property
    def leak_ok(self) -> bool:
        return self.tail_growth_mb < self.bound_mb

    def table(self) -> str:
        lines = [
            f"concurrent phase: {self.clients} clients for {self.seconds:g} s (took {self.concurrent_wall_s:.1f} s), method {METHOD!r}",
            f"{'endpoint':<22}{'requests':>9}{'errors':>8}{'rejected':>9}{'p50 s':>9}{'p95 s':>9}{'max s':>9}",
        ]
        for s in [*self.endpoints.values(), self.sequential_stats]:
            name = s.endpoint if s is not self.sequential_stats else f"{s.endpoint} (seq)"
            lines.append(f"{name:<22}{s.requests:>9}{s.errors:>8}{s.rejected:>9}{s.p50_s:>9.3f}{s.p95_s:>9.3f}{s.max_s:>9.3f}")
        lines += [
            f"sequential phase: {self.sequential} {IMAGE} requests on one client; server RSS (pid {self.pid} and children), MB:",
            "  " + "  ".join(f"{n}:{mb:.1f}" for n, mb in self.rss_samples),
            f"  start {self.rss_start_mb:.1f} MB, after {self.rss_end_mb:.1f} MB, growth {self.growth_mb:+.1f} MB "
            f"({self.growth_per_request_mb * 1024:+.1f} KB/request)",
            f"  leak check: growth over the last {self.tail_requests} requests {self.tail_growth_mb:+.1f} MB, "
            f"bound < {self.bound_mb:g} MB: {'ok' if self.leak_ok else 'FAILED'}",
            f"total: {len(self.requests)} requests, {self.errors} errors, {self.rejected} rejected",
        ]
        return "\n".join(lines)


def write_image(path: str, size: tuple[int, int] = (128, 96)) -> str:
    """A small PNG: a colour gradient with a filled circle on it."""
    from PIL import Image

    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), np.full_like(x, 128)], axis=-1).astype(np.uint8)
    rgb[(x - w // 2) ** 2 + (y - h // 2) ** 2 < (min(w, h) // 4) ** 2] = (250, 220, 40)
    Image.fromarray(rgb).save(path)
    return path


def server_rss_mb(pid: int) -> float:
    """The resident set of process ``pid`` and all its children, in MB."""
    import psutil

    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total / MB


def _call(client, endpoint: str, media: dict[str, str]) -> None:
    from gradio_client import handle_file

    out = client.predict(handle_file(media[endpoint]), METHOD, api_name=endpoint)
    data = out[2] if endpoint == IMAGE else out[5]  # the result's JSON (see tests/test_app.py)
    if not isinstance(data, dict) or not data.get("windows"):
        raise RuntimeError(f"no result windows in the answer: {str(data)[:200]}")


def _timed(client, endpoint: str, media: dict[str, str], phase: str, index: int, t0: float) -> Request:
    start = time.perf_counter()
    try:
        _call(client, endpoint, media)
        ok, error = True, ""
    except Exception as exc:  # every failure is a data point, not a crash of the load test
        ok, error = False, f"{type(exc).__name__}: {exc}"
    end = time.perf_counter()
    return Request(endpoint, phase, index, start - t0, end - start, ok, error)


def _stats(endpoint: str, requests: list[Request]) -> EndpointStats:
    mine = [r for r in requests if r.endpoint == endpoint]
    ok = np.array([r.latency_s for r in mine if r.ok])
    p50, p95, top = (np.percentile(ok, 50), np.percentile(ok, 95), ok.max()) if len(ok) else (float("nan"),) * 3
    return EndpointStats(endpoint, len(mine), sum(not r.ok for r in mine), sum(r.rejected for r in mine), float(p50), float(p95), float(top))


def concurrent_phase(url: str, media: dict[str, str], clients: int = 8, seconds: float = 30) -> tuple[list[Request], float]:
    """``clients`` threads, each with its own Client, alternating the endpoints until ``seconds`` have passed;
    a request started before the deadline runs to its end. Returns the requests and the phase's wall time."""
    from gradio_client import Client

    requests: list[Request] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    t0 = [0.0]

    def worker(index: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:
            with lock:
                requests.append(Request("connect", "concurrent", index, 0.0, 0.0, False, f"{type(exc).__name__}: {exc}"))
            ready.wait()
            return
        ready.wait()
        try:
            k = index % 2  # half the clients start with the video
            while time.perf_counter() - t0[0] < seconds:
                r = _timed(client, ENDPOINTS[k % 2], media, "concurrent", index, t0[0])
                with lock:
                    requests.append(r)
                k += 1
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), name=f"load-client-{i}", daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    t0[0] = time.perf_counter()  # set before the barrier releases the workers, who read it
    ready.wait()
    for t in threads:
        t.join()
    return sorted(requests, key=lambda r: r.start_s), time.perf_counter() - t0[0]


def sequential_phase(url: str, pid: int, media: dict[str, str], n: int = 200, every: int = 20) -> tuple[list[Request], list[tuple[int, float]]]:
    """``n`` image requests on one client, the server's RSS sampled before, every ``every`` requests and after."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    requests: list[Request] = []
    samples = [(0, server_rss_mb(pid))]
    t0 = time.perf_counter()
    try:
        for i in range(1, n + 1):
            requests.append(_timed(client, IMAGE, media, "sequential", 0, t0))
            if i % every == 0 or i == n:
                samples.append((i, server_rss_mb(pid)))
    finally:
        client.close()
    return requests, samples


@dataclass
class Memory:
    start_mb: float
    end_mb: float
    growth_mb: float
    growth_per_request_mb: float
    tail_requests: int
    tail_growth_mb: float


def memory_figures(samples: list[tuple[int, float]]) -> Memory:
    """From (requests done, RSS MB) samples: the growth over the whole run and over its second half (the leak
    check's span: the first half is warm-up), measured from the last sample taken at or before the half."""
    n = samples[-1][0]
    half_at, half_mb = [(k, mb) for k, mb in samples if k <= n // 2][-1]
    start, end = samples[0][1], samples[-1][1]
    return Memory(start, end, end - start, (end - start) / max(n, 1), n - half_at, end - half_mb)


def run(url: str, pid: int, clients: int = 8, seconds: float = 30, sequential: int = 200, every: int = 20,
        bound_mb: float = DEFAULT_BOUND_MB, workdir: str | None = None) -> LoadResult:
    """Both phases against the app at ``url`` served by process ``pid``."""
    with tempfile.TemporaryDirectory(prefix="engage-load-") as tmp:
        folder = workdir or tmp
        media = {IMAGE: write_image(os.path.join(folder, "load.png")), VIDEO: write_video(os.path.join(folder, "load.mp4"), seconds=4, fps=10)}
        concurrent, wall = concurrent_phase(url, media, clients, seconds)
        seq, samples = sequential_phase(url, pid, media, sequential, every)
    m = memory_figures(samples)
    return LoadResult(
        url=url, pid=pid, clients=clients, seconds=seconds, concurrent_wall_s=wall,
        endpoints={e: _stats(e, concurrent) for e in ENDPOINTS},
        sequential=sequential, sequential_stats=_stats(IMAGE, seq),
        rss_samples=samples, rss_start_mb=m.start_mb, rss_end_mb=m.end_mb, growth_mb=m.growth_mb,
        growth_per_request_mb=m.growth_per_request_mb, tail_requests=m.tail_requests, tail_growth_mb=m.tail_growth_mb,
        bound_mb=bound_mb, requests=concurrent + seq,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url", help="the running app, e.g. http://127.0.0.1:7911/")
    p.add_argument("--pid", type=int, required=True, help="the app server's process id (for its memory)")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30, help="length of the concurrent phase")
    p.add_argument("--sequential", type=int, default=200, help="image requests in the sequential (memory) phase")
    p.add_argument("--every", type=int, default=20, help="sample the server's memory every this many requests")
    p.add_argument("--bound-mb", type=float, default=DEFAULT_BOUND_MB, help="growth allowed over the second half of the sequential phase")
    a = p.parse_args(argv)
    result = run(a.url, a.pid, a.clients, a.seconds, a.sequential, a.every, a.bound_mb)
    print(result.table())
    for message in result.error_messages[:10]:
        print("error:", message)
    return 0 if result.errors == 0 and result.leak_ok else 1


if __name__ == "__main__":
    sys.exit(main())
