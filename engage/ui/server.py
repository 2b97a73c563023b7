"""What the Space's server holds once, and its GPU calls: the engine (loaded at import, as ZeroGPU expects), the face
detectors, the measured costs, the ``@spaces.GPU`` functions (each returns plain data and what its work cost) and how
a handler calls one (a request sized from the costs, a refusal or failure as one line). ``app.py`` imports ``spaces``
before this module, as ZeroGPU asks (before torch)."""
from __future__ import annotations

import base64
import functools
import html
import inspect
import json
import math
import sys
from time import perf_counter

try:  # the Space's platform installs `spaces` (not in requirements.txt)
    import spaces
    from spaces.config import Config as SpacesConfig

    gpu, ZERO_GPU = spaces.GPU, SpacesConfig.zero_gpu
except ImportError:  # a local run without the package: the decorator changes nothing, as `spaces` does off ZeroGPU
    from .zerogpu import no_gpu as gpu

    ZERO_GPU = False

import gradio as gr

from .. import i18n, settings
from ..affect.pipeline import Engine, normalize_method
from ..affect.webcam import WebcamStream
from ..classroom.faces import load_detector
from ..classroom.report import class_report
from ..classroom.room import Classroom, StudentWindow, analyze_students
from ..classroom.stream import ClassroomStream
from ..errors import EngageError
from . import exports, views, zerogpu
from .zerogpu import split

try:
    # Once, at import, as ZeroGPU expects. On the Space the hub is reachable: the report's published heads are
    # converted on first start, before the backbone loads, so that it is fed with their protocol.
    ENGINE = Engine.load(heads_source=settings.heads_source() if settings.on_space() else None)
except EngageError as exc:  # e.g. offline without the model: one line that says what to do, no traceback
    sys.exit(f"engage: {exc}")
DETECTOR = load_detector()
ROSTER_DETECTOR = load_detector("dlib-hog-x2")  # roster photos are scaled to 640 px, where a face is large
exports.clear_root()  # exports of sessions a previous server left behind
CLASSROOM_MAX_STUDENTS_PER_CALL = 40  # the faces slider's maximum: a photo or one camera window of a full class is one call
CLASSROOM_CAMERA = ClassroomStream(every=settings.classroom_update_seconds())
# On ZeroGPU every call is a fresh pickled round trip, and on a GPU computing a due window whole is faster than the
# incremental update (0.120 s against 0.224 s on an H200, docs/performance.md): the webcam keeps frames and computes
# the due window whole. On a CPU it keeps the windows' key/value caches and encodes only the newest patch.
WEBCAM_KEEPS_FRAMES = ZERO_GPU or ENGINE.backbone.device.startswith("cuda")

# ---------------------------------------------------------------- GPU work (returns plain Python/numpy only)
# Each takes the seconds to ask ZeroGPU for as its first argument (sized by the caller from the costs measured so far,
# engage/ui/zerogpu.py), so the request and the refusal message say the same number, and each hands back, with its
# result, what its work cost, measured inside the call (a Meter).

COSTS = zerogpu.CostModel()  # one per server: every visitor's calls run on the same GPU


def requested(seconds: int, *args, **kwargs) -> int:
    return seconds


class VisitorError(gr.Error):
    """A visitor's error that remembers the catalogue key of the EngageError it says (it crosses back from a ZeroGPU
    worker with it, pickled), so that it can be said again in the visitor's language."""

    key: str | None = None
    fields: dict = {}  # noqa: RUF012 (never mutated: an instance's own dict replaces it)


def message_of(exc: Exception, lang: str = i18n.DEFAULT) -> str:
    """The plain text of an error in ``lang`` where it has a catalogue key (a gr.Error's message is already escaped
    for HTML)."""
    if isinstance(exc, EngageError):
        return exc.words(lang)
    if getattr(exc, "key", None):
        return i18n.text(exc.key, lang, **exc.fields)
    return html.unescape(str(exc.message)) if isinstance(exc, gr.Error) else str(exc)


