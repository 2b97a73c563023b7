"""The handlers of the Classroom tab: a classroom video, photo or camera, the roster, renames, exports and the class
report. Faces are found on the CPU; only students' face crops go into GPU calls (``server``)."""
from __future__ import annotations

import contextlib
import os
import time

import gradio as gr

from ..affect.pipeline import normalize_method
from ..classroom import identity
from ..classroom.report import class_report
from ..classroom.room import PHOTO_WINDOW, Classroom, run_video_in_calls
from ..errors import EngageError
from ..media import VideoSource, load_image
from . import exports, server, views, zerogpu
from .server import analyze_students_in_calls, message_of, on_gpu, students_on_gpu, students_per_call, upload_path, user_error, visitor_day


def _class_outputs(room: Classroom | None, folder: str | None, export: bool = True):
    """The whole dashboard (and the room and export folder states); exports written when ``export``."""
    if room is None:
        raise user_error(f"Analyse a classroom video, photo or camera first (a session ends {views.session_lifetime()}).")
    folder = exports.session_folder(folder) if export else folder
    outputs = views.classroom_outputs(room, server.ENGINE.warnings("mlp"), folder if export else None)
    return (*outputs[:7], outputs[7] if export else gr.skip(), room, folder)


FACES_MAX = 40  # the slider's top: faces analysed per frame


def _faces(value) -> int:
    try:
        faces = int(value)
    except (TypeError, ValueError):
        faces = 0
    if not 1 <= faces <= FACES_MAX or faces != value:
        raise user_error(f"Faces analysed per frame: a whole number from 1 to {FACES_MAX}.")
    return faces


def analyze_classroom(video, photo, method, max_faces, roster, folder: str | None, day: zerogpu.GpuDay | None = None, request: gr.Request = None,
                      progress=gr.Progress()):
    """A generator: for a video, first what it will ask of the GPU, then the dashboard."""
    video, photo = upload_path(video), upload_path(photo)
    max_faces = _faces(max_faces)
    if not video and not photo:
        raise user_error("Upload a classroom video or photo first.")
    if video and photo:
        raise user_error("Give a video or a photo, not both: clear one of them.")
    room = Classroom(max_faces=max_faces, roster=roster or None)
    try:
        normalize_method(method)  # an unknown method fails before any face is looked for
        if not video:
            room.observe_photo(server.DETECTOR, load_image(photo, server.ENGINE.limits))
            analyze_students_in_calls(room, room.take_windows([PHOTO_WINDOW]), method, visitor_day(day, request))
            yield _class_outputs(room, folder)
            return
        source = VideoSource(video, server.ENGINE.limits, server.ENGINE.windowing)
        yield (zerogpu.classroom_plan(source.num_windows, max_faces, students_per_call(), server.ZERO_GPU),) + (gr.skip(),) * 9
        room = run_video_in_calls(
            room,
            server.DETECTOR,
            source,
            lambda jobs: students_on_gpu(jobs, method, visitor_day(day, request)),
            lambda frac, message: progress(frac, desc=message),
            students_per_call(),
        )
        yield _class_outputs(room, folder)
    except EngageError as exc:
        raise user_error(exc) from exc


def rename_students(text, room: Classroom | None, folder: str | None):
    """"1=Alice, 2=Bob" names students; "3=1" makes student 3 student 1 (so does giving two ids one name)."""
    if room is None:
        raise user_error("Analyse a classroom first; then rename its students.")
    try:
        room.edit(views.parse_renames(text, room.session.ids))
    except ValueError as exc:
        raise user_error(exc) from exc
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
        raise user_error("Choose one or more photos of a student (or a roster exported from engage) first.")
    roster = roster or identity.Roster()
    notes, added = [], 0
    for payload in uploads:
        path = upload_path(payload)
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
                frame = load_image(path, server.ENGINE.limits)
                notes.append(identity.add_photo(roster, server.ROSTER_DETECTOR, identity.default_encoder(), frame,
                                                (name or "").strip() or identity.name_from_filename(shown)))
            added += 1
        except (EngageError, ValueError) as exc:
            notes.append(f"{shown}: {exc}")
        finally:  # the roster keeps descriptors, never the photo: gradio's copy goes now, not at the next sweep
            with contextlib.suppress(OSError, TypeError):
                os.remove(path)
    if not added:
        raise user_error(" ".join(notes))
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
        raise user_error("The roster is empty: add photos first.")
    folder = exports.session_folder(folder)
    return exports.write_export(folder, "roster", {".json": roster.to_json()})[0], folder


def export_classroom(room: Classroom | None, folder: str | None):
    """The session as JSON and CSV, when asked (the camera does not rewrite them as it runs)."""
    if room is None or not room.session.observations:
        raise user_error("Nothing to export yet: analyse a classroom video, photo or camera first.")
    folder = exports.session_folder(folder)
    return list(views.write_session_exports(room.session, folder)), folder


def write_class_report(room: Classroom | None, use_model: bool, day: zerogpu.GpuDay | None = None, request: gr.Request = None):
    if room is None:
        raise user_error("Analyse a classroom first.")
    report = on_gpu(server.report_gpu, "token", zerogpu.REPORT_TOKENS, visitor_day(day, request), room.session) if use_model else class_report(room.session)
    return report.markdown


def classroom_frame(frame, method, max_faces, roster, room: Classroom | None, folder: str | None, day: zerogpu.GpuDay | None = None,
                    request: gr.Request = None):
    """Classroom webcam: one frame per second is observed (CPU); students are analysed every few seconds (one GPU
    call, carrying only their face crops of those seconds). Each second only the status and the frame change
    (constant work however long the stream); the dashboard follows each analysis; exports when asked."""
    room, t = server.CLASSROOM_CAMERA.offer(room, max_faces, time.monotonic())
    room.roster = roster or None
    if t is None:
        return (gr.skip(),) * 8 + (room, folder)
    try:
        due = server.CLASSROOM_CAMERA.observe(room, server.DETECTOR, frame, t)
        if due:
            analyze_students_in_calls(room, due, method, visitor_day(day, request))
    except (EngageError, gr.Error) as exc:
        return (views.error_markdown(message_of(exc)),) + (gr.skip(),) * 7 + (room, folder)
    if due is None:
        status, annotated = views.classroom_frame_outputs(room)
        return (status, gr.skip(), annotated) + (gr.skip(),) * 5 + (room, folder)
    return _class_outputs(room, folder, export=False)
