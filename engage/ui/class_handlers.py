"""The handlers of the Classroom tab: a classroom video, photo or camera, the roster, renames, exports and the class
report. Faces are found on the CPU; only students' face crops go into GPU calls (``server``)."""
from __future__ import annotations

import os
import time

import gradio as gr

from .. import settings
from ..affect.pipeline import normalize_method
from ..classroom import identity
from ..classroom.report import class_report
from ..classroom.room import PHOTO_WINDOW, Classroom, run_video_in_calls
from ..errors import EngageError
from ..i18n import DEFAULT, language, text
from ..media import VideoSource, load_image
from . import exports, server, views, zerogpu
from .camera_turns import CameraTurns
from .server import analyze_students_in_calls, message_of, on_gpu, students_on_gpu, students_per_call, upload_path, user_error, visitor_day


def _class_outputs(room: Classroom | None, folder: str | None, export: bool = True, lang: str = DEFAULT):
    """The whole dashboard (and the room and export folder states); exports written when ``export``."""
    if room is None:
        raise user_error(text("class.need_analysis", lang, lifetime=views.session_lifetime(lang)), lang=lang)
    folder = exports.session_folder(folder) if export else folder
    outputs = views.classroom_outputs(room, server.ENGINE.warnings("mlp"), folder if export else None, lang)
    return (*outputs[:7], outputs[7] if export else gr.skip(), room, folder)


FACES_MAX = 40  # the slider's top: faces analysed per frame
CAMERAS = 2  # classroom-camera streams at once (the stream's concurrency_limit)
CAMERA_TURNS = CameraTurns(CAMERAS, settings.classroom_camera_seconds())


def _faces(value, lang: str = DEFAULT) -> int:
    try:
        faces = 0 if isinstance(value, bool) else int(value)  # True is no number of faces
    except (TypeError, ValueError, OverflowError):
        faces = 0
    if not 1 <= faces <= FACES_MAX or faces != value:
        raise user_error(text("class.faces_range", lang, n=FACES_MAX), lang=lang)
    return faces


def analyze_classroom(video, photo, method, max_faces, roster, folder: str | None, day: zerogpu.GpuDay | None = None, lang: str = DEFAULT,
                      request: gr.Request = None, progress=gr.Progress()):
    """A generator: for a video, first what it will ask of the GPU, then the dashboard."""
    lang = language(lang)
    video, photo = upload_path(video, lang), upload_path(photo, lang)
    max_faces = _faces(max_faces, lang)
    if not video and not photo:
        raise user_error(text("class.upload_first", lang), lang=lang)
    if video and photo:
        raise user_error(text("class.not_both", lang), lang=lang)
    room = Classroom(max_faces=max_faces, roster=roster or None)
    try:
        normalize_method(method)  # an unknown method fails before any face is looked for
        if not video:
            room.observe_photo(server.DETECTOR, load_image(photo, server.ENGINE.limits))
            analyze_students_in_calls(room, room.take_windows([PHOTO_WINDOW]), method, visitor_day(day, request), lang)
            yield _class_outputs(room, folder, lang=lang)
            return
        source = VideoSource(video, server.ENGINE.limits, server.ENGINE.windowing)
        yield (zerogpu.classroom_plan(source.num_windows, max_faces, students_per_call(), server.ZERO_GPU, lang),) + (gr.skip(),) * 9
        room = run_video_in_calls(
            room,
            server.DETECTOR,
            source,
            lambda jobs: students_on_gpu(jobs, method, visitor_day(day, request), lang),
            lambda frac, message: progress(frac, desc=message),
            students_per_call(),
            lang,
        )
        yield _class_outputs(room, folder, lang=lang)
    except EngageError as exc:
        raise user_error(exc, lang=lang) from exc


def rename_students(renames, room: Classroom | None, folder: str | None, lang: str = DEFAULT):
    """"1=Alice, 2=Bob" names students; "3=1" makes student 3 student 1 (so does giving two ids one name)."""
    lang = language(lang)
    if room is None:
        raise user_error(text("class.rename_first", lang), lang=lang)
    if renames is not None and not isinstance(renames, str):
        raise user_error(text("error.name_not_text", lang), lang=lang)
    try:
        room.edit(views.parse_renames(renames, room.session.ids))
    except ValueError as exc:
        raise user_error(exc, lang=lang) from exc
    return _class_outputs(room, folder, lang=lang)


