"""Face detection on images composed from examples/astronaut.png with known face boxes, hard negatives, the
annotated frame's labels, and head pose.

The scenes (engage.classroom.scenes.benchmark_scenes) paste scaled, mirrored, slightly rotated and re-lit
copies of the astronaut's face at known places: a classroom of three rows (22-110 px faces),
mixed sizes (40-200 px), faces cut by the frame's edges plus one half covered and one of 18 px,
tiny faces (16-32 px), a 10×6 crowd, and a face-free image. docs/face_detection.md has the table.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")
pytest.importorskip("dlib")

from engage.classroom import faces as F  # noqa: E402
from engage.classroom import headpose as H  # noqa: E402
from engage.classroom import measure as M  # noqa: E402
from engage.classroom import scenes as S  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def detector():
    return F.load_detector()


@pytest.fixture(scope="module")
def haar():
    return F.load_detector("haar")


@pytest.fixture(scope="module")
def scenes():
    return {scene.name: scene for scene in S.benchmark_scenes()}


@pytest.fixture(scope="module")
def astronaut():
    return S._astronaut()


@pytest.fixture(scope="module")
def found(detector, haar, scenes):
    """Each detector's faces on each scene, computed once."""
    return {det.name: {name: det.detect(scene.frame) for name, scene in scenes.items()} for det in (detector, haar)}


def _totals(found, scenes, names):
    tp = fp = fn = 0
    for name in names:
        a, b, c = S.match(found[name], scenes[name].boxes, 0.4)
        tp, fp, fn = tp + a, fp + b, fn + c
    return tp / (tp + fn), tp / max(tp + fp, 1)


def test_default_is_dlib_hog_with_landmarks(detector):
    assert detector.name == "dlib-hog"
    assert isinstance(detector, F.DlibHogDetector)


def test_known_box_matches_every_detector_on_the_original(astronaut, detector, haar):
    # ASTRONAUT_FACE_BOX was measured from dlib's landmarks (see engage/classroom/faces.py); the detectors'
    # own boxes on the untouched photo agree with it (measured IoU: haar 0.81, dlib-hog 0.73).
    for det in (detector, haar):
        best = max(F.iou(f.box, S.ASTRONAUT_FACE_BOX) for f in det.detect(astronaut))
        assert best >= 0.7, det.name


def test_recall_and_precision_floors(found, scenes):
    names = list(scenes)
    # Measured on these scenes (python -m engage.classroom.measure --compare): dlib-hog recall 0.955,
    # precision 0.991; haar recall 0.864, precision 1.000. Floors sit just under them.
    recall, precision = _totals(found["dlib-hog"], scenes, names)
    assert recall >= 0.94 and precision >= 0.98, (recall, precision)
    recall, precision = _totals(found["haar"], scenes, names)
    assert recall >= 0.85 and precision >= 0.98, (recall, precision)


def test_default_beats_haar_on_classroom_sized_faces(found, scenes):
    names = ["classroom", "tiny", "border"]
    assert _totals(found["dlib-hog"], scenes, names)[0] > _totals(found["haar"], scenes, names)[0]


def test_no_face_gives_empty_list(detector, haar, astronaut):
    grey = np.full((720, 1280, 3), 128, np.uint8)
    background = S._background(astronaut, 1280, 720, np.random.default_rng(5))
    for det in (detector, haar):
        assert det.detect(grey) == []
        assert det.detect(background) == []


def test_sixty_faces_are_all_returned_sorted(found, scenes):
    scene = scenes["crowd60"]
    faces = found["dlib-hog"]["crowd60"]
    assert len(faces) == 60
    assert S.match(faces, scene.boxes, 0.4) == (60, 0, 0)
    scores = [f.score for f in faces]
    assert scores == sorted(scores, reverse=True)
    assert all(f.landmarks.shape == (68, 2) for f in faces)
    top = faces[:10]  # the caller caps
    assert [f.score for f in top] == scores[:10]


