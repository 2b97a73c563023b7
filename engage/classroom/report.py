"""The class report: a written summary and per-student recommendations from a session's numbers, in the visitor's
language (Vietnamese or English; every sentence from the catalogue, keys "report.*").

Two ways to write it, both from the same facts (``report_facts``):
- a deterministic template (always available, and what the tests pin down word for word);
- Qwen2.5-VL-7B-Instruct itself, prompted with those facts as text and asked to write in the visitor's language. Its
  answer is checked (length, share of real words, repetition) and cleaned (no HTML); when it fails the check, the
  template is used and the report says so. The first classroom project's generator produced gibberish; this one
  cannot show it.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from ..i18n import DEFAULT, number, text
from ..i18n.glossary import emotion_name, level_name
from .session import EMOTIONS, ClassSession

LIMITS_NOTE = text("report.limits")  # in English; ``limits_note(lang)`` in the visitor's language

# mean expected Engagement level (0-3) below this counts as low: where the level's name stops being "between low and
# high" (``_level_name``), so the report never calls one number both
LOW_ENGAGEMENT = 1.35
HIGH_SHARE = 0.3  # share of a student's time at level 2-3 of a state that counts as "often"
LOW_ATTENTION = 0.5


@dataclass
class ClassReport:
    markdown: str
    source: str  # "template" or "generated"
    note: str = ""
    tokens: int = 0  # tokens the model generated (0 for the template): what the GPU's time went into


def limits_note(lang: str = DEFAULT) -> str:
    """What these numbers can and cannot say, in ``lang``."""
    return text("report.limits", lang)


# What makes Markdown of plain text (CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped mark
# reads as itself): emphasis and code anywhere (* _ ` ~), links and images ([ ]), table cells (|), autolinks ("https://",
# "www.", "a@b"), and a list marker or heading at the start ("- ", "1. ", "#"). "<", ">" and "&" become HTML entities.
# Everything else (a full stop, a hyphen inside a name, a colon in a sentence) stays as it is.
_MARKDOWN = re.compile(r"[\\`*_~\[\]|@]|:(?=//)|(?<=www)\.|^\s*(?:[-+#]|\d+(?=[.)]))", re.IGNORECASE)


def markdown_text(words: object) -> str:
    """Visitor's text (a name, a file name, a line that holds them) placed in Markdown, shown as typed: never a link,
    an image, an autolink, emphasis, a heading, a list or a table cell of its own."""
    def escaped(m: re.Match) -> str:
        mark = m.group(0)  # "12" of "12. " gets its backslash after (before the "."), any other mark before its last character
        return mark + "\\" if mark[-1:].isdigit() else mark[:-1] + "\\" + mark[-1]

    return html.escape(_MARKDOWN.sub(escaped, str(words)), quote=False)


def _pct(share: float) -> str:
    """A share as a whole percentage, "62%" in every language."""
    return f"{share:.0%}"


def _level_name(expected: float, lang: str = DEFAULT) -> str:
    """The Engagement level an expected value is near, or the two it lies between (1.5 is neither low nor high)."""
    expected = min(3.0, max(0.0, expected))
    low = min(2, int(expected))
    if 0.35 <= expected - low <= 0.65:
        return text("report.level_between", lang, low=level_name(low, lang, "Engagement"), high=level_name(low + 1, lang, "Engagement"))
    return text("report.level", lang, level=level_name(int(round(expected)), lang, "Engagement"))


def report_facts(session: ClassSession, lang: str = DEFAULT) -> dict:
    """The numbers the report may use, rounded as a reader would. Field names and numbers stay English (machines read
    them); only the names of students not renamed follow ``lang`` ("Học sinh 1")."""
    cards = session.cards()
    named = session.custom_names
    students = []
    for s in session.students():
        measured = s["affect_seconds"] > 0
        high = {state: round(share[2] + share[3], 2) for state, share in s["level_share"].items()} if measured else {}
        students.append(
            {
                "name": s["name"] if s["id"] in named else text("class.student_n", lang, id=s["id"]),
                "minutes_seen": round(s["seconds"] / 60, 1),
                "engagement": round(s["mean_level"]["Engagement"], 2) if measured else None,
                "often_high": high,
                "dominant_emotion": s["dominant_emotion"],
                # per emotion: share of the analysed time it was the most likely, and its mean probability
                "emotions_over_time": {e: round(s["emotion_share"][e], 2) for e in EMOTIONS} if s["emotion_seconds"] else {},
                "emotion_mean": {e: round(s["emotions"][e], 2) for e in EMOTIONS} if s["emotion_seconds"] else {},
                "attention_share": round(s["attention_share"], 2) if s["attention_seconds"] else None,
            }
        )
    return {
        "students_seen": cards["students_seen"],
        "minutes": round(cards["session_seconds"] / 60, 1),
        "average_engagement": round(cards["average_engagement"], 2),
        "confused_share": round(cards["confused_share"], 2),
        "bored_share": round(cards["bored_share"], 2),
        "attention_share": round(cards["attention_share"], 2) if cards["attention_seconds"] else None,
        "students": students,
    }


def _student_advice(st: dict, lang: str = DEFAULT) -> list[str]:
    tips = []
    often = st["often_high"]
    if st["engagement"] is not None and st["engagement"] < LOW_ENGAGEMENT:
        tips.append(text("report.tip_low_engagement", lang))
    if often.get("Confusion", 0) >= HIGH_SHARE:
        tips.append(text("report.tip_confused", lang, share=_pct(often["Confusion"])))
    if often.get("Boredom", 0) >= HIGH_SHARE:
        tips.append(text("report.tip_bored", lang, share=_pct(often["Boredom"])))
    if often.get("Frustration", 0) >= HIGH_SHARE:
        tips.append(text("report.tip_frustrated", lang))
    if st["attention_share"] is not None and st["attention_share"] < LOW_ATTENTION:
        tips.append(text("report.tip_attention", lang, share=_pct(st["attention_share"])))
    if not tips and st["engagement"] is None:
        tips.append(text("report.tip_unmeasured", lang))
    elif not tips:
        tips.append(text("report.tip_well", lang))
    return tips


def _most_likely(st: dict, lang: str = DEFAULT, top: int = 3) -> str:
    """"neutral 60%, happy 30%": the emotions most often the most likely, largest first, those above 0."""
    shares = sorted(st["emotions_over_time"].items(), key=lambda kv: -kv[1])
    return ", ".join(f"{emotion_name(e, lang)} {_pct(v)}" for e, v in shares[:top] if v > 0)


def emotions_table(facts: dict, lang: str = DEFAULT) -> str:
    """Per student and emotion: "60% · 0.45" = share of the analysed time it was the most likely · mean probability."""
    rows = [st for st in facts["students"] if st["emotions_over_time"]]
    if not rows:
        return ""
    lines = [text("report.emotions_heading", lang), "", text("report.emotions_note", lang), "",
             f"| {text('report.emotions_student', lang)} | " + " | ".join(emotion_name(e, lang) for e in EMOTIONS) + " |",
             "|---|" + "---|" * len(EMOTIONS)]
    for st in rows:
        cells = [f"{_pct(st['emotions_over_time'][e])} · {number(st['emotion_mean'][e], lang, 2)}" for e in EMOTIONS]
        lines.append(f"| {markdown_text(st['name'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def warnings_lines(warnings: tuple[str, ...] | list[str], lang: str = DEFAULT) -> str:
    """The page's warnings (catalogue keys, e.g. random test weights) as the report's first lines."""
    return "".join(f"> ⚠️ {text(k, lang)}\n\n" for k in warnings)


def _student_line(st: dict, photo: bool, lang: str = DEFAULT) -> str:
    """"- **Bao** (1.0 min, engagement 0.8/3, most likely emotion over time: …): advice"; a photo has no minutes."""
    details = [] if photo else [text("report.student_minutes", lang, minutes=number(st["minutes_seen"], lang, 1))]
    if st["engagement"] is not None:
        details.append(text("report.student_engagement", lang, engagement=number(st["engagement"], lang, 1)))
    if st["emotions_over_time"]:
        details.append(text("report.student_emotions", lang, emotions=_most_likely(st, lang)))
    name, advice = markdown_text(st["name"]), " ".join(_student_advice(st, lang))
    if not details:
        return text("report.student_bare", lang, name=name, advice=advice)
    return text("report.student", lang, name=name, details=", ".join(details), advice=advice)


def template_report(session: ClassSession, lang: str = DEFAULT, photo: bool = False, warnings: tuple[str, ...] | list[str] = ()) -> ClassReport:
    """The fixed report; ``photo``: the session is one photo (no minutes to tell); ``warnings``: catalogue keys of the
    page's warnings (random test weights, untrained heads), said first as on the page."""
    f = report_facts(session, lang)
    if not f["students_seen"]:
        return ClassReport(warnings_lines(warnings, lang) + text("report.no_faces", lang) + "\n\n" + limits_note(lang), "template")
    n, engagement = f["students_seen"], number(f["average_engagement"], lang, 1)
    attention = text("report.summary_attention", lang, share=_pct(f["attention_share"])) if f["attention_share"] is not None else ""
    lines = [warnings_lines(warnings, lang) + text("report.summary_heading", lang), ""]
    lines.append(
        text(
            "report.summary_photo" if photo else "report.summary", lang, students=text(f"report.students.{'one' if n == 1 else 'many'}", lang, n=n),
            minutes=number(f["minutes"], lang, 1), engagement=engagement, level=_level_name(f["average_engagement"], lang),
            confused=_pct(f["confused_share"]), bored=_pct(f["bored_share"]), attention=attention,
        )
    )
    why = []
    if f["average_engagement"] < LOW_ENGAGEMENT:
        why.append(text("report.break_low_engagement", lang, engagement=engagement))
    if f["bored_share"] >= HIGH_SHARE:
        why.append(text("report.break_bored", lang, share=_pct(f["bored_share"])))
    if why:
        reasons = why[0] if len(why) == 1 else text("report.break_both", lang, first=why[0], second=why[1])
        lines += ["", text("report.break", lang, reasons=reasons)]
    if f["confused_share"] >= HIGH_SHARE:
        lines += ["", text("report.revisit", lang)]
    lines += ["", text("report.students_heading", lang), ""]
    lines += [_student_line(st, photo, lang) for st in f["students"]]
    table = emotions_table(f, lang)
    lines += ["", table] if table else []
    lines += ["", limits_note(lang)]
    return ClassReport("\n".join(lines), "template")


