"""Incremental webcam features and zero-shot levels equal a full forward pass over the same frames."""
from __future__ import annotations

import pickle

import numpy as np

from engage.affect.webcam import WebcamStream
from engage.affect.zeroshot import window_level_probs, zero_shot_probs
from engage.media import Clip
from engage.model.features import clip_features
from engage.model.incremental import IncrementalWindow


def _frames(n: int, shape=(96, 128, 3)) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.integers(0, 255, shape, dtype=np.uint8) for _ in range(n)]


def _clip(frames: list[np.ndarray]) -> Clip:
    return Clip(np.stack(frames), np.arange(float(len(frames))), 0.0, float(len(frames)))


# The incremental feature equals the full pass up to float32 rounding: measured at most 1.8e-7 (0 to 1.8e-7 over
# these tests on the tiny backbone, CPU); 1e-6 is 5.6× that, and far below any real difference (the features'
# values are of order 1).
ATOL = 1e-6


def test_every_step_equals_the_full_forward(engine):
    bb = engine.backbone
    frames = _frames(5)
    window = IncrementalWindow(max_frames=10)
    for k in range(1, len(frames) + 1):
        got = window.add(bb, frames[k - 1])
        np.testing.assert_allclose(got, clip_features(bb, [_clip(frames[:k])])[0], atol=ATOL, err_msg=f"after {k} frames")
        assert window._cache.get_seq_length() == window._cached_tokens  # what was computed for the tail is dropped
    assert window._cached_patches == 2  # frames 1-4 cached as two patches; frame 5 is recomputed next time


def test_zero_shot_levels_from_the_cache_equal_the_full_pass(engine):
    bb = engine.backbone
    frames = _frames(4)
    window = IncrementalWindow(max_frames=10)
    for k in range(1, len(frames) + 1):
        window.push(bb, frames[k - 1])
        np.testing.assert_allclose(window_level_probs(bb, window), zero_shot_probs(bb, [_clip(frames[:k])])[0], atol=1e-5)
    # asking questions leaves the cache as it was: the feature afterwards is still exact
    np.testing.assert_allclose(window.feature(bb), clip_features(bb, [_clip(frames)])[0], atol=ATOL)


def test_window_starts_again_when_full(engine):
    bb = engine.backbone
    window = IncrementalWindow(max_frames=2)
    frames = _frames(3)
    results = [window.add(bb, f) for f in frames]
    assert len(window) == 1  # the third frame opened a new window
    np.testing.assert_allclose(results[2], clip_features(bb, [_clip(frames[2:])])[0], atol=ATOL)


def test_state_survives_a_round_trip_through_pickle(engine):
    """What a ZeroGPU worker does to the webcam state between calls: host memory, pickled, then back."""
    bb = engine.backbone
    frames = _frames(4)
    window = IncrementalWindow(max_frames=10)
    for f in frames[:2]:
        window.push(bb, f)
    assert window.cache_bytes() > 0
    window = pickle.loads(pickle.dumps(window.to("cpu"))).to(bb.device)
    for f in frames[2:]:
        window.push(bb, f)
    np.testing.assert_allclose(window.feature(bb), clip_features(bb, [_clip(frames)])[0], atol=ATOL)


def test_stream_reports_the_last_six_to_ten_seconds_exactly(engine):
    bb = engine.backbone
    frames = _frames(22, shape=(64, 96, 3))
    stream = WebcamStream(window_frames=10)
    reported = {}
    for k, frame in enumerate(frames, start=1):
        before = [w._cached_patches for w in stream.windows] + [0]  # + the window B about to start
        window = stream.push(bb, frame)
        assert all(len(w) <= 10 and len(w.pending) <= 1 for w in stream.windows)  # encoded frames are not kept
        if k > 6:  # both windows running: each frame encodes exactly one new patch, in one of them
            grew = [w._cached_patches > p for p, w in zip(before, stream.windows)]
            assert sum(grew) == 1, k
        if window is not None:
            n = len(window)
            reported[k] = n
            np.testing.assert_allclose(window.feature(bb), clip_features(bb, [_clip(frames[k - n : k])])[0], atol=ATOL)
    assert reported == {2: 2, 4: 4, 6: 6, 8: 8, 10: 10, 11: 6, 13: 8, 15: 10, 16: 6, 18: 8, 20: 10, 21: 6}


def test_stream_keeps_one_frame_per_second_and_resets():
    stream = WebcamStream()
    frame = np.zeros((4, 4, 3), np.uint8)
    kept = [stream.offer(frame, t / 2) is not None for t in range(0, 20)]  # every 0.5 s for 10 s
    assert sum(kept) == 10
    stream.windows.append(IncrementalWindow())
    stream.pushed = 10
    assert stream.offer(np.zeros((8, 8, 3), np.uint8), 10.0) is not None and not stream.windows and stream.pushed == 0
    stream.windows.append(IncrementalWindow())
    assert stream.offer(np.zeros((8, 8, 3), np.uint8), 100.0) is not None and not stream.windows  # a long gap


def test_engine_webcam_results_match_the_clip_analysis(engine):
    frames = _frames(4)
    for method in ("mlp", "zero-shot"):
        stream = WebcamStream()
        results = [engine.analyze_webcam(stream, f, method) for f in frames]
        assert [r is None for r in results] == [True, False, True, False]
        expected = engine.analyze_clip(_clip(frames), method)
        np.testing.assert_allclose(results[-1].overall.probs(), expected.overall.probs(), atol=1e-5)
        assert results[-1].duration == 4.0 and results[-1].kind == "webcam"
