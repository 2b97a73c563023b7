"""Incremental webcam features equal a full forward pass over the same frames, at every step."""
from __future__ import annotations

import numpy as np

from engage.features import clip_features
from engage.incremental import IncrementalWindow
from engage.media import Clip


def _frames(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.integers(0, 255, (96, 128, 3), dtype=np.uint8) for _ in range(n)]


def test_every_step_equals_the_full_forward(engine):
    bb = engine.backbone
    frames = _frames(5)
    window = IncrementalWindow(bb, max_frames=10)
    for k in range(1, len(frames) + 1):
        got = window.add(frames[k - 1])
        full = clip_features(bb, [Clip(np.stack(frames[:k]), np.arange(float(k)), 0.0, float(k))])[0]
        np.testing.assert_allclose(got, full, atol=1e-4, err_msg=f"after {k} frames")
    assert window._cached_patches == 2  # frames 1-4 cached as two patches; frame 5 is recomputed next time


def test_window_starts_again_when_full(engine):
    window = IncrementalWindow(engine.backbone, max_frames=2)
    frames = _frames(3)
    results = [window.add(f) for f in frames]
    assert len(window.frames) == 1  # the third frame opened a new window
    alone = clip_features(engine.backbone, [Clip(frames[2][None], np.zeros(1), 0.0, 1.0)])[0]
    np.testing.assert_allclose(results[2], alone, atol=1e-4)
