"""engage: the Gradio Space: the page (its Blocks) and how its events are wired. The handlers live in engage/ui/
(``handlers``, ``class_handlers``), the model and the GPU calls in ``engage.ui.server``."""
from __future__ import annotations

import contextlib
import os
import tempfile
import threading

# gradio's uploads and copies go to a folder of engage's own, which its sweeper empties by age (engage/ui/cleanup.py);
# before gradio is imported, which reads it then
os.environ.setdefault("GRADIO_TEMP_DIR", os.path.join(tempfile.gettempdir(), "engage-gradio"))
with contextlib.suppress(ImportError):  # the Space's platform installs `spaces` (not in requirements.txt); before torch
    import spaces  # noqa: F401

import gradio as gr

from engage import i18n, settings
from engage.affect.pipeline import METHODS, normalize_method
from engage.classroom.room import DEFAULT_MAX_FACES
from engage.classroom.session import NAME_MAX
from engage.i18n import glossary
from engage.ui import about, cleanup, exports, gradio_words, limits, plots, report_check, views, zerogpu
from engage.ui.class_handlers import (
    CAMERA_TURNS,
    CAMERAS,
    FACES_MAX,
    add_to_roster,
    analyze_classroom,
    camera_closed,
    camera_now,
    camera_opened,
    classroom_frame,
    clear_roster,
    export_classroom,
    export_roster,
    redraw_classroom,
    rename_students,
    roster_headers,
    write_class_report,
)
from engage.ui.handlers import (
    analyze_frames,
    analyze_image,
    analyze_video,
    error_line,
    image_failed,
    redraw_results,
    video_estimate,
    video_failed,
    webcam_frame,
)
from engage.ui.page import Page, key, markdown, words
from engage.ui.server import ENGINE, ZERO_GPU
from engage.ui.shown_errors import remembered

SESSION_TTL_S = settings.session_ttl_seconds()
FILES_MAX_AGE_S = settings.files_max_age_seconds()
EXAMPLES = settings.EXAMPLES_DIR
METHOD_LABELS = list(METHODS.values())
CAMERA_S = settings.classroom_camera_seconds()


def _queued(session: str) -> int | None:
    """The session's events in gradio's queue (queued or running), or None before the queue exists."""
    queue = getattr(demo, "_queue", None)
    return len(getattr(queue, "pending_event_ids_session", {}).get(session, ())) if queue is not None else None


# Each analysis holds a slot of its own while it runs (a cancelled handler keeps running in its thread: it still
# counts) and a place among the session's few (checked by the validator before the event joins the shared queue).
ADMISSION = limits.Admission(queue_size=_queued)
IMAGE_WORK = limits.Work(2, ADMISSION, check=limits.pixels_check(0))
FRAMES_WORK = limits.Work(1, ADMISSION, check=limits.pixels_check(0))
VIDEO_WORK = limits.Work(1, ADMISSION)
CLASS_WORK = limits.Work(1, ADMISSION, check=limits.pixels_check(1))
ROSTER_WORK = limits.Work(2, ADMISSION, check=limits.pixels_check(0))
REPORT_WORK = limits.Work(1, ADMISSION)
CHECK_IN = ADMISSION.validator()


# ---------------------------------------------------------------- layout


CSS = """
/* Phones: words wrap whole ("Boredom", not "Bored|om"); wide tables scroll inside their box, not the page. */
.prose table td, .prose table th { word-break: normal; overflow-wrap: normal; hyphens: none; }
.prose table { display: block; overflow-x: auto; max-width: 100%; }
.engage-progress { min-height: 56px; }
/* Gradio ships Source Sans Pro at 400 and 600 only: bold at 700 was drawn in another face, larger than the body */
.prose strong, .prose b, .prose th { font-weight: 600; }
/* Phones: tables fit the width (smaller type, narrow padding); long tables stack their rows (engage-stack); wide data
   tables scroll sideways, with a line saying so (engage-phone-only). */
.engage-phone-only { display: none; }
@media (max-width: 640px) {
  .prose table { font-size: 0.85em; }
  .prose table td, .prose table th { padding: 4px 5px !important; }
  .engage-stack table, .engage-stack tbody, .engage-stack tr, .engage-stack td { display: block; width: auto; }
  .engage-stack thead { display: none; }
  .engage-stack tr { border-top: 1px solid var(--border-color-primary); padding: 6px 0; }
  .engage-stack td { border: none !important; padding: 2px 0 !important; }
  .engage-phone-only { display: block; }
  .modebar-container { display: none !important; }  /* Plotly's toolbar would sit on the charts' titles */
  #share-table td, #share-table th { padding: 6px 4px !important; }
  #share-table td *, #share-table th * { font-size: 12px !important; word-break: normal !important; overflow-wrap: normal !important; }
}
.engage-no-mlp label:first-of-type { opacity: 0.45; pointer-events: none; }
"""