def _roster_view(roster: identity.Roster | None, message: str = "", lang: str = DEFAULT):
    rows = roster.table() if roster else []
    n = len(rows)
    summary = text(f"class.roster_count.{'one' if n == 1 else 'many'}", lang, n=n) if rows else text("class.roster_empty", lang)
    # names and file names are the visitor's: the line is Markdown, and they stay text in it
    return views.escape_markdown(" ".join(filter(None, [message, summary]))), {"headers": roster_headers(lang), "data": rows}


def roster_headers(lang: str = DEFAULT) -> list[str]:
    return [text("class.h_name", lang), text("class.h_photos", lang)]


def add_to_roster(files, name, roster: identity.Roster | None, room: Classroom | None, folder: str | None, lang: str = DEFAULT):
    """Photos (a name from the field, else from each file's name) or an exported roster (.json) into this session's
    roster; students already analysed are named from it at once. A roster file is added whole or not at all. The
    session's roster changes only when the request succeeds (a new one is returned).

    No upload is deleted here: a path proves no ownership (gradio stores identical bytes at one content-hashed path,
    shared by every visitor who sent them, and a client may name any file of its upload folder, the examples
    included). Gradio's copies go with the periodic sweep (``ENGAGE_FILES_MAX_AGE_S``); the roster keeps descriptors,
    never the photos."""
    lang = language(lang)
    uploads = files if isinstance(files, list) else [files] if files else []
    if not uploads:
        raise user_error(text("class.roster_choose", lang), lang=lang)
    if name is not None and not isinstance(name, str):
        raise user_error(text("error.name_not_text", lang), lang=lang)
    roster = roster.copy() if roster else identity.Roster()
    notes, added = [], 0
    for payload in uploads:
        path = upload_path(payload, lang)
        shown = payload.get("orig_name") if isinstance(payload, dict) else None
        shown = shown if isinstance(shown, str) and shown else os.path.basename(str(path))
        try:
            if shown.lower().endswith(".json"):
                loaded = identity.Roster.read(path)
                roster.merge(loaded)
                n = len(loaded)
                notes.append(text(f"class.roster_read.{'one' if n == 1 else 'many'}", lang, file=shown, n=n))
            else:
                frame = load_image(path, server.ENGINE.limits)
                student = (name or "").strip() or identity.name_from_filename(shown)
                faces = identity.add_photo(roster, server.ROSTER_DETECTOR, identity.default_encoder(), frame, student)
                notes.append(text("class.roster_photo_largest" if faces > 1 else "class.roster_photo", lang, file=shown, name=student, n=faces))
            added += 1
        except EngageError as exc:
            notes.append(text("class.roster_problem", lang, file=shown, message=message_of(exc, lang)))
    if not added:
        raise user_error(" ".join(notes), lang=lang)
    if room is not None:
        room.use_roster(roster)
    dashboard = _class_outputs(room, folder, lang=lang) if room is not None else (gr.skip(),) * 10
    return (*_roster_view(roster, " ".join(notes), lang), roster, None, *dashboard)


def clear_roster(room: Classroom | None, lang: str = DEFAULT):
    lang = language(lang)
    if room is not None:
        room.roster = None
    return (*_roster_view(None, text("class.roster_cleared", lang), lang), None)


def export_roster(roster: identity.Roster | None, folder: str | None, lang: str = DEFAULT):
    if not roster:
        raise user_error(text("class.roster_none", language(lang)), lang=language(lang))
    folder = exports.session_folder(folder)
    return exports.write_export(folder, "roster", {".json": roster.to_json()})[0], folder


def export_classroom(room: Classroom | None, folder: str | None, lang: str = DEFAULT):
    """The session as JSON and CSV, when asked (the camera does not rewrite them as it runs)."""
    if room is None or not room.session.observations:
        raise user_error(text("class.nothing_to_export", language(lang)), lang=language(lang))
    folder = exports.session_folder(folder)
    return list(views.write_session_exports(room.session, folder, language(lang))), folder


