"""Who is who in the classroom, on real faces: dlib's descriptors, the landmark check, the issue's scenes (one
person in a space suit; a person who leaves and comes back elsewhere), the roster and merges.

Test identities: Eileen Collins (examples/astronaut.png) and Grace Hopper (matplotlib's sample data), both public
domain; ``engage.classroom.measure`` composes the scenes."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from engage.classroom import faces as facelib
from engage.classroom import identity, measure, scenes
from engage.classroom.faces import Face, load_detector
from engage.classroom.identity import Roster, RosterError, name_from_filename
from engage.classroom.room import Classroom
from engage.classroom.tracking import SAME_PERSON, iou

from conftest import write_frames


@pytest.fixture(scope="module")
def detector():
    return load_detector()


@pytest.fixture(scope="module")
def people(detector):
    found = measure.people(detector)
    assert set(found) == {"collins", "hopper"}, "matplotlib's grace_hopper.jpg is a test identity (tests/requirements.txt)"
    return found


def describe(detector, frame, box=None) -> np.ndarray:
    faces = [f for f in detector.detect(frame) if box is None or iou(f.box, box) >= 0.4]
    assert faces, "the test face was not found"
    face = max(faces, key=lambda f: f.width)
    return identity.default_encoder().encode(facelib.crop_face(frame, face), facelib.face_in_crop(face))


# ---------------------------------------------------------------- descriptors


def test_the_same_person_is_near_and_two_people_are_far(detector, people):
    """The margins SAME_PERSON sits between (docs/face_detection.md has the full table, --distances)."""
    descs = {}
    for name, person in people.items():
        for width, kw in ((40, {}), (70, {"flip": True}), (120, {"angle": 8.0, "gain": 0.8})):
            frame = measure.portrait(person, width, seed=width, **kw)
            descs[name, width] = describe(detector, frame)
    same = [np.linalg.norm(descs[a] - descs[b]) for a in descs for b in descs if a < b and a[0] == b[0]]
    different = [np.linalg.norm(descs[a] - descs[b]) for a in descs for b in descs if a[0] == "collins" and b[0] == "hopper"]
    assert max(same) < SAME_PERSON - 0.1 < SAME_PERSON < min(different)


def test_the_encoder_needs_landmarks_and_describes_a_photo_and_its_crop_alike(detector, people):
    frame = measure.portrait(people["collins"], 90)
    face = max(detector.detect(frame), key=lambda f: f.width)
    encoder = identity.default_encoder()
    whole, crop = encoder.encode(frame, face), encoder.encode(facelib.crop_face(frame, face), facelib.face_in_crop(face))
    assert whole.shape == (128,) and np.linalg.norm(whole - crop) < 0.1
    assert encoder.encode(frame, Face(face.box, 1.0, None)) is None


# ---------------------------------------------------------------- the landmark check


def test_the_landmark_check_keeps_faces_and_drops_broken_shapes(detector):
    scene = next(s for s in scenes.benchmark_scenes() if s.name == "classroom")
    found = detector.detect(scene.frame)
    assert len(found) >= 20 and all(facelib.plausible(f) for f in found)
    face = max(found, key=lambda f: f.width)
    marks = face.landmarks.copy()
    upside_down = marks.copy()
    upside_down[:, 1] = face.box[1] + face.box[3] - marks[:, 1]  # mouth above the eyes
    squeezed = marks.copy()
    squeezed[36:48, 0] = marks[36:48, 0].mean()  # both eyes on one point
    outside = marks + (3 * face.width, 0)
    rolled = face.landmarks.copy()
    c = marks.mean(0)
    rot = np.array([[0, -1], [1, 0]])  # 90 degrees
    rolled = (marks - c) @ rot.T + c
    for broken in (upside_down, squeezed, outside, rolled):
        assert not facelib.plausible(Face(face.box, face.score, broken))
    assert facelib.plausible(Face(face.box, face.score, None))  # nothing to check without landmarks


# ---------------------------------------------------------------- the scenes


def count(clip, detector, rules):
    return measure.count_students(clip, [detector.detect(f) for f in clip.frames], rules)


BEFORE, AFTER = measure.RULES[0], measure.RULES[-1]


def test_one_person_in_a_space_suit_is_one_student(detector):
    """15 s at 384 px: HOG alone finds the mission patch and badge as faces in some frames; with the rules, and with the
    default detector's checks, they never become students."""
    unchecked = load_detector("dlib-hog-unchecked")
    before, after = [], []
    for seed in range(5):
        clip = measure.suit_clip(seed=seed)
        raw = [unchecked.detect(f) for f in clip.frames]
        before.append(measure.count_students(clip, raw, BEFORE).students)
        after.append(measure.count_students(clip, raw, AFTER))
        assert measure.count_students(clip, [detector.detect(f) for f in clip.frames], AFTER).students == 1
    assert max(before) > 1, "the scene no longer shows the problem: every detection used to become a student"
    assert all((c.students, c.false, c.missed) == (1, 0, 0) for c in after)


