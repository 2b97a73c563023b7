"""What the app shows: text, figures and export files built from an ``Analysis`` (no Gradio here)."""
from __future__ import annotations

import csv
import html
import io

from ..affect.pipeline import TEST_WEIGHTS_WARNING, UNTRAINED_HEADS_WARNING
from ..affect.results import LEVELS, STATES, Analysis
from ..classroom.report import markdown_text
from ..classroom.session import EMOTIONS, check_name, no_student
from ..errors import InvalidInputError
from ..i18n import DEFAULT, count, glossary, number, text
from ..settings import session_ttl_seconds
from . import plots
from .exports import write_export


def minutes(seconds: float, lang: str = DEFAULT) -> str:
    """A setting's duration as a visitor reads it: "10 minutes", "1 minute", "45 seconds", "1,5 phút"."""
    unit, n = ("second", seconds) if seconds < 60 else ("minute", seconds / 60)
    return text(f"unit.{unit}.{'one' if n == 1 else 'many'}", lang, n=f"{n:g}".replace(".", "," if lang == "vi" else "."))


def session_lifetime(lang: str = DEFAULT) -> str:
    """How long a visitor's session (results, names, exports) lives, in words."""
    return text("time.after_last_use", lang, duration=minutes(session_ttl_seconds(), lang))


def escape(text: object) -> str:
    """Text shown as Markdown or in a toast (both render HTML): ``<State>`` stays text, not a tag."""
    return html.escape(str(text), quote=False)


def escape_markdown(words: object) -> str:
    """A visitor's text (names, file names, a line that holds them) shown in Markdown as typed: no link, image,
    autolink, emphasis or table cell of its own, and no tag (``markdown_text``)."""
    return markdown_text(words)


def error_markdown(message: object) -> str:
    """An error in a summary box: one line, escaped."""
    return f"> ⚠️ {escape(message)}"


# The engine's warnings (English in the JSON, which machines read) as the visitor reads them
WARNING_KEYS = {TEST_WEIGHTS_WARNING: "warning.test_weights", UNTRAINED_HEADS_WARNING: "warning.untrained_heads"}


def warning_banner(warnings: list[str], lang: str = DEFAULT) -> str:
    shown = [text(WARNING_KEYS[w], lang) if w in WARNING_KEYS else w for w in warnings]
    return "".join(f"> ⚠️ **{escape(w)}**\n>\n" for w in shown)


def summary_markdown(analysis: Analysis, lang: str = DEFAULT) -> str:
    """Headline per state (most likely level and its probability) and what the result covers."""
    overall = analysis.overall
    frames = count(overall.frames, "frame", lang)
    if analysis.kind == "image":
        covers = text("result.covers_image", lang)
    elif analysis.kind == "webcam":
        covers = text("result.covers_webcam", lang, seconds=f"{analysis.duration:.0f}", frames=frames)
    else:
        done = analysis.windows[-1].end if analysis.windows else analysis.duration
        duration = number(analysis.duration, lang)
        whole = done >= analysis.duration - 0.05
        span = text("result.span_whole", lang, duration=duration) if whole else text("result.span_first", lang, done=number(done, lang), duration=duration)
        covers = text("result.covers_video", lang, span=span, windows=count(len(analysis.windows), "window", lang), frames=frames)
    lines = [warning_banner(analysis.warnings, lang), text("result.headline", lang, method=glossary.METHODS[lang][analysis.method], covers=covers), ""]
    lines += [text("result.table_head", lang), "|---|---|---|---|"]
    for s in STATES:
        sc = overall.scores[s]
        lines.append(f"| {glossary.state_name(s, lang)} | {sc.level} ({glossary.level_name(sc.level, lang, s)}) | {sc.probs[sc.level]:.0%} | "
                     f"{number(sc.expected, lang, 2)} |")
    if len(analysis.windows) > 1:
        lines += ["", text("result.averaged", lang)]
    return "\n".join(lines)


def share_table(analysis: Analysis, lang: str = DEFAULT) -> dict:
    """The share-of-time table: per state, the percent of time at levels 0..3, with its headers."""
    share = analysis.level_share()
    rows = [[glossary.state_name(s, lang)] + [round(100 * share[s][lv], 1) for lv in LEVELS] for s in STATES]
    return {"headers": share_headers(lang), "data": rows}


def share_headers(lang: str = DEFAULT) -> list[str]:
    return [text("result.share_state", lang)] + [text("result.share_level", lang, level=lv) for lv in LEVELS]


SHARE_HEADERS = share_headers()


def write_exports(analysis: Analysis, folder: str) -> tuple[str, str]:
    """The per-window results of one analysis as JSON and CSV."""
    return write_export(folder, analysis.kind, {".json": analysis.to_json(), ".csv": analysis.to_csv()})


def single_outputs(analysis: Analysis, lang: str = DEFAULT):
    """Image and webcam tabs: (summary markdown, four-panel figure, JSON)."""
    title = text("plot.bars_title", lang) + (f" ({text('plot.test_weights', lang)})" if analysis.warnings else "")
    return summary_markdown(analysis, lang), plots.level_bars(analysis.overall, title, lang), analysis.to_dict()