# ---------------------------------------------------------------- the generative path


def _prompt(facts: dict, lang: str = DEFAULT) -> str:
    """What the model is asked: the report in ``lang``, from these facts only."""
    return text("report.prompt", lang, facts=facts)


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # a run of letters, any alphabet (Vietnamese's "được" is one word)


def _real_word(word: str) -> bool:
    """An ordinary word: English-like (Capitalised or lowercase, 2-15 letters; or an acronym of up to 4 capitals), or a
    Vietnamese syllable (1-7 letters, at least one of them beyond ASCII, lowercase after an optional capital)."""
    if word.isascii():
        return re.fullmatch(r"[A-Za-z][a-z]{1,14}|[A-Z]{1,4}", word) is not None
    return len(word) <= 7 and (word.islower() or (word[0].isupper() and (len(word) == 1 or word[1:].islower())))


def text_quality(words_text: str, lang: str = DEFAULT) -> tuple[bool, str]:
    """Whether generated text reads like prose: long enough, mostly real words, not looping. Letters of any alphabet
    count, so Vietnamese prose passes as English does. The reason it fails is in ``lang``."""
    prose = unicodedata.normalize("NFC", words_text)  # "ế" as one letter, not "e" and two combining marks
    words = _WORD.findall(prose)
    if len(words) < 20:
        return False, text("report.quality_short", lang)
    if sum(len(w) for w in words) / max(len(prose), 1) < 0.55:
        return False, text("report.quality_letters", lang)
    real = sum(1 for w in words if _real_word(w))
    if real / len(words) < 0.8:
        return False, text("report.quality_words", lang)
    trigrams = [tuple(w.lower() for w in words[i : i + 3]) for i in range(len(words) - 2)]
    if trigrams and len(set(trigrams)) / len(trigrams) < 0.6:
        return False, text("report.quality_repetitive", lang)
    return True, ""


