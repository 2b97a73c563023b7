"""The class report: the template word for word, the generative path for shape and safety."""
from __future__ import annotations

import unicodedata

import pytest

from engage.classroom import report as cr
from engage.classroom.session import ClassSession, Observation
from engage.i18n import text as words_of

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
            "of the time, over all students. Students faced the screen or board 62% of the time.",
            "",
            "**Break suggestion:** boredom was high 50% of the time, over all students; a two-minute break or a change of activity is worth trying.",
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


LIMITS_VI = (
    "**Các con số này nói được gì và không nói được gì.** Đây là các ước lượng theo từng giây từ khuôn mặt trước camera, do "
    "một mô hình được huấn luyện trên video quay từng người học một mình trước máy tính xách tay (DAiSEE) đưa ra. Chúng có "
    "thể cho thấy xu hướng trong một tiết học và những khoảnh khắc đáng xem lại. Chúng không thể cho biết học sinh hiểu gì, "
    "cảm thấy gì hay định làm gì, và không bao giờ được dùng để chấm điểm hay kỷ luật bất kỳ ai. Những khuôn mặt bị che, "
    "quay đi hoặc quá nhỏ không được đo."
)


def test_template_report_in_vietnamese_exactly():
    """The same session as above, for a Vietnamese visitor: the report's terms, decimal commas, "phút", and a student
    not renamed is "Học sinh 1"."""
    report = cr.template_report(_session(), lang="vi")
    assert report.source == "template"
    assert report.markdown == "\n".join(
        [
            "### Tóm tắt lớp học",
            "",
            "Có 2 học sinh xuất hiện trong 1,0 phút. Mức tập trung trung bình 1,6 trên 3 (giữa mức thấp và mức cao). Mức bối rối "
            "cao trong 50% và mức chán nản cao trong 50% tổng thời gian của học sinh. Học sinh nhìn về màn hình hoặc bảng trong "
            "62% thời gian.",
            "",
            "**Gợi ý nghỉ giải lao:** mức chán nản cao trong 50% tổng thời gian của học sinh; nên thử cho lớp nghỉ hai phút hoặc "
            "đổi hoạt động.",
            "",
            "**Cần ôn lại:** nhiều khuôn mặt trông bối rối; hãy giảng lại phần vừa học, kèm một ví dụ.",
            "",
            "### Học sinh",
            "",
            "- **Học sinh 1** (1,0 phút, tập trung 2,5/3, cảm xúc khả dĩ nhất theo thời gian: vui vẻ 100%): Tập trung và chú ý: "
            "hãy khen em và giao thêm một bài nâng cao.",
            "- **Bao** (1,0 phút, tập trung 0,8/3, cảm xúc khả dĩ nhất theo thời gian: vui vẻ 67%, buồn 33%): Mức tập trung có vẻ "
            "thấp: hãy đặt cho em một câu hỏi trực tiếp hoặc giao một bài thực hành ngắn. Có vẻ bối rối trong 100% thời gian: "
            "hãy giải thích lại phần vừa giảng bằng một ví dụ giải mẫu. Có vẻ chán nản trong 100% thời gian: đổi hoạt động hoặc "
            "cho nghỉ giải lao ngắn có thể giúp ích. Nhìn về màn hình hoặc bảng trong 25% thời gian: hãy kiểm tra xem em có nhìn "
            "thấy và theo kịp bài không.",
            "",
            "### Cảm xúc của từng học sinh",
            "",
            "Tỉ lệ thời gian đã phân tích mà mỗi cảm xúc có xác suất cao nhất · xác suất trung bình của cảm xúc đó (zero-shot, "
            "cùng mô hình).",
            "",
            "| học sinh | tức giận | ghê sợ | sợ hãi | vui vẻ | buồn | ngạc nhiên | trung tính |",
            "|---|---|---|---|---|---|---|---|",
            "| Học sinh 1 | 0% · 0,00 | 0% · 0,00 | 0% · 0,00 | 100% · 0,70 | 0% · 0,00 | 0% · 0,10 | 0% · 0,20 |",
            "| Bao | 0% · 0,00 | 0% · 0,00 | 0% · 0,00 | 67% · 0,50 | 33% · 0,20 | 0% · 0,07 | 0% · 0,23 |",
            "",
            LIMITS_VI,
        ]
    )
    assert cr.limits_note("vi") == LIMITS_VI and cr.limits_note() == cr.LIMITS_NOTE
    assert cr.report_facts(_session(), "vi")["students"][0]["name"] == "Học sinh 1"  # the prompt's names, too
    assert cr.report_facts(_session())["students"][0]["name"] == "Student 1"


