"""The handlers of the Webcam, Image and Video tabs (and their API twins): what each event does with its inputs, the
GPU work through ``server``. Visitor-caused errors become one line (``server.user_error``)."""
from __future__ import annotations

import math
import time
from time import perf_counter

import gradio as gr

from ..affect.pipeline import normalize_method
from ..affect.results import Analysis, analysis_from_dict
from ..affect.webcam import WebcamFrames, WebcamStream
from ..errors import EngageError
from ..i18n import DEFAULT, language, text
from ..media import VideoSource, frames_to_clip
from . import exports, plots, server, shown_errors, views, zerogpu
from .server import ABORTED, count_failure, is_abort, is_refusal, message_of, method_kind, on_gpu, refusal_or_error, upload_path, user_error, visitor_day


def analyze_image(image, method, day: zerogpu.GpuDay | None = None, lang: str = DEFAULT, request: gr.Request = None):
    lang = language(lang)
    image = upload_path(image, lang)
    if image is None:
        raise user_error(text("error.upload_image", lang))
    try:
        analysis = on_gpu(server.image_gpu, method_kind(method), 1, visitor_day(day, request), image, method, lang=lang)
        return views.single_outputs(analysis, lang)
    except EngageError as exc:
        raise user_error(exc, lang=lang) from exc


VIDEO_REFRESH_S = 2.0  # within a call, the page is redrawn with the windows so far at most this often
MAX_FAILURES = 3  # calls in a row that end without a window before a video stops


def analyze_video(video, method, folder: str | None, day: zerogpu.GpuDay | None = None, lang: str = DEFAULT, request: gr.Request = None,
                  progress=gr.Progress()):
    """A generator: the plan first (how much video, and on ZeroGPU how much of a day it uses at the measured rate),
    with the previous video's results cleared, then the results as the windows come back. Calls are sized to the
    measured cost and to what the visitor has left; a refused call is retried smaller, an aborted one is redone
    from its first window not handed back; when not even one window fits, the video stops with one line and
    everything analysed so far stays. Exports go to the session's folder (``folder``, a State)."""
    lang = language(lang)
    if not video:
        raise user_error(text("error.upload_video", lang))
    day = visitor_day(day, request)
    try:
        key = normalize_method(method)
        source = VideoSource(video, server.ENGINE.limits, server.ENGINE.windowing)  # probes only (CPU); refuses bad files here
        total, length = source.num_windows, source.info.duration
        folder = exports.session_folder(folder)
        plan = zerogpu.video_plan_line(total, length, key, server.COSTS, server.ZERO_GPU, lang)
        yield (views.escape(plan), *views.video_cleared(text("result.analysing", lang), lang), folder)
        parts: list[Analysis] = []
        done, failures, stopped, last_error = 0, 0, None, ""

        def shown(final: bool = False):
            outputs = views.video_outputs(Analysis.joined(parts), folder, lang)
            lines = [views.escape(stopped)] if stopped else []
            if not final:
                lines.append(views.partial_line(done, total, parts[-1].windows[-1].end, length, lang))
            if server.ZERO_GPU and day.calls:
                lines.append(views.escape(zerogpu.used_line(day, lang)))
            return ("\n\n".join(lines + [outputs[0]]), *outputs[1:], folder)

        while done < total and failures < MAX_FAILURES:
            left = day.left_s if server.ZERO_GPU else math.inf
            n = server.COSTS.units_fitting(server.video_gpu.__name__, key, left, total - done) if server.ZERO_GPU else total - done
            if n == 0:
                stopped = zerogpu.stop_line(parts[-1].windows[-1].end if parts else 0.0, length, day, lang)
                break
            part, before, t0, cost, refreshed = range(done, done + n), done, perf_counter(), None, perf_counter()
            seconds = server.COSTS.request(server.video_gpu.__name__, key, n)
            try:
                for piece, cost_so_far, batch_size in server.video_gpu(seconds, video, method, part, progress):
                    cost, server.ENGINE.batch_size = cost_so_far, batch_size
                    parts.append(piece)
                    done += len(piece.windows)
                    if perf_counter() - refreshed >= VIDEO_REFRESH_S and done < part.stop:
                        refreshed = perf_counter()
                        yield shown()
            except gr.Error as exc:
                count_failure(exc, server.video_gpu.__name__, key, day, perf_counter() - t0)
                failures, last_error = (0 if done > before else failures + 1), message_of(refusal_or_error(exc, seconds, lang))
                if is_refusal(exc) or is_abort(exc):
                    continue  # the next call is sized to what ZeroGPU says is left, or to the doubled estimate
                if not parts:
                    raise refusal_or_error(exc, seconds, lang) from exc
                stopped = text("error.stopped", lang, reason=last_error)
                break
            wall = perf_counter() - t0
            if cost is not None:
                server.COSTS.observe(server.video_gpu.__name__, cost, wall)
            day.charge(server.video_gpu.__name__, wall)
            failures = 0
            if done < total:
                yield shown()
        if failures >= MAX_FAILURES:
            stopped = text("error.calls_failed", lang, n=MAX_FAILURES, last=last_error)
        if not parts:
            raise user_error(stopped or last_error, title=text("gpu.title", lang))
        if stopped is None and done < total:
            stopped = zerogpu.stop_line(parts[-1].windows[-1].end, length, day, lang)
        yield shown(final=True)
    except EngageError as exc:
        raise user_error(exc, lang=lang) from exc


