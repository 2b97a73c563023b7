"""Every word of the page in English, by key (``engage.ui.i18n.text``). Fields in braces are filled in at look-up."""
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
}
