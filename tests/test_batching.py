"""Windows per forward pass: as many as free memory holds on CUDA, a fixed few on CPU."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engage.affect import pipeline
from engage.affect.pipeline import Engine
from engage.model.batching import CPU_BATCH, MAX_BATCH, batch_for_memory, largest_window, memory_room, pick_batch_size

GB = 2**30


def test_batch_is_free_memory_over_one_window_with_headroom():
    assert batch_for_memory(10 * GB, 1 * GB, safety=0.8) == 8
    assert batch_for_memory(10 * GB, 3 * GB, safety=0.8) == 2  # floor(2.67)


def test_batch_is_clamped_to_one_and_the_maximum():
    assert batch_for_memory(1 * GB, 4 * GB) == 1  # too little memory still runs one window at a time
    assert batch_for_memory(80 * GB, GB // 10, max_batch=16) == 16
    assert batch_for_memory(80 * GB, 0) == MAX_BATCH


def test_room_is_free_memory_capped_by_the_budget_above_the_model():
    assert memory_room(free_bytes=60 * GB, resident_bytes=15 * GB, budget_bytes=17 * GB) == 2 * GB  # the 7B on an H100
    assert memory_room(free_bytes=1 * GB, resident_bytes=15 * GB, budget_bytes=17 * GB) == 1 * GB  # a crowded device
    assert memory_room(free_bytes=60 * GB, resident_bytes=18 * GB, budget_bytes=17 * GB) == 0  # over budget: one at a time
    assert batch_for_memory(memory_room(60 * GB, 18 * GB, 17 * GB), GB) == 1


def test_largest_window_is_the_longest_at_the_largest_frames(engine):
    clip = largest_window()
    assert clip.num_frames == 15  # 10 s plus a tail under 5 s
    t, h, w = engine.backbone.inputs([clip], ["x"])["video_grid_thw"][0].tolist()
    assert h * w * 14 * 14 <= engine.backbone.protocol.max_pixels < 1.1 * h * w * 14 * 14


def test_cpu_keeps_a_fixed_batch(engine):
    assert pick_batch_size(engine.backbone) == CPU_BATCH


@pytest.mark.skipif(not torch.cuda.is_available(), reason="sizing to GPU memory needs CUDA")
def test_cuda_batch_is_sized_to_memory(tiny_dir):
    from engage.model.backbone import Backbone

    assert 1 <= pick_batch_size(Backbone.load(tiny_dir, device="cuda")) <= MAX_BATCH


def test_engine_sizes_its_batch_once_at_the_first_video(engine, long_video, monkeypatch):
    sized, batches = [], []
    real = pipeline.clip_features
    monkeypatch.setattr(pipeline, "pick_batch_size", lambda *a: sized.append(1) or 2)
    monkeypatch.setattr(pipeline, "clip_features", lambda bb, clips, n: batches.append(len(clips)) or real(bb, clips, n))
    fresh = Engine(backbone=engine.backbone, heads=engine.heads)
    fresh.analyze_image(np.zeros((64, 64, 3), dtype=np.uint8), "mlp")
    assert sized == [] and fresh.batch_size is None  # one clip needs no sizing
    fresh.analyze_video(long_video, "mlp")
    fresh.analyze_video(long_video, "mlp")
    assert sized == [1] and fresh.batch_size == 2 and batches == [1, 2, 1, 2, 1]


def test_a_given_batch_size_is_kept(engine, long_video, monkeypatch):
    monkeypatch.setattr(pipeline, "pick_batch_size", lambda *a: pytest.fail("sized a given batch"))
    assert Engine(backbone=engine.backbone, heads=engine.heads, batch_size=3).analyze_video(long_video).features.shape == (3, 64)
