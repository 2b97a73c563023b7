"""Make the real ``spaces`` ZeroGPU mode run on a CPU-only machine, and record every @spaces.GPU call.

Import this in the app process before the app module (``run.py`` does), with the environment of ``run.zerogpu_env``.
Without ``SPACES_ZERO_GPU=true`` it only imports ``spaces`` (whose decorator is then a no-op).

What stays real: CUDA emulation in the main process (``device='cuda'`` tensors are CPU fakes), packing those tensors to
``ZEROGPU_OFFLOAD_DIR`` at launch, scheduling against the device API, forking the worker, pickling the arguments and
results through pipes, /allow and /release. What is replaced, in the worker only: ``spaces.zero.torch.init`` and
``move`` would touch the (absent) NVIDIA driver; here they leave the tensors' data on the CPU. After spaces' own
``torch.unpatch()`` in the worker ``torch.cuda.is_available()`` is False, so device-agnostic code runs on the CPU.

``ZEROGPU_STRETCH`` (JSON) makes the worker's work take as long as a stated GPU would: ``{"mlp": 0.45, "zero-shot": 0.6,
"student": 0.1, "token": 0.02, "cold": 5.75}`` stretches each scored window of that method, each student-window and each
generated token to at least that many seconds (a sleep after the real work, inside the call, where engage measures it),
and a new worker's start by ``cold`` seconds. ``"spike": {"after": N, "extra_s": X, "once_file": PATH}`` adds X seconds
after the worker's N-th window, once per run (PATH marks it done): a call that overruns its time, for ZeroGPU to abort;
with ``"raise": true`` the worker raises a RuntimeError there instead (a worker error).

``ZEROGPU_FAKE_GPU_MODEL`` picks the ``spaces/zero/configs.json`` entry (default: the RTX PRO 6000, duration factor 1.5,
which ZeroGPU Spaces run on); without a driver spaces would fall back to the first entry (H200, factor 1.0).

With ``ZEROGPU_CALLS_LOG`` set, each call of a decorated function in this (main) process appends one JSON line:
name, requested_s (the declared duration, 60 when none), scheduled_s (what spaces asks the API for), wall_s,
bytes_in (pickled ``(args, kwargs)``), bytes_out (pickled result; for generators the sum over the yields, plus
``yields``), error (None or {type, title, message}) and pid.
"""
from __future__ import annotations

import functools
import json
import os
import pickle
import threading
import time
import warnings
from collections.abc import Callable, Generator
from datetime import timedelta
from typing import Any

with warnings.catch_warnings():
    # Without a driver spaces warns when it first reads the GPU model at import; the model is set below.
    warnings.filterwarnings("ignore", message="Error while reading infos from Nvidia driver FS")
    import spaces  # noqa: F401 (before torch initialises CUDA: this patches torch)
from spaces.config import Config

DEFAULT_GPU_MODEL = "NVIDIA RTX PRO 6000 Blackwell Server Edition"
_log_lock = threading.Lock()


STRETCH: dict[str, Any] = json.loads(os.environ.get("ZEROGPU_STRETCH") or "{}")
_windows_in_worker = 0


def _init_cpu(nvidia_uuid: str) -> None:
    """``spaces.zero.torch.init`` without ``torch.Tensor([0]).cuda()`` (and, stretched, as long as a GPU's start)."""
    os.environ["CUDA_VISIBLE_DEVICES"] = nvidia_uuid
    time.sleep(float(STRETCH.get("cold", 0.0)))


def _stretch_to(t0: float, seconds: float) -> None:
    time.sleep(max(0.0, t0 + seconds - time.perf_counter()))


def _spike(windows: int) -> None:
    """The once-per-run extra delay after the worker's N-th window (see the module's docstring)."""
    global _windows_in_worker
    spike = STRETCH.get("spike")
    before, _windows_in_worker = _windows_in_worker, _windows_in_worker + windows
    if spike and before < spike["after"] <= _windows_in_worker and not os.path.exists(spike["once_file"]):
        open(spike["once_file"], "w").close()
        if spike.get("raise"):
            raise RuntimeError("a stretched worker's failure")
        time.sleep(float(spike.get("extra_s", 0.0)))


def _stretch_engage() -> None:
    """Wrap engage's units of GPU work so that, in a worker, each takes at least its stated time."""
    from spaces.zero import wrappers

    from engage.affect import pipeline
    from engage.classroom import report, room

    score_clips, analyze_students, class_report = pipeline.Engine.score_clips, room.analyze_students, report.class_report

    def stretched_score_clips(self, clips, method):
        t0 = time.perf_counter()
        out = score_clips(self, clips, method)
        if wrappers.forked:
            _stretch_to(t0, len(clips) * float(STRETCH.get(pipeline.normalize_method(method), 0.0)))
            _spike(len(clips))
        return out

    def stretched_students(engine, jobs, method):
        t0 = time.perf_counter()
        out = analyze_students(engine, jobs, method)
        if wrappers.forked:
            _stretch_to(t0, len(jobs) * float(STRETCH.get("student", 0.0)))
        return out

    def stretched_report(session, backbone=None, *args, **kwargs):
        t0 = time.perf_counter()
        out = class_report(session, backbone, *args, **kwargs)
        if wrappers.forked:
            _stretch_to(t0, out.tokens * float(STRETCH.get("token", 0.0)))
        return out

    pipeline.Engine.score_clips = stretched_score_clips
    room.analyze_students, report.class_report = stretched_students, stretched_report