def _one_student(affect, lang: str = "en") -> str:
    s = ClassSession()
    for t in range(10):
        s.add(Observation(t=float(t), track_id=1, box=(0, 0, 10, 10), affect=affect, emotions=None, pose=None, attending=None))
    return cr.template_report(s, lang=lang).markdown


@pytest.mark.parametrize(
    ("lang", "summary", "line"),
    [
        ("en", "1 student seen over 0.2 min. Average engagement 0.8 of 3 (low).",
         "- **Student 1** (0.2 min, engagement 0.8/3): Engagement looked low: ask them a direct question or give a short hands-on task. "
         "Looked confused 100% of the time: revisit the last explanation with a worked example. Looked bored 100% of the time: a change "
         "of activity or a short break may help."),
        ("vi", "Có 1 học sinh xuất hiện trong 0,2 phút. Mức tập trung trung bình 0,8 trên 3 (mức thấp).",
         "- **Học sinh 1** (0,2 phút, tập trung 0,8/3): Mức tập trung có vẻ thấp: hãy đặt cho em một câu hỏi trực tiếp hoặc giao một "
         "bài thực hành ngắn. Có vẻ bối rối trong 100% thời gian: hãy giải thích lại phần vừa giảng bằng một ví dụ giải mẫu. Có vẻ chán "
         "nản trong 100% thời gian: đổi hoạt động hoặc cho nghỉ giải lao ngắn có thể giúp ích."),
    ],
)
def test_one_student_is_singular_and_each_line_is_in_the_language(lang, summary, line):
    text = _one_student(LOST, lang)
    assert summary in text and line in text.splitlines()


def test_frustration_in_vietnamese():
    angry = dict(CALM, Frustration=[0.1, 0.1, 0.7, 0.1])
    assert "Có dấu hiệu bực bội: hãy động viên em và chia bước tiếp theo thành bước nhỏ hơn." in _one_student(angry, "vi")
    assert "Showed signs of frustration: encourage them and offer a smaller next step." in _one_student(angry)


