"""The class report: a written summary and per-student recommendations from a session's numbers.

Two ways to write it, both from the same facts (``report_facts``):
- a deterministic template (always available, and what the tests pin down word for word);
- Qwen2.5-VL-7B-Instruct itself, prompted with those facts as text. Its answer is checked (length, share of
  real words, repetition) and cleaned (no HTML); when it fails the check, the template is used and the
  report says so. The first classroom project's generator produced gibberish; this one cannot show it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..affect.results import LEVEL_NAMES
from .session import EMOTIONS, ClassSession

LIMITS_NOTE = (
    "**What these numbers can and cannot say.** They are estimates from faces on camera, per second, by a model "
    "trained on one learner at a laptop (DAiSEE). They can show tendencies over a lesson and moments worth a second "
    "look. They cannot say what a student understands, feels or intends, and should never be used to grade or "
    "discipline anyone. Faces that were hidden, turned away or too small were not measured."
)

LOW_ENGAGEMENT = 1.5  # mean expected Engagement level (0-3) below this counts as low
HIGH_SHARE = 0.3  # share of a student's time at level 2-3 of a state that counts as "often"
LOW_ATTENTION = 0.5


@dataclass
class ClassReport:
    markdown: str
    source: str  # "template" or "generated"
    note: str = ""
    tokens: int = 0  # tokens the model generated (0 for the template): what the GPU's time went into


def _level_name(expected: float) -> str:
    """The level an expected value is near, or the two it lies between (1.5 is neither low nor high)."""
    expected = min(3.0, max(0.0, expected))
    low = min(2, int(expected))
    if 0.35 <= expected - low <= 0.65:
        return f"between {LEVEL_NAMES[low]} and {LEVEL_NAMES[low + 1]}"
    return LEVEL_NAMES[int(round(expected))]


def report_facts(session: ClassSession) -> dict:
    """The numbers the report may use, rounded as a reader would."""
    cards = session.cards()
    students = []
    for s in session.students():
        measured = s["affect_seconds"] > 0
        high = {state: round(share[2] + share[3], 2) for state, share in s["level_share"].items()} if measured else {}
        students.append(
            {
                "name": s["name"],
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


def _student_advice(st: dict) -> list[str]:
    tips = []
    often = st["often_high"]
    if st["engagement"] is not None and st["engagement"] < LOW_ENGAGEMENT:
        tips.append("Engagement looked low: ask them a direct question or give a short hands-on task.")
    if often.get("Confusion", 0) >= HIGH_SHARE:
        tips.append(f"Looked confused {often['Confusion']:.0%} of the time: revisit the last explanation with a worked example.")
    if often.get("Boredom", 0) >= HIGH_SHARE:
        tips.append(f"Looked bored {often['Boredom']:.0%} of the time: a change of activity or a short break may help.")
    if often.get("Frustration", 0) >= HIGH_SHARE:
        tips.append("Showed signs of frustration: encourage them and offer a smaller next step.")
    if st["attention_share"] is not None and st["attention_share"] < LOW_ATTENTION:
        tips.append(f"Faced the screen or board {st['attention_share']:.0%} of the time: check whether they can see and follow.")
    if not tips and st["engagement"] is None:
        tips.append("Not seen long enough for an estimate.")
    elif not tips:
        tips.append("Engaged and attentive: tell them so, and offer a stretch task.")
    return tips


def _most_likely(st: dict, top: int = 3) -> str:
    """"neutral 60%, happy 30%": the emotions most often the most likely, largest first, those above 0."""
    shares = sorted(st["emotions_over_time"].items(), key=lambda kv: -kv[1])
    return ", ".join(f"{e} {v:.0%}" for e, v in shares[:top] if v > 0)


def emotions_table(facts: dict) -> str:
    """Per student and emotion: "60% · 0.45" = share of the analysed time it was the most likely · mean probability."""
    rows = [st for st in facts["students"] if st["emotions_over_time"]]
    if not rows:
        return ""
    lines = ["### Emotions per student", "",
             "Share of the analysed time each emotion was the most likely · its mean probability (zero-shot, same model).", "",
             "| student | " + " | ".join(EMOTIONS) + " |", "|---|" + "---|" * len(EMOTIONS)]
    for st in rows:
        cells = [f"{st['emotions_over_time'][e]:.0%} · {st['emotion_mean'][e]:.2f}" for e in EMOTIONS]
        lines.append(f"| {html.escape(st['name'], quote=False)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def template_report(session: ClassSession) -> ClassReport:
    f = report_facts(session)
    if not f["students_seen"]:
        return ClassReport("No faces were found in this session, so there is nothing to report.\n\n" + LIMITS_NOTE, "template")
    lines = ["### Class summary", ""]
    attention = f" Students faced the screen or board {f['attention_share']:.0%} of the time." if f["attention_share"] is not None else ""
    lines.append(
        f"{f['students_seen']} student{'s' if f['students_seen'] != 1 else ''} seen over {f['minutes']} min. "
        f"Average engagement {f['average_engagement']:.1f} of 3 ({_level_name(f['average_engagement'])}). "
        f"Confusion was high {f['confused_share']:.0%} and boredom {f['bored_share']:.0%} of student-time.{attention}"
    )
    why = []
    if f["average_engagement"] < LOW_ENGAGEMENT:
        why.append(f"engagement was low across the class ({f['average_engagement']:.1f} of 3)")
    if f["bored_share"] >= HIGH_SHARE:
        why.append(f"boredom was high {f['bored_share']:.0%} of student-time")
    if why:
        lines += ["", f"**Break suggestion:** {' and '.join(why)}; a two-minute break or a change of activity is worth trying."]
    if f["confused_share"] >= HIGH_SHARE:
        lines += ["", "**To revisit:** many faces looked confused; go over the last part again, with an example."]
    lines += ["", "### Students", ""]
    for st in f["students"]:
        emotion = f", most likely emotion over time: {_most_likely(st)}" if st["emotions_over_time"] else ""
        engagement = f", engagement {st['engagement']:.1f}/3" if st["engagement"] is not None else ""
        lines.append(f"- **{html.escape(st['name'], quote=False)}** ({st['minutes_seen']} min{engagement}{emotion}): " + " ".join(_student_advice(st)))
    table = emotions_table(f)
    lines += ["", table] if table else []
    lines += ["", LIMITS_NOTE]
    return ClassReport("\n".join(lines), "template")


# ---------------------------------------------------------------- the generative path


def _prompt(facts: dict) -> str:
    return (
        "You are helping a teacher after a lesson. Using ONLY the numbers below (levels run 0-3; shares are fractions "
        "of time), write: a short summary of the class (3 sentences), then one bullet per student with one study tip, "
        "one break or pacing suggestion if needed, and one sentence of encouragement, and finally what to revisit. "
        "Do not invent facts, names or numbers. Plain text, no HTML.\n\n"
        f"{facts}"
    )


def text_quality(text: str) -> tuple[bool, str]:
    """Whether generated text reads like prose: long enough, mostly real words, not looping."""
    words = re.findall(r"[A-Za-z]+", text)
    if len(words) < 20:
        return False, "too short"
    if sum(len(w) for w in words) / max(len(text), 1) < 0.55:
        return False, "too few letters"
    real = sum(1 for w in words if re.fullmatch(r"[A-Za-z][a-z]{1,14}|[A-Z]{1,4}", w))
    if real / len(words) < 0.8:
        return False, "not enough ordinary words"
    trigrams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    if trigrams and len(set(trigrams)) / len(trigrams) < 0.6:
        return False, "repetitive"
    return True, ""


def clean_generated(text: str, max_chars: int = 4000) -> str:
    """No markup from the model reaches the page: HTML is escaped, length capped."""
    return html.escape(text.strip()[:max_chars], quote=False)


def generate_text(backbone, prompt: str, max_new_tokens: int = 400) -> str:
    import torch

    messages = [{"role": "user", "content": prompt}]
    text = backbone.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    batch = backbone.processor(text=[text], return_tensors="pt").to(backbone.device)
    with torch.inference_mode(), backbone.lock:
        out = backbone.model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False)
    return backbone.tokenizer.decode(out[0, batch["input_ids"].shape[1] :], skip_special_tokens=True)


def class_report(session: ClassSession, backbone=None, max_new_tokens: int = 400) -> ClassReport:
    """The generated report when a backbone is given and its text passes the check, else the template."""
    template = template_report(session)
    if backbone is None or not session.cards()["students_seen"]:
        return template
    raw = generate_text(backbone, _prompt(report_facts(session)), max_new_tokens)
    tokens = len(backbone.tokenizer(raw, add_special_tokens=False)["input_ids"])
    ok, why = text_quality(raw)
    if not ok:
        note = f"The generated text failed the quality check ({why}); this is the template report."
        return ClassReport(f"> {note}\n\n" + template.markdown, "template", note, tokens)
    prefix = "> ⚠️ Written by random test weights: meaningless.\n\n" if getattr(backbone, "is_test_weights", False) else ""
    table = emotions_table(report_facts(session))
    return ClassReport(prefix + clean_generated(raw) + "\n\n" + (table + "\n\n" if table else "") + LIMITS_NOTE, "generated", tokens=tokens)