def _move_cpu(callback: Callable[[int], None] | None = None) -> None:
    """``spaces.zero.torch.move`` that gives the fake CUDA tensors their CPU data back instead of copying it to a GPU."""
    import torch
    from spaces.zero.torch import patching

    callback = callback or (lambda _: None)
    for fake, original in list(patching.cuda_aliases.items()):
        if original is not None:  # not packed yet (a tensor moved to "cuda" after launch)
            fake.data = torch.Tensor(original)
            callback(fake.numel() * fake.element_size())
    for pack in patching.tensor_packs:
        with open(pack.path(), "rb") as f:
            data = bytearray(f.read())
        if not data:
            continue
        buffer, offset = torch.frombuffer(data, dtype=torch.uint8), 0
        for meta, size, aligned in [t for batch in pack.batches for t in batch] + list(pack.big_tensors):
            tensor = torch.empty(0, dtype=meta.dtype)
            tensor.set_(buffer[offset : offset + size].clone().untyped_storage(), 0, meta.shape, meta.stride())
            for fake in pack.fakes[meta]:
                fake.data = tensor
            offset += aligned
            callback(size)


def _size(obj: Any) -> int | None:
    try:
        return len(pickle.dumps(obj))
    except Exception:  # spaces raises its own error when it pickles the same object
        return None


def _seconds(duration: Any) -> float | None:
    if duration is None:
        return 60.0  # spaces.zero.client.DEFAULT_SCHEDULE_DURATION
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return float(duration)


def _error(exc: BaseException) -> dict[str, Any]:
    return {"type": type(exc).__name__, "title": getattr(exc, "title", None), "message": str(getattr(exc, "message", exc))}


def _write(entry: dict[str, Any]) -> None:
    if path := os.environ.get("ZEROGPU_CALLS_LOG"):
        with _log_lock, open(path, "a") as f:
            f.write(json.dumps(entry, default=str) + "\n")


def _recording(factory: Callable[..., Callable[..., Any]], generator: bool) -> Callable[..., Callable[..., Any]]:
    """Wrap spaces' ``regular_function_wrapper`` / ``generator_function_wrapper`` so that the functions they make log each call."""
    from spaces.zero import client, wrappers

    def make(task: Callable[..., Any], duration: Any, gpu_size: Any) -> Callable[..., Any]:
        handler = factory(task, duration, gpu_size)

        def start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
            try:
                declared = duration(*args, **kwargs) if callable(duration) else duration
                requested = _seconds(declared)
                scheduled = round(client.get_duration_seconds(wrappers.process_duration(declared), gpu_size))
            except Exception:  # spaces raises it again when it calls the duration function itself
                requested = scheduled = None
            return {"name": task.__name__, "requested_s": requested, "scheduled_s": scheduled, "bytes_in": _size((args, kwargs)),
                    "pid": os.getpid(), "error": None, "t0": time.perf_counter()}

        def finish(entry: dict[str, Any]) -> None:
            entry["wall_s"] = round(time.perf_counter() - entry.pop("t0"), 3)
            _write(entry)

        if generator:

            @functools.wraps(handler)
            def recorded_generator(*args: Any, **kwargs: Any) -> Generator[Any, None, None]:
                if wrappers.forked:  # a decorated function called inside a worker runs inline there
                    yield from handler(*args, **kwargs)
                    return
                entry = start(args, kwargs)
                entry.update(bytes_out=0, yields=0)
                try:
                    for value in handler(*args, **kwargs):
                        entry["yields"] += 1
                        entry["bytes_out"] += _size(value) or 0
                        yield value
                except GeneratorExit:
                    entry["error"] = {"type": "GeneratorExit", "title": None, "message": "closed by the caller"}
                    raise
                except BaseException as exc:
                    entry["error"] = _error(exc)
                    raise
                finally:
                    finish(entry)

            return recorded_generator

        @functools.wraps(handler)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            if wrappers.forked:
                return handler(*args, **kwargs)
            entry = start(args, kwargs)
            entry["bytes_out"] = None
            try:
                result = handler(*args, **kwargs)
            except BaseException as exc:
                entry["error"] = _error(exc)
                raise
            else:
                entry["bytes_out"] = _size(result)
                return result
            finally:
                finish(entry)

        return recorded

    return make


def install() -> None:
    """Apply the patches (idempotent); done on import when ``SPACES_ZERO_GPU`` is true."""
    from spaces.zero import config, wrappers
    from spaces.zero import torch as ztorch

    if getattr(wrappers, "_zerogpu_harness", False):
        return
    model = os.environ.get("ZEROGPU_FAKE_GPU_MODEL", DEFAULT_GPU_MODEL)
    config._read_gpu_information = lambda: f"Model: {model}\n"
    config.get_config.cache_clear()  # already read during `import spaces`
    # wrappers.worker_init looks these up on the module at call time.
    ztorch.init, ztorch.move = _init_cpu, _move_cpu
    # spaces.zero.decorator imports the factories from spaces.zero.wrappers inside GPU(), at decoration time.
    wrappers.regular_function_wrapper = _recording(wrappers.regular_function_wrapper, generator=False)
    wrappers.generator_function_wrapper = _recording(wrappers.generator_function_wrapper, generator=True)
    wrappers._zerogpu_harness = True
    if STRETCH:  # before the app imports analyze_students and class_report by name
        _stretch_engage()


if Config.zero_gpu:
    install()