def _reason(lang: str, request: gr.Request | None) -> str:
    """Why the session's last action failed (its own message, kept by ``shown_errors.remembered``)."""
    return shown_errors.last_error(request) or text("common.no_result", language(lang))


def error_line(lang: str = DEFAULT, request: gr.Request = None) -> str:
    """After a failed action: its reason, in the line beside its input (classroom status, roster), until the next."""
    return views.error_markdown(_reason(lang, request))


def image_failed(lang: str = DEFAULT, request: gr.Request = None):
    """Image tab after a failure: the reason where the summary was, the figure and JSON emptied."""
    return views.single_error(_reason(lang, request), language(lang))


def video_failed(lang: str = DEFAULT, request: gr.Request = None):
    """Video tab after a failure: the reason where the plan was, everything after it emptied."""
    return (views.error_markdown(_reason(lang, request)), *views.video_cleared(text("result.see_above", language(lang)), language(lang)))


def video_estimate(video, method, lang: str = DEFAULT) -> str:
    """Before a video is analysed: its length, and on ZeroGPU how much of a visitor's day it will use."""
    if not video:
        return ""
    try:
        source = VideoSource(video, server.ENGINE.limits, server.ENGINE.windowing)
        plan = zerogpu.video_plan_line(source.num_windows, source.info.duration, method_kind(method), server.COSTS, server.ZERO_GPU, language(lang))
        return views.escape(plan)
    except EngageError as exc:
        return views.error_markdown(exc.words(language(lang)))


FRAMES_MAX = 10  # the webcam's window: longer recordings go to /analyze_video


def analyze_frames(files, method, day: zerogpu.GpuDay | None = None, lang: str = DEFAULT, request: gr.Request = None):
    """API twin of the webcam: up to 10 frames sampled at 1 FPS (oldest first) analysed as one clip."""
    lang = language(lang)
    if not files:
        raise user_error(text("error.no_frames", lang))
    if len(files) > FRAMES_MAX:
        raise user_error(text("error.too_many_frames", lang, n=FRAMES_MAX))
    try:
        clip = frames_to_clip([upload_path(f, lang) if isinstance(f, dict) else getattr(f, "name", f) for f in files], server.ENGINE.limits)
        return views.single_outputs(on_gpu(server.clip_gpu, method_kind(method), 1, visitor_day(day, request), clip, method, lang=lang), lang)
    except EngageError as exc:
        raise user_error(exc, lang=lang) from exc


def webcam_every(method, day: zerogpu.GpuDay) -> tuple[int, float]:
    """On ZeroGPU: seconds between results so that what is left of the day lasts ten minutes of camera, and what a
    result is expected to cost (a warm call of one window, charged in whole seconds)."""
    cost = zerogpu.charged(server.COSTS.fixed_s(True) + server.COSTS.unit_s(method_kind(method)))
    return zerogpu.webcam_every_s(cost, day.left_s), cost


