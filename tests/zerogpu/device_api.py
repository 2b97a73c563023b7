"""A fake ZeroGPU "device API" on localhost: what ``spaces`` (0.51.x) calls in real ZeroGPU mode, with per-visitor daily quotas.

Protocol (see ``spaces/zero/api.py`` and ``spaces/zero/client.py``):

- ``POST /startup-report`` -> 200, sent once at ``demo.launch()``.
- ``POST /schedule?cgroupPath&taskId&enableQueue&tokenVersion[&durationSeconds][&gpuSize][&token]``
  -> 200 JSON ``{"idle", "nvidiaIndex", "nvidiaUUID", "allowToken"}`` when approved;
  -> 429 JSON ``{"left", "wait"}`` when refused: ``wait < 0`` makes spaces raise gr.Error "ZeroGPU illegal duration",
  ``wait >= 0`` "ZeroGPU quota exceeded". Header ``X-Authenticated: regular|pro`` tells spaces the visitor's level.
  The real API queues with Server-Sent Events when no GPU is free; here the request simply blocks until one is
  (or answers 503 after ``queue_timeout``, which spaces reports as "No GPU was available").
- ``POST /allow?allowToken&pid`` -> 200, sent by the forked worker before it runs its first task.
- ``POST /release?allowToken&fail`` -> 200: the visitor is charged the seconds the GPU was held, rounded up.
- A call still holding its GPU ``abort_after`` × its scheduled seconds after approval (1.0: at its scheduled time, as
  ZeroGPU does) has its worker killed; spaces then reports "GPU task aborted" and releases it (charged as held).

The ``token`` parameter is the request's X-IP-Token header, a JWT whose payload is read without verification:
``{"user": "alice", "auth": "regular" | "pro"}`` (see :func:`fake_jwt`). Without a token the visitor is "anonymous".
"""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import math
import os
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

ANONYMOUS = "anonymous"
Reply = tuple[int, Any, dict[str, str]]  # status, JSON body, headers