# What would turn the model's text into a link, an image or a table cell: brackets (links, images), a colon (an
# autolink's "https:"), "@" (a mail autolink), "www." (a www autolink), a pipe (a table row). A name the model repeats
# ("![p](https://…)") stays text; backslash-escaped, each reads as it was written.
_LINKY = re.compile(r"[\[\]|:@]|(?<=www)\.", re.IGNORECASE)


def clean_generated(raw: str, max_chars: int = 4000) -> str:
    """No markup from the model reaches the page: HTML is escaped, links, images, autolinks and tables are made
    text, length capped."""
    return _LINKY.sub(lambda m: "\\" + m.group(0), html.escape(raw.strip()[:max_chars], quote=False))


def generate_text(backbone, prompt: str, max_new_tokens: int = 400) -> str:
    import torch

    messages = [{"role": "user", "content": prompt}]
    chat = backbone.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    batch = backbone.processor(text=[chat], return_tensors="pt").to(backbone.device)
    with torch.inference_mode(), backbone.lock:
        out = backbone.model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False)
    return backbone.tokenizer.decode(out[0, batch["input_ids"].shape[1] :], skip_special_tokens=True)


def class_report(session: ClassSession, backbone=None, max_new_tokens: int = 400, lang: str = DEFAULT, photo: bool = False,
                 warnings: tuple[str, ...] | list[str] = ()) -> ClassReport:
    """The generated report (asked in ``lang``) when a backbone is given and its text passes the check, else the
    template; every word around it in ``lang``, the page's ``warnings`` (catalogue keys) first."""
    template = template_report(session, lang, photo, warnings)
    if backbone is None or not session.cards()["students_seen"]:
        return template
    facts = report_facts(session, lang)
    if photo:  # one photo: no minutes for the model to talk about
        facts = {k: v for k, v in facts.items() if k != "minutes"}
        facts["students"] = [{k: v for k, v in st.items() if k != "minutes_seen"} for st in facts["students"]]
    raw = generate_text(backbone, _prompt(facts, lang), max_new_tokens)
    tokens = len(backbone.tokenizer(raw, add_special_tokens=False)["input_ids"])
    ok, why = text_quality(raw, lang)
    if not ok:
        note = text("report.quality_failed", lang, why=why)
        body = template_report(session, lang, photo).markdown
        return ClassReport(warnings_lines(warnings, lang) + f"> {note}\n\n" + body, "template", note, tokens)
    test_weights = f"> ⚠️ {text('report.test_weights', lang)}\n\n" if getattr(backbone, "is_test_weights", False) else ""
    prefix = warnings_lines(warnings, lang) if warnings else test_weights
    table = emotions_table(facts, lang)
    return ClassReport(prefix + clean_generated(raw) + "\n\n" + (table + "\n\n" if table else "") + limits_note(lang), "generated", tokens=tokens)