def _webcam_analysis(stream, frame, method, day: zerogpu.GpuDay, now: float, lang: str):
    """(stream, analysis or None) for one kept frame, in whichever way the stream keeps its windows."""
    key = method_kind(method)
    if isinstance(stream, WebcamFrames):
        clip = stream.push(frame)  # CPU: a GPU call only when a result is due
        if clip is None or (server.ZERO_GPU and stream.last_result is not None and now - stream.last_result < webcam_every(method, day)[0]):
            return stream, None
        stream.last_result = now
        return stream, on_gpu(server.clip_gpu, key, 1, day, clip, method, lang=lang)
    return on_gpu(server.webcam_gpu, key, 1, day, stream, frame, method, lang=lang)


def webcam_frame(frame, method, stream: WebcamStream | WebcamFrames | None, day: zerogpu.GpuDay | None = None, lang: str = DEFAULT,
                 request: gr.Request = None):
    """Called for every streamed frame; keeps 1 FPS and shows a result when one is due (on ZeroGPU, at most every
    few seconds, spaced so that the visitor's GPU time lasts ten minutes of camera)."""
    day, lang = visitor_day(day, request), language(lang)
    if stream is None:
        stream = WebcamFrames() if server.WEBCAM_KEEPS_FRAMES else WebcamStream()
    now = time.monotonic()
    try:
        frame = stream.offer(frame, now)
    except EngageError:
        return gr.skip(), gr.skip(), gr.skip(), stream
    if frame is None:
        return gr.skip(), gr.skip(), gr.skip(), stream
    try:
        stream, analysis = _webcam_analysis(stream, frame, method, day, now, lang)
    except gr.Error as exc:
        if ABORTED in message_of(exc):  # ran past its time: the next due window covers these frames, with a larger request
            return gr.skip(), gr.skip(), gr.skip(), stream
        return (*views.single_error(message_of(exc, lang), lang), stream)  # shown in place of the last result, which no longer holds
    except EngageError as exc:
        return (*views.single_error(message_of(exc, lang), lang), stream)
    if analysis is None:
        return gr.skip(), gr.skip(), gr.skip(), stream
    md, fig, data = views.single_outputs(analysis, lang)
    if server.ZERO_GPU:
        md = views.escape(zerogpu.webcam_line(*webcam_every(method, day), day, server.COSTS.measured(method_kind(method)), lang)) + "\n\n" + md
    return md, fig, data, stream


def webcam_info(method, day: zerogpu.GpuDay | None = None, lang: str = DEFAULT, request: gr.Request = None) -> str:
    """The Webcam tab's line before the camera starts: on ZeroGPU how often a result comes and what it costs."""
    if not server.ZERO_GPU:
        return text("webcam.waiting", language(lang))
    day = visitor_day(day, request)
    return views.escape(zerogpu.webcam_line(*webcam_every(method, day), day, server.COSTS.measured(method_kind(method)), language(lang)))


def redraw_results(lang, method, image_json, video_json, webcam_json, day: zerogpu.GpuDay | None = None, request: gr.Request = None):
    """The Image, Video and Webcam results on screen, in ``lang``: redrawn from the JSON each tab holds (nothing is
    recomputed, no GPU). Outputs: image summary and figure; video summary, figures and table; webcam summary and
    figure (the line before the camera starts, when it has shown nothing yet). A figure with no result yet is the
    page's own (its placeholder is redrawn with the page's words, before any result can come)."""
    lang = language(lang)
    image = views.single_outputs(analysis_from_dict(image_json), lang)[:2] if image_json else (gr.skip(), gr.skip())
    if video_json:
        analysis = analysis_from_dict(video_json)
        md, bars, _ = views.single_outputs(analysis, lang)
        timeline = plots.timeline(analysis, lang=lang) if len(analysis.windows) > 1 else plots.placeholder(text("result.one_window", lang))
        video = (md, bars, timeline, plots.level_share(analysis, lang=lang), views.share_table(analysis, lang))
    else:
        video = (gr.skip(),) * 4 + ({"headers": views.share_headers(lang), "data": []},)
    webcam = views.single_outputs(analysis_from_dict(webcam_json), lang)[:2] if webcam_json else (webcam_info(method, day, lang, request), gr.skip())
    return (*image, *video, *webcam)