def user_error(message: object, title: str | None = None, lang: str = i18n.DEFAULT) -> gr.Error:
    """A visitor's error in ``lang``: one escaped line in a toast (it renders HTML), no traceback in the server log
    (an ordinary input error is not a server fault)."""
    error = VisitorError(views.escape(message_of(message, lang) if isinstance(message, Exception) else message),
                         title=title or i18n.text("common.error", lang), print_exception=False)
    if getattr(message, "key", None):
        error.key, error.fields = message.key, message.fields
    return error


def user_errors(fn):
    """Inside a GPU call an EngageError becomes gr.Error: only gr.Error crosses back from a ZeroGPU worker with
    its message (anything else arrives as "ZeroGPU worker error: <class name>"). A generator stays a generator
    (spaces streams each of its values back as it is yielded)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def streaming(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except EngageError as exc:
                raise user_error(exc) from exc

        return streaming

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except EngageError as exc:
            raise user_error(exc) from exc

    return wrapper


def method_kind(method) -> str:
    return normalize_method(method)


@gpu(duration=requested)
@user_errors
def image_gpu(seconds, image, method):
    meter = zerogpu.Meter(method_kind(method))
    analysis = ENGINE.analyze_image(image, method)
    return analysis, meter.add(1, analysis.timings.get("total", 0.0))


@gpu(duration=requested)
@user_errors
def clip_gpu(seconds, clip, method):
    meter = zerogpu.Meter(method_kind(method))
    analysis = ENGINE.analyze_clip(clip, method, kind="webcam")
    return analysis, meter.add(1, analysis.timings.get("total", 0.0))


@gpu(duration=requested)
@user_errors
def webcam_gpu(seconds, stream: WebcamStream, frame, method):
    meter = zerogpu.Meter(method_kind(method))
    analysis = ENGINE.analyze_webcam(stream, frame, method)
    if ZERO_GPU:  # not used by the app there (WEBCAM_KEEPS_FRAMES); kept correct for callers that choose it
        stream.to("cpu")
    return (stream, analysis), meter.add(1, analysis.timings.get("total", 0.0) if analysis else 0.0)


@gpu(duration=requested)
@user_errors
def video_gpu(seconds, path, method, part: range, progress: gr.Progress | None = None):
    """The windows of ``part``, streamed back batch by batch: ZeroGPU aborts a call that overruns its time, and what
    was yielded before that has already crossed back."""
    meter = zerogpu.Meter(method_kind(method))
    # The gr.Progress object itself crosses into the ZeroGPU worker (a lambda would not pickle).
    report = (lambda frac, msg: progress(frac, desc=msg)) if progress is not None else None
    for piece in ENGINE.iter_video(path, method, report, part):
        # The batch size is sized at the first video; on ZeroGPU that happens in the worker, so send it back.
        yield piece, meter.add(len(piece.windows), piece.timings.get("model", 0.0)), ENGINE.batch_size


@gpu(duration=requested)
@user_errors
def students_gpu(seconds, jobs: list[StudentWindow], method):
    # Faces were detected, tracked and cropped on the CPU before this call: only the students' clips come in.
    meter = zerogpu.Meter("student")
    results = analyze_students(ENGINE, jobs, method)
    return results, meter.add(len(jobs), perf_counter() - meter.t0)


@gpu(duration=requested)
@user_errors
def report_gpu(seconds, session, lang=i18n.DEFAULT, photo=False, warnings=()):
    meter = zerogpu.Meter("token")
    report = class_report(session, ENGINE.backbone, lang=lang, photo=photo, warnings=warnings)
    return report, meter.add(max(1, report.tokens), perf_counter() - meter.t0)


ABORTED = "GPU task aborted"


def is_refusal(exc: gr.Error) -> bool:
    return getattr(exc, "title", None) == "ZeroGPU quota exceeded"


def is_abort(exc: gr.Error) -> bool:
    return getattr(exc, "title", None) == "ZeroGPU worker error" and ABORTED in str(exc.message)


def refusal_or_error(exc: gr.Error, seconds: int, lang: str = i18n.DEFAULT) -> gr.Error:
    """A ZeroGPU refusal or failure as one line that says what to do; engage's own errors as they are."""
    line = zerogpu.refusal_message(getattr(exc, "title", None), str(exc.message), seconds, lang)
    if line is not None:
        return user_error(line, title=i18n.text("gpu.title", lang))
    return user_error(exc, lang=lang) if getattr(exc, "key", None) else exc  # said again in the visitor's language


