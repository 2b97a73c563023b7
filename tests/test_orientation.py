"""The user's picture the right way up, and video sampled in time: photos with an EXIF orientation tag, phone
videos with a rotation in their display matrix, and variable-frame-rate video. The files are written here."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from engage.media import VideoSource, load_image, report_frame_indices

RED, BLUE = (255, 0, 0), (0, 0, 255)


def upright(width: int = 120, height: int = 80) -> np.ndarray:
    """A landscape picture with a red block top-left and a blue one bottom-right (asymmetric under any turn)."""
    img = np.full((height, width, 3), 128, np.uint8)
    img[:20, :20] = RED
    img[-20:, -20:] = BLUE
    return img


def corner_colour(img: np.ndarray, corner: str) -> tuple[int, ...]:
    y = 5 if corner[0] == "t" else img.shape[0] - 6
    x = 5 if corner[1] == "l" else img.shape[1] - 6
    return tuple(int(v) for v in img[y, x])


def near(colour: tuple[int, ...], target: tuple[int, ...], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(colour, target))


# EXIF orientation: how the stored pixels must be turned to show the picture upright. Storing the upright picture
# turned the other way and tagging it must give the upright picture back.
STORED = {3: lambda a: np.rot90(a, 2), 6: lambda a: np.rot90(a, 1), 8: lambda a: np.rot90(a, -1)}


def write_tagged(path, orientation: int, **save) -> np.ndarray:
    """The upright picture stored turned, with the EXIF tag that turns it back; returns the stored pixels."""
    stored = np.ascontiguousarray(STORED[orientation](upright()))
    img = Image.fromarray(stored)
    exif = img.getexif()
    exif[0x0112] = orientation
    img.save(path, exif=exif, **save)
    return stored


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_photos_are_turned_upright_by_their_exif_tag(tmp_path, orientation):
    path = tmp_path / f"o{orientation}.jpg"
    write_tagged(path, orientation, quality=95)
    out = load_image(str(path))
    assert out.shape == (80, 120, 3)
    assert near(corner_colour(out, "tl"), RED) and near(corner_colour(out, "br"), BLUE)


def test_webcam_frames_sent_as_files_are_turned_upright(tmp_path):
    """frames_to_clip reads each file with load_image: a tagged frame and an upright one make one clip."""
    from engage.media import frames_to_clip

    write_tagged(tmp_path / "a.jpg", 8, quality=95)
    Image.fromarray(upright()).save(tmp_path / "b.png")
    clip = frames_to_clip([str(tmp_path / "a.jpg"), str(tmp_path / "b.png")])
    assert clip.frames.shape == (2, 80, 120, 3)
    assert near(corner_colour(clip.frames[0], "tl"), RED) and near(corner_colour(clip.frames[0], "br"), BLUE)


def test_an_exif_tagged_photo_reaches_the_model_upright(engine, tmp_path):
    write_tagged(tmp_path / "tagged.png", 6)
    Image.fromarray(upright()).save(tmp_path / "upright.png")
    tagged = engine.analyze_image(str(tmp_path / "tagged.png"), "mlp").features[0]
    np.testing.assert_allclose(tagged, engine.analyze_image(str(tmp_path / "upright.png"), "mlp").features[0], atol=1e-6)


def write_rotated_mp4(path: str, degrees: int, frames: int = 30, fps: int = 10) -> str:
    """A phone-like video: stored landscape, with a display matrix saying turn it ``degrees`` counter-clockwise."""
    import av

    stored = np.ascontiguousarray(np.rot90(upright(160, 96), -degrees // 90))
    h, w = stored.shape[:2]
    with av.open(path, "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.set_display_rotation(degrees)
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.mark.parametrize("degrees", [90, -90, 180])
def test_rotated_phone_video_is_decoded_upright_and_unsquashed(tmp_path, degrees):
    path = write_rotated_mp4(str(tmp_path / f"r{degrees}.mp4"), degrees)
    source = VideoSource(path)
    assert (source.info.width, source.info.height) == (160, 96)
    frames = source.clips()[0].frames
    assert frames.shape[1:] == (96, 160, 3)
    for frame in frames[[0, -1]]:
        assert near(corner_colour(frame, "tl"), RED) and near(corner_colour(frame, "br"), BLUE)


@pytest.mark.parametrize("degrees", [90, -90, 180])
def test_rotated_video_is_turned_upright_on_the_pyav_path(tmp_path, degrees):
    """PyAV (the B-frame AVI path) leaves the display matrix to engage; the turn must go the right way."""
    import dataclasses

    source = VideoSource(write_rotated_mp4(str(tmp_path / f"r{degrees}.mp4"), degrees))
    source.info = dataclasses.replace(source.info, needs_sequential_decode=True)
    frames = source.clips()[0].frames
    assert frames.shape[1:] == (96, 160, 3)
    for frame in frames[[0, -1]]:
        assert near(corner_colour(frame, "tl"), RED) and near(corner_colour(frame, "br"), BLUE)


def test_rotated_video_is_scaled_after_turning(tmp_path):
    """The long side limit applies to the upright picture and keeps its aspect."""
    from engage.settings import Limits

    path = write_rotated_mp4(str(tmp_path / "r.mp4"), 90)
    frames = VideoSource(path, Limits(max_side=80)).clips()[0].frames
    assert frames.shape[1:] == (48, 80, 3)


def write_vfr(path: str, b_frames: int = 0) -> tuple[str, np.ndarray]:
    """5 s at 30 fps, then 5 s at 5 fps; each frame's grey level encodes its time (25 per second)."""
    import fractions

    import av

    times = np.concatenate([np.arange(150) / 30, 5 + np.arange(25) / 5])
    base = fractions.Fraction(1, 1000)  # the Matroska muxer's; MP4 takes it too
    with av.open(path, "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = stream.codec_context.time_base = base
        stream.codec_context.options = {"bf": str(b_frames)}
        for t in times:
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), int(round(t * 25)), np.uint8), format="rgb24")
            frame.pts, frame.time_base = int(round(t * 1000)), base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path, times


