"""The class report: the template word for word, the generative path for shape and safety."""
from __future__ import annotations

import pytest

from engage.classroom import report as cr
from engage.classroom.session import ClassSession, Observation

CALM = {"Boredom": [0.7, 0.2, 0.05, 0.05], "Engagement": [0.0, 0.1, 0.3, 0.6], "Confusion": [0.8, 0.1, 0.05, 0.05], "Frustration": [0.9, 0.05, 0.03, 0.02]}
LOST = {"Boredom": [0.1, 0.2, 0.6, 0.1], "Engagement": [0.5, 0.3, 0.1, 0.1], "Confusion": [0.1, 0.2, 0.6, 0.1], "Frustration": [0.6, 0.2, 0.1, 0.1]}
HAPPY = {"angry": 0.0, "disgust": 0.0, "fear": 0.0, "happy": 0.7, "sad": 0.0, "surprise": 0.1, "neutral": 0.2}
SAD = {"angry": 0.0, "disgust": 0.0, "fear": 0.0, "happy": 0.1, "sad": 0.6, "surprise": 0.0, "neutral": 0.3}


def _session() -> ClassSession:
    s = ClassSession()
    for t in range(60):
        s.add(Observation(t=float(t), track_id=1, box=(0, 0, 10, 10), affect=CALM, emotions=HAPPY, pose=(0, 0, 0), attending=True))
        s.add(Observation(t=float(t), track_id=2, box=(20, 0, 30, 10), affect=LOST, emotions=SAD if t % 3 == 0 else HAPPY,
                          pose=(50, 0, 0), attending=t % 4 == 0))
    s.rename(2, "Bao")
    return s


def test_template_report_exactly():
    report = cr.template_report(_session())
    assert report.source == "template"
    assert report.markdown == "\n".join(
        [
            "### Class summary",
            "",
            "2 students seen over 1.0 min. Average engagement 1.6 of 3 (between low and high). Confusion was high 50% and boredom 50% "
            "of student-time. Students faced the screen or board 62% of the time.",
            "",
            "**Break suggestion:** boredom was high 50% of student-time; a two-minute break or a change of activity is worth trying.",
            "",
            "**To revisit:** many faces looked confused; go over the last part again, with an example.",
            "",
            "### Students",
            "",
            "- **Student 1** (1.0 min, engagement 2.5/3, most likely emotion over time: happy 100%): Engaged and attentive: "
            "tell them so, and offer a stretch task.",
            "- **Bao** (1.0 min, engagement 0.8/3, most likely emotion over time: happy 67%, sad 33%): Engagement looked low: "
            "ask them a direct question or give a "
            "short hands-on task. Looked confused 100% of the time: revisit the last explanation with a worked example. "
            "Looked bored 100% of the time: a change of activity or a short break may help. Faced the screen or board 25% "
            "of the time: check whether they can see and follow.",
            "",
            "### Emotions per student",
            "",
            "Share of the analysed time each emotion was the most likely · its mean probability (zero-shot, same model).",
            "",
            "| student | angry | disgust | fear | happy | sad | surprise | neutral |",
            "|---|---|---|---|---|---|---|---|",
            # Bao: sad-leaning in 20 of 60 s; mean happy (40 x 0.7 + 20 x 0.1) / 60 = 0.50, neutral 14 / 60 = 0.23
            "| Student 1 | 0% · 0.00 | 0% · 0.00 | 0% · 0.00 | 100% · 0.70 | 0% · 0.00 | 0% · 0.10 | 0% · 0.20 |",
            "| Bao | 0% · 0.00 | 0% · 0.00 | 0% · 0.00 | 67% · 0.50 | 33% · 0.20 | 0% · 0.07 | 0% · 0.23 |",
            "",
            cr.LIMITS_NOTE,
        ]
    )


@pytest.mark.parametrize(
    ("affect", "summary", "suggestion"),
    [
        (CALM, "Average engagement 2.5 of 3 (between high and very high).", None),
        (LOST, "Average engagement 0.8 of 3 (low).", "engagement was low across the class (0.8 of 3) and boredom was high 100% of student-time"),
    ],
)
def test_the_break_line_says_what_fired_it(affect, summary, suggestion):
    s = ClassSession()
    for t in range(10):
        s.add(Observation(t=float(t), track_id=1, box=(0, 0, 10, 10), affect=affect, emotions=None, pose=None, attending=None))
    text = cr.template_report(s).markdown
    assert summary in text
    if suggestion is None:
        assert "Break suggestion" not in text
    else:
        assert f"**Break suggestion:** {suggestion};" in text


def test_empty_session():
    report = cr.class_report(ClassSession(), backbone=object())
    assert report.source == "template" and report.markdown.startswith("No faces were found")


def test_gibberish_from_the_tiny_model_falls_back_to_the_template(engine):
    report = cr.class_report(_session(), engine.backbone, max_new_tokens=40)
    assert report.source == "template" and "failed the quality check" in report.note
    assert report.markdown.endswith(cr.LIMITS_NOTE)


def test_generated_text_is_cleaned_and_labelled(engine, monkeypatch):
    prose = (
        "The class stayed with the lesson for most of the hour, and most faces looked calm. Bao seemed lost in the "
        "second half, so a short recap with an example would help. <script>alert(1)</script> Everyone deserves "
        "credit for their effort today, and a short break before the next topic would keep the energy up."
    )
    monkeypatch.setattr(cr, "generate_text", lambda backbone, prompt, max_new_tokens: prose)
    report = cr.class_report(_session(), engine.backbone)
    assert report.source == "generated"
    assert "<script>" not in report.markdown and "&lt;script&gt;" in report.markdown
    assert report.markdown.startswith("> ⚠️ Written by random test weights")
    assert len(report.markdown) < 4000 + len(cr.LIMITS_NOTE) + 200


@pytest.mark.parametrize(
    "text, ok",
    [
        ("ang ry dis gust 0 1 2 3 ::: ;;; ang ry dis gust" * 3, False),
        ("the class the class the class the class the class the class the class the class the class", False),
        ("short", False),
        ("Most students followed the lesson well. A few looked confused near the end, so revisit the example "
         "on fractions next time and give everyone a minute to try it on their own before moving on.", True),
    ],
)
def test_text_quality(text, ok):
    assert cr.text_quality(text)[0] is ok


def test_prompt_carries_only_the_facts():
    prompt = cr._prompt(cr.report_facts(_session()))
    assert "'name': 'Bao'" in prompt and "Do not invent" in prompt


def test_student_without_an_estimate_gets_no_advice_about_levels():
    s = _session()
    s.add(Observation(t=0.0, track_id=3, box=(40, 0, 50, 10), affect=None, emotions=None, pose=(0, 0, 0), attending=True))
    line = [ln for ln in cr.template_report(s).markdown.splitlines() if "Student 3" in ln][0]
    assert line.endswith("Not seen long enough for an estimate.") and "engagement" not in line
