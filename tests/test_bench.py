"""The benchmark's two pipelines compute the same feature; its table and ratios are built from measurements."""
from __future__ import annotations

import numpy as np

from engage.bench import BenchResult, daisee_like_windows, format_results, measure, reference_features
from engage.features import clip_features


def test_reference_pipeline_computes_the_same_feature(engine):
    clips = daisee_like_windows(2)
    np.testing.assert_allclose(reference_features(engine.backbone, clips), clip_features(engine.backbone, clips), atol=1e-5)


def test_measure_and_format(engine):
    results = [measure(engine.backbone, "tiny", windows=1, repeats=1, pipeline=p) for p in ("engage", "reference")]
    assert all(r.tokens_per_window == 1996 and r.seconds_per_window > 0 and r.webcam_latency_s > 0 for r in results)
    text = format_results(results)
    assert "tiny    engage" in text and "tiny    reference" in text
    e, r = results
    assert f"{e.video_minutes_per_second / r.video_minutes_per_second:.2f}x" in text


def test_video_minutes_per_second():
    r = BenchResult("x", "engage", "cpu", "float32", 1.0, 10, 2.0, 1.0, 1.0, "RSS")
    assert r.video_minutes_per_second == (10 / 60) / 2.0


def test_webcam_update_comparison(engine):
    from engage.bench import webcam_updates

    inc, full, diff = webcam_updates(engine.backbone, frames=3)
    assert inc > 0 and full > 0 and diff < 1e-4
