"""Classroom mode end to end in the library: composed faces → detection → tracking → per-student analysis."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engage.classroom.faces import load_detector
from engage.classroom.room import PHOTO_WINDOW, Classroom, analyze_students
from engage.classroom.scenes import benchmark_scenes, crowd_scene
from engage.classroom.stream import ClassroomStream
from engage.ui import views

from conftest import write_frames


@pytest.fixture(scope="module")
def detector():
    return load_detector()


@pytest.fixture(scope="module")
def scene():
    return next(s for s in benchmark_scenes() if len(s.boxes) >= 3)


def analyse_photo(room: Classroom, engine, detector, frame: np.ndarray, method: str = "zero-shot"):
    """What the Classroom tab does with a photo (engage.ui.class_handlers.analyze_classroom), in this process: the
    faces found on the CPU, then the students' crops through the model."""
    room.observe_photo(detector, frame)
    room.add_results(analyze_students(engine, room.take_windows([PHOTO_WINDOW]), method))
    return room.session


def test_photo(engine, detector, scene):
    room = Classroom(max_faces=30)
    session = analyse_photo(room, engine, detector, scene.frame)
    students = session.students()
    assert len(students) == len(room.last.faces) >= 3 and room.last.beyond == 0
    assert all(s["affect_seconds"] > 0 and s["dominant_emotion"] for s in students)
    assert "faces found" in views.room_status(room)


def test_video_keeps_ids_and_analyses_each_window(engine, detector, scene, tmp_path):
    frames = [np.roll(scene.frame, 2 * i, axis=1) for i in range(14)]  # 7 s at 2 FPS, faces drift right
    path = write_frames(str(tmp_path / "class.mp4"), frames)
    room = Classroom(max_faces=30)
    session = room.run_video(engine, detector, path, "mlp")
    students = session.students()
    found = len(room.last.faces)
    assert len(students) == found  # the same people all along: no new ids
    windows = [o for o in session.observations if o.affect is not None]
    assert len(windows) == found  # one 7 s window, one analysis per student
    status, cards, frame, timeline, heat, rows, emotions, files = views.classroom_outputs(room, [], str(tmp_path / "exports"))
    assert frame.shape == scene.frame.shape and not np.array_equal(frame, scene.frame)
    assert rows["headers"] == views.STUDENT_HEADERS and emotions["headers"][2:] == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    rows, emotions = rows["data"], emotions["data"]
    assert len(rows) == found and rows[0][1] == "Student 1"
    assert len(emotions) == found and len(emotions[0]) == 2 + 7 and all(" · " in cell for cell in emotions[0][2:])
    assert "students seen" in cards and len(files) == 3 and files[2].endswith("-students.csv")
    assert json.loads(Path(files[0]).read_text())["observations"]


def test_face_cap_is_applied_and_stated(engine, detector):
    crowd = crowd_scene(60)
    room = Classroom(max_faces=5)
    room.observe(detector, crowd.frame, 0.0)
    assert len(room.last.faces) == 5 and room.last.beyond > 0
    more = room.last.beyond
    assert f"the 5 largest analysed, {more} more possible faces left out" in views.room_status(room)
    assert f"đã phân tích 5 khuôn mặt lớn nhất, bỏ qua {more} vùng" in views.room_status(room, "vi")
    assert more == 55  # the crowd's other candidates, left unchecked (test_faces: the 5 kept are the full detection's 5 largest)


def test_no_face(engine, detector):
    room = Classroom()
    analyse_photo(room, engine, detector, np.full((240, 320, 3), 127, np.uint8))
    assert room.session.students() == [] and "No face found" in views.room_status(room)
    assert "No students seen" in views.classroom_cards(room.session, [])


