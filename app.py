"""engage: the Gradio Space: the page (its Blocks) and how its events are wired. The handlers live in engage/ui/
(``handlers``, ``class_handlers``), the model and the GPU calls in ``engage.ui.server``."""
from __future__ import annotations

import contextlib
import os
import threading

with contextlib.suppress(ImportError):  # the Space's platform installs `spaces` (not in requirements.txt); before torch
    import spaces  # noqa: F401

import gradio as gr

from engage import settings
from engage.affect.pipeline import METHODS, normalize_method
from engage.classroom.room import DEFAULT_MAX_FACES
from engage.classroom.session import NAME_MAX
from engage.ui import exports, plots, views, zerogpu
from engage.ui.class_handlers import (
    FACES_MAX,
    add_to_roster,
    analyze_classroom,
    classroom_frame,
    clear_roster,
    export_classroom,
    export_roster,
    rename_students,
    write_class_report,
)
from engage.ui.handlers import analyze_frames, analyze_image, analyze_video, video_estimate, webcam_frame, webcam_info
from engage.ui.server import ENGINE, ZERO_GPU

SESSION_TTL_S = settings.session_ttl_seconds()
FILES_MAX_AGE_S = settings.files_max_age_seconds()
EXAMPLES = settings.EXAMPLES_DIR
METHOD_LABELS = list(METHODS.values())


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