def test_a_person_who_leaves_and_comes_back_elsewhere_is_one_student(detector):
    clip = measure.leave_and_return_clip()  # 6 s at the left, 8 s away, back at the right, turned and re-lit
    faces = [detector.detect(f) for f in clip.frames]  # one detection, two rule sets
    assert measure.count_students(clip, faces, BEFORE).students == 2
    assert measure.count_students(clip, faces, AFTER) == measure.Count(1, 0, 0)
    long_away = measure.leave_and_return_clip(away=50)
    assert count(long_away, detector, AFTER) == measure.Count(1, 0, 0)


def test_someone_else_where_a_student_was_is_a_new_student(detector, people):
    clip = measure.leave_and_return_clip()
    other = measure.leave_and_return_clip(people["hopper"])
    clip.frames[14:] = other.frames[14:]  # Hopper comes back instead of Collins
    c = count(clip, detector, AFTER)
    assert (c.students, c.missed) == (2, 0)


def test_faces_on_hard_negatives_never_become_students(detector):
    for scene in measure.hard_negative_scenes():
        if scene.name in ("logos", "posters"):
            assert count(measure.still_clip(scene), detector, AFTER).students == 0, scene.name


# ---------------------------------------------------------------- the roster


def test_names_from_file_names():
    assert name_from_filename("/tmp/x/ana_lopez-2.jpg") == "Ana Lopez"
    assert name_from_filename("Grace Hopper (3).png") == "Grace Hopper"
    assert name_from_filename("McKenzie.jpeg") == "McKenzie"
    assert name_from_filename("bao.1.png") == "Bao"


def test_roster_add_match_export_and_limits(detector, people):
    roster = Roster()
    collins = describe(detector, measure.portrait(people["collins"], 110))
    hopper = describe(detector, measure.portrait(people["hopper"], 110))
    roster.add("Eileen", collins)
    roster.add("eileen", collins + 0.01)  # the same name, any case: a second photo
    roster.add("Grace", hopper)
    assert roster.table() == [["Eileen", 2], ["Grace", 1]]
    probe = describe(detector, measure.portrait(people["hopper"], 60, flip=True))
    assert roster.match(probe)[0] == "Grace"
    assert roster.match(probe, exclude={"Grace"}) is None  # Eileen is too far
    again = Roster.from_json(roster.to_json())
    assert again.table() == roster.table() and np.allclose(again.photos["Grace"][0], hopper, atol=1e-5)
    with pytest.raises(RosterError, match="not a roster"):
        Roster.from_json(json.dumps({"format": "engage-class-session"}))
    with pytest.raises(RosterError, match="not JSON"):
        Roster.from_json("<html>")
    with pytest.raises(RosterError, match="needs a name"):
        roster.add("  ", collins)
    with pytest.raises(RosterError, match="128"):
        roster.add("Zed", np.full(128, np.nan))
    for _ in range(identity.ROSTER_MAX_PHOTOS - 1):
        roster.add("Grace", hopper)
    with pytest.raises(RosterError, match="already has"):
        roster.add("Grace", hopper)


def test_a_roster_photo_needs_a_face(detector):
    with pytest.raises(RosterError, match="No face found"):
        identity.add_photo(Roster(), detector, identity.default_encoder(), np.full((200, 200, 3), 128, np.uint8), "Nobody")