def video_outputs(analysis: Analysis, export_dir: str, lang: str = DEFAULT):
    """Video tab: summary, four-panel bars, timeline, share figure, share table, JSON, export files."""
    md, bars, data = single_outputs(analysis, lang)
    files = list(write_exports(analysis, export_dir))
    timeline = plots.timeline(analysis, lang=lang) if len(analysis.windows) > 1 else plots.placeholder(text("result.one_window", lang))
    return md, bars, timeline, plots.level_share(analysis, lang=lang), share_table(analysis, lang), data, files


def single_error(message: object, lang: str = DEFAULT) -> tuple[str, object, None]:
    """Image and webcam tabs after an error: the message where the summary was, the old figure and JSON gone."""
    return error_markdown(message), plots.placeholder(text("result.see_above", lang)), None


def video_cleared(message: str, lang: str = DEFAULT) -> tuple:
    """Video tab while a new clip is analysed: everything after the summary, emptied (nothing of the last clip
    stays beside the new one's plan or error); the table keeps its headers in the visitor's language."""
    table = {"headers": share_headers(lang), "data": []}
    return plots.placeholder(message), plots.placeholder(message), plots.placeholder(message), table, None, None


def partial_line(done: int, total: int, done_s: float, total_s: float, lang: str = DEFAULT) -> str:
    """Above the summary of a video still being analysed: how far it has come."""
    return text("video.partial", lang, done=done, total=total, done_min=number(done_s / 60, lang), total_min=number(total_s / 60, lang))


# ---------------------------------------------------------------- Classroom tab
# Column names of the tables (their CSV exports keep the English names, which machines read)
STUDENT_COLUMNS = ("h_id", "h_name", "h_seconds", "h_engagement", "h_confused", "h_bored", "h_emotion", "h_attending")


def student_headers(lang: str = DEFAULT) -> list[str]:
    return [text(f"class.{c}", lang) for c in STUDENT_COLUMNS]


def emotion_headers(lang: str = DEFAULT) -> list[str]:
    return [text("class.h_id", lang), text("class.h_name", lang), *(glossary.emotion_name(e, lang) for e in EMOTIONS)]


STUDENT_HEADERS = student_headers()
EMOTION_HEADERS = emotion_headers()


def student_names(session, lang: str = DEFAULT) -> dict[int, str]:
    """Each student's name as shown: the one given, else "Student 3" in the visitor's language."""
    return {i: name if i in session.custom_names else text("class.student_n", lang, id=i) for i, name in session.names.items()}


def emotion_rows(session, lang: str = DEFAULT) -> list[list]:
    """Per student, each emotion as "60% · 0.45": share of the analysed time it was the most likely · mean probability."""
    rows, names = [], student_names(session, lang)
    for s in session.students():
        cells = [f"{s['emotion_share'][e]:.0%} · {number(s['emotions'][e], lang, 2)}" if s["emotion_seconds"] else "" for e in EMOTIONS]
        rows.append([s["id"], names.get(s["id"], s["name"]), *cells])
    return rows


def classroom_cards(session, warnings: list[str], lang: str = DEFAULT) -> str:
    c = session.cards()
    if not c["students_seen"]:
        return warning_banner(warnings, lang) + text("class.none_seen", lang)
    attention = f"{c['attention_share']:.0%}" if c["attention_seconds"] else "–"
    # one card a row (label | value): five columns do not fit a phone's width
    labels = [label.strip() for label in text("class.cards_head", lang).strip().strip("|").split("|")]
    values = [str(c["students_seen"]), f"{number(c['average_engagement'], lang)} / 3", f"{c['confused_share']:.0%}", f"{c['bored_share']:.0%}", attention]
    rows = [f"| {label} | {value} |" for label, value in zip(labels, values)]
    return warning_banner(warnings, lang) + "\n".join([rows[0], "|---|---|", *rows[1:]])


def student_rows(session, lang: str = DEFAULT) -> list[list]:
    rows, names = [], student_names(session, lang)
    for s in session.students():
        measured = s["affect_seconds"] > 0
        share = s["level_share"]
        rows.append(
            [
                s["id"],
                names.get(s["id"], s["name"]),
                round(s["seconds"]),
                round(s["mean_level"]["Engagement"], 2) if measured else None,
                round(100 * (share["Confusion"][2] + share["Confusion"][3])) if measured else None,
                round(100 * (share["Boredom"][2] + share["Boredom"][3])) if measured else None,
                glossary.emotion_name(s["dominant_emotion"], lang) if s["dominant_emotion"] else "",
                round(100 * s["attention_share"]) if s["attention_seconds"] else None,
            ]
        )
    return rows


