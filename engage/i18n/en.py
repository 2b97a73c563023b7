"""Every word of the page in English, by key (``engage.i18n.text``). Fields in braces are filled in at look-up."""
from __future__ import annotations

TEXT = {
    # the page
    "page.title": "engage: learner affect from video",
    "page.intro": (
        "# engage\nBoredom, engagement, confusion and frustration (DAiSEE levels 0-3) from a webcam, a photo or a video, "
        "with Qwen2.5-VL features. What the numbers can and cannot say: the **About** tab (the last tab; on a phone, "
        "under ⋯ beside the tabs)."
    ),
    "page.language": "Language / Ngôn ngữ",
    "page.method": "Method",
    "tab.webcam": "Webcam",
    "tab.image": "Image",
    "tab.video": "Video",
    "tab.classroom": "Classroom",
    "tab.report_check": "Report check",
    "tab.about": "About",
    # Webcam
    "webcam.intro_zerogpu": (
        "Press record: the app keeps one frame per second and shows a result every few seconds, spaced so that your GPU "
        "time lasts ten minutes of camera (the line with the results says how often), each on the last 6-10 s (the first "
        "after 2 s). Frames are held only in this session's memory and dropped with it."
    ),
    "webcam.intro_local": (
        "Press record: the app keeps one frame per second and shows a result every 1-2 s, each on the last 6-10 s (the "
        "first after 2 s). Frames are held only in this session's memory and dropped with it."
    ),
    "webcam.camera": "Camera",
    "webcam.waiting": "Waiting for the camera…",
    "webcam.placeholder": "Start the camera to see the four states.",
    "common.summary": "summary",
    "common.levels": "Levels",
    "common.result_json": "Result (JSON)",
    "common.no_result": "No result: the message at the top says why.",
    # Image
    "image.photo": "Photo",
    "image.analyse": "Analyse image",
    "image.placeholder": "Analyse an image to see the four states.",
    "image.json": "Result as JSON",
    # Video
    "video.clip": "Clip",
    "video.analyse": "Analyse video",
    "video.placeholder": "Analyse a video to see the four states.",
    "video.levels": "Levels (whole clip)",
    "video.timeline": "Timeline",
    "video.share": "Share of time",
    "video.share_table": "Share of time at each level",
    "video.files": "Download JSON and CSV",
    "video.json": "Per-window results as JSON",
    "video.json_label": "Per-window results (JSON)",
    # Classroom
    "class.intro": (
        "Every face in the frame, followed with a stable id, analysed on its own face crops at 1 FPS: the four states, "
        "seven basic emotions (zero-shot, same model) and head pose. A face counts as a student once seen in 3 of 5 "
        "seconds, and keeps their id for {away} away, recognised by their face. At most {faces} faces per frame by default "
        "(the largest). Name students from a roster of photos or by hand below; export the session; write a class report. "
        "Names, the roster and results stay in this browser session only, and are dropped {lifetime}."
    ),
    "class.notice": (
        "> **Where this mode may be used.** Inferring the emotions of people in education institutions is prohibited in "
        "the EU since 2 February 2025 (AI Act, Article 5(1)(f); medical and safety uses excepted). This mode is for "
        "research and teaching demonstrations, with the consent of everyone filmed. The 68-landmark face model was "
        "trained on iBUG 300-W, whose licence excludes commercial use."
    ),
    "class.video": "Classroom video",
    "class.photo": "or a photo",
    "class.max_faces": "Faces analysed per frame (largest first)",
    "class.analyse": "Analyse classroom",
    "class.roster": "Class roster (optional): name students from their photos",
    "class.roster_note": (
        "Upload one or more photos per student: the name comes from the field (for all the photos of one upload) or "
        "from each file's name. Each photo's largest face is described by dlib's face recognition model and matched to "
        "the faces of the class, so the dashboard, table, exports and report name students without typing; faces that "
        "match no one stay \"Student N\". **The roster (names and face descriptors, never the photos) lives only in "
        "this browser session and is dropped {lifetime}, unless you export it**; an exported roster can be uploaded "
        "here again. A face descriptor is biometric data: ask those in the photos first."
    ),
    "class.roster_files": "Photos of one student, or of several named after them (or a roster .json)",
    "class.roster_name": "Name (else each file's name: ana_lopez-2.jpg is Ana Lopez)",
    "class.roster_add": "Add to roster",
    "class.roster_clear": "Clear the roster",
    "class.roster_empty": "The roster is empty.",
    "class.roster_table": "Roster",
    "class.roster_file": "Roster export (names and face descriptors, no photos)",
    "class.roster_export": "Export the roster",
    "class.camera_accordion": "Live: classroom camera",
    "class.camera": "Classroom camera",
    "class.frame": "Last frame, with ids",
    "class.students": "Students",
    "class.timeline": "The class over time",
    "class.table": "Per student",
    "class.emotion_note": (
        "Per student and emotion: the share of the analysed time it was the most likely, then its mean probability "
        "(zero-shot, the same model)."
    ),
    "class.renames": "Rename students (3=1: student 3 is student 1)",
    "class.rename": "Rename",
    "class.files": "Session export (JSON and CSV)",
    "class.export": "Export the session now",
    "class.use_model": "Write with Qwen2.5-VL (else the fixed template)",
    "class.use_model_info": "One GPU call of at most {seconds} s",
    "class.write_report": "Write class report",
    # Report check
    "audit.runs": "Runs against the majority-class baseline",
    # counts ("{n} …"), by the number's form
    "unit.frame.one": "{n} frame",
    "unit.frame.many": "{n} frames",
    "unit.window.one": "{n} window",
    "unit.window.many": "{n} windows",
    "unit.call.one": "{n} call",
    "unit.call.many": "{n} calls",
    # results (Image, Webcam, Video)
    "result.covers_image": "one still image",
    "result.covers_webcam": "the last {seconds} s of the camera ({frames} at 1 FPS)",
    "result.span_whole": "{duration} s",
    "result.span_first": "the first {done} s of {duration} s",
    "result.covers_video": "{span} of video ({windows}, {frames} sampled at about 1 FPS)",
    "result.headline": "**{method}** on {covers}.",
    "result.table_head": "| state | most likely level | probability | expected level |",
    "result.averaged": (
        "Probabilities above are averaged over the windows, weighted by their length. The share-of-time chart counts, "
        "window by window, which level was most likely, so the two can differ: a level that is often a close second can "
        "top the average without topping any single window."
    ),
    "result.see_above": "No result: see the message above.",
    "result.one_window": "One window only: the timeline needs a clip longer than one window.",
    "result.analysing": "Analysing…",
    "result.share_state": "state",
    "result.share_level": "level {level} (%)",
    "video.partial": (
        "**{done} of {total} windows analysed** ({done_min} of {total_min} min): the results so far; the timeline grows "
        "as the others come back."
    ),
    # figures
    "plot.bars_title": "Probability of each level",
    "plot.test_weights": "random test weights",
    "plot.panel": "{state}: level {level}",
    "plot.bar_hover": "level {level} ({name}): {p}",
    "plot.level_axis": "level",
    "plot.timeline_title": "Level probabilities over time",
    "plot.legend_level": "level {level}",
    "plot.timeline_hover": "{state} level {level}: {p} at {t} s",
    "plot.time_axis": "time (s), each point is the centre of a window",
    "plot.share_title": "Share of time at each level",
    # errors a visitor causes on these tabs
    "error.upload_image": "Upload an image first (or pick an example).",
    "error.upload_video": "Upload a video first (or pick an example).",
    "error.no_frames": "Send at least one frame.",
    "error.too_many_frames": "Send at most {n} frames (one 10 s window at 1 FPS); send longer recordings as a video.",
    "error.calls_failed": "Stopped: {n} GPU calls in a row ended without a window; the last: {last}",
    "error.stopped": "Stopped: {reason}",
    # ZeroGPU
    "gpu.title": "GPU time",
    "gpu.wait_h": "{h} h {m} min",
    "gpu.wait_m": "{m} min",
    "gpu.wait_s": "{s} s",
    "gpu.shares": (
        "{anonymous} of an anonymous visitor's day ({q_anonymous} s), {free} of a free account's ({q_free} s), {pro} of PRO "
        "({q_pro} s)"
    ),
    "gpu.tier.anonymous": "an anonymous visitor's",
    "gpu.tier.free account": "a free account's",
    "gpu.tier.PRO": "a PRO account's",
    "gpu.used": "GPU time used in this session: {used} s in {calls} (about {left} s left of {tier} {quota} s day).",
    "gpu.resets_in": "Your quota resets in {wait}.",
    "gpu.resets_day": "Your quota resets 24 h after your first use.",
    "gpu.stop": (
        "Stopped at {done} of {total} min: ZeroGPU has too little of your GPU time left today for another window ({left} s). "
        "This session used {used} s of GPU in {calls}. {when} Everything analysed so far is shown below and in the exports; "
        "signing in to Hugging Face gives 5 GPU-minutes a day instead of 2."
    ),
    "gpu.plan_head": "Analysing {minutes} min of video ({windows} of 10 s)",
    "gpu.plan_local": "{head}…",
    "gpu.rate_measured": "measured",
    "gpu.rate_first": "first-estimate",
    "gpu.plan": (
        "{head}: about {gpu} s of GPU at the {rate} rate of {unit} s a window, {shares}. Results appear as each part ends; "
        "when your time runs short, smaller parts are asked for until none fits…"
    ),
    "gpu.webcam": (
        "On ZeroGPU: a result every {every} s (about {cost} s of GPU each{first}), so that the {left} s you have left of "
        "{tier} {quota} s day last at least {minutes} minutes of camera."
    ),
    "gpu.webcam_first": ", a first estimate until one is measured",
    "gpu.help": (
        "Sign in to Hugging Face for 5 GPU-minutes a day instead of 2, try a shorter clip, or come back when the daily "
        "quota resets."
    ),
    "gpu.asked": " ({requested} s requested, {scheduled} s scheduled)",
    "gpu.refused_quota": "ZeroGPU refused this request{asked}: your GPU quota for today has less time left. {help}",
    "gpu.refused_illegal": "ZeroGPU refused this request{asked}: it is longer than one call may be. Try a shorter clip.",
    "gpu.no_gpu": "No GPU was free in time{asked}. Try again in a minute; signed-in visitors are queued first.",
    "gpu.worker_error": "The GPU worker failed ({message}). Try again; if it happens again, try a shorter clip.",
    # warnings shown above every result
    "warning.test_weights": "Random test weights: these results are meaningless.",
    "warning.untrained_heads": "The MLP heads are untrained random weights: these results are meaningless.",
    # class report (engage/classroom/report.py): keys "report.*"
    # Report check and About tabs (engage/ui/report_check.py, engage/ui/about.py, engage/daisee/audit.py): keys "audit.*", "about.*"
    # Classroom tab (engage/ui/class_handlers.py, views.py, classroom_plots.py): keys "class.*"
    # library errors (engage/errors.py, media.py, classroom): keys "error.*"
}
