"""Classroom session numbers against hand-computed values, exports, figures and the annotated frame."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from engage.affect.results import STATES, AffectResult
from engage.classroom.session import EMOTIONS, ClassSession, Observation, affect_from_result
from engage.ui.classroom_plots import annotate_frame, class_timeline, student_levels


def affect(b, e, c, f):
    return {"Boredom": b, "Engagement": e, "Confusion": c, "Frustration": f}


BOX = (10.0, 20.0, 50.0, 70.0)


def sample_session() -> ClassSession:
    """Three students; the expected numbers in the tests below are worked out by hand in the comments."""
    s = ClassSession()
    # student 1: levels (B, E, C, F) = (0, 2, 2, 0), expected (0.4, 1.7, 1.8, 0.0)
    s.add(Observation(0.0, 1, BOX, affect([0.7, 0.2, 0.1, 0.0], [0.1, 0.2, 0.6, 0.1], [0.1, 0.1, 0.7, 0.1], [1, 0, 0, 0]),
                      {"happy": 0.6, "neutral": 0.4}, (0.0, 0.0, 0.0), True))
    # levels (2, 3, 0, 1), expected (2, 3, 0, 1)
    s.add(Observation(1.0, 1, BOX, affect([0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]),
                      {"neutral": 1.0}, (40.0, 0.0, 0.0), False))
    # a 2 s window; ties go to the lower level: levels (3, 0, 2, 0), expected (3, 0.5, 2, 1.5)
    s.add(Observation(2.0, 1, BOX, affect([0, 0, 0, 1], [0.5, 0.5, 0, 0], [0, 0, 1, 0], [0.25] * 4),
                      None, None, None, duration=2.0))
    # student 2: levels (0, 1, 3, 0), expected (0, 1, 3, 0)
    s.add(Observation(12.0, 2, BOX, affect([1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]),
                      {"sad": 1.0}, (0.0, 5.0, 0.0), True))
    # student 3: a face with no estimate at all
    s.add(Observation(13.0, 3, BOX, None, None, None, None))
    s.rename(2, "Ada")
    return s


def test_students_match_hand_computed_numbers():
    one, two, three = sample_session().students()
    assert (one["id"], one["name"], one["observations"], one["seconds"]) == (1, "Student 1", 3, 4.0)
    assert (one["first_seen"], one["last_seen"], one["affect_seconds"]) == (0.0, 4.0, 4.0)
    # share of the 4 s at each most likely level: E at 2 (1 s), 3 (1 s), 0 (2 s)
    assert one["level_share"]["Engagement"] == pytest.approx([0.5, 0, 0.25, 0.25])
    assert one["level_share"]["Boredom"] == pytest.approx([0.25, 0, 0.25, 0.5])
    assert one["level_share"]["Confusion"] == pytest.approx([0.25, 0, 0.75, 0])
    assert one["level_share"]["Frustration"] == pytest.approx([0.75, 0.25, 0, 0])
    # duration-weighted mean expected level: E (1.7 + 3 + 2 x 0.5) / 4
    assert one["mean_level"] == pytest.approx({"Engagement": 5.7 / 4, "Boredom": 8.4 / 4, "Confusion": 5.8 / 4, "Frustration": 1.0})
    # emotions over the 2 s that have them: happy 0.6 / 2, neutral 1.4 / 2
    assert one["emotion_seconds"] == 2.0
    assert one["emotions"]["happy"] == pytest.approx(0.3) and one["emotions"]["neutral"] == pytest.approx(0.7)
    assert sum(one["emotions"].values()) == pytest.approx(1.0)
    assert (one["dominant_emotion"], one["dominant_emotion_share"]) == ("neutral", pytest.approx(0.7))
    # most likely emotion: happy in the first second (0.6 > 0.4), neutral in the second
    assert one["emotion_share"] == {e: {"happy": 0.5, "neutral": 0.5}.get(e, 0.0) for e in EMOTIONS}
    assert (one["attention_seconds"], one["attention_share"]) == (2.0, 0.5)

    assert (two["id"], two["name"], two["seconds"]) == (2, "Ada", 1.0)
    assert two["mean_level"] == {"Boredom": 0.0, "Engagement": 1.0, "Confusion": 3.0, "Frustration": 0.0}
    assert (two["dominant_emotion"], two["dominant_emotion_share"], two["attention_share"]) == ("sad", 1.0, 1.0)

    # no estimate: zeros with zero denominators, not errors
    assert (three["seconds"], three["affect_seconds"], three["emotion_seconds"], three["attention_seconds"]) == (1.0, 0, 0, 0)
    assert three["level_share"]["Engagement"] == [0.0] * 4 and three["mean_level"]["Engagement"] == 0.0
    assert (three["dominant_emotion"], three["dominant_emotion_share"], three["attention_share"]) == (None, 0.0, 0.0)


def test_cards_match_hand_computed_numbers():
    cards = sample_session().cards()
    assert cards["students_seen"] == 3
    assert (cards["student_seconds"], cards["session_seconds"], cards["affect_seconds"]) == (6.0, 14.0, 5.0)
    assert cards["average_engagement"] == pytest.approx((5.7 + 1.0) / 5)  # student-seconds with affect
    assert cards["confused_share"] == pytest.approx(4 / 5)  # student 1: 1 s + 2 s at level 2; student 2: 1 s at 3
    assert cards["bored_share"] == pytest.approx(3 / 5)  # student 1: 1 s at 2, 2 s at 3
    assert (cards["attention_seconds"], cards["attention_share"]) == (3.0, pytest.approx(2 / 3))


def test_samples_and_windows_over_the_same_seconds_count_once():
    """classroom mode adds a pose sample per second and, later, the window analysed from those seconds."""
    s = sample_session()
    s.add(Observation(2.0, 1, BOX, None, None, (0.0, 0.0, 0.0), True))
    s.add(Observation(3.0, 1, BOX, None, None, (0.0, 0.0, 0.0), True))
    s.add(Observation(3.5, 1, BOX, None, None, (0.0, 0.0, 0.0), True, duration=1.0))  # overlaps both
    one = s.students()[0]
    assert one["seconds"] == 4.5  # [0, 4) from before, plus [4, 4.5)
    assert (one["attention_seconds"], one["attention_share"]) == (5.0, 4 / 5)  # attention is over samples
    assert one["affect_seconds"] == 4.0
    assert s.cards()["student_seconds"] == 4.5 + 1 + 1


def test_empty_session_gives_zeros_and_empty_lists():
    s = ClassSession()
    assert s.students() == [] and s.names == {} and len(s) == 0
    cards = s.cards()
    assert cards["students_seen"] == 0
    assert all(v == 0 for v in cards.values())
    tl = s.timeline()
    assert tl["start"] == [] and all(tl["states"][st] == {"mean": [], "students": []} for st in STATES)
    assert ClassSession.from_json(s.to_json()).observations == []
    assert ClassSession.from_csv(s.to_csv()).observations == []


def test_timeline_bins():
    tl = sample_session().timeline(10)
    assert tl["start"] == [0.0, 10.0]
    assert tl["states"]["Engagement"]["mean"] == pytest.approx([5.7 / 4, 1.0])
    assert tl["states"]["Engagement"]["students"] == [1, 1]  # student 3 has no estimate
    fine = sample_session().timeline(1)
    assert len(fine["start"]) == 13
    assert fine["states"]["Engagement"]["mean"][:3] == pytest.approx([1.7, 3.0, 0.5])
    assert fine["states"]["Engagement"]["mean"][3:12] == [None] * 9
    assert fine["states"]["Engagement"]["students"][3:] == [0] * 9 + [1]

    # each student counts once per bin: student 1 sampled twice (3 and 1 -> 2), student 2 once (0)
    s = ClassSession()
    one_hot = lambda lv: [1.0 if i == lv else 0.0 for i in range(4)]  # noqa: E731
    s.add(Observation(0.0, 1, BOX, affect(one_hot(0), one_hot(3), one_hot(0), one_hot(0)), None, None, None))
    s.add(Observation(1.0, 1, BOX, affect(one_hot(0), one_hot(1), one_hot(0), one_hot(0)), None, None, None))
    s.add(Observation(0.5, 2, BOX, affect(one_hot(2), one_hot(0), one_hot(0), one_hot(0)), None, None, None))
    tl = s.timeline(10)
    assert tl["states"]["Engagement"] == {"mean": [1.0], "students": [2]}
    assert tl["states"]["Boredom"] == {"mean": [1.0], "students": [2]}
    with pytest.raises(ValueError):
        s.timeline(0)


def awkward_session() -> ClassSession:
    s = sample_session()
    probs = np.random.default_rng(0).dirichlet(np.ones(4), size=4)
    s.add(Observation(0.1 + 0.2, 7, (1 / 3, 2 / 3, 1e-9, 12345.678901234), {st: p.tolist() for st, p in zip(STATES, probs)},
                      {"fear": 1 / 3, "surprise": 2 / 3}, (-12.5, 1 / 7, 3e-5), False, duration=10.0))
    s.rename(7, 'O\'Brien, "Jo" · 李')
    s.rename(3, "=HYPERLINK(\"http://x\",\"y\")")  # a spreadsheet would run it
    return s


def test_json_round_trip_is_exact():
    s = awkward_session()
    s.rename(99, "renamed, never seen")
    back = ClassSession.from_json(s.to_json())
    assert back.observations == s.observations
    assert back.names == s.names
    assert back.to_json() == s.to_json()
    data = json.loads(s.to_json())
    assert data["cards"] == s.cards() and len(data["students"]) == 4  # derived numbers ride along for readers
    with pytest.raises(ValueError):
        ClassSession.from_json(json.dumps({"format": "something else"}))


def test_csv_is_typed_sorted_rounded_and_safe_in_a_spreadsheet():
    s = awkward_session()
    text = s.to_csv()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(s) and {r["row"] for r in rows} == {"sample", "window"}
    for r in rows:  # a window carries the states, a sample the pose; never both kinds in one row
        assert (r["Boredom_p0"] != "" or r["emotion_fear"] != "") == (r["row"] == "window")
    keys = [(float(r["t"]), r["row"] == "window", int(r["track_id"])) for r in rows]
    assert keys == sorted(keys)
    numbers = [v for r in rows for k, v in r.items() if k not in ("row", "name", "track_id", "attending") and v and not k.endswith("_level")]
    assert numbers and max(len(v.split(".")[1]) for v in numbers) <= 4  # 12345.678901234 and 1e-9 are rounded
    zed = next(r["name"] for r in rows if r["track_id"] == "3")
    assert zed.startswith("'=")  # shown as text by a spreadsheet
    back = ClassSession.from_csv(text)
    assert back.names == s.names  # the apostrophe is read back off
    assert len(back.observations) == len(s.observations)
    for a, b in zip(sorted(back.observations, key=lambda o: (o.t, o.track_id)), sorted(s.observations, key=lambda o: (o.t, o.track_id))):
        assert (a.track_id, a.attending) == (b.track_id, b.attending) and abs(a.t - b.t) <= 0.005
        assert np.allclose(a.box, b.box, atol=0.05)
        if b.affect is not None:
            assert all(np.allclose(a.affect[st], b.affect[st], atol=5e-5) for st in STATES)
    assert back.to_csv() == text  # rounding is stable
    assert "Engagement_expected" in text.split("\n")[0]
    with pytest.raises(ValueError):
        ClassSession.from_csv("a,b\n1,2\n")


@pytest.mark.parametrize("name", ["x" * 41, "Ann\nBob", "tab\there"])
def test_names_are_short_and_plain(name):
    s = sample_session()
    with pytest.raises(ValueError):
        s.rename(1, name)
    s.rename(1, "x" * 40)
    assert s.names[1] == "x" * 40


def test_summaries_do_not_grow_with_the_session():
    """students(), cards() and timeline() read running sums: the same numbers as summing the observations
    afresh, at a cost that does not depend on how many observations came before."""
    import time

    rng = np.random.default_rng(1)

    def grow(session, seconds):
        for t in range(seconds):
            for tid in (1, 2, 3):
                session.add(Observation(float(t), tid, (0, 0, 10, 10), None, None, (1.0, 2.0, 3.0), bool(t % 2)))
            if t % 6 == 5:
                for tid in (1, 2, 3):
                    probs = rng.dirichlet(np.ones(4), size=4)
                    session.add(Observation(t - 5.0, tid, (0, 0, 10, 10), {st: p.tolist() for st, p in zip(STATES, probs)},
                                            {"happy": 0.6, "sad": 0.4}, None, None, duration=6.0))

    def cost(session):
        start = time.perf_counter()
        for _ in range(20):
            session.students(), session.cards()
        return time.perf_counter() - start

    short, long = ClassSession(), ClassSession()
    grow(short, 60)
    grow(long, 1800)
    mine = [o for o in long.observations if o.track_id == 1 and o.affect is not None]  # summed afresh here
    expected = sum(o.duration * np.dot(o.affect["Engagement"], range(4)) for o in mine) / sum(o.duration for o in mine)
    student = long.students()[0]
    assert student["mean_level"]["Engagement"] == pytest.approx(expected, rel=1e-12)
    assert student["attention_share"] == 0.5 and student["emotions"]["happy"] == pytest.approx(0.6)
    first_bin = [o for o in long.observations if o.affect is not None and o.t < 10]
    assert long.timeline(10.0)["states"]["Engagement"]["mean"][0] == pytest.approx(
        np.mean([sum(o.duration * np.dot(o.affect["Engagement"], range(4)) for o in first_bin if o.track_id == tid)
                 / sum(o.duration for o in first_bin if o.track_id == tid) for tid in (1, 2, 3)]))
    print(f"students()+cards() x20: {cost(short) * 1e3:.1f} ms after 60 s, {cost(long) * 1e3:.1f} ms after 1800 s")
    assert long.students()[0]["seconds"] == 1800.0 and long.cards()["students_seen"] == 3


def test_add_validates_and_normalises():
    s = ClassSession()
    obs = s.add(Observation(1, 4, [0, 0, 5, 5], affect_from_result(AffectResult.from_probs(np.full((4, 4), 0.25))),
                            {}, [1, 2, 3], 1))
    assert obs.box == (0.0, 0.0, 5.0, 5.0) and obs.pose == (1.0, 2.0, 3.0) and obs.attending is True
    assert obs.emotions is None  # an empty dict is no estimate
    bad = [
        Observation(0, 1, BOX, None, None, None, None, duration=0),
        Observation(0, 1, BOX, {"Engagement": [1, 0, 0, 0]}, None, None, None),
        Observation(0, 1, BOX, affect([1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]), None, None, None),
        Observation(0, 1, BOX, None, {"bored": 1.0}, None, None),
        Observation(float("nan"), 1, BOX, None, None, None, None),
        Observation(0, 1, (0, 0, 1), None, None, None, None),
    ]
    for o in bad:
        with pytest.raises(ValueError):
            s.add(o)
    assert len(s) == 1
    assert set(EMOTIONS) == {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}


def test_rename():
    s = sample_session()
    assert s.names == {1: "Student 1", 2: "Ada", 3: "Student 3"}
    s.rename(2, "")
    s.rename(1, "  Bo ")
    assert s.names == {1: "Bo", 2: "Student 2", 3: "Student 3"}


# ---------------------------------------------------------------- figures


def test_class_timeline_figure():
    s = sample_session()
    fig = class_timeline(s, bin_seconds=10)
    assert len(fig.data) == len(STATES)
    eng = fig.data[STATES.index("Engagement")]
    assert list(eng.x) == [5.0, 15.0]
    assert list(eng.y) == pytest.approx([5.7 / 4, 1.0])
    assert list(eng.customdata) == [1, 1]
    empty = class_timeline(ClassSession())
    assert len(empty.data) == len(STATES) and empty.layout.annotations[-1].text == "No students seen yet."


def test_student_levels_figure():
    fig = student_levels(sample_session())
    assert len(fig.data) == 1
    heat = fig.data[0]
    assert list(heat.y) == ["Student 1", "Ada (#2)", "Student 3"]
    assert list(heat.x) == list(STATES)
    assert heat.z[0][STATES.index("Engagement")] == pytest.approx(5.7 / 4)
    assert list(heat.z[2]) == [None] * 4  # no estimate: an empty row, not zeros
    assert len(student_levels(ClassSession()).data) == 1


# ---------------------------------------------------------------- annotated frame


class Face:  # stand-in for engage.classroom.faces.Face
    def __init__(self, box, score=0.9):
        self.box, self.score = box, score


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    diff = a != b
    return diff.any(axis=2) if diff.ndim == 3 else diff


def test_annotate_frame_draws_edges_and_labels_only():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    original = frame.copy()
    boxes = [(40, 80, 120, 170), (200.4, 5.6, 290.2, 100.1)]  # the second has no room above: label below
    out = annotate_frame(frame, [Face(b) for b in boxes], [3, 5], {3: "Ada"}, ["engaged", None])
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert np.array_equal(frame, original), "the input frame must not be modified"
    diff = changed(frame, out)
    line = 2
    for x0, y0, x1, y1 in boxes:
        x0, y0, x1, y1 = round(x0), round(y0), round(x1), round(y1)
        assert not diff[y0 + line : y1 - line, x0 + line : x1 - line].any(), "inside a box only the edges change"
        assert diff[y0 : y0 + line, x0:x1].all() and diff[y0:y1, x0 : x0 + line].all()  # the outline
    # outside the boxes, only label strips change: just above box 1, just below box 2
    outside = diff.copy()
    for x0, y0, x1, y1 in boxes:
        outside[round(y0) : round(y1), round(x0) : round(x1)] = False
    rows = np.flatnonzero(outside.any(axis=1))
    assert rows.size and set(rows) <= set(range(50, 80)) | set(range(100, 130))
    assert outside[50:80].any() and outside[100:130].any()


def test_annotate_frame_other_inputs():
    gray = np.full((120, 160), 128, dtype=np.uint8)
    out = annotate_frame(gray, [(20, 40, 60, 90)], [1], None, {1: "bored"})
    assert out.shape == gray.shape and changed(gray, out).any()
    rgba = np.zeros((50, 60, 4), dtype=np.uint8)
    out = annotate_frame(rgba, [(0, 0, 60, 50)], [2])  # box fills the frame: label inside
    assert out.shape == rgba.shape and np.array_equal(out[:, :, 3], rgba[:, :, 3])
    assert np.array_equal(annotate_frame(gray, [], []), gray)
    with pytest.raises(ValueError):
        annotate_frame(gray, [(0, 0, 1, 1)], [])


def test_students_csv_one_row_per_student():
    rows = list(csv.DictReader(io.StringIO(sample_session().students_csv())))
    assert [r["track_id"] for r in rows] == ["1", "2", "3"] and rows[1]["name"] == "Ada"
    one, two, three = rows
    assert (one["seconds"], one["Engagement_mean_level"], one["Boredom_high_share"]) == ("4.00", "1.4250", "0.7500")
    assert (one["happy_most_likely_share"], one["neutral_most_likely_share"], one["neutral_mean_probability"]) == ("0.5000", "0.5000", "0.7000")
    assert (two["sad_most_likely_share"], two["attention_share"]) == ("1.0000", "1.0000")
    assert three["Engagement_mean_level"] == three["happy_most_likely_share"] == three["attention_share"] == ""  # not measured


def test_merge_and_together():
    s = sample_session()
    s.add(Observation(20.0, 4, BOX, None, {"happy": 1.0}, None, None))
    assert s.together(1, 2) is None  # analysed windows at the same time do not count: only sampled frames
    s.add(Observation(12.0, 1, BOX, None, None, None, None))
    s.add(Observation(12.0, 2, BOX, None, None, None, None))
    assert s.together(1, 2) == 12.0  # both in the frame sampled at 12 s
    s.merge(4, 2)
    assert s.ids == [1, 2, 3] and s.names[2] == "Ada"
    ada = s.students()[1]
    assert (ada["observations"], ada["seconds"], ada["emotion_seconds"]) == (3, 2.0, 2.0)
    assert ada["emotion_share"]["happy"] == 0.5 and ada["emotion_share"]["sad"] == 0.5
    assert s.custom_names == {2: "Ada"}