def parse_renames(text: str, known: list[int] | None = None) -> list[tuple[int, str | int]]:
    """'1=Alice, 2=Bob, 3=1' (or one per line) → [(1, 'Alice'), (2, 'Bob'), (3, 1)]: a name, or another id to merge
    into. Malformed parts, ids not in ``known`` and names too long or with control characters are reported
    (ValueError), never skipped."""
    out: list[tuple[int, str | int]] = []
    for part in [p for chunk in (text or "").splitlines() for p in chunk.split(",")]:
        if not part.strip():
            continue
        key, sep, name = part.partition("=")
        if not sep or not key.strip().isdigit() or not name.strip():
            raise InvalidInputError(key="error.rename_unreadable", part=repr(part.strip()))
        targets = [int(key)] + ([int(name)] if name.strip().isdigit() else [])
        for track_id in targets:
            if known is not None and track_id not in known:
                raise no_student(track_id, known)
        out.append((int(key), targets[1] if len(targets) > 1 else check_name(name)))
    if not out:
        raise InvalidInputError(key="error.rename_format")
    return out


def students_csv(session, lang: str = DEFAULT) -> str:
    """The per-student summary CSV. The one export a teacher opens in a spreadsheet: in Vietnamese it starts with a
    byte-order mark (so that Excel reads its diacritics as UTF-8) and a row of Vietnamese column names above the
    English ones, which machines read (``pandas.read_csv(path, skiprows=1)``). JSON and the other CSVs stay as they
    are in every language."""
    data = session.students_csv()
    if lang == DEFAULT:
        return data
    row = [text(f"csv.{c}", lang) for c in ("track_id", "name", "seconds", "first_seen", "last_seen", "affect_seconds")]
    row += [text("csv.mean_level", lang, state=glossary.state_name(s, lang)) for s in STATES]
    row += [text("csv.high_share", lang, state=glossary.state_name(s, lang)) for s in STATES]
    row += [text("csv.emotion_seconds", lang)]
    row += [text("csv.most_likely_share", lang, emotion=glossary.emotion_name(e, lang)) for e in EMOTIONS]
    row += [text("csv.mean_probability", lang, emotion=glossary.emotion_name(e, lang)) for e in EMOTIONS]
    row += [text("csv.attention_seconds", lang), text("csv.attention_share", lang)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return "\ufeff" + buf.getvalue() + data


def write_session_exports(session, folder: str, lang: str = DEFAULT) -> tuple[str, ...]:
    """A classroom session as JSON (everything), CSV (one row per observation) and a per-student summary CSV."""
    return write_export(folder, "class", {".json": session.to_json(), ".csv": session.to_csv(), "-students.csv": students_csv(session, lang)})


def room_status(room, lang: str = DEFAULT) -> str:
    """What the last frame showed, including the cap."""
    last = room.last
    if last is None:
        return text("class.status_none", lang)
    found = len(last.faces)
    if found == 0:
        return text("class.status_no_face", lang)
    capped = text("class.status_capped", lang, n=room.max_faces, more=last.beyond) if last.beyond else ""
    waiting = sum(i is None for i in last.ids)
    tracker = room.tracker
    waiting_words = text(f"class.status_waiting.{'one' if waiting == 1 else 'many'}", lang, n=waiting, hits=tracker.confirm_hits,
                         seconds=f"{tracker.confirm_seconds:g}") if waiting else ""
    return text(f"class.status_found.{'one' if found == 1 else 'many'}", lang, n=found, capped=capped, waiting=waiting_words)


def classroom_frame_outputs(room, lang: str = DEFAULT) -> tuple[str, object]:
    """What changes every observed second of the classroom camera: the status line and the annotated frame.
    Constant work per frame (the session's running sums), whatever the stream's length."""
    from . import classroom_plots

    session = room.session
    if room.last_frame is None or room.last is None:
        return escape(room_status(room, lang)), None
    shown = set(room.last.ids)
    students = {s["id"]: s for s in session.students() if s["id"] in shown}
    labels = {i: text("class.frame_label", lang, value=number(s["mean_level"]["Engagement"], lang))
              for i, s in students.items() if s["affect_seconds"]}
    frame = classroom_plots.annotate_frame(room.last_frame, room.last.faces, room.last.ids, student_names(session, lang), labels)
    return escape(room_status(room, lang)), frame


def classroom_outputs(room, warnings: list[str], export_dir: str | None = None, lang: str = DEFAULT):
    """(status, cards, annotated frame, class timeline, student heatmap, student table, emotion table, export
    files); the exports are written only when ``export_dir`` is given."""
    from . import classroom_plots

    session = room.session
    status, frame = classroom_frame_outputs(room, lang)
    if room.kind == "photo":
        timeline = plots.placeholder(text("class.photo_timeline", lang))
    else:
        timeline = classroom_plots.class_timeline(session, lang=lang)
    files = list(write_session_exports(session, export_dir, lang)) if export_dir and session.observations else None
    return (
        status,
        classroom_cards(session, warnings, lang),
        frame,
        timeline,
        classroom_plots.student_levels(session, lang=lang),
        {"headers": student_headers(lang), "data": student_rows(session, lang)},
        {"headers": emotion_headers(lang), "data": emotion_rows(session, lang)},
        files,
    )