def test_find_checks_only_up_to_the_cap_and_keeps_what_the_full_detection_would(found, scenes, detector):
    """A room keeps its largest ``max_faces`` faces: ``find`` checks the largest candidates first and stops there; its
    faces are the largest of every checked face (the printed face on a shirt included, whose rule compares widths)."""
    counting = F.load_detector()
    checks = []
    real = counting._check
    counting._check = lambda frame, face: checks.append(face.box) or real(frame, face)
    shirts = next(s for s in M.hard_negative_scenes() if s.name == "shirt-prints")  # 3 people, faces printed on their shirts
    frames = {name: scenes[name].frame for name in ("classroom", "border", "crowd60")} | {shirts.name: shirts.frame}
    full = {name: found["dlib-hog"].get(name) or detector.detect(frame) for name, frame in frames.items()}
    for name, frame in frames.items():
        for max_faces in (2, 5) if name == "shirt-prints" else (3,):
            got = counting.find(frame, max_faces, accept=F.plausible)
            want = F.largest(full[name], max_faces, accept=F.plausible)
            assert [f.box for f in got.faces] == [f.box for f in want.faces], (name, max_faces)
            assert all(np.array_equal(a.landmarks, b.landmarks) for a, b in zip(got.faces, want.faces)), name
    checks.clear()
    crowd = counting.find(frames["crowd60"], 12)
    assert len(crowd.faces) == 12 and crowd.beyond == 48 and len(checks) == 12  # 60 candidates, every one a face


def test_border_faces_have_clipped_boxes(found, scenes):
    scene = scenes["border"]
    faces = found["dlib-hog"]["border"]
    h, w = scene.frame.shape[:2]
    for f in faces:
        x0, y0, x1, y1 = f.box
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
    # measured: 5 of the 6 faces cut by an edge are found; the half-covered one and the 18 px one are not
    tp, fp, _ = S.match(faces, scene.boxes, 0.4)
    assert tp >= 5 and fp == 0
    assert any(f.box[0] == 0 for f in faces) and any(f.box[2] == w for f in faces)


def test_smallest_reliable_face_size(detector):
    # measured: all four 22 px faces are found (and every larger size in the sweep); none at 12 px
    scene = S.size_scene(22)
    assert S.match(detector.detect(scene.frame), scene.boxes, 0.4)[0] == 4
    scene = S.size_scene(12)
    assert S.match(detector.detect(scene.frame), scene.boxes, 0.4)[0] == 0


def test_grayscale_and_rgba_frames(detector, haar, astronaut):
    gray = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)
    rgba = np.dstack([astronaut, np.full(astronaut.shape[:2], 255, np.uint8)])
    for det in (detector, haar):
        ref = det.detect(astronaut)[0]
        for frame in (gray, rgba):
            faces = det.detect(frame)
            assert faces and F.iou(faces[0].box, ref.box) > 0.8, det.name


def test_haar_gives_no_landmarks_and_pose_says_so(haar, astronaut):
    face = haar.detect(astronaut)[0]
    assert face.landmarks is None
    with pytest.raises(ValueError, match="no landmarks"):
        H.face_pose(face, astronaut)


def test_unknown_detector_name():
    with pytest.raises(ValueError, match="Unknown face detector"):
        F.load_detector("yunet")


def test_crop_face_size_and_border_padding(astronaut):
    face = F.Face(S.ASTRONAUT_FACE_BOX, 1.0)
    crop = F.crop_face(astronaut, face)
    assert crop.shape == (224, 224, 3) and crop.dtype == np.uint8
    assert F.crop_face(astronaut, face, scale=1.0, size=112).shape == (112, 112, 3)
    corner = F.Face((0.0, 0.0, 40.0, 30.0), 1.0)  # the square around it lies mostly outside the frame
    crop = F.crop_face(astronaut, corner, scale=2.0, size=64)
    assert crop.shape == (64, 64, 3)
    # replicate padding: the top-left of the crop repeats the frame's corner pixel
    assert np.abs(crop[0, 0].astype(int) - astronaut[0, 0].astype(int)).max() <= 2
    tiny = F.Face((100.0, 100.0, 100.5, 100.5), 1.0)
    assert F.crop_face(astronaut, tiny, size=32).shape == (32, 32, 3)


def test_no_network_when_loading_and_detecting():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from engage.classroom.faces import load_detector\n"
        "from engage.classroom.scenes import _astronaut\n"
        "img = _astronaut()\n"
        "for name in ('default', 'haar'):\n"
        "    assert load_detector(name).detect(img), name\n"
        "print('ok')\n"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


# ---------------------------------------------------------------- hard negatives (issue 26)


def test_astronaut_patch_is_no_face(astronaut):
    # HOG alone, enlarged 2× (the roster's detector), takes the round mission patch for a face: (127, 336, 217, 426)
    unchecked = F.load_detector("dlib-hog-x2-unchecked").detect(astronaut)
    assert any(S.iou(f.box, (127, 336, 217, 426)) > 0.9 for f in unchecked)
    for name in ("dlib-hog-x2", "default"):
        faces = F.load_detector(name).detect(astronaut)
        assert len(faces) == 1 and S.iou(faces[0].box, S.ASTRONAUT_FACE_BOX) >= 0.6, name


