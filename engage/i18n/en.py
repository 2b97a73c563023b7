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
    "common.examples": "Examples",
    "common.levels": "Levels",
    "common.result_json": "Result (JSON)",
    "common.swipe_table": "↔ The tables below are wider than the screen: swipe them sideways for every column.",
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
    "video.share_table": "Share of time at each level (%)",
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
    "class.camera_turns": (
        "At most {n} classroom cameras run at once, each for up to {minutes} a turn. When both are in use, yours waits "
        "for one to finish (its picture stays still until then); when your turn ends, press record again: the class "
        "carries on where it was."
    ),
    "class.camera_free": "A classroom camera is free now: press record to start yours.",
    "class.camera_yours": "Your camera is on: its turn ends in about {minutes} (then press record again to carry on).",
    "class.camera_wait": (
        "The {n} classroom cameras are all in use now: yours waits until a turn ends, in about {minutes} at most, and "
        "its picture stays still until then."
    ),
    "limits.session_busy": (
        "You already have {n} analyses waiting or running: wait for one to finish, then try again (this keeps the "
        "queue open for other visitors)."
    ),
    "limits.request_pixels": (
        "These images hold {mp} megapixels together; one request may hold at most {limit}. Send smaller images (the "
        "model sees at most 1280 px on a side) or fewer of them."
    ),
    "class.frame": "Last frame, with ids",
    "class.students": "Students",
    "class.timeline": "The class over time",
    "class.table": "Per student",
    "class.emotion_note": (
        "Per student and emotion: the share of the analysed time it was the most likely, then its mean probability "
        "(zero-shot, the same model)."
    ),
    "class.renames": "Rename students (3=1: student 3 is student 1)",
    "class.renames_example": "1=Alice, 2=Bob, 3=1",
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
    "result.share_level": "level {level}",
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
    "error.calls_failed": "Stopped: {n} model calls in a row ended without a window; the last: {last}",
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
    "report.summary_heading": "### Class summary",
    "report.students.one": "{n} student",
    "report.students.many": "{n} students",
    "report.summary": (
        "{students} seen over {minutes} min. Average engagement {engagement} of 3 ({level}). Confusion was high {confused} "
        "and boredom {bored} of the time, over all students.{attention}"
    ),
    "report.summary_photo": (
        "{students} seen in one photo. Average engagement {engagement} of 3 ({level}). Confusion was high for {confused} "
        "and boredom for {bored} of them.{attention}"
    ),
    "report.summary_attention": " Students faced the screen or board {share} of the time.",
    "report.level": "{level}",
    "report.level_between": "between {low} and {high}",
    "report.break": "**Break suggestion:** {reasons}; a two-minute break or a change of activity is worth trying.",
    "report.break_low_engagement": "engagement was low across the class ({engagement} of 3)",
    "report.break_bored": "boredom was high {share} of the time, over all students",
    "report.break_both": "{first} and {second}",
    "report.revisit": "**To revisit:** many faces looked confused; go over the last part again, with an example.",
    "report.students_heading": "### Students",
    "report.student": "- **{name}** ({details}): {advice}",
    "report.student_bare": "- **{name}**: {advice}",
    "report.student_minutes": "{minutes} min",
    "report.student_engagement": "engagement {engagement}/3",
    "report.student_emotions": "most likely emotion over time: {emotions}",
    "report.tip_low_engagement": "Engagement looked low: ask them a direct question or give a short hands-on task.",
    "report.tip_confused": "Looked confused {share} of the time: revisit the last explanation with a worked example.",
    "report.tip_bored": "Looked bored {share} of the time: a change of activity or a short break may help.",
    "report.tip_frustrated": "Showed signs of frustration: encourage them and offer a smaller next step.",
    "report.tip_attention": "Faced the screen or board {share} of the time: check whether they can see and follow.",
    "report.tip_unmeasured": "Not seen long enough for an estimate.",
    "report.tip_well": "Engaged and attentive: tell them so, and offer a stretch task.",
    "report.emotions_heading": "### Emotions per student",
    "report.emotions_note": "Share of the analysed time each emotion was the most likely · its mean probability (zero-shot, same model).",
    "report.emotions_student": "student",
    "report.no_faces": "No faces were found in this session, so there is nothing to report.",
    "report.limits": (
        "**What these numbers can and cannot say.** They are estimates from faces on camera, per second, by a model "
        "trained on one learner at a laptop (DAiSEE). They can show tendencies over a lesson and moments worth a second "
        "look. They cannot say what a student understands, feels or intends, and should never be used to grade or "
        "discipline anyone. Faces that were hidden, turned away or too small were not measured."
    ),
    "report.quality_failed": "The generated text failed the quality check ({why}); this is the template report.",
    "report.quality_short": "too short",
    "report.quality_letters": "too few letters",
    "report.quality_words": "not enough ordinary words",
    "report.quality_repetitive": "repetitive",
    "report.test_weights": "Written by random test weights: meaningless.",
    "report.prompt": (
        "You are helping a teacher after a lesson. Using ONLY the numbers below (levels run 0-3; shares are fractions "
        "of time), write: a short summary of the class (3 sentences), then one bullet per student with one study tip, "
        "one break or pacing suggestion if needed, and one sentence of encouragement, and finally what to revisit. "
        "Do not invent facts, names or numbers. Plain text, no HTML.\n\n{facts}"
    ),
    # Report check and About tabs (engage/ui/report_check.py, engage/ui/about.py, engage/daisee/audit.py): keys "audit.*", "about.*"
    "audit.none": "No audit found. Run `python -m engage audit` to write `docs/audit/audit.json`.",
    "audit.intro": (
        "The first report's logged runs, tables and claims, recomputed from its own files (`{reference}`, labels "
        "`{labels}`) by `python -m engage audit`. The full audit is `docs/audit/audit.md` in the repository."
    ),
    "audit.intro_no_labels": (
        "The first report's logged runs, tables and claims, recomputed from its own files (`{reference}`) by "
        "`python -m engage audit`. The full audit is `docs/audit/audit.md` in the repository."
    ),
    "audit.findings_title": "**Key findings**",
    "audit.claims_title": "**The report's claims**",
    "audit.claims_head": "| claim | verdict | deciding numbers |",
    "audit.verdict.supported": "supported",
    "audit.verdict.contradicted": "contradicted",
    "audit.verdict.not_checkable": "not checkable from the data",
    "audit.run": "{state}, {augment}, {hidden} hidden units, dropout {dropout}",
    "audit.run_short": "{state}, {augment}, dropout {dropout}",
    "audit.augmented": "with augmentation",
    "audit.not_augmented": "without augmentation",
    "audit.augmented_short": "augmented",
    "audit.not_augmented_short": "not augmented",
    "audit.level": "{level} ({name})",
    "audit.list_and": "{items} and {last}",
    "audit.finding.runs_match": (
        "{n} logged runs: the metrics recomputed from their confusion matrices match the training log and the "
        "report's section 3.6."
    ),
    "audit.finding.runs_log_differs": (
        "{n} logged runs: the metrics recomputed from their confusion matrices differ from the training log in {log} "
        "places; the report's section 3.6 matches them."
    ),
    "audit.finding.runs_report_differs": (
        "{n} logged runs: the metrics recomputed from their confusion matrices match the training log, but {report} "
        "numbers in the report's section 3.6 differ from them."
    ),
    "audit.finding.runs_both_differ": (
        "{n} logged runs: the metrics recomputed from their confusion matrices differ from the training log in {log} "
        "places, and {report} numbers in the report's section 3.6 differ from them."
    ),
    "audit.finding.coverage": "The test metrics cover {n} clips, not the {test} clips of the test set the report states ({missing} missing).",
    "audit.finding.constant": "{k} of {n} runs predict a single level for every clip: {runs}.",
    "audit.finding.beat_majority": (
        "{k} of {n} runs beat the majority-class baseline in macro-F1 on the same clips; the largest margin is {margin}."
    ),
    "audit.finding.no_runs": "The log holds no run with a confusion matrix to compare with the majority-class baseline.",
    "audit.finding.table4_test": (
        "For {state}, table 4 shows the best run by test macro-F1 ({run}), not the best by validation macro-F1 ({best_val})."
    ),
    "audit.finding.table4_neither": (
        "For {state}, table 4 shows a run that is the best neither by validation nor by test macro-F1 ({run}; the best by "
        "validation macro-F1: {best_val})."
    ),
    "audit.finding.missing_not_random": (
        "The missing clips are not a random sample: {state} at level {level} makes up {missing}% of them but {file}% of "
        "the label file."
    ),
    "audit.finding.zero_shot_constant": "The zero-shot baseline for {state} scores exactly like {constant}.",
    "audit.constant": "always predicting level {level} on {where}",
    "audit.where.logged": "the logged test set ({n} clips)",
    "audit.where.labels": "the label file ({n} clips)",
    "audit.finding.zero_shot_below": "The zero-shot baseline's macro-F1 for {state}, {f1}, is below the majority-class baseline's ({majority}).",
    "audit.finding.table1": "Table 1 is not internally consistent (see the table in `docs/audit/audit.md`).",
    "audit.finding.claim": "The claim that {claim}: {verdict}.",
    "audit.finding.claim_quoted": "The claim “{claim}”: {verdict}.",
    "audit.subject.f1_gain": "the MLP heads raise macro-F1 over the zero-shot baseline",
    "audit.subject.augmentation_helps": "augmentation gives the best results",
    "audit.subject.low_dropout_better": "dropout 0 or 0.3 beats 0.5",
    "audit.subject.encoder_only": "the method uses only the vision encoder",
    "audit.claim.f1_gain": "MLP raises macro-F1 over the zero-shot baseline: {gains}",
    "audit.claim.f1_gain_item": "{state} {before}% -> {after}% (+{gain}%)",
    "audit.claim.augmentation_helps": "Most best results come from configurations with facial-data augmentation (True)",
    "audit.claim.low_dropout_better": "Dropout 0 or 0.3 gives better results than 0.5",
    "audit.claim.encoder_only": "The method uses only the encoder plus an MLP, yet beats the full VLM",
    "audit.claim.deployment": (
        "Deployment: 1-3 s latency per inference including network, results refreshed every 2 s, 18-22 GB of GPU "
        "memory, FP16"
    ),
    "audit.claim.as_written": "{text}",
    "audit.note.zero_shot_constant": (
        "the zero-shot baseline scores exactly like a constant predictor for {states}, so it is a floor, not a model"
    ),
    "audit.note.weak_margin": "the best MLP beats the majority-class baseline on the same clips by less than {margin} macro-F1 for {states}",
    "audit.note.matched": (
        "matched comparisons (same state and dropout): {better} better with augmentation, {worse} worse, {tied} tied"
    ),
    "audit.note.augment_share": (
        "{share}% of the runs used augmentation, so the best run would usually be one of them by chance alone"
    ),
    "audit.note.dropout_wins": "dropout 0 or 0.3 beat 0.5 on test macro-F1 for {wins} of {n} states (one run each)",
    "audit.note.lm_feature": "the feature is the language model's last hidden state, so the whole VLM runs",
    "audit.note.encoder_feature": "the feature comes from the vision encoder",
    "audit.note.no_features": "the reference directory does not describe the features of the report's code",
    "audit.note.no_measurements": "the reference directory holds no measurements this claim could be checked against",
    "audit.plot_title": "Each run's test macro-F1<br>against the majority-class baseline<br>on the same clips",
    "audit.plot_baseline": "majority-class baseline",
    "audit.plot_baseline_hover": "majority-class baseline: {f1}",
    "audit.plot_run": "run (recomputed from its confusion matrix)",
    "audit.plot_hover": "{run}: {f1} against {majority}",
    "audit.plot_hover_constant": "{run}: {f1} against {majority} (predicts a single level for every clip)",
    "audit.plot_axis": "test macro-F1",
    "about.what_title": "### What this is",
    "about.what": (
        "engage estimates a learner's **boredom, engagement, confusion and frustration**, each at level 0-3 ({levels}) "
        "as annotated in the DAiSEE dataset, from a webcam stream, a photo or a video."
    ),
    "about.model_title": "### The model",
    "about.backbone": "- Backbone: `{backbone}` ({size}-d hidden state), frozen, on `{device}`.",
    "about.local_checkpoint": "a local checkpoint ({name})",
    "about.feature": (
        "- Feature ({protocol} protocol): a video is cut into {window}-second windows, and each window goes in through "
        "one processor call, as in the report. The window keeps {frames}; each frame is resized, keeping its shape, to "
        "between {min_px} and {max_px} pixels ({sizes}), and the frames go in with the text \"{prompt}\" inside one "
        "chat message. {photo} The model runs in {dtype} on a GPU (float32 on a CPU). {pooling} {heads}"
    ),
    "about.sizes_report": "the sizes the report's processor read from the model's published files",
    "about.sizes_engage": (
        "engage's own, narrower range: the report's processor kept between {min_px} and {max_px} pixels, so a small "
        "face crop is enlarged here and was not there"
    ),
    "about.rate_one": "one frame a second",
    "about.rate": "{fps} frames a second",
    "about.frames_report": "{rate}, rounded down to an even number (at least 4), evenly spread",
    "about.frames_whole_seconds": "one frame for each whole second",
    "about.photo_image": "A photo goes in as an image with the text \"{prompt}\", as the report fed its augmentation images.",
    "about.photo_video": (
        "A photo goes in as a one-frame video with the same text (engage's choice; the report fed images as images)."
    ),
    "about.pooling_mean": (
        "The feature is the mean of the language model's last hidden state over every token (system prompt, video "
        "and text). The report's video notebook saved these hidden states without pooling them; the mean is taken "
        "from the report's method text and from its image and deployment code."
    ),
    "about.pooling_other": "The feature is the {pooling}.",
    "about.protocol_is_report": "This is the protocol read from the report's code, which the report's heads were trained with.",
    "about.protocol_checked": "The heads, when loaded, were trained with this same protocol (a mismatch is refused).",
    "about.protocol.report": "report",
    "about.protocol.engage": "engage",
    "about.protocol.custom": "custom",
    "about.mlp": (
        "- **{method}:** four small classifiers, one per state, trained on those features: each takes the {size} "
        "numbers of a feature through layers of 512 and 256 units to the 4 levels."
    ),
    "about.zero_shot": (
        "- **{method}:** engage's own scoring with the same model, no training: asked once per state to rate levels 0-3 "
        "(each level defined in the prompt), it gives the probability of each level from its next-token scores for "
        "`0`-`3`. This is **not** the report's zero-shot baseline, which generated one answer for all four states, read "
        "the digits with a regular expression and put level 0 wherever none was found; its numbers are not comparable "
        "with these."
    ),
    "about.heads_none": "**MLP heads: not available.** {notice}",
    "about.heads_notice": "The MLP method is unavailable here: {reason}. Use the zero-shot method.",
    "about.reason.none": "no MLP heads are loaded",
    "about.reason.unusable": "the MLP heads on this server could not be used",
    "about.reason.missing": "no MLP heads are installed on this server",
    "about.reason.mismatch": "the MLP heads on this server do not fit its model or could not be read",
    "about.reason.unsafe": "the MLP heads on this server were refused as unsafe to load",
    "about.heads_title": "**MLP heads** for {backbone} ({size}-d features). Source: {source}.",
    "about.heads_untrained": "These heads are untrained random weights, for tests only.",
    "about.source.random": "random initialisation, for tests only",
    "about.source.imported": "the first report's published checkpoints ({origin}), imported by engage",
    "about.source.trained": "trained by engage (`python -m engage train`) on DAiSEE features",
    "about.metrics_head": (
        "| state | validation macro-F1 | test macro-F1 | test QWK | test balanced accuracy | test accuracy "
        "| majority macro-F1 | majority QWK | majority balanced accuracy | majority accuracy | test clips |"
    ),
    "about.metrics_note": (
        "The majority-class baseline always predicts the most frequent level of the training set; a head is only "
        "useful where it beats it on macro-F1, quadratic weighted kappa (QWK: a miss by one level costs less than a "
        "miss by three; 0 is chance, and the baseline's) and balanced accuracy (mean recall over the levels that "
        "occur). \"–\" means the card has no such number yet."
    ),
    "about.protocol_line": "Feature protocol: **{name}**, {source}.",
    "about.protocol_source.report": (
        "read from the report's code: its training notebook loads the model in float16 on a GPU and feeds each clip as "
        "a video at one frame a second with the text \"Analyze this video.\", and its augmentation images as images "
        "with \"Analyze this image.\"; the notebook saved the hidden states without pooling them, and the mean over "
        "every token follows the report's method text and its image and deployment code"
    ),
    "about.protocol_source.random": "engage's default, given to these random weights",
    "about.protocol_source.features": "the protocol of the features the heads were trained on, as recorded beside those features",
    "about.protocol_source.given": "given when the heads were imported",
    "about.protocol_source.none": "as recorded in the card",
    "about.see_also": (
        "How far to trust the first report's own numbers: see the **{report_check}** tab. The **{classroom}** tab "
        "analyses every face in a classroom (detection with dlib, tracking, emotions and head pose; see the README)."
    ),
    "about.limits_title": "### Limits",
    "about.limit_setting": (
        "- DAiSEE shows one learner at a desk, filmed by a laptop camera; other settings (several people, far away, "
        "poor light) are outside what the heads saw in training."
    ),
    "about.limit_imbalance": (
        "- Levels are strongly imbalanced in DAiSEE (most clips are engaged and not confused or frustrated): read a "
        "probability as a tendency, not a verdict about a person."
    ),
    "about.limit_uploads": (
        "- Uploads up to {mb} MB and {seconds} s; frames larger than {side} pixels on a side are scaled down; images "
        "over {mp} megapixels are refused."
    ),
    "about.privacy_title": "### Privacy",
    "about.privacy": (
        "Nothing you upload or stream is stored: frames are analysed in memory and dropped with your session "
        "({lifetime}, or when you close the tab); your JSON/CSV exports go with it, and the server's copies of uploads "
        "and downloads are deleted within {files}."
    ),
    # Classroom tab (engage/ui/class_handlers.py, views.py, classroom_plots.py): keys "class.*"
    # the per-student CSV's header row for a spreadsheet (views.students_csv)
    "csv.track_id": "id",
    "csv.name": "name",
    "csv.seconds": "seconds seen",
    "csv.first_seen": "first seen (s)",
    "csv.last_seen": "last seen (s)",
    "csv.affect_seconds": "seconds with a state estimate",
    "csv.mean_level": "{state}: mean level",
    "csv.high_share": "{state}: share of time at level 2-3",
    "csv.emotion_seconds": "seconds with an emotion estimate",
    "csv.most_likely_share": "{emotion}: share of time it was the most likely",
    "csv.mean_probability": "{emotion}: mean probability",
    "csv.attention_seconds": "seconds with a head pose",
    "csv.attention_share": "share of time facing the screen/board",
    "class.h_photos": "photos",
    "class.student_n": "Student {id}",
    "class.need_analysis": "Analyse a classroom video, photo or camera first (a session ends {lifetime}).",
    "class.faces_range": "Faces analysed per frame: a whole number from 1 to {n}.",
    "class.upload_first": "Upload a classroom video or photo first.",
    "class.not_both": "Give a video or a photo, not both: clear one of them.",
    "class.rename_first": "Analyse a classroom first; then rename its students.",
    "class.roster_choose": "Choose one or more photos of a student (or a roster exported from engage) first.",
    "class.roster_count.one": "{n} student in the roster.",
    "class.roster_count.many": "{n} students in the roster.",
    "class.roster_read.one": "{file}: {n} student read.",
    "class.roster_read.many": "{file}: {n} students read.",
    "class.roster_photo": "{file}: photo of {name} added.",
    "class.roster_photo_largest": "{file}: photo of {name} added ({n} faces in it: the largest was used).",
    "class.roster_problem": "{file}: {message}",
    "class.roster_cleared": "Roster cleared (names already given stay).",
    "class.roster_none": "The roster is empty: add photos first.",
    "class.nothing_to_export": "Nothing to export yet: analyse a classroom video, photo or camera first.",
    "class.report_first": "Analyse a classroom first.",
    "class.status_none": "No frame analysed yet.",
    "class.status_no_face": "No face found in the last frame: move closer, add light, or face the camera.",
    "class.status_found.one": "{n} face found in the last frame{capped}{waiting}.",
    "class.status_found.many": "{n} faces found in the last frame{capped}{waiting}.",
    "class.status_capped": " (the cap of {n} faces per frame: the {n} largest analysed, {more} more possible faces left out)",
    "class.status_waiting.one": "; {n} not counted as a student yet (a face counts once seen in {hits} of {seconds} seconds)",
    "class.status_waiting.many": "; {n} not counted as students yet (a face counts once seen in {hits} of {seconds} seconds)",
    "class.none_seen": "No students seen yet.",
    "class.cards_head": "| students seen | average engagement | time confused | time bored | facing the screen/board |",
    "class.h_id": "id",
    "class.h_name": "name",
    "class.h_seconds": "seconds seen",
    "class.h_engagement": "engagement (0-3)",
    "class.h_confused": "confused (%)",
    "class.h_bored": "bored (%)",
    "class.h_emotion": "dominant emotion",
    "class.h_attending": "attending (%)",
    "class.photo_timeline": "A photo is one moment: the class over time needs a video or the camera.",
    "class.frame_label": "engagement {value}",
    "class.plot_timeline_hover": "{state}: %{{y:.2f}} at %{{x:.0f}} s, mean of %{{customdata}} students",
    "class.plot_time_axis": "time (s), each point is the middle of a {bin} s bin",
    "class.plot_students_title": "Each student's mean level<br><sup>0 {low} - 3 {high}</sup>",
    "class.plot_student_hover": "{name}<br>{state}: mean level {mean} over {seconds} s",
    "class.plot_student_share": "level {level} ({name}): {share} of the time",
    "class.plot_no_estimate": "{name}: no estimate",
    "class.plan_head": "Finding faces on the CPU in {windows}; then at most {clips}",
    "class.plan_local": "{head}, analysed by the model in at most {calls}…",
    "class.plan_zerogpu": "{head} in at most {calls} of at most {seconds} s each (× {factor} scheduled against your daily quota)…",
    "class.progress_finding": "Finding faces in {seconds} s of video",
    "class.progress_window": "Window {k} of {total}: faces found; {clips} analysed",
    "class.progress_last": "Analysing the last {clips}",
    "unit.face_clip.one": "{n} face clip (one student's face over one 10 s window)",
    "unit.face_clip.many": "{n} face clips (one student's face over one 10 s window each)",
    "unit.clip_done.one": "{n} face clip",
    "unit.clip_done.many": "{n} face clips",
    "unit.gpu_call.one": "{n} GPU call",
    "unit.gpu_call.many": "{n} GPU calls",
    "unit.second.one": "{n} second",
    "unit.second.many": "{n} seconds",
    "unit.minute.one": "{n} minute",
    "unit.minute.many": "{n} minutes",
    "time.after_last_use": "{duration} after its last use",
    # library errors (engage/errors.py, media.py, classroom): keys "error.*"
    "common.error": "Error",
    "error.send_as_file": "Send the picture or video as a file upload.",
    "error.image_too_large": "The image is {width}×{height} ({mp} megapixels); the limit is {limit} megapixels.",
    "error.image_empty": "The image is empty (zero pixels).",
    "error.image_bomb": "The image is too large to decode safely: over {limit} megapixels.",
    "error.not_image": "This file is not an image we can read.",
    "error.image_corrupt": "The image could not be decoded; it may be truncated or corrupt.",
    "error.no_camera_frame": "No frame was received from the camera.",
    "error.camera_frame_empty": "The camera frame is empty.",
    "error.frame_not_rgb": "Expected an RGB frame (a colour picture), got one of shape {shape}.",
    "error.frames_differ": "All frames of a clip must have the same size.",
    "error.no_file": "No file was given, or it no longer exists.",
    "error.file_empty": "The file is empty (0 bytes).",
    "error.file_too_large": "The file is {size} MB; the limit is {limit} MB.",
    "error.not_media": "This file is neither an image nor a video we can read.",
    "error.no_video_stream": "The file has no video stream (audio only?).",
    "error.video_unopenable": "The video could not be opened; it may be truncated or corrupt.",
    "error.video_no_size": "The video stream has no frame size; the file may be corrupt.",
    "error.video_too_large": "The video is {width}×{height}; the largest side accepted is {limit} pixels.",
    "error.video_no_rate": "The video has no usable frame rate; the file may be corrupt.",
    "error.video_empty": "The video has no frames (zero length).",
    "error.video_too_long": "The video lasts {seconds} s; the limit is {limit} s. Trim it and try again.",
    "error.video_undecodable": "The video could not be decoded; it may be truncated or corrupt.",
    "error.video_undecodable_after": "The video could not be decoded after {seconds} s; it may be truncated or corrupt.",
    "error.roster_not_json": "This file is not a roster exported by engage (not JSON).",
    "error.roster_not_roster": "This file is not a roster exported by engage.",
    "error.roster_damaged": "This roster file is damaged: it does not hold names with face descriptors as engage exports them.",
    "error.roster_no_face": "No face found in the photo for {name}: use a photo where the face is frontal, lit and at least 40 pixels wide.",
    "error.roster_no_face_unnamed": "No face found in the photo for this student: use a photo where the face is frontal, lit and at least 40 pixels wide.",
    "error.roster_needs_name": "A roster photo needs a name: type it in the name field or name the file after the student.",
    "error.roster_full": "A roster holds at most {n} students.",
    "error.roster_photos_full": "{name} already has {n} photos, the most a student can have.",
    "error.roster_descriptor": "A face descriptor has {n} finite numbers.",
    "error.name_too_long": "A name has at most {n} characters; '{start}…' has {length}.",
    "error.name_control": "A name cannot hold control characters: {name}.",
    "error.name_format": "A name cannot hold invisible formatting characters (such as a text-direction override or a zero-width space): {name}.",
    "error.name_not_text": "A name must be text.",
    "error.roster_merge_full": (
        "This roster file has {new} students not yet in the roster, which has {have}; "
        "a roster holds at most {n} students, so none of them was added."
    ),
    "error.roster_too_big": "This file is too large to be a roster exported by engage (at most {mb} MB).",
    "error.image_metadata": "The image carries more embedded data (text or a colour profile) than engage reads; save it again without its metadata.",
    "error.no_student": "There is no student {id} in this session.",
    "error.no_student_ids": "There is no student {id} in this session (ids: {ids}).",
    "error.no_student_yet": "There is no student {id} in this session (none seen yet).",
    "error.merge_self": "Student {id} cannot be merged with itself.",
    "error.merge_together": "Students {a} and {b} were both in the frame at {t} s: they are two people.",
    "error.rename_unreadable": "Cannot read {part}: write renames as 1=Alice, 2=Bob (or 3=1 to merge 3 into 1).",
    "error.rename_format": "Write renames as 1=Alice, 2=Bob (or 3=1 to merge 3 into 1).",
    "error.unknown_method": "Unknown method {method}; choose one of {choices}.",
    # Gradio's own words, as Gradio writes them in English (matched in the browser: keep them exact), see engage/ui/gradio_words.py
    "gradio.drop_video": "Drop Video Here",
    "gradio.drop_image": "Drop Image Here",
    "gradio.drop_file": "Drop File Here",
    "gradio.or": "- or -",
    "gradio.click_to_upload": "Click to Upload",
    "gradio.access_webcam": "Click to Access Webcam",
    "gradio.grant_webcam": "grant webcam access",
    "gradio.paste": "Paste from clipboard",
    "gradio.error": "Error",
    "gradio.uploading": "Uploading...",
    "gradio.loading": "Loading...",
    "gradio.fullscreen": "Fullscreen",
    "gradio.download": "Download",
    "gradio.clear": "Clear",
    "gradio.copy_table": "Copy table data",
    "gradio.use_via_api": "Use via API",
    "gradio.built_with": "Built with Gradio",
    "gradio.settings": "Settings",
    "gradio.processing": "processing",
    "gradio.queue": "queue:",
    "gradio.video_not_playable": "Video not playable",
    "gradio.runs": "Runs",
    "gradio.runs_saved": "View runs saved in this browser",
    "gradio.reset_video": "Reset video to initial value",
    "gradio.trim_video": "Trim video to selection",
}