def write_class_report(room: Classroom | None, use_model: bool, day: zerogpu.GpuDay | None = None, lang: str = DEFAULT,
                       request: gr.Request = None):
    """The class report in the visitor's language: the fixed template, or written by the model (asked in that language)."""
    lang = language(lang)
    if room is None:
        raise user_error(text("class.report_first", lang), lang=lang)
    photo, warnings = _report_context(room)
    if use_model:
        report = on_gpu(server.report_gpu, "token", zerogpu.REPORT_TOKENS, visitor_day(day, request), room.session, lang, photo, warnings, lang=lang)
    else:
        report = class_report(room.session, lang=lang, photo=photo, warnings=warnings)
    return report.markdown, report.source


def _report_context(room: Classroom) -> tuple[bool, list[str]]:
    """Whether the session is one photo, and the warnings the report starts with (the backbone's: random test weights
    make every number of any method meaningless)."""
    return room.kind == "photo", [views.WARNING_KEYS[w] for w in server.ENGINE.warnings("zero-shot")]


def classroom_frame(frame, method, max_faces, roster, room: Classroom | None, folder: str | None, day: zerogpu.GpuDay | None = None,
                    lang: str = DEFAULT, request: gr.Request = None):
    """Classroom webcam: one frame per second is observed (CPU); students are analysed every few seconds (one GPU
    call, carrying only their face crops of those seconds). Each second only the status and the frame change
    (constant work however long the stream); the dashboard follows each analysis; exports when asked."""
    with CAMERA_TURNS.streaming(getattr(request, "session_hash", None)):
        return _classroom_frame(frame, method, max_faces, roster, room, folder, day, language(lang), request)


def _classroom_frame(frame, method, max_faces, roster, room: Classroom | None, folder: str | None, day: zerogpu.GpuDay | None,
                     lang: str, request: gr.Request | None):
    room, t = server.CLASSROOM_CAMERA.offer(room, max_faces, time.monotonic())
    room.roster = roster or None
    if t is None:
        return (gr.skip(),) * 8 + (room, folder)
    try:
        due = server.CLASSROOM_CAMERA.observe(room, server.DETECTOR, frame, t)
        if due:
            analyze_students_in_calls(room, due, method, visitor_day(day, request), lang)
    except (EngageError, gr.Error) as exc:
        return (views.error_markdown(message_of(exc, lang)),) + (gr.skip(),) * 7 + (room, folder)
    if due is None:
        status, annotated = views.classroom_frame_outputs(room, lang)
        return (status, gr.skip(), annotated) + (gr.skip(),) * 5 + (room, folder)
    return _class_outputs(room, folder, export=False, lang=lang)


def redraw_classroom(lang, room: Classroom | None, roster: identity.Roster | None, report_source: str | None):
    """The Classroom tab's results in ``lang``: the dashboard from the session (no exports written, nothing
    recomputed), the roster's line and table, and a template class report (a report the model wrote stays in the
    language it was written in)."""
    lang = language(lang)
    if room is not None:
        dashboard = views.classroom_outputs(room, server.ENGINE.warnings("mlp"), None, lang)[:7]
    else:
        empty = ({"headers": views.student_headers(lang), "data": []}, {"headers": views.emotion_headers(lang), "data": []})
        dashboard = (gr.skip(),) * 5 + empty
    report = gr.skip()
    if room is not None and report_source == "template":
        photo, warnings = _report_context(room)
        report = class_report(room.session, lang=lang, photo=photo, warnings=warnings).markdown
    return (*dashboard, *_roster_view(roster, "", lang), report)


def camera_now(lang: str = DEFAULT, request: gr.Request = None) -> str:
    """The camera section's line: a camera free, yours on (its turn's end), or all in use (about how long yours waits)."""
    return CAMERA_TURNS.line(getattr(request, "session_hash", None), language(lang))


def camera_opened(lang: str = DEFAULT, request: gr.Request = None):
    """The camera section opened: its line now, and again every few seconds while it stays open."""
    return camera_now(lang, request), gr.Timer(active=True)


def camera_closed():
    return gr.Timer(active=False)
