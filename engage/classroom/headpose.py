"""Head pose (yaw, pitch, roll) from a face's 68 landmarks, and a "looking at the board" estimate.

Six landmarks of the dlib 68-point scheme (nose tip 30, chin 8, outer eye corners 36 and 45,
mouth corners 48 and 54) are matched to a generic 3D face with ``cv2.solvePnP``. The camera is
a pinhole with focal length = frame width (a 53° horizontal field of view, typical of webcams)
and the principal point at the frame's centre.

Angles are in degrees, relative to the line of sight from the camera to the face, so (0, 0, 0)
means "facing the camera" wherever the face is in the frame:

- yaw > 0: the face is turned toward the viewer's right (the person's own left);
- pitch > 0: the face is tilted up (chin raised); pitch < 0: looking down (e.g. at a desk);
- roll > 0: the head leans toward the viewer's right (the person's own left shoulder), i.e. it
  is rotated clockwise as seen in the image.

The rotation of the head, from facing the camera, is ``Rz(roll) @ Rx(pitch) @ Ry(yaw)`` in camera
axes (x right, y down, z away from the camera). A generic face model makes the angles estimates:
expect several degrees of bias on a particular person, more for faces under ~40 px.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Landmark index (dlib 68-point scheme) -> generic 3D position, for a face looking straight into
# the camera, in camera axes (x right, y down, z away from the camera), nose tip at the origin.
# Units are arbitrary (about 0.2 mm); the proportions are the widely used generic model of
# nose tip, chin, outer eye corners and mouth corners.
MODEL_68 = {
    30: (0.0, 0.0, 0.0),  # nose tip
    8: (0.0, 330.0, 65.0),  # chin
    36: (-225.0, -170.0, 135.0),  # outer corner of the eye on the image's left
    45: (225.0, -170.0, 135.0),  # outer corner of the eye on the image's right
    48: (-150.0, 150.0, 125.0),  # mouth corner on the image's left
    54: (150.0, 150.0, 125.0),  # mouth corner on the image's right
}
MODEL_INDICES = tuple(MODEL_68)
MODEL_POINTS = np.array([MODEL_68[i] for i in MODEL_INDICES], dtype=np.float64)


@dataclass(frozen=True)
class HeadPose:
    """Degrees; see the module docstring for the sign conventions."""

    yaw: float
    pitch: float
    roll: float


def rotation_matrix(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """``Rz(roll) @ Rx(pitch) @ Ry(yaw)`` (degrees), camera axes: x right, y down, z away."""
    a, b, c = np.radians([yaw, pitch, roll])
    ry = np.array([[np.cos(a), 0, -np.sin(a)], [0, 1, 0], [np.sin(a), 0, np.cos(a)]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), np.sin(b)], [0, -np.sin(b), np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rz @ rx @ ry


def angles(rotation: np.ndarray) -> HeadPose:
    """Inverse of :func:`rotation_matrix`."""
    r = np.asarray(rotation, dtype=np.float64)
    pitch = np.degrees(np.arcsin(np.clip(-r[2, 1], -1.0, 1.0)))
    yaw = np.degrees(np.arctan2(r[2, 0], r[2, 2]))
    roll = np.degrees(np.arctan2(-r[0, 1], r[1, 1]))
    return HeadPose(float(yaw), float(pitch), float(roll))


def camera_matrix(frame_size: tuple[int, int], focal: float | None = None) -> np.ndarray:
    """Pinhole intrinsics for a (width, height) frame; focal length defaults to the width."""
    width, height = frame_size
    f = float(focal or width)
    return np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1]], dtype=np.float64)


def line_of_sight(translation: np.ndarray) -> np.ndarray:
    """The smallest rotation taking the camera's optical axis (z) onto the direction of ``translation``."""
    import cv2

    t = np.asarray(translation, dtype=np.float64).reshape(3)
    t = t / np.linalg.norm(t)
    axis = np.cross([0.0, 0.0, 1.0], t)
    s = np.linalg.norm(axis)
    if s < 1e-12:
        return np.eye(3)
    angle = np.arctan2(s, t[2])
    return cv2.Rodrigues(axis / s * angle)[0]


def head_pose(landmarks: np.ndarray | None, frame_size: tuple[int, int], focal: float | None = None) -> HeadPose:
    """Yaw, pitch and roll of a face from its (68, 2) landmarks in a (width, height) frame.

    Also accepts the six model points alone, (6, 2), in the order of ``MODEL_INDICES``.
    """
    import cv2

    if landmarks is None:
        raise ValueError("This face has no landmarks (the Haar detector gives none); use load_detector('default').")
    pts = np.asarray(landmarks, dtype=np.float64)
    if pts.shape == (68, 2):
        pts = pts[list(MODEL_INDICES)]
    elif pts.shape != (len(MODEL_INDICES), 2):
        raise ValueError(f"Expected (68, 2) landmarks, got shape {pts.shape}.")
    k = camera_matrix(frame_size, focal)
    ok, rvec, tvec = cv2.solvePnP(MODEL_POINTS, pts, k, None, flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        raise ValueError("Head pose could not be solved from these landmarks.")
    rotation = cv2.Rodrigues(rvec)[0]
    if tvec[2, 0] < 0:  # the mirror solution behind the camera
        rotation, tvec = -rotation, -tvec
    return angles(line_of_sight(tvec).T @ rotation)


def face_pose(face, frame: np.ndarray) -> HeadPose:
    """Head pose of an ``engage.classroom.faces.Face`` found in ``frame``."""
    height, width = np.asarray(frame).shape[:2]
    return head_pose(face.landmarks, (width, height))


def attending(pose: HeadPose, yaw_limit: float = 30.0, pitch_limit: float = 25.0) -> bool:
    """Whether the face is turned toward the camera, within the limits (degrees).

    The camera is assumed to sit near the screen or board, so this estimates "looking at the
    screen/board". It is head direction, not gaze: eyes can look elsewhere, and someone reading
    notes on the desk (pitch well below -25°) counts as not attending.
    """
    return abs(pose.yaw) <= yaw_limit and abs(pose.pitch) <= pitch_limit