def test_renames(engine, detector, scene):
    room = Classroom(max_faces=30)
    analyse_photo(room, engine, detector, scene.frame)
    edits = views.parse_renames("1=Alice, 2 = Bob\n3=1", room.session.ids)
    assert edits == [(1, "Alice"), (2, "Bob"), (3, 1)]
    room.edit(edits[:2])
    assert [s["name"] for s in room.session.students()][:2] == ["Alice", "Bob"]
    with pytest.raises(ValueError, match="1=Alice"):
        views.parse_renames("Alice")
    with pytest.raises(ValueError, match="no student 99"):
        views.parse_renames("3=99", room.session.ids)
    with pytest.raises(ValueError, match="both in the frame at 0 s"):  # a photo: everyone was in the one frame
        room.edit(edits[2:])


def test_webcam_steps_analyse_every_few_seconds(engine, detector, scene):
    """The camera as the app runs it (engage.ui.class_handlers.classroom_frame): one frame a second, the students'
    crops through the model when an analysis is due."""
    camera = ClassroomStream(every=3.0)
    room, analysed = None, []
    for now in range(7):
        room, t = camera.offer(room, 3, now=float(now))  # 3 of the scene's 22 faces: the schedule is the point here
        due = camera.observe(room, detector, scene.frame, t)
        if due:
            room.add_results(analyze_students(engine, due, "zero-shot"))
        analysed.append(due is not None)
    assert analysed == [False, False, True, False, False, True, False]
    assert room.analysed_until == 6.0 and any(o.affect is not None for o in room.session.observations)


def test_camera_stream_keeps_one_frame_per_second_and_schedules_analyses(detector, scene):
    camera = ClassroomStream(every=3.0)
    room, t = camera.offer(None, 5, now=50.0)
    assert t == 0.0 and room.clock == 50.0 and room.max_faces == 5
    assert camera.observe(room, detector, scene.frame, t) is None
    assert camera.offer(room, 5, now=50.6) == (room, None)  # under a second later: not kept
    due = []
    for now in (51.0, 52.0, 53.0):
        same, t = camera.offer(room, 5, now)
        assert same is room and t == now - 50.0
        due.append(camera.observe(room, detector, scene.frame, t))
    assert due[0] is None and due[2] is None  # due once 3 s of camera are in; then taken
    jobs = due[1]
    faces = len(room.last.ids)
    assert faces >= 1 and len(jobs) == faces
    assert all((j.clip.start, j.clip.end, j.clip.num_frames) == (0.0, 3.0, 3) for j in jobs)
    assert room.analysed_until == 3.0 and room.pending_bytes() == sum(c.nbytes for items in room.crops.values() for _, c in items)
    _, t = camera.offer(room, 5, now=54.0)
    assert camera.observe(room, detector, scene.frame, t) is None
    assert room.session.observations and room.last.t == 4.0


def test_camera_stream_analyses_sooner_when_the_crops_would_pass_the_call_limit(detector, scene):
    """A large class (for ``max_bytes``): the call is made before one more second of crops would take it past it."""
    probe = ClassroomStream(every=60.0)
    room, t = probe.offer(None, 4, now=0.0)
    probe.observe(room, detector, scene.frame, t)
    per_second = room.pending_bytes()
    assert per_second > 0
    camera = ClassroomStream(every=60.0, max_bytes=int(3.5 * per_second))
    room, t = camera.offer(None, 4, now=0.0)
    due = [camera.observe(room, detector, scene.frame, camera.offer(room, 4, now=float(s))[1]) for s in range(6)]
    sizes = [None if d is None else sum(j.clip.frames.nbytes for j in d) for d in due]
    assert sizes[:2] == [None, None] and sizes[2] == 3 * per_second  # 4 s would pass 3.5 s worth
    assert all(size is None or size <= camera.max_bytes for size in sizes)


def test_camera_stream_does_not_continue_a_video_room(detector):
    from_video = Classroom(max_faces=3)  # a video's or photo's room has no camera clock
    room, t = ClassroomStream().offer(from_video, 7, now=10.0)
    assert room is not from_video and room.max_faces == 7 and t == 0.0