def fake_jwt(user: str, auth: str = "regular") -> str:
    """An unsigned JWT with the payload spaces and this API read from X-IP-Token."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'user': user, 'auth': auth})}.sig"


def jwt_payload(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified; {} when it is not one."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    except (IndexError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def seconds_to_utc_midnight() -> int:
    """When the daily quotas reset."""
    now = dt.datetime.now(dt.timezone.utc)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
    return math.ceil((midnight - now).total_seconds())


class FakeDeviceAPI:
    """The device API in a daemon thread of this process; ``calls`` holds one record per /schedule request.

    A record has: visitor, auth, task_id, gpu_size, scheduled_s (what spaces asked for, duration x factor),
    requested_s (scheduled_s / factor), left_before_s, result ('approved', 'quota-exceeded', 'illegal-duration',
    'no-gpu'), t_schedule, and once approved t_approved, worker_pid, t_release, fail, gpu_seconds, charged_s, and
    aborted (True when its worker was killed at the scheduled time).
    """

    def __init__(self, quota_anonymous: int = 120, quota_regular: int = 300, quota_pro: int = 2400, factor: float = 1.5, gpus: int = 1,
                 queue_timeout: float = 60.0, abort_after: float | None = 1.0) -> None:
        self.quotas = {ANONYMOUS: quota_anonymous, "regular": quota_regular, "pro": quota_pro}
        self.abort_after = abort_after
        self.factor, self.gpus, self.queue_timeout = factor, gpus, queue_timeout
        self.calls: list[dict[str, Any]] = []
        self.startup_reports = 0
        self._used: dict[str, float] = {}
        self._grants: dict[str, tuple[dict[str, Any], tuple[str, str]]] = {}  # allowToken -> (record, worker key)
        self._worker_pids: dict[tuple[str, str], int] = {}  # (cgroupPath, taskId) -> pid of the last worker that called /allow
        self._busy = 0
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle

    def start(self) -> FakeDeviceAPI:
        """Serve on 127.0.0.1 on a free port (``self.url``)."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class names it so)
                pass

            def do_GET(self) -> None:
                api._handle(self, "GET")

            def do_POST(self) -> None:
                api._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-zerogpu-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeDeviceAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- quota state

    def set_used(self, visitor: str, seconds: float) -> None:
        """Pretend ``visitor`` already used ``seconds`` of today's quota."""
        with self._lock:
            self._used[visitor] = float(seconds)

    def used(self, visitor: str) -> float:
        """Seconds charged to ``visitor`` today."""
        with self._lock:
            return self._used.get(visitor, 0.0)

    def reset(self) -> None:
        """Forget the calls and the usage (not the workers' pids: workers outlive a reset)."""
        with self._lock:
            self.calls.clear()
            self._used.clear()

    # -- HTTP

    def _handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(req.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        routes = {("POST", "/startup-report"): self._startup_report, ("POST", "/schedule"): self._schedule, ("POST", "/allow"): self._allow,
                  ("POST", "/release"): self._release, ("GET", "/queue-size"): self._queue_size}
        route = routes.get((method, url.path))
        status, body, headers = route(query) if route else (404, {"detail": "not found"}, {})
        data = json.dumps(body).encode()
        req.send_response(status)
        for key, value in {**headers, "Content-Type": "application/json", "Content-Length": str(len(data))}.items():
            req.send_header(key, value)
        req.end_headers()
        req.wfile.write(data)

    def _startup_report(self, query: dict[str, str]) -> Reply:
        with self._lock:
            self.startup_reports += 1
        return 200, {}, {}

    def _queue_size(self, query: dict[str, str]) -> Reply:
        with self._lock:
            return 200, float(self._busy), {}

    def _schedule(self, query: dict[str, str]) -> Reply:
        token = query.get("token")
        payload = jwt_payload(token) if token else {}
        auth = payload.get("auth") if payload.get("auth") in ("regular", "pro") else None
        visitor = str(payload.get("user") or ANONYMOUS)
        scheduled = int(query.get("durationSeconds", 60))
        headers = {"X-Authenticated": auth} if auth else {}
        rec: dict[str, Any] = {"visitor": visitor, "auth": auth or ANONYMOUS, "task_id": query.get("taskId"), "gpu_size": query.get("gpuSize"),
                               "scheduled_s": scheduled, "requested_s": round(scheduled / self.factor, 3), "t_schedule": time.time()}
        with self._lock:
            total = self.quotas[auth or ANONYMOUS]
            left = max(0, math.floor(total - self._used.get(visitor, 0.0)))
            rec["left_before_s"] = left
            self.calls.append(rec)
            if scheduled > total:
                rec["result"] = "illegal-duration"
                return 429, {"left": left, "wait": -1}, {**headers, "X-Approve-Result": "illegal-duration"}
            if scheduled > left:
                rec["result"] = "quota-exceeded"
                return 429, {"left": left, "wait": seconds_to_utc_midnight()}, {**headers, "X-Approve-Result": "quota-exceeded"}
            # One request thread per call: waiting here serialises the calls like the real queue, without its SSE stream.
            if not self._lock.wait_for(lambda: self._busy < self.gpus, timeout=self.queue_timeout):
                rec["result"] = "no-gpu"
                return 503, {"detail": "no GPU available"}, headers
            self._busy += 1
            token, key = uuid.uuid4().hex, (query.get("cgroupPath", ""), query.get("taskId", ""))
            # An idle worker is reused without a new /allow: until one comes, assume the task's last worker.
            rec.update(result="approved", t_approved=time.time(), queued_s=round(time.time() - rec["t_schedule"], 3), worker_pid=self._worker_pids.get(key))
            self._grants[token] = rec, key
            if self.abort_after is not None:
                timer = threading.Timer(scheduled * self.abort_after, self._abort, args=(token,))
                timer.daemon = True
                timer.start()
        return 200, {"idle": True, "nvidiaIndex": 0, "nvidiaUUID": "GPU-00000000-fake-0000-0000-000000000000", "allowToken": token}, \
            {**headers, "X-Approve-Result": "approved"}

    def _abort(self, token: str) -> None:
        """The scheduled time is over and the call still holds the GPU: kill its worker, as the platform does."""
        with self._lock:
            grant = self._grants.get(token)
            pid = grant[0].get("worker_pid") if grant else None
            if grant is None or pid is None:
                return
            grant[0]["aborted"] = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def _allow(self, query: dict[str, str]) -> Reply:
        with self._lock:
            if (grant := self._grants.get(query.get("allowToken", ""))) is None:
                return 404, {"detail": "unknown allowToken"}, {}
            rec, key = grant
            rec["worker_pid"] = self._worker_pids[key] = int(query["pid"])
        return 200, {}, {}

    def _release(self, query: dict[str, str]) -> Reply:
        with self._lock:
            if (grant := self._grants.pop(query.get("allowToken", ""), None)) is None:
                return 404, {"detail": "unknown allowToken"}, {}
            rec = grant[0]
            rec["t_release"] = time.time()
            rec["fail"] = query.get("fail", "false").lower() == "true"
            held = rec["t_release"] - rec["t_approved"]
            rec["gpu_seconds"], rec["charged_s"] = round(held, 3), math.ceil(held)
            self._used[rec["visitor"]] = self._used.get(rec["visitor"], 0.0) + rec["charged_s"]
            self._busy -= 1
            self._lock.notify_all()
        return 200, {}, {}