# B-frames put an MP4's index (decode times) up to 0.33 s off the frames' times here; a Matroska index lists
# keyframes only, so its times come from the packets.
@pytest.mark.parametrize("name,b_frames", [("vfr.mp4", 0), ("vfr_b.mp4", 3), ("vfr_b.mkv", 3)])
def test_variable_frame_rate_is_sampled_by_time(tmp_path, name, b_frames):
    path, times = write_vfr(str(tmp_path / name), b_frames)
    source = VideoSource(path)
    np.testing.assert_allclose(source.info.frame_times, times, atol=1e-3)
    assert source.info.num_frames == 175 and source.info.fps == pytest.approx(174 / 9.8, rel=1e-3)
    clip = source.clips()[0]  # one window of 9.8 s: 8 frames by the report's rule at the average 17.76 fps
    assert clip.num_frames == 8
    # the report's rule on a constant-rate clip picks times index / average rate; engage takes the frame nearest
    # each: within half a frame interval (0.1 s in the 5 fps part)
    wanted = report_frame_indices(175, source.info.fps) / source.info.fps
    assert np.abs(clip.timestamps - wanted).max() <= 0.1 + 1e-3
    assert clip.timestamps[-1] > 8  # spread over the whole clip, not crowded into the 30 fps part
    shown = clip.frames[:, 24, 32, 0].astype(float) / 25  # the time written into each frame's pixels
    np.testing.assert_allclose(shown, clip.timestamps, atol=0.1)
    # by index it would be seconds off: the last kept index, 153, is the frame at 5.6 s, not 8.6 s
    by_index = report_frame_indices(175, source.info.fps)
    assert times[by_index[-1]] < 6 and wanted[-1] > 8


def test_constant_frame_rate_keeps_index_sampling(tmp_path):
    from conftest import write_video

    info = VideoSource(write_video(str(tmp_path / "cfr.mp4"), 4, fps=30)).info
    assert info.frame_times is None and info.quarter_turns == 0