def on_gpu(fn, kind: str, units: int, day: zerogpu.GpuDay | None, *args, lang: str = i18n.DEFAULT):
    """One GPU call of ``units`` of ``kind``, asked for from the measured costs; its cost is learned, and charged to
    the visitor's ``day``. A refusal or failure becomes one line that says what to do."""
    name, day = fn.__name__, day if day is not None else zerogpu.GpuDay()
    seconds = COSTS.request(name, kind, units)
    t0 = perf_counter()
    try:
        result, cost = fn(seconds, *args)
    except gr.Error as exc:
        count_failure(exc, name, kind, day, perf_counter() - t0)
        raise refusal_or_error(exc, seconds, lang) from exc
    wall = perf_counter() - t0
    COSTS.observe(name, cost, wall)
    day.charge(name, wall)
    return result


def count_failure(exc: gr.Error, name: str, kind: str, day: zerogpu.GpuDay, wall_s: float) -> None:
    """What a failed call means for the day: a refusal says what is left (nothing charged); a worker that failed or
    was aborted was charged its time, and an abort doubles the per-unit estimate."""
    if is_refusal(exc):
        day.refused(message_of(exc))
    elif getattr(exc, "title", None) == "ZeroGPU worker error":
        day.charge(name, wall_s)
        if is_abort(exc):
            day.aborted += 1
            COSTS.aborted(name, kind)


def visitor_day(day: zerogpu.GpuDay | None, request: gr.Request | None) -> zerogpu.GpuDay:
    """The session's GPU day; its tier read, as spaces reads it, from the X-IP-Token the Hub's proxy adds."""
    if day is None:
        headers = getattr(request, "headers", None) or {}
        day = zerogpu.GpuDay(tier=zerogpu.tier_of(token_payload(headers.get("x-ip-token"))))
    return day


def token_payload(token: str | None) -> dict | None:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    except (AttributeError, IndexError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def students_on_gpu(jobs: list[StudentWindow], method, day: zerogpu.GpuDay | None = None, lang: str = i18n.DEFAULT):
    return on_gpu(students_gpu, "student", len(jobs), day, jobs, method, lang=lang)


def students_per_call() -> int:
    return max(1, COSTS.units_fitting("students_gpu", "student", math.inf, CLASSROOM_MAX_STUDENTS_PER_CALL))


def analyze_students_in_calls(room: Classroom, jobs: list[StudentWindow], method, day: zerogpu.GpuDay | None = None,
                              lang: str = i18n.DEFAULT) -> int:
    """The students' clips in calls sized from the measured cost; their results added to the room."""
    for part in split(len(jobs), students_per_call()):
        room.add_results(students_on_gpu(jobs[part.start : part.stop], method, day, lang))
    return len(jobs)


def upload_path(payload, lang: str = i18n.DEFAULT) -> str | None:
    """The server path of an upload as the event sends it unprocessed (``preprocess=False``: engage's
    ``load_image``/``VideoSource`` read the file and say in one line what is wrong with it, where gradio's image
    preprocessing would answer with its internals), or a path given directly (tests, the CLI)."""
    if isinstance(payload, dict):
        payload = payload.get("video", payload)  # gr.Video sends {"video": file, "subtitles": ...}
        if isinstance(payload, dict):
            path = payload.get("path")
            if not path:
                raise user_error(i18n.text("error.send_as_file", lang), lang=lang)
            return str(path)
    return payload or None
