"""engage: the Gradio Space. UI wiring and ZeroGPU (@spaces.GPU) wrappers only; the logic lives in engage/."""
from __future__ import annotations

import contextlib
import functools
import html
import os
import sys
import threading
import time

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
from engage.ui import exports, plots, views
from engage.ui.zerogpu import VideoPlan, classroom_plan, refusal_message, report_seconds, split, students_per_call, students_seconds, windows_seconds

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
CLASSROOM_STUDENTS_PER_CALL = students_per_call()
CLASSROOM_CAMERA = ClassroomStream(every=settings.classroom_update_seconds())
# On ZeroGPU every call is a fresh pickled round trip, and on a GPU computing a due window whole is faster than the
# incremental update (0.120 s against 0.224 s on an H200, docs/performance.md): the webcam keeps frames and computes
# the due window whole. On a CPU it keeps the windows' key/value caches and encodes only the newest patch.
WEBCAM_KEEPS_FRAMES = ZERO_GPU or ENGINE.backbone.device.startswith("cuda")


# ---------------------------------------------------------------- GPU work (returns plain Python/numpy only)
# Each takes the seconds to ask ZeroGPU for as its first argument (computed by the caller from the work, see
# engage/ui/zerogpu.py), so the request and the refusal message say the same number.


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
    its message (anything else arrives as "ZeroGPU worker error: <class name>")."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except EngageError as exc:
            raise _error(exc) from exc

    return wrapper


@gpu(duration=_requested)
@_user_errors
def _image_gpu(seconds, image, method) -> Analysis:
    return ENGINE.analyze_image(image, method)


@gpu(duration=_requested)
@_user_errors
def _clip_gpu(seconds, clip, method) -> Analysis:
    return ENGINE.analyze_clip(clip, method, kind="webcam")


@gpu(duration=_requested)
@_user_errors
def _webcam_gpu(seconds, stream: WebcamStream, frame, method):
    analysis = ENGINE.analyze_webcam(stream, frame, method)
    if ZERO_GPU:  # not used by the app there (WEBCAM_KEEPS_FRAMES); kept correct for callers that choose it
        stream.to("cpu")
    return stream, analysis


@gpu(duration=_requested)
@_user_errors
def _video_gpu(seconds, path, method, part: range, progress: gr.Progress | None = None):
    # The gr.Progress object itself crosses into the ZeroGPU worker (a lambda would not pickle).
    report = (lambda frac, msg: progress(frac, desc=msg)) if progress is not None else None
    # The batch size is sized at the first video; on ZeroGPU that happens in the worker, so send it back.
    return ENGINE.analyze_video(path, method, report, part), ENGINE.batch_size


@gpu(duration=_requested)
@_user_errors
def _students_gpu(seconds, jobs: list[StudentWindow], method):
    # Faces were detected, tracked and cropped on the CPU before this call: only the students' clips come in.
    return analyze_students(ENGINE, jobs, method)


@gpu(duration=_requested)
@_user_errors
def _report_gpu(seconds, session):
    return class_report(session, ENGINE.backbone)


def _on_gpu(fn, seconds: int, *args):
    """Call a GPU function; a ZeroGPU refusal becomes one line that says what to do."""
    try:
        return fn(seconds, *args)
    except gr.Error as exc:
        line = refusal_message(getattr(exc, "title", None), str(exc.message), seconds)
        if line is None:
            raise
        raise _error(line, title="GPU time") from exc


def _students_on_gpu(jobs: list[StudentWindow], method):
    return _on_gpu(_students_gpu, students_seconds(len(jobs)), jobs, method)


def _analyze_students(room: Classroom, jobs: list[StudentWindow], method) -> int:
    """The students' clips in calls of at most CLASSROOM_STUDENTS_PER_CALL; their results added to the room."""
    for part in split(len(jobs), CLASSROOM_STUDENTS_PER_CALL):
        room.add_results(_students_on_gpu(jobs[part.start : part.stop], method))
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


def analyze_image(image, method):
    image = _upload(image)
    if image is None:
        raise _error("Upload an image first (or pick an example).")
    try:
        return views.single_outputs(_on_gpu(_image_gpu, windows_seconds(1, normalize_method(method)), image, method))
    except EngageError as exc:
        raise _error(exc) from exc


def analyze_video(video, method, folder: str | None, progress=gr.Progress()):
    """A generator: the plan first (how many GPU calls, how much GPU time), with the previous video's results
    cleared, then the results as each call ends. Exports go to the session's folder (``folder``, a State)."""
    if not video:
        raise _error("Upload a video first (or pick an example).")
    try:
        key = normalize_method(method)
        source = VideoSource(video, ENGINE.limits, ENGINE.windowing)  # probes only (CPU); refuses bad files here
        plan = VideoPlan.of(source.num_windows, key)
        folder = exports.session_folder(folder)
        yield (plan.markdown(ZERO_GPU), *views.video_cleared("Analysing…"), folder)
        parts: list[Analysis] = []
        for k, part in enumerate(plan.parts, start=1):
            try:
                analysis, ENGINE.batch_size = _on_gpu(_video_gpu, plan.seconds(part), video, method, part, progress)
            except gr.Error as exc:  # the summary must not keep saying "Analysing…" once the toast has gone
                yield (views.stopped_markdown(_message(exc), k - 1, len(plan.parts)),) + (gr.skip(),) * 7
                raise
            parts.append(analysis)
            outputs = views.video_outputs(Analysis.joined(parts), folder)
            if k < len(plan.parts):
                outputs = (views.partial_markdown(outputs[0], k, len(plan.parts)),) + outputs[1:]
            yield (*outputs, folder)
    except EngageError as exc:
        raise _error(exc) from exc


