"""Unit tests for sampling, windowing and decoding, and every kind of bad media."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engage.errors import (
    CorruptMediaError,
    EmptyMediaError,
    MediaTooLargeError,
    MediaTooLongError,
    UnsupportedMediaError,
)
from engage.media import (
    VideoSource,
    frames_to_clip,
    image_array_to_clip,
    load_image,
    media_kind,
    probe_video,
    report_frame_indices,
    scaled_size,
    validate_frame,
    window_bounds,
)
from engage.settings import Limits, Windowing

from conftest import write_video


@pytest.mark.parametrize(
    "total, video_fps", [(300, 30), (299, 30), (285, 30), (330, 30), (301, 30), (45, 10), (80, 25), (2, 30), (3, 30), (7, 1), (1000, 29.97), (30000, 30)]
)
def test_report_frame_indices_are_transformers_own_sampling(total, video_fps):
    """The report's call (transformers' Qwen2-VL video processor with fps=1) keeps these frames; engage must too."""
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor
    from transformers.video_utils import VideoMetadata

    want = Qwen2VLVideoProcessor().sample_frames(VideoMetadata(total_num_frames=total, fps=video_fps), fps=1)
    assert report_frame_indices(total, video_fps).tolist() == want.tolist()


def test_report_frame_indices_edge_cases():
    assert report_frame_indices(0, 30).tolist() == []
    assert report_frame_indices(1, 30).tolist() == [0]  # too short for a temporal patch (transformers fails here)
    assert report_frame_indices(299, 30).tolist() == [0, 37, 74, 112, 149, 186, 224, 261]  # DAiSEE's short clips: 8 frames


@pytest.mark.parametrize(
    "duration, expected",
    [
        (27.0, [(0, 10), (10, 20), (20, 27)]),
        (24.0, [(0, 10), (10, 24)]),  # a 4 s tail joins the previous window
        (10.0, [(0, 10)]),
        (4.5, [(0, 4.5)]),
        (12.0, [(0, 12)]),
        (0.0, []),
    ],
)
def test_window_bounds(duration, expected):
    assert window_bounds(duration, 10.0, 5.0) == [pytest.approx(b) for b in expected]


def test_windows_cover_duration_without_overlap():
    for duration in np.linspace(0.3, 95, 40):
        bounds = window_bounds(float(duration), 10.0, 5.0)
        assert bounds[0][0] == 0 and bounds[-1][1] == pytest.approx(duration)
        assert all(a[1] == pytest.approx(b[0]) for a, b in zip(bounds, bounds[1:]))


def test_scaled_size_never_upscales():
    assert scaled_size(640, 480, 1280) == (640, 480)
    assert scaled_size(3840, 2160, 1280) == (1280, 720)


# ---------------------------------------------------------------- real video files


def test_short_video_is_one_window(short_video):
    source = VideoSource(short_video)
    clips = source.clips()
    assert source.info.duration == pytest.approx(4.5, abs=0.15)
    assert len(clips) == 1
    # 45 frames at 10 fps: the report's rule keeps floor(4.5 / 2) * 2 = 4 frames, evenly spread (frames 0, 11, 22, 33)
    assert clips[0].timestamps.tolist() == pytest.approx([0, 1.1, 2.2, 3.3])
    assert clips[0].frames.shape == (4, 120, 160, 3) and clips[0].frames.dtype == np.uint8


def test_long_video_windows_and_frames(long_video):
    clips = VideoSource(long_video).clips()
    assert [c.num_frames for c in clips] == [10, 10, 6]  # the 7 s tail keeps floor(7 / 2) * 2 frames
    assert [(c.start, c.end) for c in clips] == [(0, 10), (10, 20), (20, pytest.approx(27, abs=0.15))]
    assert clips[0].timestamps.tolist() == list(range(10)) and clips[2].timestamps.tolist() == pytest.approx([20, 21.1, 22.3, 23.5, 24.6, 25.8])
    # the moving bar makes consecutive sampled frames differ
    assert not np.array_equal(clips[0].frames[0], clips[0].frames[5])


def test_frames_decoded_once(long_video, monkeypatch):
    import decord

    calls = []
    original = decord.VideoReader.get_batch

    def counting(self, indices):
        calls.append(list(indices))
        return original(self, indices)

    monkeypatch.setattr(decord.VideoReader, "get_batch", counting)
    VideoSource(long_video).clips()
    flat = [i for c in calls for i in c]
    assert len(flat) == 26 and len(set(flat)) == 26


def test_fractional_fps_and_duration(media_dir):
    path = write_video(os.path.join(media_dir, "frac.mp4"), seconds=3.2, fps=25)
    clips = VideoSource(path).clips()
    assert len(clips) == 1 and clips[0].timestamps.tolist() == pytest.approx([0, 0.8, 1.6, 2.4])  # 80 frames: at least 4


def test_large_video_is_downscaled_at_decode(short_video):
    clip = VideoSource(short_video, limits=Limits(max_side=80)).clips()[0]
    assert clip.frames.shape[1:] == (60, 80, 3)


def test_video_over_duration_limit(long_video):
    with pytest.raises(MediaTooLongError, match="limit is 20 s"):
        probe_video(long_video, Limits(max_video_seconds=20))


def test_enormous_resolution_is_refused(short_video):
    with pytest.raises(MediaTooLargeError, match="largest side"):
        probe_video(short_video, Limits(max_input_side=100))


def test_upload_size_limit(short_video):
    with pytest.raises(MediaTooLargeError, match="MB"):
        probe_video(short_video, Limits(max_upload_mb=0.0001))


def test_zero_length_video(media_dir):
    path = write_video(os.path.join(media_dir, "zero.mp4"), seconds=0)
    with pytest.raises(EmptyMediaError):
        VideoSource(path)


def test_empty_file(media_dir):
    path = os.path.join(media_dir, "empty.mp4")
    open(path, "wb").close()
    with pytest.raises(EmptyMediaError, match="0 bytes"):
        VideoSource(path)


def test_truncated_video(media_dir, long_video):
    path = os.path.join(media_dir, "truncated.mp4")
    data = Path(long_video).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptMediaError):
        VideoSource(path).clips()


def test_garbage_with_video_extension(media_dir):
    path = os.path.join(media_dir, "garbage.mp4")
    Path(path).write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(CorruptMediaError, match="corrupt"):
        VideoSource(path)


def test_audio_only_file_has_no_video_stream(media_dir):
    import av

    path = os.path.join(media_dir, "audio.m4a")
    with av.open(path, "w") as container:
        stream = container.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 16000
        for packet in list(stream.encode(frame)) + list(stream.encode(None)):
            container.mux(packet)
    with pytest.raises(EmptyMediaError, match="no video stream"):
        VideoSource(path)


def test_text_file_is_neither_image_nor_video(media_dir):
    path = os.path.join(media_dir, "notes.txt")
    Path(path).write_text("this is not a video\n" * 50)
    assert media_kind(path) == "video"  # unknown content is tried as a video…
    with pytest.raises(UnsupportedMediaError, match="neither an image nor a video"):
        probe_video(path)  # …and refused with a clear message


# ---------------------------------------------------------------- images


def _save(img: Image.Image, folder, name: str) -> str:
    path = os.path.join(folder, name)
    img.save(path)
    return path


@pytest.mark.parametrize(
    "mode, value",
    [("L", 128), ("RGBA", (10, 20, 30, 255)), ("P", 3), ("RGB", (1, 2, 3))],
)
def test_image_modes_become_rgb(tmp_path, mode, value):
    arr = load_image(_save(Image.new(mode, (40, 30), value), tmp_path, f"img_{mode}.png"))
    assert arr.shape == (30, 40, 3) and arr.dtype == np.uint8


def test_transparent_pixels_go_on_white(tmp_path):
    arr = load_image(_save(Image.new("RGBA", (8, 8), (0, 0, 0, 0)), tmp_path, "clear.png"))
    assert (arr == 255).all()


def test_16_bit_image_is_scaled_not_clipped(tmp_path):
    img = Image.fromarray(np.full((20, 20), 65535, dtype=np.uint16))
    arr = load_image(_save(img, tmp_path, "deep.png"))
    assert arr.shape == (20, 20, 3) and arr.max() == 255
    half = load_image(_save(Image.fromarray(np.full((20, 20), 32768, dtype=np.uint16)), tmp_path, "half.png"))
    assert 120 <= half.max() <= 135


def test_image_over_pixel_limit_is_refused_before_decoding(tmp_path):
    path = _save(Image.new("RGB", (200, 100)), tmp_path, "big.png")
    with pytest.raises(MediaTooLargeError, match="megapixels"):
        load_image(path, Limits(max_image_pixels=10_000))


def test_decompression_bomb(tmp_path, monkeypatch):
    path = _save(Image.new("L", (300, 300)), tmp_path, "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # PIL's own bomb guard fires first
    with pytest.raises(MediaTooLargeError):
        load_image(path)


def test_big_image_is_downscaled(tmp_path):
    arr = load_image(_save(Image.new("RGB", (3000, 1500)), tmp_path, "wide.png"), Limits(max_side=1000))
    assert arr.shape == (500, 1000, 3)


def test_not_an_image(tmp_path):
    path = os.path.join(tmp_path, "x.png")
    Path(path).write_text("hello")
    with pytest.raises(UnsupportedMediaError):
        load_image(path)


def test_truncated_image(tmp_path):
    rng = np.random.default_rng(0)
    full = _save(Image.fromarray(rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)), tmp_path, "full.png")
    data = Path(full).read_bytes()
    path = os.path.join(tmp_path, "cut.png")
    Path(path).write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptMediaError):
        load_image(path)


def test_media_kind(tmp_path, short_video):
    assert media_kind(_save(Image.new("RGB", (4, 4)), tmp_path, "a.jpg")) == "image"
    assert media_kind(short_video) == "video"
    with pytest.raises(EmptyMediaError):
        media_kind(os.path.join(tmp_path, "missing.png"))


def test_image_is_a_one_frame_clip():
    clip = image_array_to_clip(np.zeros((10, 12, 3), np.uint8))
    assert clip.frames.shape == (1, 10, 12, 3) and clip.seconds == 0


@pytest.mark.parametrize("frame", [None, np.zeros((0, 0, 3), np.uint8), np.zeros(0)])
def test_empty_webcam_frame(frame):
    with pytest.raises(EmptyMediaError):
        validate_frame(frame)


def test_frame_channels_normalised():
    assert validate_frame(np.zeros((4, 4), np.uint8)).shape == (4, 4, 3)
    assert validate_frame(np.zeros((4, 4, 4), np.uint8)).shape == (4, 4, 3)
    assert validate_frame(np.full((4, 4, 3), 300.0)).dtype == np.uint8


def test_frames_to_clip(tmp_path):
    paths = [_save(Image.new("RGB", (16, 12), (i, i, i)), tmp_path, f"f{i}.png") for i in range(3)]
    clip = frames_to_clip(paths)
    assert clip.frames.shape == (3, 12, 16, 3) and clip.seconds == 3
    other = _save(Image.new("RGB", (8, 8)), tmp_path, "other.png")
    with pytest.raises(UnsupportedMediaError, match="same size"):
        frames_to_clip(paths + [other])


def test_windowing_setting_is_used(long_video):
    clips = VideoSource(long_video, windowing=Windowing(window_seconds=5.0, min_tail_seconds=2.5)).clips()
    assert [c.num_frames for c in clips] == [4, 4, 4, 4, 6]  # 5 s windows keep 4 frames, the 7 s tail 6


@pytest.mark.parametrize("name, codec", [("bframes.avi", "libx264"), ("bframes.mp4", "libx264"), ("plain.avi", "mpeg4")])
def test_sampled_frames_are_the_right_frames(media_dir, name, codec):
    """Each frame encodes its index; decord's seek is wrong in B-frame AVIs, so those decode with PyAV."""
    import av

    path = os.path.join(media_dir, name)
    fps, n = 30, 360
    with av.open(path, "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        if codec == "libx264":
            stream.options = {"bf": "3", "g": "48"}
        for i in range(n):
            frame = np.zeros((120, 160, 3), np.uint8)
            frame[:60], frame[60:] = (i // 16) * 10, (i % 16) * 15
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    source = VideoSource(path)
    assert source.info.needs_sequential_decode == (name == "bframes.avi")
    for _ in range(3):
        frames = np.concatenate([c.frames for c in source.windows()])
        ids = [round(f[10:50].mean() / 10) * 16 + round(f[70:110].mean() / 15) for f in frames]
        assert ids == list(range(0, n, fps))


def test_prefetch_keeps_order_and_errors():
    from engage.media import prefetch

    assert list(prefetch(iter(range(5)))) == [0, 1, 2, 3, 4]

    def broken():
        yield 1
        raise CorruptMediaError("bad packet")

    got = []
    with pytest.raises(CorruptMediaError, match="bad packet"):
        for item in prefetch(broken()):
            got.append(item)
    assert got == [1]


def test_map_ahead_keeps_order_bounds_the_work_ahead_and_raises_in_place():
    import threading
    import time

    from engage.media import map_ahead

    started, lock = [], threading.Lock()

    def slow(i: int) -> int:
        with lock:
            started.append(i)
        time.sleep(0.02 * (5 - i % 5))  # the first items take longest
        return i * i

    out = []
    for value in map_ahead(slow, range(12), workers=4, ahead=3):
        out.append(value)
        with lock:  # never more than `ahead` items started beyond the one just consumed
            assert len(started) <= len(out) + 3
    assert out == [i * i for i in range(12)]

    def failing(i: int) -> int:
        if i == 2:
            raise ValueError("bad item")
        return i

    seen = []
    with pytest.raises(ValueError, match="bad item"):
        for value in map_ahead(failing, range(5), workers=2, ahead=2):
            seen.append(value)
    assert seen == [0, 1]
