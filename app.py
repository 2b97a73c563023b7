"""engage: the Gradio Space. UI wiring and ZeroGPU (@spaces.GPU) wrappers only; the logic lives in engage/."""
from __future__ import annotations

import base64
import contextlib
import functools
import html
import inspect
import json
import math
import os
import sys
import threading
import time
from time import perf_counter

try:  # the Space's platform installs `spaces` (not in requirements.txt); import it before torch
    import spaces
    from spaces.config import Config as SpacesConfig

    gpu, ZERO_GPU = spaces.GPU, SpacesConfig.zero_gpu
except ImportError:  # a local run without the package: the decorator changes nothing, as `spaces` does off ZeroGPU
    from engage.ui.zerogpu import no_gpu as gpu

    ZERO_GPU = False

import gradio as gr

from engage import settings
from engage.affect.pipeline import METHODS, Engine, normalize_method
from engage.affect.results import Analysis
from engage.affect.webcam import WebcamFrames, WebcamStream
from engage.classroom import identity
from engage.classroom.faces import load_detector
from engage.classroom.report import class_report
from engage.classroom.room import DEFAULT_MAX_FACES, PHOTO_WINDOW, Classroom, StudentWindow, analyze_students, run_video_in_calls
from engage.classroom.session import NAME_MAX
from engage.classroom.stream import ClassroomStream
from engage.errors import EngageError
from engage.media import VideoSource, frames_to_clip, load_image
from engage.ui import exports, plots, views, zerogpu
from engage.ui.zerogpu import split

try:
    # Once, at import, as ZeroGPU expects. On the Space the hub is reachable: the report's published heads are
    # converted on first start, before the backbone loads, so that it is fed with their protocol.
    ENGINE = Engine.load(heads_source=settings.heads_source() if settings.on_space() else None)
except EngageError as exc:  # e.g. offline without the model: one line that says what to do, no traceback
    sys.exit(f"engage: {exc}")
DETECTOR = load_detector()
ROSTER_DETECTOR = load_detector("dlib-hog-x2")  # roster photos are scaled to 640 px, where a face is large
exports.clear_root()  # exports of sessions a previous server left behind
SESSION_TTL_S = settings.session_ttl_seconds()
FILES_MAX_AGE_S = settings.files_max_age_seconds()
EXAMPLES = settings.EXAMPLES_DIR
METHOD_LABELS = list(METHODS.values())
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


def _requested(seconds: int, *args, **kwargs) -> int:
    return seconds


def _message(exc: Exception) -> str:
    """The plain text of an error (a gr.Error's message is already escaped for HTML)."""
    return html.unescape(str(exc.message)) if isinstance(exc, gr.Error) else str(exc)


def _error(message: object, title: str = "Error") -> gr.Error:
    """A visitor's error: one escaped line in a toast (it renders HTML), no traceback in the server log (an
    ordinary input error is not a server fault)."""
    return gr.Error(views.escape(message), title=title, print_exception=False)


def _user_errors(fn):
    """Inside a GPU call an EngageError becomes gr.Error: only gr.Error crosses back from a ZeroGPU worker with
    its message (anything else arrives as "ZeroGPU worker error: <class name>"). A generator stays a generator
    (spaces streams each of its values back as it is yielded)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def streaming(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except EngageError as exc:
                raise _error(exc) from exc

        return streaming

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except EngageError as exc:
            raise _error(exc) from exc

    return wrapper


def _kind(method) -> str:
    return normalize_method(method)


@gpu(duration=_requested)
@_user_errors
def _image_gpu(seconds, image, method):
    meter = zerogpu.Meter(_kind(method))
    analysis = ENGINE.analyze_image(image, method)
    return analysis, meter.add(1, analysis.timings.get("total", 0.0))


@gpu(duration=_requested)
@_user_errors
def _clip_gpu(seconds, clip, method):
    meter = zerogpu.Meter(_kind(method))
    analysis = ENGINE.analyze_clip(clip, method, kind="webcam")
    return analysis, meter.add(1, analysis.timings.get("total", 0.0))


@gpu(duration=_requested)
@_user_errors
def _webcam_gpu(seconds, stream: WebcamStream, frame, method):
    meter = zerogpu.Meter(_kind(method))
    analysis = ENGINE.analyze_webcam(stream, frame, method)
    if ZERO_GPU:  # not used by the app there (WEBCAM_KEEPS_FRAMES); kept correct for callers that choose it
        stream.to("cpu")
    return (stream, analysis), meter.add(1, analysis.timings.get("total", 0.0) if analysis else 0.0)


@gpu(duration=_requested)
@_user_errors
def _video_gpu(seconds, path, method, part: range, progress: gr.Progress | None = None):
    """The windows of ``part``, streamed back batch by batch: ZeroGPU aborts a call that overruns its time, and what
    was yielded before that has already crossed back."""
    meter = zerogpu.Meter(_kind(method))
    # The gr.Progress object itself crosses into the ZeroGPU worker (a lambda would not pickle).
    report = (lambda frac, msg: progress(frac, desc=msg)) if progress is not None else None
    for piece in ENGINE.iter_video(path, method, report, part):
        # The batch size is sized at the first video; on ZeroGPU that happens in the worker, so send it back.
        yield piece, meter.add(len(piece.windows), piece.timings.get("model", 0.0)), ENGINE.batch_size


@gpu(duration=_requested)
@_user_errors
def _students_gpu(seconds, jobs: list[StudentWindow], method):
    # Faces were detected, tracked and cropped on the CPU before this call: only the students' clips come in.
    meter = zerogpu.Meter("student")
    results = analyze_students(ENGINE, jobs, method)
    return results, meter.add(len(jobs), perf_counter() - meter.t0)


@gpu(duration=_requested)
@_user_errors
def _report_gpu(seconds, session):
    meter = zerogpu.Meter("token")
    report = class_report(session, ENGINE.backbone)
    return report, meter.add(max(1, report.tokens), perf_counter() - meter.t0)


ABORTED = "GPU task aborted"


def _refused(exc: gr.Error) -> bool:
    return getattr(exc, "title", None) == "ZeroGPU quota exceeded"


def _aborted(exc: gr.Error) -> bool:
    return getattr(exc, "title", None) == "ZeroGPU worker error" and ABORTED in str(exc.message)


def _failed(exc: gr.Error, seconds: int) -> gr.Error:
    """A ZeroGPU refusal or failure as one line that says what to do; engage's own errors as they are."""
    line = zerogpu.refusal_message(getattr(exc, "title", None), str(exc.message), seconds)
    return exc if line is None else _error(line, title="GPU time")