def test_roster_photo_of_the_astronaut_has_one_face(astronaut):
    from engage.classroom import identity

    roster = identity.Roster()
    assert identity.add_photo(roster, F.load_detector("dlib-hog-x2"), identity.default_encoder(), astronaut, "Eileen") == 1


def test_collage_of_five_gives_five_faces(detector):
    clip = M.collage_clip(seconds=1)
    assert S.match(detector.detect(clip.frames[0]), clip.boxes[0]) == (5, 0, 0)


@pytest.mark.parametrize("name", ["patches", "badges", "cartoons", "shirt-prints"])
def test_hard_negatives_give_no_false_face(detector, name):
    scene = next(s for s in M.hard_negative_scenes() if s.name == name)
    tp, fp, fn = S.match(detector.detect(scene.frame), scene.boxes)
    assert fp == 0 and fn == 0, (tp, fp, fn)


def test_cnn_check_confidence(astronaut):
    check = F.CnnCheck()
    assert check.confidence(astronaut, S.ASTRONAUT_FACE_BOX) > 0.5
    assert check.confidence(astronaut, (127, 336, 217, 426)) is None  # the mission patch
    assert check.confidence(astronaut, (600, 600, 700, 700)) is None  # outside the frame




# ---------------------------------------------------------------- the annotated frame's labels


def _crowd_boxes(width, height, cols=6, rows=2, side=None):
    """A crowded class: ``rows`` × ``cols`` faces, every other column a third of a face higher (as students sit)."""
    side = side or width // (2 * cols)
    boxes = []
    for r in range(rows):
        for c in range(cols):
            cx, cy = (c + 0.5) * width / cols, (r + 0.5) * height / rows - (side / 3 if c % 2 else 0)
            boxes.append((round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2)))
    return boxes


def _disjoint(a, b):
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@pytest.mark.parametrize("size", [(1280, 720), (640, 360), (320, 240)])
def test_labels_overlap_no_face_and_no_other_label(size):
    from engage.ui.classroom_plots import annotate_frame, label_layout

    width, height = size
    boxes = _crowd_boxes(width, height)
    texts = [(k, f"Student {k + 1}", "engagement 1.5") for k in range(len(boxes))]
    font, placed = label_layout((height, width, 3), boxes, texts)
    assert sorted(k for k, _, _ in placed) == list(range(len(boxes)))
    rects = [r for _, r, _ in placed]
    for i, r in enumerate(rects):
        assert 0 <= r[0] < r[2] <= width and 0 <= r[1] < r[3] <= height
        assert all(_disjoint(r, b) for b in boxes), (r, "covers a face")
        assert all(_disjoint(r, o) for o in rects[i + 1 :]), (r, "covers a label")
    # drawn: inside every face only its outline changes, whoever's label is near
    frame = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    out = annotate_frame(frame, boxes, list(range(1, len(boxes) + 1)), None, ["engagement 1.5"] * len(boxes))
    diff = (out != frame).any(axis=2)
    line = max(2, round(min(height, width) / 240))
    for x0, y0, x1, y1 in boxes:
        assert not diff[y0 + line : y1 - line, x0 + line : x1 - line].any()
    assert all(diff[r[1] : r[3], r[0] : r[2]].any() for r in rects)