def test_the_roster_names_students_in_a_video(engine, detector, people, tmp_path):
    """Photos named after the students; a video of both side by side: the dashboard's names come from the roster,
    in the right places, and a face the roster does not know stays "Student N"."""
    roster = Roster()
    for name, person, width in (("Eileen Collins", people["collins"], 130), ("Grace Hopper", people["hopper"], 100)):
        photo = tmp_path / (name.lower().replace(" ", "_") + "-1.png")
        Image.fromarray(measure.portrait(person, width, seed=3)).save(photo)
        frame = np.asarray(Image.open(photo).convert("RGB"))
        identity.add_photo(roster, detector, identity.default_encoder(), frame, name_from_filename(str(photo)))
    assert roster.names == ["Eileen Collins", "Grace Hopper"]
    clip = measure.pair_clip([people["hopper"], people["collins"]], seconds=8)
    path = write_frames(str(tmp_path / "pair.mp4"), clip.frames, fps=1)
    room = Classroom(max_faces=10, roster=roster)
    session = room.run_video(engine, detector, path, "zero-shot")
    by_x = sorted(session.students(), key=lambda s: room._last_box(s["id"])[0])
    assert [s["name"] for s in by_x] == ["Grace Hopper", "Eileen Collins"]
    assert all(s["affect_seconds"] > 0 for s in by_x)
    assert "Grace Hopper" in session.to_csv() and "Grace Hopper" in session.students_csv()

    unknown = Classroom(max_faces=10, roster=Roster({"Grace Hopper": roster.photos["Grace Hopper"]}))
    names = {s["name"] for s in unknown.run_video(engine, detector, path, "zero-shot").students()}
    assert names == {"Grace Hopper", "Student 2"} or names == {"Grace Hopper", "Student 1"}


def test_a_roster_given_after_the_analysis_names_the_students(engine, detector, people, tmp_path):
    clip = measure.pair_clip([people["collins"], people["hopper"]], seconds=4)
    room = Classroom(max_faces=10)
    room.run_video(engine, detector, write_frames(str(tmp_path / "pair.mp4"), clip.frames, fps=1), "zero-shot")
    assert set(room.session.names.values()) == {"Student 1", "Student 2"}
    roster = Roster()
    identity.add_photo(roster, detector, identity.default_encoder(), measure.portrait(people["hopper"], 90), "Grace")
    room.use_roster(roster)
    assert sorted(room.session.names.values()) == ["Grace", "Student 1"]


# ---------------------------------------------------------------- merges


def test_merges_by_id_or_by_name_and_never_two_people_seen_together(detector, people):
    room = Classroom(max_faces=10, tracker=measure.FaceTracker(max_gap_seconds=5))
    clip = measure.leave_and_return_clip()  # away 8 s > 5 s: the return is a new id
    pair = measure.pair_clip([people["collins"], people["hopper"]], seconds=3)
    for t, frame in enumerate(clip.frames + pair.frames):
        room.observe(detector, frame, float(t))
    assert room.session.ids == [1, 2, 3]  # 1 left; 2 came back; 2 stays beside 3 (Hopper) from 20 s
    assert room.session.together(1, 2) is None and room.session.together(2, 3) == 20.0
    with pytest.raises(ValueError, match="both in the frame at 20 s"):
        room.edit([(3, 2)])
    with pytest.raises(ValueError, match="no student 9"):
        room.edit([(9, 1)])
    room.edit([(2, "Eileen"), (1, "eileen")])  # the same name (any case): one student, under the lower id
    assert room.session.ids == [1, 3] and room.session.names[1] == "eileen" and room.merged == {2: 1}
    assert room.session.students()[0]["observations"] == 6 + 9
    with pytest.raises(ValueError, match="both in the frame"):
        room.edit([(3, "Grace"), (1, "Grace")])  # all or none: 3 is not left named Grace
    assert room.session.custom_names == {1: "eileen"}
    room.edit([(3, "Grace")])
    frame_ids = [room._current(i) for i in room.last.ids]
    assert sorted(frame_ids) == [1, 3]