FRAMES_MAX = 10  # the webcam's window: longer recordings go to /analyze_video


def analyze_frames(files, method):
    """API twin of the webcam: up to 10 frames sampled at 1 FPS (oldest first) analysed as one clip."""
    if not files:
        raise _error("Send at least one frame.")
    if len(files) > FRAMES_MAX:
        raise _error(f"Send at most {FRAMES_MAX} frames (one 10 s window at 1 FPS); send longer recordings as a video.")
    try:
        clip = frames_to_clip([_upload(f) if isinstance(f, dict) else getattr(f, "name", f) for f in files], ENGINE.limits)
        return views.single_outputs(_on_gpu(_clip_gpu, windows_seconds(1, normalize_method(method)), clip, method))
    except EngageError as exc:
        raise _error(exc) from exc


def _webcam_analysis(stream, frame, method):
    """(stream, analysis or None) for one kept frame, in whichever way the stream keeps its windows."""
    seconds = windows_seconds(1, normalize_method(method))
    if isinstance(stream, WebcamFrames):
        clip = stream.push(frame)  # CPU: a GPU call only when a result is due
        return stream, (None if clip is None else _on_gpu(_clip_gpu, seconds, clip, method))
    return _on_gpu(_webcam_gpu, seconds, stream, frame, method)


def webcam_frame(frame, method, stream: WebcamStream | WebcamFrames | None):
    """Called for every streamed frame; keeps 1 FPS and shows a result when one is due."""
    if stream is None:
        stream = WebcamFrames() if WEBCAM_KEEPS_FRAMES else WebcamStream()
    try:
        frame = stream.offer(frame, time.monotonic())
    except EngageError:
        return gr.skip(), gr.skip(), gr.skip(), stream
    if frame is None:
        return gr.skip(), gr.skip(), gr.skip(), stream
    try:
        stream, analysis = _webcam_analysis(stream, frame, method)
    except (EngageError, gr.Error) as exc:  # shown in place of the last result, which no longer holds
        return (*views.single_error(_message(exc)), stream)
    if analysis is None:
        return gr.skip(), gr.skip(), gr.skip(), stream
    md, fig, data = views.single_outputs(analysis)
    return md, fig, data, stream


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


def analyze_classroom(video, photo, method, max_faces, roster, folder: str | None, progress=gr.Progress()):
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
            _analyze_students(room, room.take_windows([PHOTO_WINDOW]), method)
            yield _class_outputs(room, folder)
            return
        source = VideoSource(video, ENGINE.limits, ENGINE.windowing)
        yield (classroom_plan(source.num_windows, max_faces, ZERO_GPU),) + (gr.skip(),) * 9
        room = run_video_in_calls(
            room,
            DETECTOR,
            source,
            lambda jobs: _students_on_gpu(jobs, method),
            lambda frac, message: progress(frac, desc=message),
            CLASSROOM_STUDENTS_PER_CALL,
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


def write_class_report(room: Classroom | None, use_model: bool):
    if room is None:
        raise _error("Analyse a classroom first.")
    report = _on_gpu(_report_gpu, report_seconds(), room.session) if use_model else class_report(room.session)
    return report.markdown


def classroom_frame(frame, method, max_faces, roster, room: Classroom | None, folder: str | None):
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
            _analyze_students(room, due, method)
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

    method.change(_banner, method, banner, api_visibility="private")
    demo.load(_banner, method, banner, api_visibility="private")

    with gr.Tab("Webcam"):
        gr.Markdown(
            "Press record: the app keeps one frame per second and shows a result every 1-2 s, each on the last 6-10 s "
            "(the first after 2 s). Each second only the newest frames are computed; frames and caches stay in memory "
            "and are dropped."
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
            inputs=[cam, method, cam_state],
            outputs=[cam_md, cam_plot, cam_json, cam_state],
            stream_every=0.5,
            time_limit=600,
            concurrency_limit=4,
            show_progress="hidden",  # a result every 1-2 s: a pending overlay each half second would flicker
            api_name="webcam_frame",
            api_visibility="undocumented",  # streaming; clients use /analyze_frames
        )
        frames_in = gr.File(file_count="multiple", visible=False, label="frames")
        frames_btn = gr.Button(visible=False)
        # preprocess=False: the uploads are read where gradio put them (its file preprocessing would leave an empty
        # temporary file behind for every frame)
        frames_btn.click(analyze_frames, [frames_in, method], [cam_md, cam_plot, cam_json], api_name="analyze_frames", preprocess=False)

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
            analyze_image, [img, method], img_outputs, api_name="analyze_image", concurrency_limit=2, preprocess=False
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
        vid_btn.click(
            analyze_video,
            [vid, method, files_state],
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
                info=f"One GPU call of at most {report_seconds()} s" if ZERO_GPU else None,
            )
            cls_report_btn = gr.Button("Write class report")
        cls_report = gr.Markdown(label="report")
        cls_state = gr.State(None, time_to_live=SESSION_TTL_S)
        roster_state = gr.State(None, time_to_live=SESSION_TTL_S)
        cls_outputs = [cls_status, cls_cards, cls_frame, cls_timeline, cls_students, cls_table, cls_emotions, cls_files, cls_state, files_state]
        cls_btn.click(
            analyze_classroom, [cls_video, cls_photo, method, cls_max, roster_state, files_state], cls_outputs,
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
        cls_report_btn.click(write_class_report, [cls_state, cls_use_model], cls_report, api_name="class_report", concurrency_limit=1)
        cls_cam.stream(
            classroom_frame, [cls_cam, method, cls_max, roster_state, cls_state, files_state], cls_outputs, stream_every=0.5, time_limit=1800,
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