def _heads_info() -> str | None:
    return None if ENGINE.heads is not None else ENGINE.heads_notice


def _banner(method_label: str, lang: str) -> str:
    return views.warning_banner(ENGINE.warnings(normalize_method(method_label)), i18n.language(lang))


PAGE = Page()
P = PAGE.make


def _method_choices(lang: str) -> list[tuple[str, str]]:
    """The methods in the visitor's words; the value stays the English label, which the API has always taken."""
    return [(glossary.METHODS[lang][k], label) for k, label in METHODS.items()]


def page_in(lang: str) -> list:
    """The page's words in ``lang``: the switch, the method's choices, every component made with a catalogue key."""
    return [gr.update(value=lang), gr.update(choices=_method_choices(lang), label=i18n.text("page.method", lang)), *PAGE.updates(lang)]


def page_on_load(request: gr.Request):
    """A new page: in the browser's language (Vietnamese for vi, vi-VN…; else English)."""
    headers = getattr(request, "headers", None) or {}
    return page_in(i18n.language_of(headers.get("accept-language")))


with gr.Blocks(title=i18n.text("page.title"), delete_cache=(max(1, FILES_MAX_AGE_S // 3), FILES_MAX_AGE_S)) as demo:
    P(markdown, key("page.intro"))
    language = gr.Radio([(name, code) for code, name in i18n.LANGUAGES.items()], value=i18n.DEFAULT, label=i18n.text("page.language"),
                        elem_id="language")
    banner = markdown(elem_id="banner")
    method = gr.Radio(
        _method_choices(i18n.DEFAULT),
        value=METHOD_LABELS[0] if ENGINE.heads is not None else METHOD_LABELS[1],
        label=i18n.text("page.method"),
        info=_heads_info(),
        elem_id="method",
        elem_classes=[] if ENGINE.heads is not None else ["engage-no-mlp"],  # shown, greyed, with the reason
    )
    files_state = gr.State(None, time_to_live=SESSION_TTL_S, delete_callback=exports.remove_folder)
    # The session's GPU day (what ZeroGPU charged it, what it said was left): a fresh copy per visitor, updated in place.
    day_state = gr.State(zerogpu.GpuDay(), time_to_live=SESSION_TTL_S)

    method.change(_banner, [method, language], banner, api_visibility="private")

    with P(gr.Tab, label=key("tab.webcam")):
        P(markdown, key("webcam.intro_zerogpu" if ZERO_GPU else "webcam.intro_local"))
        with gr.Row():
            cam = P(gr.Image, sources=["webcam"], streaming=True, type="numpy", label=key("webcam.camera"), elem_id="webcam")
            with gr.Column():
                cam_md = markdown(i18n.text("webcam.waiting"), elem_id="webcam-summary", label=i18n.text("common.summary"))
        cam_plot = P(gr.Plot, words(lambda lang: plots.placeholder(i18n.text("webcam.placeholder", lang))), label=key("common.levels"), elem_id="webcam-plot")
        cam_json = gr.JSON(label="Result (JSON)", visible=False)
        cam_state = gr.State(None, time_to_live=SESSION_TTL_S)  # frames and caches of a stopped camera are freed
        cam.stream(
            webcam_frame,
            inputs=[cam, method, cam_state, day_state, language],
            outputs=[cam_md, cam_plot, cam_json, cam_state],
            stream_every=0.5,
            time_limit=600,
            concurrency_limit=4,
            show_progress="hidden",  # a result every 1-2 s: a pending overlay each half second would flicker
            api_name="webcam_frame",
            api_visibility="undocumented",  # streaming; clients use /analyze_frames
        )
        # after page_on_load has set the language (``then``): the line says how often a result comes, in that language
        frames_in = gr.File(file_count="multiple", visible=False, label="frames")
        frames_btn = gr.Button(visible=False)
        # preprocess=False: the uploads are read where gradio put them (its file preprocessing would leave an empty
        # temporary file behind for every frame)
        frames_btn.click(FRAMES_WORK(analyze_frames), [frames_in, method, day_state, language], [cam_md, cam_plot, cam_json], api_name="analyze_frames",
                         preprocess=False, concurrency_limit=FRAMES_WORK.slots, validator=CHECK_IN)

    with P(gr.Tab, label=key("tab.image")):
        with gr.Row():
            with gr.Column():
                img = P(gr.Image, type="filepath", image_mode=None, label=key("image.photo"), sources=["upload", "clipboard"], elem_id="image-input")
                if os.path.isdir(EXAMPLES):
                    PAGE.examples(gr.Examples([[os.path.join(EXAMPLES, "astronaut.png")]], inputs=[img]), key("common.examples"))
            with gr.Column():
                img_btn = P(gr.Button, key("image.analyse"), variant="primary")
                img_md = markdown(label=i18n.text("common.summary"), min_height=120, elem_id="image-summary")
        img_plot = P(gr.Plot, words(lambda lang: plots.placeholder(i18n.text("image.placeholder", lang))), label=key("common.levels"), elem_id="image-plot")
        with P(gr.Accordion, label=key("image.json"), open=False):
            img_json = P(gr.JSON, label=key("common.result_json"))
        img_outputs = [img_md, img_plot, img_json]
        img_btn.click(
            remembered(IMAGE_WORK(analyze_image)), [img, method, day_state, language], img_outputs, api_name="analyze_image",
            concurrency_limit=IMAGE_WORK.slots, validator=CHECK_IN, preprocess=False
        ).failure(image_failed, language, img_outputs, api_visibility="private")  # the reason stays beside the photo

    with P(gr.Tab, label=key("tab.video")):
        with gr.Row():
            with gr.Column():
                vid = P(gr.Video, label=key("video.clip"), sources=["upload"], elem_id="video-input")
                if os.path.isdir(EXAMPLES):
                    PAGE.examples(gr.Examples([[os.path.join(EXAMPLES, "astronaut_clip.mp4")]], inputs=[vid]), key("common.examples"))
            with gr.Column():
                vid_btn = P(gr.Button, key("video.analyse"), variant="primary")
                vid_md = markdown(label=i18n.text("common.summary"), min_height=160, elem_id="video-summary")
                # Gradio's bar and timer draw over the component they run on: their own slot under the plan keeps the
                # plan (the GPU time promised) readable while they run
                vid_progress = markdown(elem_id="video-progress", elem_classes=["engage-progress"])
        vid_plot = P(gr.Plot, words(lambda lang: plots.placeholder(i18n.text("video.placeholder", lang))), label=key("video.levels"), elem_id="video-plot")
        vid_timeline = P(gr.Plot, label=key("video.timeline"), elem_id="video-timeline")
        vid_share = P(gr.Plot, label=key("video.share"), elem_id="video-share")
        vid_table = P(gr.Dataframe, headers=views.SHARE_HEADERS, label=key("video.share_table"), interactive=False, elem_id="share-table",
                      wrap=True, column_widths=["34%", "16.5%", "16.5%", "16.5%", "16.5%"])  # five columns within a phone's width
        vid_files = P(gr.File, label=key("video.files"), file_count="multiple")
        with P(gr.Accordion, label=key("video.json"), open=False):
            vid_json = P(gr.JSON, label=key("video.json_label"))
        vid_outputs = [vid_md, vid_plot, vid_timeline, vid_share, vid_table, vid_json, vid_files]
        vid.change(video_estimate, [vid, method, language], vid_md, api_visibility="private", show_progress="hidden")
        vid_btn.click(
            remembered(VIDEO_WORK(analyze_video)),
            [vid, method, files_state, day_state, language],
            vid_outputs + [files_state],
            api_name="analyze_video",
            concurrency_limit=VIDEO_WORK.slots,
            validator=CHECK_IN,
            show_progress_on=[vid_progress],  # one bar, under the plan, at the top of the tab
        ).failure(video_failed, language, vid_outputs, api_visibility="private")

    with P(gr.Tab, label=key("tab.classroom")):
        lifetime = views.session_lifetime
        away = settings.classroom_away_seconds()
        P(markdown, key("class.intro", away=lambda lang: views.minutes(away, lang), faces=DEFAULT_MAX_FACES, lifetime=lifetime))
        P(markdown, key("class.notice"), elem_id="class-notice")
        with gr.Row():
            cls_video = P(gr.Video, label=key("class.video"), sources=["upload"], elem_id="class-video")
            cls_photo = P(gr.Image, type="filepath", image_mode=None, label=key("class.photo"), sources=["upload"], elem_id="class-photo")
            with gr.Column():
                cls_max = P(gr.Slider, 1, FACES_MAX, value=DEFAULT_MAX_FACES, step=1, label=key("class.max_faces"))
                cls_btn = P(gr.Button, key("class.analyse"), variant="primary")
                cls_status = markdown(label="status", elem_id="class-status")
                cls_progress = markdown(elem_id="class-progress", elem_classes=["engage-progress"])  # as vid_progress
        with P(gr.Accordion, label=key("class.roster"), open=False):
            P(markdown, key("class.roster_note", lifetime=lifetime))
            with gr.Row():
                roster_files = P(gr.File, label=key("class.roster_files"), file_count="multiple", file_types=["image", ".json"], elem_id="roster-files")
                with gr.Column():
                    roster_name = P(gr.Textbox, label=key("class.roster_name"), max_length=NAME_MAX)
                    roster_add_btn = P(gr.Button, key("class.roster_add"), variant="primary")
                    roster_clear_btn = P(gr.Button, key("class.roster_clear"))
            roster_msg = markdown(i18n.text("class.roster_empty"), elem_id="roster-status")
            roster_table = P(gr.Dataframe, headers=roster_headers(), label=key("class.roster_table"), interactive=False, elem_id="roster-table")
            with gr.Row():
                roster_file = P(gr.File, label=key("class.roster_file"), interactive=False, height=120)
                roster_export_btn = P(gr.Button, key("class.roster_export"))
        with P(gr.Accordion, label=key("class.camera_accordion"), open=False) as cam_section:
            P(markdown, key("class.camera_turns", n=CAMERAS, minutes=lambda lang: views.minutes(CAMERA_S, lang)), elem_id="class-camera-turns")
            # whether a camera is free, or how long yours waits: on opening, then every 5 s while open (no queue)
            cls_cam_now = markdown(elem_id="class-camera-now")
            cam_timer = gr.Timer(5, active=False)
            cam_section.expand(camera_opened, language, [cls_cam_now, cam_timer], queue=False, api_visibility="private")
            cam_section.collapse(camera_closed, None, cam_timer, queue=False, api_visibility="private")
            cam_timer.tick(camera_now, language, cls_cam_now, queue=False, show_progress="hidden", api_visibility="private")
            cls_cam = P(gr.Image, sources=["webcam"], streaming=True, type="numpy", label=key("class.camera"), elem_id="class-camera")
        cls_cards = markdown(label="cards", elem_id="class-cards")
        with gr.Row():
            cls_frame = P(gr.Image, label=key("class.frame"), interactive=False)
            cls_students = P(gr.Plot, label=key("class.students"), elem_id="class-students")
        cls_timeline = P(gr.Plot, label=key("class.timeline"), elem_id="class-timeline")
        P(markdown, key("common.swipe_table"), elem_classes=["engage-phone-only"])
        cls_table = P(gr.Dataframe, headers=views.STUDENT_HEADERS, label=key("class.table"), interactive=False, elem_id="class-table")
        cls_emotions = P(gr.Dataframe, headers=views.EMOTION_HEADERS, label=key("class.emotion_note"), interactive=False, elem_id="class-emotions")
        with gr.Row():
            cls_renames = P(gr.Textbox, label=key("class.renames"), placeholder=key("class.renames_example"), max_length=2000)
            cls_rename_btn = P(gr.Button, key("class.rename"))
        with gr.Row():
            cls_files = P(gr.File, label=key("class.files"), file_count="multiple")
            cls_export_btn = P(gr.Button, key("class.export"))
        with gr.Row():
            use_model_info = {"info": key("class.use_model_info", seconds=zerogpu.MAX_REQUEST_S)} if ZERO_GPU else {}
            cls_use_model = P(gr.Checkbox, value=not ENGINE.backbone.is_test_weights, label=key("class.use_model"), **use_model_info)
            cls_report_btn = P(gr.Button, key("class.write_report"))
        cls_report = markdown(label="report", elem_id="class-report")
        cls_state = gr.State(None, time_to_live=SESSION_TTL_S)
        roster_state = gr.State(None, time_to_live=SESSION_TTL_S)
        cls_outputs = [cls_status, cls_cards, cls_frame, cls_timeline, cls_students, cls_table, cls_emotions, cls_files, cls_state, files_state]
        report_source = gr.State(None, time_to_live=SESSION_TTL_S)  # "template" or "generated": redrawn in another language or not
        cls_btn.click(
            remembered(CLASS_WORK(analyze_classroom)), [cls_video, cls_photo, method, cls_max, roster_state, files_state, day_state, language], cls_outputs,
            api_name="analyze_classroom", concurrency_limit=CLASS_WORK.slots, validator=CHECK_IN, show_progress_on=[cls_progress], preprocess=False,
        ).failure(error_line, language, cls_status, api_visibility="private")
        roster_add_btn.click(
            remembered(ROSTER_WORK(add_to_roster)), [roster_files, roster_name, roster_state, cls_state, files_state, language],
            [roster_msg, roster_table, roster_state, roster_files] + cls_outputs, api_name="roster_add", concurrency_limit=ROSTER_WORK.slots,
            validator=CHECK_IN,
            show_progress_on=[roster_msg], preprocess=False,
        ).failure(error_line, language, roster_msg, api_visibility="private")
        roster_clear_btn.click(clear_roster, [cls_state, language], [roster_msg, roster_table, roster_state], api_name="roster_clear")
        roster_export_btn.click(export_roster, [roster_state, files_state, language], [roster_file, files_state], api_name="roster_export")
        cls_rename_btn.click(rename_students, [cls_renames, cls_state, files_state, language], cls_outputs, api_name="rename_students",
                             show_progress_on=[cls_progress])
        cls_export_btn.click(export_classroom, [cls_state, files_state, language], [cls_files, files_state], api_name="export_class")
        cls_report_btn.click(REPORT_WORK(write_class_report), [cls_state, cls_use_model, day_state, language], [cls_report, report_source],
                             api_name="class_report", concurrency_limit=REPORT_WORK.slots, validator=CHECK_IN)
        cls_cam.stream(
            classroom_frame, [cls_cam, method, cls_max, roster_state, cls_state, files_state, day_state, language], cls_outputs, stream_every=0.5,
            time_limit=CAMERA_S,  # a fair turn: another teacher waits at most this long for a slot (the tab says so)
            concurrency_limit=CAMERAS, show_progress="hidden", api_name="classroom_frame", api_visibility="undocumented",
        )

    with P(gr.Tab, label=key("tab.report_check")):
        audit = report_check.load_audit()
        P(markdown, words(lambda lang: report_check.audit_markdown(audit, lang)))
        if audit is not None:
            P(markdown, words(lambda lang: report_check.claims_markdown(audit, lang)), elem_classes=["engage-stack"], elem_id="audit-claims")
            P(gr.Plot, words(lambda lang: plots.audit_runs(audit, lang)), label=key("audit.runs"), elem_id="audit-runs")

    with P(gr.Tab, label=key("tab.about")):
        P(markdown, words(lambda lang: about.about_markdown(ENGINE, lang)))

    page_outputs = [language, method, *PAGE.components]
    result_outputs = [img_md, img_plot, vid_md, vid_plot, vid_timeline, vid_share, vid_table, cam_md, cam_plot]
    class_redrawn = [cls_status, cls_cards, cls_frame, cls_timeline, cls_students, cls_table, cls_emotions, roster_msg, roster_table, cls_report]

    def redraw(event):
        """After the page's words (on load, in the browser's language; on a switch): the banner, then every result on
        screen from what each tab holds (nothing is recomputed) and the tables' headers."""
        return event.then(_banner, [method, language], banner, api_visibility="private").then(
            redraw_results, [language, method, img_json, vid_json, cam_json, day_state], result_outputs, api_visibility="private").then(
            redraw_classroom, [language, cls_state, roster_state, report_source], class_redrawn, api_visibility="private").then(
            camera_now, language, cls_cam_now, queue=False, show_progress="hidden", api_visibility="private")

    # Gradio's own words (upload zones, the Error pill, …) follow the switch in the browser, without a request
    language.change(None, language, None, js=gradio_words.set_language_js, api_visibility="private")
    redraw(demo.load(page_on_load, None, page_outputs, api_visibility="private"))
    redraw(language.input(page_in, language, page_outputs, api_visibility="private"))

demo.queue(default_concurrency_limit=1, max_size=32)


def _tab_closed(request: gr.Request) -> None:
    """The tab closed: its session's state and places go now (gradio would keep the state an hour)."""
    cleanup.end_session(demo, request.session_hash)
    ADMISSION.forget(request.session_hash)
    CAMERA_TURNS.forget(request.session_hash)


demo.unload(_tab_closed)


if __name__ == "__main__":
    cleanup.stop_on_sigterm()  # a restart's SIGTERM ends the server as Ctrl-C does, and the files go with it
    cleanup.sweep_every(demo, FILES_MAX_AGE_S, threading.Event())  # now (a previous server's files), then by age
    # show_error=False: only engage's own errors (gr.Error) are shown; Gradio's refusals of crafted payloads (server folders,
    # Pydantic's text) reach a visitor as "Error" alone
    demo.launch(show_error=False, max_file_size=f"{ENGINE.limits.max_upload_mb:g}mb", css=CSS, js=gradio_words.script())
    cleanup.at_exit(demo)