@pytest.mark.parametrize(
    ("affect", "summary", "suggestion"),
    [
        (CALM, "Average engagement 2.5 of 3 (between high and very high).", None),
        (LOST, "Average engagement 0.8 of 3 (low).", "engagement was low across the class (0.8 of 3) and boredom was high 100% of the time, over all students"),
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


@pytest.mark.parametrize(
    ("affect", "summary", "suggestion"),
    [
        (CALM, "Mức tập trung trung bình 2,5 trên 3 (giữa mức cao và mức rất cao).", None),
        (LOST, "Mức tập trung trung bình 0,8 trên 3 (mức thấp).",
         "mức tập trung của cả lớp thấp (0,8 trên 3) và mức chán nản cao trong 100% tổng thời gian của học sinh"),
    ],
)
def test_the_break_line_in_vietnamese(affect, summary, suggestion):
    text = _one_student(affect, "vi")
    assert summary in text
    if suggestion is None:
        assert "Gợi ý nghỉ giải lao" not in text
    else:
        assert f"**Gợi ý nghỉ giải lao:** {suggestion}; nên thử cho lớp nghỉ hai phút hoặc đổi hoạt động." in text


def test_empty_session():
    report = cr.class_report(ClassSession(), backbone=object())
    assert report.source == "template" and report.markdown.startswith("No faces were found")
    report = cr.class_report(ClassSession(), backbone=object(), lang="vi")
    assert report.markdown == "Không tìm thấy khuôn mặt nào trong phiên này, nên không có gì để báo cáo.\n\n" + LIMITS_VI


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


PROSE_VI = (
    "Cả lớp theo dõi bài học khá tốt trong phần lớn thời gian, và hầu hết các em trông bình tĩnh. Bao có vẻ bối rối ở nửa "
    "sau của tiết học, nên một phần ôn tập ngắn kèm ví dụ sẽ giúp ích. Các em đều xứng đáng được khen vì sự cố gắng hôm nay, "
    "và một lần nghỉ giải lao ngắn trước chủ đề tiếp theo sẽ giúp lớp giữ được sự hứng thú."
)


def test_generated_text_in_vietnamese_is_labelled_in_vietnamese(engine, monkeypatch):
    asked = []
    monkeypatch.setattr(cr, "generate_text", lambda backbone, prompt, max_new_tokens: asked.append(prompt) or PROSE_VI + " <b>x</b>")
    report = cr.class_report(_session(), engine.backbone, lang="vi")
    assert report.source == "generated" and "viết bằng tiếng Việt" in asked[0] and "'name': 'Học sinh 1'" in asked[0]
    assert report.markdown.startswith("> ⚠️ Do trọng số thử ngẫu nhiên viết: vô nghĩa.\n\n" + PROSE_VI + " &lt;b&gt;x&lt;/b&gt;\n\n")
    assert "### Cảm xúc của từng học sinh" in report.markdown and report.markdown.endswith(LIMITS_VI)
    assert "Written by" not in report.markdown and "Emotions per student" not in report.markdown


def test_gibberish_in_vietnamese_falls_back_to_the_vietnamese_template(engine, monkeypatch):
    monkeypatch.setattr(cr, "generate_text", lambda backbone, prompt, max_new_tokens: "học sinh " * 30)
    report = cr.class_report(_session(), engine.backbone, lang="vi")
    assert report.source == "template"
    assert report.note == "Văn bản do mô hình viết không qua được bước kiểm tra chất lượng (lặp lại); đây là báo cáo theo mẫu."
    assert report.markdown.startswith(f"> {report.note}\n\n### Tóm tắt lớp học") and report.markdown.endswith(LIMITS_VI)


def test_the_tiny_models_gibberish_falls_back_in_vietnamese(engine):
    report = cr.class_report(_session(), engine.backbone, max_new_tokens=40, lang="vi")
    assert report.source == "template" and "không qua được bước kiểm tra chất lượng" in report.note
    assert report.markdown.endswith(LIMITS_VI)


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


@pytest.mark.parametrize(
    "text, ok, why",
    [
        (PROSE_VI, True, ""),
        # the same paragraph decomposed (NFD: "ế" as "e" and two combining marks) reads the same
        (unicodedata.normalize("NFD", PROSE_VI), True, ""),
        ("Hầu hết học sinh theo kịp bài. Một vài em có vẻ bối rối ở cuối tiết, nên lần sau hãy ôn lại ví dụ về phân số "
         "và cho mỗi em một phút tự làm trước khi sang phần mới.", True, ""),
        ("học sinh tập trung " * 12, False, "lặp lại"),
        ("hỌc SiNh tẬp TrUnG bỐi RốI cHáN nẢn " * 3 + "ĐưỢc KhÔnG vỚi NhỮnG", False, "quá ít từ thông thường"),
        ("nghiêngggướcc ưỡnggggggg đượcccccccc " * 8, False, "quá ít từ thông thường"),
        ("ạ 1 ; ư 2 ; ơ 3 ; ê 4 ; " * 6, False, "quá ít chữ cái"),
        ("Bối rối quá.", False, "quá ngắn"),
    ],
)
def test_text_quality_in_vietnamese(text, ok, why):
    assert cr.text_quality(text, "vi") == (ok, why)


def test_text_quality_says_why_in_the_language():
    assert cr.text_quality("short") == (False, "too short") and cr.text_quality("short", "vi") == (False, "quá ngắn")


def test_prompt_carries_only_the_facts():
    prompt = cr._prompt(cr.report_facts(_session()))
    assert "'name': 'Bao'" in prompt and "Do not invent" in prompt
    assert prompt == cr._prompt(cr.report_facts(_session()), "en") and "Vietnamese" not in prompt


def test_the_prompt_asks_for_vietnamese_in_vietnamese():
    facts = cr.report_facts(_session(), "vi")
    prompt = cr._prompt(facts, "vi")
    assert prompt.startswith("Bạn đang giúp một giáo viên sau tiết học.") and "hãy viết bằng tiếng Việt" in prompt
    assert "Toàn bộ báo cáo phải viết bằng tiếng Việt." in prompt and "Không bịa ra sự việc, tên hay con số." in prompt
    assert "Chán nản (Boredom), Tập trung (Engagement), Bối rối (Confusion), Bực bội (Frustration)" in prompt
    assert "vui vẻ (happy)" in prompt and "trung tính (neutral)" in prompt
    assert prompt.endswith(f"\n\n{facts}") and "'average_engagement': 1.65" in prompt  # the facts: English fields, numbers


def test_student_without_an_estimate_gets_no_advice_about_levels():
    s = _session()
    s.add(Observation(t=0.0, track_id=3, box=(40, 0, 50, 10), affect=None, emotions=None, pose=(0, 0, 0), attending=True))
    line = [ln for ln in cr.template_report(s).markdown.splitlines() if "Student 3" in ln][0]
    assert line.endswith("Not seen long enough for an estimate.") and "engagement" not in line
    line = [ln for ln in cr.template_report(s, "vi").markdown.splitlines() if "Học sinh 3" in ln][0]
    assert line == "- **Học sinh 3** (0,0 phút): Xuất hiện chưa đủ lâu để có ước lượng."


def test_a_photo_is_reported_without_minutes_in_both_languages():
    """A photo has no duration: no "over 0.0 min", no "(0.0 min, …)" per student (issue 26, item 3)."""
    s = _session()
    en_report = cr.template_report(s, photo=True).markdown
    assert "seen in one photo. Average engagement" in en_report and " min" not in en_report.replace("two-minute", "")
    assert "- **Student 1** (engagement 2.5/3, most likely emotion over time: happy 100%): " in en_report
    vi_report = cr.template_report(s, "vi", photo=True).markdown
    assert "trong một bức ảnh. Mức tập trung trung bình" in vi_report and " phút" not in vi_report.replace("hai phút", "")
    s.add(Observation(t=0.0, track_id=3, box=(40, 0, 50, 10), affect=None, emotions=None, pose=(0, 0, 0), attending=True))
    line = [ln for ln in cr.template_report(s, photo=True).markdown.splitlines() if "Student 3" in ln][0]
    assert line == "- **Student 3**: Not seen long enough for an estimate."


def _affect(engagement: float) -> dict:
    """Probabilities whose expected Engagement level is ``engagement`` (between 1 and 2); the other states calm."""
    high = engagement - 1
    return dict(CALM, Engagement=[0.0, 1 - high, high, 0.0])


@pytest.mark.parametrize("engagement", [1.36, 1.45, 1.5, 1.6])
def test_the_class_level_and_the_break_suggestion_never_disagree(engagement):
    """"Average engagement 1.5 of 3 (between low and high)" is never followed by "engagement was low" (item 3)."""
    affect = _affect(engagement)
    s = ClassSession()
    for t in range(10):
        s.add(Observation(t=float(t), track_id=1, box=(0, 0, 10, 10), affect=affect, emotions=None, pose=None, attending=None))
    report = cr.template_report(s).markdown
    assert "(between low and high)" in report
    assert "engagement was low" not in report and "Engagement looked low" not in report


def test_the_report_starts_with_the_pages_warnings_template_and_generated(engine):
    """Random test weights: the report says so first, whichever way it is written (item 3)."""
    warnings = ["warning.test_weights"]
    for lang in ("en", "vi"):
        report = cr.template_report(_session(), lang, warnings=warnings).markdown
        assert report.startswith(f"> ⚠️ {words_of('warning.test_weights', lang)}\n\n")
    empty = cr.template_report(ClassSession(), warnings=warnings).markdown
    assert empty.startswith(f"> ⚠️ {words_of('warning.test_weights')}")
    generated = cr.class_report(_session(), engine.backbone, max_new_tokens=10, warnings=warnings).markdown
    assert generated.startswith(f"> ⚠️ {words_of('warning.test_weights')}") and generated.count("⚠️") == 1