def test_label_font_scales_with_the_frame():
    from engage.ui.classroom_plots import label_font_size, label_layout

    sizes = [label_font_size(h, w) for w, h in ((320, 240), (640, 360), (1280, 720), (1920, 1080))]
    assert sizes == sorted(sizes) and sizes[0] >= 12 and sizes[-1] >= 3 * sizes[0]
    # on a phone showing the frame 360 px wide, a lone label is at least 9 px tall
    for w, h in ((1280, 720), (1920, 1080)):
        font, [(_, rect, _)] = label_layout((h, w), [(w // 2, h // 2, w // 2 + 80, h // 2 + 80)], [(0, "Student 7", "engagement 1.5")])
        assert (rect[3] - rect[1]) * 360 / w >= 9


# ---------------------------------------------------------------- head pose


def _project(yaw, pitch, roll, translation=(0.0, 0.0, 3000.0), size=(1280, 720), rotation=None):
    """Image points of the 3D model turned by (yaw, pitch, roll) relative to the line of sight."""
    t = np.asarray(translation, dtype=np.float64)
    r = (rotation if rotation is not None else H.line_of_sight(t)) @ H.rotation_matrix(yaw, pitch, roll)
    pts, _ = cv2.projectPoints(H.MODEL_POINTS, cv2.Rodrigues(r)[0], t, H.camera_matrix(size), None)
    return pts.reshape(-1, 2)


def _look_at(t):
    """A head at ``t`` facing the camera, with its up direction kept in the camera's y-z plane."""
    forward = np.asarray(t, float) / np.linalg.norm(t)  # model +z (away from the camera) maps here
    x = np.cross([0.0, 1.0, 0.0], forward)
    x /= np.linalg.norm(x)
    y = np.cross(forward, x)
    return np.stack([x, y, forward], axis=1)


@pytest.mark.parametrize("angles", [(0, 0, 0), (20, -10, 5), (-35, 15, -12), (40, 20, 10), (0, -30, 0), (-15, 25, 20)])
@pytest.mark.parametrize("translation", [(0.0, 0.0, 3000.0), (1500.0, -700.0, 4000.0), (-2500.0, 900.0, 6000.0)])
def test_head_pose_round_trip(angles, translation):
    pose = H.head_pose(_project(*angles, translation=translation), (1280, 720))
    assert np.allclose([pose.yaw, pose.pitch, pose.roll], angles, atol=0.5), pose
    # with one pixel of landmark noise on a 3000-unit (about 60 cm) distant face
    rng = np.random.default_rng(0)
    noisy = _project(*angles, translation=translation) + rng.normal(0, 1.0, (6, 2))
    pose = H.head_pose(noisy, (1280, 720))
    assert np.allclose([pose.yaw, pose.pitch, pose.roll], angles, atol=4.0), pose


def test_head_pose_accepts_68_landmarks():
    marks = np.zeros((68, 2))
    marks[list(H.MODEL_INDICES)] = _project(25, -5, 8)
    pose = H.head_pose(marks, (1280, 720))
    assert np.allclose([pose.yaw, pose.pitch, pose.roll], (25, -5, 8), atol=0.5)
    with pytest.raises(ValueError):
        H.head_pose(np.zeros((5, 2)), (1280, 720))


def test_head_pose_sign_conventions():
    nose, eye_l, eye_r = 0, 2, 3  # rows of MODEL_POINTS: 30 (nose), 36 and 45 (eye corners)
    front = _project(0, 0, 0)
    yawed = _project(20, 0, 0)
    assert yawed[nose, 0] - yawed[[eye_l, eye_r], 0].mean() > 5  # yaw > 0: nose toward the viewer's right
    up = _project(0, 20, 0)
    assert (up[nose, 1] - up[eye_l, 1]) < (front[nose, 1] - front[eye_l, 1])  # pitch > 0: nose rises toward the eyes
    rolled = _project(0, 0, 15)
    assert rolled[eye_r, 1] > rolled[eye_l, 1]  # roll > 0: clockwise in the image
    assert H.MODEL_INDICES[:4] == (30, 8, 36, 45)


def test_face_facing_the_camera_off_centre_reads_frontal():
    for t in [(2000.0, 0.0, 3000.0), (-1500.0, 1000.0, 3500.0)]:
        pose = H.head_pose(_project(0, 0, 0, translation=t, rotation=_look_at(t)), (1280, 720))
        assert abs(pose.yaw) < 0.5 and abs(pose.pitch) < 0.5 and abs(pose.roll) < 8, pose


def test_attending():
    assert H.attending(H.HeadPose(0, 0, 0))
    assert H.attending(H.HeadPose(-29, 24, 40))
    assert not H.attending(H.HeadPose(35, 0, 0))
    assert not H.attending(H.HeadPose(0, -40, 0))  # looking down at the desk
    assert H.attending(H.HeadPose(35, 0, 0), yaw_limit=40)


def test_pose_of_the_real_face_and_its_mirror(detector, astronaut):
    # measured on the portrait: yaw +5.7, pitch -13.5, roll +4.3 (the generic model reads her
    # pitch low); mirroring flips the signs of yaw and roll
    pose = H.face_pose(detector.detect(astronaut)[0], astronaut)
    mirror = astronaut[:, ::-1].copy()
    flipped = H.face_pose(detector.detect(mirror)[0], mirror)
    assert H.attending(pose) and H.attending(flipped)
    assert pose.yaw > 0 > flipped.yaw and pose.roll > 0 > flipped.roll
    assert abs(pose.pitch - flipped.pitch) < 3
    # small faces give nearly the same pose: measured within 2° down to a 29 px face (1/3 scale);
    # at 24 px (1/4 scale) yaw was off by 5°
    small = cv2.resize(astronaut, None, fx=1 / 3, fy=1 / 3, interpolation=cv2.INTER_AREA)
    small_pose = H.face_pose(detector.detect(small)[0], small)
    assert abs(small_pose.yaw - pose.yaw) < 3 and abs(small_pose.pitch - pose.pitch) < 3