def _on_gpu(fn, kind: str, units: int, day: zerogpu.GpuDay | None, *args):
    """One GPU call of ``units`` of ``kind``, asked for from the measured costs; its cost is learned, and charged to
    the visitor's ``day``. A refusal or failure becomes one line that says what to do."""
    name, day = fn.__name__, day if day is not None else zerogpu.GpuDay()
    seconds = COSTS.request(name, kind, units)
    t0 = perf_counter()
    try:
        result, cost = fn(seconds, *args)
    except gr.Error as exc:
        _count_failure(exc, name, kind, day, perf_counter() - t0)
        raise _failed(exc, seconds) from exc
    wall = perf_counter() - t0
    COSTS.observe(name, cost, wall)
    day.charge(name, wall)
    return result


def _count_failure(exc: gr.Error, name: str, kind: str, day: zerogpu.GpuDay, wall_s: float) -> None:
    """What a failed call means for the day: a refusal says what is left (nothing charged); a worker that failed or
    was aborted was charged its time, and an abort doubles the per-unit estimate."""
    if _refused(exc):
        day.refused(_message(exc))
    elif getattr(exc, "title", None) == "ZeroGPU worker error":
        day.charge(name, wall_s)
        if _aborted(exc):
            day.aborted += 1
            COSTS.aborted(name, kind)


def _visitor_day(day: zerogpu.GpuDay | None, request: gr.Request | None) -> zerogpu.GpuDay:
    """The session's GPU day; its tier read, as spaces reads it, from the X-IP-Token the Hub's proxy adds."""
    if day is None:
        headers = getattr(request, "headers", None) or {}
        day = zerogpu.GpuDay(tier=zerogpu.tier_of(_token_payload(headers.get("x-ip-token"))))
    return day


def _token_payload(token: str | None) -> dict | None:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    except (AttributeError, IndexError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _students_on_gpu(jobs: list[StudentWindow], method, day: zerogpu.GpuDay | None = None):
    return _on_gpu(_students_gpu, "student", len(jobs), day, jobs, method)


def _students_per_call() -> int:
    return max(1, COSTS.units_fitting("_students_gpu", "student", math.inf, CLASSROOM_MAX_STUDENTS_PER_CALL))


def _analyze_students(room: Classroom, jobs: list[StudentWindow], method, day: zerogpu.GpuDay | None = None) -> int:
    """The students' clips in calls sized from the measured cost; their results added to the room."""
    for part in split(len(jobs), _students_per_call()):
        room.add_results(_students_on_gpu(jobs[part.start : part.stop], method, day))
    return len(jobs)


# ---------------------------------------------------------------- event handlers


def _upload(payload) -> str | None:
    """The server path of an upload as the event sends it unprocessed (``preprocess=False``: engage's
    ``load_image``/``VideoSource`` read the file and say in one line what is wrong with it, where gradio's image
    preprocessing would answer with its internals), or a path given directly (tests, the CLI)."""
    if isinstance(payload, dict):
        payload = payload.get("video", payload)  # gr.Video sends {"video": file, "subtitles": ...}
        if isinstance(payload, dict):
            path = payload.get("path")
            if not path:
                raise _error("Send the picture or video as a file upload.")
            return str(path)
    return payload or None


def analyze_image(image, method, day: zerogpu.GpuDay | None = None, request: gr.Request = None):
    image = _upload(image)
    if image is None:
        raise _error("Upload an image first (or pick an example).")
    try:
        return views.single_outputs(_on_gpu(_image_gpu, _kind(method), 1, _visitor_day(day, request), image, method))
    except EngageError as exc:
        raise _error(exc) from exc


VIDEO_REFRESH_S = 2.0  # within a call, the page is redrawn with the windows so far at most this often
MAX_FAILURES = 3  # calls in a row that end without a window before a video stops


def analyze_video(video, method, folder: str | None, day: zerogpu.GpuDay | None = None, request: gr.Request = None, progress=gr.Progress()):
    """A generator: the plan first (how much video, and on ZeroGPU how much of a day it uses at the measured rate),
    with the previous video's results cleared, then the results as the windows come back. Calls are sized to the
    measured cost and to what the visitor has left; a refused call is retried smaller, an aborted one is redone
    from its first window not handed back; when not even one window fits, the video stops with one line and
    everything analysed so far stays. Exports go to the session's folder (``folder``, a State)."""
    if not video:
        raise _error("Upload a video first (or pick an example).")
    day = _visitor_day(day, request)
    try:
        key = normalize_method(method)
        source = VideoSource(video, ENGINE.limits, ENGINE.windowing)  # probes only (CPU); refuses bad files here
        total, length = source.num_windows, source.info.duration
        folder = exports.session_folder(folder)
        plan = zerogpu.video_plan_line(total, length, key, COSTS, ZERO_GPU)
        yield (views.escape(plan), *views.video_cleared("Analysing…"), folder)
        parts: list[Analysis] = []
        done, failures, stopped, last_error = 0, 0, None, ""

        def shown(final: bool = False):
            outputs = views.video_outputs(Analysis.joined(parts), folder)
            lines = [views.escape(stopped)] if stopped else []
            if not final:
                lines.append(views.partial_line(done, total, parts[-1].windows[-1].end, length))
            if ZERO_GPU and day.calls:
                lines.append(views.escape(zerogpu.used_line(day)))
            return ("\n\n".join(lines + [outputs[0]]), *outputs[1:], folder)

        while done < total and failures < MAX_FAILURES:
            left = day.left_s if ZERO_GPU else math.inf
            n = COSTS.units_fitting(_video_gpu.__name__, key, left, total - done) if ZERO_GPU else total - done
            if n == 0:
                stopped = zerogpu.stop_line(parts[-1].windows[-1].end if parts else 0.0, length, day)
                break
            part, before, t0, cost, refreshed = range(done, done + n), done, perf_counter(), None, perf_counter()
            seconds = COSTS.request(_video_gpu.__name__, key, n)
            try:
                for piece, cost_so_far, ENGINE.batch_size in _video_gpu(seconds, video, method, part, progress):
                    cost = cost_so_far
                    parts.append(piece)
                    done += len(piece.windows)
                    if perf_counter() - refreshed >= VIDEO_REFRESH_S and done < part.stop:
                        refreshed = perf_counter()
                        yield shown()
            except gr.Error as exc:
                _count_failure(exc, _video_gpu.__name__, key, day, perf_counter() - t0)
                failures, last_error = (0 if done > before else failures + 1), _message(_failed(exc, seconds))
                if _refused(exc) or _aborted(exc):
                    continue  # the next call is sized to what ZeroGPU says is left, or to the doubled estimate
                if not parts:
                    raise _failed(exc, seconds) from exc
                stopped = f"Stopped: {last_error}"
                break
            wall = perf_counter() - t0
            if cost is not None:
                COSTS.observe(_video_gpu.__name__, cost, wall)
            day.charge(_video_gpu.__name__, wall)
            failures = 0
            if done < total:
                yield shown()
        if failures >= MAX_FAILURES:
            stopped = f"Stopped: {MAX_FAILURES} GPU calls in a row ended without a window; the last: {last_error}"
        if not parts:
            raise _error(stopped or last_error, title="GPU time")
        if stopped is None and done < total:
            stopped = zerogpu.stop_line(parts[-1].windows[-1].end, length, day)
        yield shown(final=True)
    except EngageError as exc:
        raise _error(exc) from exc


def video_estimate(video, method) -> str:
    """Before a video is analysed: its length, and on ZeroGPU how much of a visitor's day it will use."""
    if not video:
        return ""
    try:
        source = VideoSource(video, ENGINE.limits, ENGINE.windowing)
        return views.escape(zerogpu.video_plan_line(source.num_windows, source.info.duration, _kind(method), COSTS, ZERO_GPU))
    except EngageError as exc:
        return views.error_markdown(exc)


FRAMES_MAX = 10  # the webcam's window: longer recordings go to /analyze_video


def analyze_frames(files, method, day: zerogpu.GpuDay | None = None, request: gr.Request = None):
    """API twin of the webcam: up to 10 frames sampled at 1 FPS (oldest first) analysed as one clip."""
    if not files:
        raise _error("Send at least one frame.")
    if len(files) > FRAMES_MAX:
        raise _error(f"Send at most {FRAMES_MAX} frames (one 10 s window at 1 FPS); send longer recordings as a video.")
    try:
        clip = frames_to_clip([_upload(f) if isinstance(f, dict) else getattr(f, "name", f) for f in files], ENGINE.limits)
        return views.single_outputs(_on_gpu(_clip_gpu, _kind(method), 1, _visitor_day(day, request), clip, method))
    except EngageError as exc:
        raise _error(exc) from exc


def webcam_every(method, day: zerogpu.GpuDay) -> tuple[int, float]:
    """On ZeroGPU: seconds between results so that what is left of the day lasts ten minutes of camera, and what a
    result is expected to cost (a warm call of one window, charged in whole seconds)."""
    cost = zerogpu.charged(COSTS.fixed_s(True) + COSTS.unit_s(_kind(method)))
    return zerogpu.webcam_every_s(cost, day.left_s), cost


def _webcam_analysis(stream, frame, method, day: zerogpu.GpuDay, now: float):
    """(stream, analysis or None) for one kept frame, in whichever way the stream keeps its windows."""
    key = _kind(method)
    if isinstance(stream, WebcamFrames):
        clip = stream.push(frame)  # CPU: a GPU call only when a result is due
        if clip is None or (ZERO_GPU and stream.last_result is not None and now - stream.last_result < webcam_every(method, day)[0]):
            return stream, None
        stream.last_result = now
        return stream, _on_gpu(_clip_gpu, key, 1, day, clip, method)
    return _on_gpu(_webcam_gpu, key, 1, day, stream, frame, method)


def webcam_frame(frame, method, stream: WebcamStream | WebcamFrames | None, day: zerogpu.GpuDay | None = None, request: gr.Request = None):
    """Called for every streamed frame; keeps 1 FPS and shows a result when one is due (on ZeroGPU, at most every
    few seconds, spaced so that the visitor's GPU time lasts ten minutes of camera)."""
    day = _visitor_day(day, request)
    if stream is None:
        stream = WebcamFrames() if WEBCAM_KEEPS_FRAMES else WebcamStream()
    now = time.monotonic()
    try:
        frame = stream.offer(frame, now)
    except EngageError:
        return gr.skip(), gr.skip(), gr.skip(), stream
    if frame is None:
        return gr.skip(), gr.skip(), gr.skip(), stream
    try:
        stream, analysis = _webcam_analysis(stream, frame, method, day, now)
    except gr.Error as exc:
        if ABORTED in _message(exc):  # ran past its time: the next due window covers these frames, with a larger request
            return gr.skip(), gr.skip(), gr.skip(), stream
        return (*views.single_error(_message(exc)), stream)  # shown in place of the last result, which no longer holds
    except EngageError as exc:
        return (*views.single_error(_message(exc)), stream)
    if analysis is None:
        return gr.skip(), gr.skip(), gr.skip(), stream
    md, fig, data = views.single_outputs(analysis)
    if ZERO_GPU:
        md = views.escape(zerogpu.webcam_line(*webcam_every(method, day), day, COSTS.measured(_kind(method)))) + "\n\n" + md
    return md, fig, data, stream


def webcam_info(method, day: zerogpu.GpuDay | None = None, request: gr.Request = None) -> str:
    """The Webcam tab's line before the camera starts: on ZeroGPU how often a result comes and what it costs."""
    if not ZERO_GPU:
        return "Waiting for the camera…"
    day = _visitor_day(day, request)
    return views.escape(zerogpu.webcam_line(*webcam_every(method, day), day, COSTS.measured(_kind(method))))


def _class_outputs(room: Classroom | None, folder: str | None, export: bool = True):
    """The whole dashboard (and the room and export folder states); exports written when ``export``."""
    if room is None:
        raise _error(f"Analyse a classroom video, photo or camera first (a session ends {views.session_lifetime()}).")
    folder = exports.session_folder(folder) if export else folder
    outputs = views.classroom_outputs(room, ENGINE.warnings("mlp"), folder if export else None)
    return (*outputs[:7], outputs[7] if export else gr.skip(), room, folder)


FACES_MAX = 40  # the slider's top: faces analysed per frame


def _faces(value) -> int:
    try:
        faces = int(value)
    except (TypeError, ValueError):
        faces = 0
    if not 1 <= faces <= FACES_MAX or faces != value:
        raise _error(f"Faces analysed per frame: a whole number from 1 to {FACES_MAX}.")
    return faces


def analyze_classroom(video, photo, method, max_faces, roster, folder: str | None, day: zerogpu.GpuDay | None = None, request: gr.Request = None,
                      progress=gr.Progress()):
    """A generator: for a video, first what it will ask of the GPU, then the dashboard."""
    video, photo = _upload(video), _upload(photo)
    max_faces = _faces(max_faces)
    if not video and not photo:
        raise _error("Upload a classroom video or photo first.")
    if video and photo:
        raise _error("Give a video or a photo, not both: clear one of them.")
    room = Classroom(max_faces=max_faces, roster=roster or None)
    try:
        normalize_method(method)  # an unknown method fails before any face is looked for
        if not video:
            room.observe_photo(DETECTOR, load_image(photo, ENGINE.limits))
            _analyze_students(room, room.take_windows([PHOTO_WINDOW]), method, _visitor_day(day, request))
            yield _class_outputs(room, folder)
            return
        source = VideoSource(video, ENGINE.limits, ENGINE.windowing)
        yield (zerogpu.classroom_plan(source.num_windows, max_faces, _students_per_call(), ZERO_GPU),) + (gr.skip(),) * 9
        room = run_video_in_calls(
            room,
            DETECTOR,
            source,
            lambda jobs: _students_on_gpu(jobs, method, _visitor_day(day, request)),
            lambda frac, message: progress(frac, desc=message),
            _students_per_call(),
        )
        yield _class_outputs(room, folder)
    except EngageError as exc:
        raise _error(exc) from exc


def rename_students(text, room: Classroom | None, folder: str | None):
    """"1=Alice, 2=Bob" names students; "3=1" makes student 3 student 1 (so does giving two ids one name)."""
    if room is None:
        raise _error("Analyse a classroom first; then rename its students.")
    try:
        room.edit(views.parse_renames(text, room.session.ids))
    except ValueError as exc:
        raise _error(exc) from exc
    return _class_outputs(room, folder)


def _roster_view(roster: identity.Roster | None, message: str = ""):
    rows = roster.table() if roster else []
    summary = f"{len(rows)} student{'s' if len(rows) != 1 else ''} in the roster." if rows else "The roster is empty."
    return views.escape(" ".join(filter(None, [message, summary]))), rows


def add_to_roster(files, name, roster: identity.Roster | None, room: Classroom | None, folder: str | None):
    """Photos (a name from the field, else from each file's name) or an exported roster (.json) into this session's
    roster; students already analysed are named from it at once."""
    uploads = files if isinstance(files, list) else [files] if files else []
    if not uploads:
        raise _error("Choose one or more photos of a student (or a roster exported from engage) first.")
    roster = roster or identity.Roster()
    notes, added = [], 0
    for payload in uploads:
        path = _upload(payload)
        shown = payload.get("orig_name") if isinstance(payload, dict) else None
        shown = shown or os.path.basename(str(path))
        try:
            if shown.lower().endswith(".json"):
                with open(path, encoding="utf-8") as fh:
                    loaded = identity.Roster.from_json(fh.read())
                for student, gallery in loaded.photos.items():
                    for desc in gallery:
                        roster.add(student, desc)
                notes.append(f"{shown}: {len(loaded)} students read.")
            else:
                frame = load_image(path, ENGINE.limits)
                notes.append(identity.add_photo(roster, ROSTER_DETECTOR, identity.default_encoder(), frame,
                                                (name or "").strip() or identity.name_from_filename(shown)))
            added += 1
        except (EngageError, ValueError) as exc:
            notes.append(f"{shown}: {exc}")
        finally:  # the roster keeps descriptors, never the photo: gradio's copy goes now, not at the next sweep
            with contextlib.suppress(OSError, TypeError):
                os.remove(path)
    if not added:
        raise _error(" ".join(notes))
    if room is not None:
        room.use_roster(roster)
    dashboard = _class_outputs(room, folder) if room is not None else (gr.skip(),) * 10
    return (*_roster_view(roster, " ".join(notes)), roster, None, *dashboard)


def clear_roster(room: Classroom | None):
    if room is not None:
        room.roster = None
    return (*_roster_view(None, "Roster cleared (names already given stay)."), None)


def export_roster(roster: identity.Roster | None, folder: str | None):
    if not roster:
        raise _error("The roster is empty: add photos first.")
    folder = exports.session_folder(folder)
    return exports.write_export(folder, "roster", {".json": roster.to_json()})[0], folder


def export_classroom(room: Classroom | None, folder: str | None):
    """The session as JSON and CSV, when asked (the camera does not rewrite them as it runs)."""
    if room is None or not room.session.observations:
        raise _error("Nothing to export yet: analyse a classroom video, photo or camera first.")
    folder = exports.session_folder(folder)
    return list(views.write_session_exports(room.session, folder)), folder


def write_class_report(room: Classroom | None, use_model: bool, day: zerogpu.GpuDay | None = None, request: gr.Request = None):
    if room is None:
        raise _error("Analyse a classroom first.")
    report = _on_gpu(_report_gpu, "token", zerogpu.REPORT_TOKENS, _visitor_day(day, request), room.session) if use_model else class_report(room.session)
    return report.markdown


def classroom_frame(frame, method, max_faces, roster, room: Classroom | None, folder: str | None, day: zerogpu.GpuDay | None = None,
                    request: gr.Request = None):
    """Classroom webcam: one frame per second is observed (CPU); students are analysed every few seconds (one GPU
    call, carrying only their face crops of those seconds). Each second only the status and the frame change
    (constant work however long the stream); the dashboard follows each analysis; exports when asked."""
    room, t = CLASSROOM_CAMERA.offer(room, max_faces, time.monotonic())
    room.roster = roster or None
    if t is None:
        return (gr.skip(),) * 8 + (room, folder)
    try:
        due = CLASSROOM_CAMERA.observe(room, DETECTOR, frame, t)
        if due:
            _analyze_students(room, due, method, _visitor_day(day, request))
    except (EngageError, gr.Error) as exc:
        return (views.error_markdown(_message(exc)),) + (gr.skip(),) * 7 + (room, folder)
    if due is None:
        status, annotated = views.classroom_frame_outputs(room)
        return (status, gr.skip(), annotated) + (gr.skip(),) * 5 + (room, folder)
    return _class_outputs(room, folder, export=False)


# ---------------------------------------------------------------- layout


CSS = """
/* Phones: words wrap whole ("Boredom", not "Bored|om"); wide tables scroll inside their box, not the page. */
.prose table td, .prose table th { word-break: normal; overflow-wrap: normal; hyphens: none; }
.prose table { display: block; overflow-x: auto; max-width: 100%; }
.engage-no-mlp label:first-of-type { opacity: 0.45; pointer-events: none; }
"""


def _heads_info() -> str | None:
    return None if ENGINE.heads is not None else ENGINE.heads_notice


def _banner(method_label: str) -> str:
    return views.warning_banner(ENGINE.warnings(normalize_method(method_label)))


with gr.Blocks(title="engage: learner affect from video", delete_cache=(max(1, FILES_MAX_AGE_S // 3), FILES_MAX_AGE_S)) as demo:
    gr.Markdown(
        "# engage\nBoredom, engagement, confusion and frustration (DAiSEE levels 0-3) from a webcam, a photo or a video, "
        "with Qwen2.5-VL features. What the numbers can and cannot say: the **About** tab (the last tab; on a phone, "
        "under ⋯ beside the tabs)."
    )
    banner = gr.Markdown(elem_id="banner")
    method = gr.Radio(
        METHOD_LABELS,
        value=METHOD_LABELS[0] if ENGINE.heads is not None else METHOD_LABELS[1],
        label="Method",
        info=_heads_info(),
        elem_id="method",
        elem_classes=[] if ENGINE.heads is not None else ["engage-no-mlp"],  # shown, greyed, with the reason
    )
    files_state = gr.State(None, time_to_live=SESSION_TTL_S, delete_callback=exports.remove_folder)
    # The session's GPU day (what ZeroGPU charged it, what it said was left): a fresh copy per visitor, updated in place.
    day_state = gr.State(zerogpu.GpuDay(), time_to_live=SESSION_TTL_S)

    method.change(_banner, method, banner, api_visibility="private")
    demo.load(_banner, method, banner, api_visibility="private")

    with gr.Tab("Webcam"):
        gr.Markdown(
            "Press record: the app keeps one frame per second and shows a result "
            + ("every few seconds, spaced so that your GPU time lasts ten minutes of camera (the line with the results says "
               "how often), " if ZERO_GPU else "every 1-2 s, ")
            + "each on the last 6-10 s (the first after 2 s). Frames are held only in this session's memory and dropped with it."
        )
        with gr.Row():
            cam = gr.Image(sources=["webcam"], streaming=True, type="numpy", label="Camera", elem_id="webcam")
            with gr.Column():
                cam_md = gr.Markdown("Waiting for the camera…", elem_id="webcam-summary", label="summary")
        cam_plot = gr.Plot(plots.placeholder("Start the camera to see the four states."), label="Levels", elem_id="webcam-plot")
        cam_json = gr.JSON(label="Result (JSON)", visible=False)
        cam_state = gr.State(None, time_to_live=SESSION_TTL_S)  # frames and caches of a stopped camera are freed
        cam.stream(
            webcam_frame,
            inputs=[cam, method, cam_state, day_state],
            outputs=[cam_md, cam_plot, cam_json, cam_state],
            stream_every=0.5,
            time_limit=600,
            concurrency_limit=4,
            show_progress="hidden",  # a result every 1-2 s: a pending overlay each half second would flicker
            api_name="webcam_frame",
            api_visibility="undocumented",  # streaming; clients use /analyze_frames
        )
        demo.load(webcam_info, [method, day_state], cam_md, api_visibility="private")
        frames_in = gr.File(file_count="multiple", visible=False, label="frames")
        frames_btn = gr.Button(visible=False)
        # preprocess=False: the uploads are read where gradio put them (its file preprocessing would leave an empty
        # temporary file behind for every frame)
        frames_btn.click(analyze_frames, [frames_in, method, day_state], [cam_md, cam_plot, cam_json], api_name="analyze_frames", preprocess=False)

    with gr.Tab("Image"):
        with gr.Row():
            with gr.Column():
                img = gr.Image(type="filepath", image_mode=None, label="Photo", sources=["upload", "clipboard"], elem_id="image-input")
                if os.path.isdir(EXAMPLES):
                    gr.Examples([[os.path.join(EXAMPLES, "astronaut.png")]], inputs=[img])
            with gr.Column():
                img_btn = gr.Button("Analyse image", variant="primary")
                img_md = gr.Markdown(label="summary", min_height=120, elem_id="image-summary")
        img_plot = gr.Plot(plots.placeholder("Analyse an image to see the four states."), label="Levels", elem_id="image-plot")
        with gr.Accordion("Result as JSON", open=False):
            img_json = gr.JSON(label="Result (JSON)")
        img_outputs = [img_md, img_plot, img_json]
        img_btn.click(
            analyze_image, [img, method, day_state], img_outputs, api_name="analyze_image", concurrency_limit=2, preprocess=False
        ).failure(
            lambda: views.single_error("No result: the message at the top says why."), None, img_outputs, api_visibility="private"
        )

    with gr.Tab("Video"):
        with gr.Row():
            with gr.Column():
                vid = gr.Video(label="Clip", sources=["upload"], elem_id="video-input")
                if os.path.isdir(EXAMPLES):
                    gr.Examples([[os.path.join(EXAMPLES, "astronaut_clip.mp4")]], inputs=[vid])
            with gr.Column():
                vid_btn = gr.Button("Analyse video", variant="primary")
                vid_md = gr.Markdown(label="summary", min_height=160, elem_id="video-summary")
        vid_plot = gr.Plot(plots.placeholder("Analyse a video to see the four states."), label="Levels (whole clip)", elem_id="video-plot")
        vid_timeline = gr.Plot(label="Timeline", elem_id="video-timeline")
        vid_share = gr.Plot(label="Share of time", elem_id="video-share")
        vid_table = gr.Dataframe(headers=views.SHARE_HEADERS, label="Share of time at each level", interactive=False, elem_id="share-table")
        vid_files = gr.File(label="Download JSON and CSV", file_count="multiple")
        with gr.Accordion("Per-window results as JSON", open=False):
            vid_json = gr.JSON(label="Per-window results (JSON)")
        vid_outputs = [vid_md, vid_plot, vid_timeline, vid_share, vid_table, vid_json, vid_files]
        vid.change(video_estimate, [vid, method], vid_md, api_visibility="private", show_progress="hidden")
        vid_btn.click(
            analyze_video,
            [vid, method, files_state, day_state],
            vid_outputs + [files_state],
            api_name="analyze_video",
            concurrency_limit=1,
            show_progress_on=[vid_md],  # one bar, beside the plan, at the top of the tab
        ).failure(lambda: views.video_cleared("No result: the message at the top says why."), None, vid_outputs[1:], api_visibility="private")

    with gr.Tab("Classroom"):
        gr.Markdown(
            "Every face in the frame, followed with a stable id, analysed on its own face crops at 1 FPS: the four "
            f"states, seven basic emotions (zero-shot, same model) and head pose. A face counts as a student once seen "
            f"in 3 of 5 seconds, and keeps their id for {views.minutes(settings.classroom_away_seconds())} away, recognised by their face. "
            f"At most {DEFAULT_MAX_FACES} faces per frame by default (the largest). Name students from a roster of "
            "photos or by hand below; export the session; write a class report. Names, the roster and results stay in "
            f"this browser session only, and are dropped {views.session_lifetime()}."
        )
        gr.Markdown(views.CLASSROOM_NOTICE, elem_id="class-notice")
        with gr.Row():
            cls_video = gr.Video(label="Classroom video", sources=["upload"], elem_id="class-video")
            cls_photo = gr.Image(type="filepath", image_mode=None, label="or a photo", sources=["upload"], elem_id="class-photo")
            with gr.Column():
                cls_max = gr.Slider(1, FACES_MAX, value=DEFAULT_MAX_FACES, step=1, label="Faces analysed per frame (largest first)")
                cls_btn = gr.Button("Analyse classroom", variant="primary")
                cls_status = gr.Markdown(label="status", elem_id="class-status")
        with gr.Accordion("Class roster (optional): name students from their photos", open=False):
            gr.Markdown(views.ROSTER_NOTE)
            with gr.Row():
                roster_files = gr.File(label="Photos of one student, or of several named after them (or a roster .json)",
                                       file_count="multiple", file_types=["image", ".json"], elem_id="roster-files")
                with gr.Column():
                    roster_name = gr.Textbox(label="Name (else each file's name: ana_lopez-2.jpg is Ana Lopez)", max_length=NAME_MAX)
                    roster_add_btn = gr.Button("Add to roster", variant="primary")
                    roster_clear_btn = gr.Button("Clear the roster")
            roster_msg = gr.Markdown("The roster is empty.", elem_id="roster-status")
            roster_table = gr.Dataframe(headers=["name", "photos"], label="Roster", interactive=False, elem_id="roster-table")
            with gr.Row():
                roster_file = gr.File(label="Roster export (names and face descriptors, no photos)", interactive=False, height=120)
                roster_export_btn = gr.Button("Export the roster")
        with gr.Accordion("Live: classroom camera", open=False):
            cls_cam = gr.Image(sources=["webcam"], streaming=True, type="numpy", label="Classroom camera")
        cls_cards = gr.Markdown(label="cards", elem_id="class-cards")
        with gr.Row():
            cls_frame = gr.Image(label="Last frame, with ids", interactive=False)
            cls_students = gr.Plot(label="Students", elem_id="class-students")
        cls_timeline = gr.Plot(label="The class over time", elem_id="class-timeline")
        cls_table = gr.Dataframe(headers=views.STUDENT_HEADERS, label="Per student", interactive=False, elem_id="class-table")
        cls_emotions = gr.Dataframe(headers=views.EMOTION_HEADERS, label=views.EMOTION_NOTE, interactive=False, elem_id="class-emotions")
        with gr.Row():
            cls_renames = gr.Textbox(label="Rename students (3=1: student 3 is student 1)", placeholder="1=Alice, 2=Bob, 3=1", max_length=2000)
            cls_rename_btn = gr.Button("Rename")
        with gr.Row():
            cls_files = gr.File(label="Session export (JSON and CSV)", file_count="multiple")
            cls_export_btn = gr.Button("Export the session now")
        with gr.Row():
            cls_use_model = gr.Checkbox(
                value=not ENGINE.backbone.is_test_weights,
                label="Write with Qwen2.5-VL (else the fixed template)",
                info=f"One GPU call of at most {zerogpu.MAX_REQUEST_S} s" if ZERO_GPU else None,
            )
            cls_report_btn = gr.Button("Write class report")
        cls_report = gr.Markdown(label="report")
        cls_state = gr.State(None, time_to_live=SESSION_TTL_S)
        roster_state = gr.State(None, time_to_live=SESSION_TTL_S)
        cls_outputs = [cls_status, cls_cards, cls_frame, cls_timeline, cls_students, cls_table, cls_emotions, cls_files, cls_state, files_state]
        cls_btn.click(
            analyze_classroom, [cls_video, cls_photo, method, cls_max, roster_state, files_state, day_state], cls_outputs,
            api_name="analyze_classroom", concurrency_limit=1, show_progress_on=[cls_status], preprocess=False,
        )
        roster_add_btn.click(
            add_to_roster, [roster_files, roster_name, roster_state, cls_state, files_state],
            [roster_msg, roster_table, roster_state, roster_files] + cls_outputs, api_name="roster_add", concurrency_limit=2,
            show_progress_on=[roster_msg], preprocess=False,
        )
        roster_clear_btn.click(clear_roster, [cls_state], [roster_msg, roster_table, roster_state], api_name="roster_clear")
        roster_export_btn.click(export_roster, [roster_state, files_state], [roster_file, files_state], api_name="roster_export")
        cls_rename_btn.click(rename_students, [cls_renames, cls_state, files_state], cls_outputs, api_name="rename_students", show_progress_on=[cls_status])
        cls_export_btn.click(export_classroom, [cls_state, files_state], [cls_files, files_state], api_name="export_class")
        cls_report_btn.click(write_class_report, [cls_state, cls_use_model, day_state], cls_report, api_name="class_report", concurrency_limit=1)
        cls_cam.stream(
            classroom_frame, [cls_cam, method, cls_max, roster_state, cls_state, files_state, day_state], cls_outputs, stream_every=0.5, time_limit=1800,
            concurrency_limit=2, show_progress="hidden", api_name="classroom_frame", api_visibility="undocumented",
        )

    with gr.Tab("Report check"):
        audit = views.load_audit()
        gr.Markdown(views.audit_markdown(audit))
        if audit is not None:
            gr.Markdown(views.claims_markdown(audit))
            gr.Plot(plots.audit_runs(audit), label="Runs against the majority-class baseline")

    with gr.Tab("About"):
        gr.Markdown(views.about_markdown(ENGINE))

demo.queue(default_concurrency_limit=1, max_size=32)

def _sweep_files(stop: threading.Event) -> None:
    """gradio's own ``delete_cache`` task ends for good at its first error, and a request adding a file while it
    iterates is one ("Set changed size during iteration", seen under load): sweep with gradio's own function on a
    thread that outlives such a tick."""
    from gradio.route_utils import delete_files_created_by_app

    while not stop.wait(max(1, FILES_MAX_AGE_S // 3)):
        try:
            delete_files_created_by_app(demo, FILES_MAX_AGE_S)
        except RuntimeError:
            continue


if __name__ == "__main__":
    threading.Thread(target=_sweep_files, args=(threading.Event(),), daemon=True, name="engage-file-sweeper").start()
    demo.launch(show_error=True, max_file_size=f"{ENGINE.limits.max_upload_mb:g}mb", css=CSS)
