"""Integration: real files through decode → tiny Qwen2.5-VL (loaded with from_pretrained) → heads → plots."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from engage.affect.pipeline import TEST_WEIGHTS_WARNING, UNTRAINED_HEADS_WARNING, Engine
from engage.affect.results import STATES
from engage.affect.zeroshot import level_token_ids, state_prompt, zero_shot_probs
from engage.errors import HeadsError
from engage.media import Clip, VideoSource
from engage.model.backbone import Backbone
from engage.model.features import clip_features, mean_pool
from engage.ui import plots

from conftest import ROOT

EXAMPLES = os.path.join(ROOT, "examples")


def test_mean_pool_ignores_padding():
    hidden = torch.tensor([[[1.0, 1.0], [3.0, 5.0], [100.0, 100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert mean_pool(hidden, mask).tolist() == [[2.0, 3.0]]


def test_tiny_backbone_loads_like_the_real_one(engine, tiny_dir):
    bb = engine.backbone
    assert type(bb.model).__name__ == "Qwen2_5_VLForConditionalGeneration"
    assert type(bb.processor).__name__ == "Qwen2_5_VLProcessor"
    assert bb.is_test_weights and bb.hidden_size == 64


def test_protocol_reaches_the_processor(engine, long_video):
    clip = VideoSource(long_video).clips()[0]
    batch = engine.backbone.inputs([clip], [engine.backbone.protocol.prompt])
    text = engine.backbone.tokenizer.decode(batch["input_ids"][0])
    assert "Analyze this video." in text and "<|video_pad|>" in text
    assert batch["second_per_grid_ts"].tolist() == [2.0]  # 1 FPS, two frames per temporal patch
    assert batch["video_grid_thw"][0, 0].item() == 5  # 10 frames → 5 temporal patches
    # 160×120 is below min_pixels, so smart_resize scales it up to at least 128 tokens of 28×28
    t, h, w = batch["video_grid_thw"][0].tolist()
    assert h * w * 14 * 14 >= engine.backbone.protocol.min_pixels


def test_batched_features_equal_one_by_one(engine, long_video):
    clips = VideoSource(long_video).clips()
    batched = clip_features(engine.backbone, clips, batch_size=4)
    single = np.concatenate([clip_features(engine.backbone, [c]) for c in clips])
    assert batched.shape == (3, 64)
    np.testing.assert_allclose(batched, single, atol=1e-5)
    assert not np.allclose(batched[0], batched[2])


def test_video_through_the_whole_pipeline(engine, long_video):
    seen = []
    analysis = engine.analyze_video(long_video, "mlp", progress=lambda f, m: seen.append(f))
    assert analysis.kind == "video" and len(analysis.windows) == 3
    assert [w.frames for w in analysis.windows] == [10, 10, 6]
    for w in analysis.windows:
        np.testing.assert_allclose(w.probs().sum(1), 1.0, atol=1e-6)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert analysis.features.shape == (3, 64)
    assert TEST_WEIGHTS_WARNING in analysis.warnings and UNTRAINED_HEADS_WARNING in analysis.warnings
    fig = plots.timeline(analysis)
    assert len(fig.data) == 16


def test_image_is_scored_as_one_frame_clip(engine):
    analysis = engine.analyze_image(os.path.join(EXAMPLES, "astronaut.png"), "mlp")
    assert analysis.kind == "image" and analysis.windows[0].frames == 1
    assert analysis.features.shape == (1, 64)


def test_zero_shot_reads_level_token_probabilities(engine, short_video):
    ids = level_token_ids(engine.backbone.tokenizer)
    assert len(set(ids)) == 4
    assert all("single digit" in state_prompt(s) and "3 =" in state_prompt(s) for s in STATES)
    clip = VideoSource(short_video).clips()[0]
    probs = zero_shot_probs(engine.backbone, [clip])
    assert probs.shape == (1, 4, 4)
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-6)
    # the same numbers straight from the model's logits, computed independently
    bb = engine.backbone
    batch = bb.inputs([clip], [state_prompt("Confusion")])
    with torch.inference_mode():
        logits = bb.model(**batch).logits[0, -1]
    expected = torch.softmax(logits[ids], -1).numpy()
    np.testing.assert_allclose(probs[0, 2], expected, atol=1e-5)


def test_zero_shot_needs_no_heads(tiny_dir, tmp_path, short_video):
    engine = Engine.load(tiny_dir, str(tmp_path), device="cpu")
    assert engine.heads is None and "import-heads" in engine.heads_problem
    assert engine.analyze_video(short_video, "zero-shot").windows
    with pytest.raises(HeadsError, match="import-heads"):
        engine.analyze_video(short_video, "mlp")


def test_mismatched_heads_are_refused_not_used(tiny_dir, tmp_path):
    from engage.affect.heads import random_heads

    random_heads(3584).save(str(tmp_path))
    engine = Engine.load(tiny_dir, str(tmp_path), device="cpu")
    assert engine.heads is None and "3584-d" in engine.heads_problem
    with pytest.raises(HeadsError, match="^The MLP method is unavailable here: the MLP heads on this server do not fit") as refused:
        engine.analyze_image(np.zeros((32, 32, 3), np.uint8), "mlp")
    assert "3584-d" in refused.value.detail and str(tmp_path) not in str(refused.value)  # the reason, for the operator


def test_app_path_and_cli_path_give_identical_features(engine, long_video, tiny_dir, heads_dir, tmp_path):
    """The CLI (a separate process) and the engine the app uses must compute the same features."""
    app_features = engine.analyze_video(long_video, "mlp").features
    out = tmp_path / "cli.npy"
    env = dict(os.environ, ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu")
    proc = subprocess.run(
        [sys.executable, "-m", "engage", "predict", long_video, "--json", "--save-features", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_array_equal(np.load(out), app_features)
    cli = json.loads(proc.stdout)
    app = engine.analyze_video(long_video, "mlp").to_dict()
    for cw, aw in zip(cli["windows"], app["windows"]):
        for s in STATES:
            np.testing.assert_allclose(cw["states"][s]["probs"], aw["states"][s]["probs"], atol=1e-12)


def test_backbone_protocol_change_changes_features(tiny_dir, short_video):
    from engage.model.protocol import FeatureProtocol

    clip = VideoSource(short_video).clips()[0]
    a = Backbone.load(tiny_dir, device="cpu")
    b = Backbone.load(tiny_dir, device="cpu", protocol=FeatureProtocol(prompt="Analyze this face."))
    assert not np.allclose(clip_features(a, [clip]), clip_features(b, [clip]))


def test_webcam_clip(engine):
    frames = np.random.default_rng(0).integers(0, 255, (4, 96, 128, 3), dtype=np.uint8)
    analysis = engine.analyze_clip(Clip(frames, np.arange(4.0), 0.0, 4.0), "zero-shot")
    assert analysis.kind == "webcam" and analysis.duration == 4.0


def test_missing_heads_are_imported_from_the_report_format_before_the_backbone(tiny_dir, tmp_path):
    import torch

    from engage.affect.heads import build_mlp
    from engage.model.protocol import REPORT_PROTOCOL

    src = tmp_path / "report"
    src.mkdir()
    for s in STATES:
        torch.save({"model_state_dict": build_mlp(64).state_dict(), "epoch": 1, "val_f1": 0.2}, src / f"mlp_{s}_best.pth")
    failed = Engine.load(tiny_dir, str(tmp_path / "nowhere"), device="cpu", heads_source=str(tmp_path / "no-such-source"))
    assert failed.heads is None and "importing" in failed.heads_problem
    engine = Engine.load(tiny_dir, str(tmp_path / "weights"), device="cpu", heads_source=str(src))
    assert engine.heads is not None and engine.heads.trained
    # the backbone was loaded for the imported heads: the report's protocol, photos as images
    assert engine.backbone.protocol == REPORT_PROTOCOL == engine.heads.protocol
    assert engine.analyze_image(np.zeros((32, 32, 3), np.uint8), "mlp").windows


def test_shared_prefix_gives_the_same_feature_and_logits(engine, long_video):
    """Prefix caching is exact: the feature and the question logits equal those of one full forward pass."""
    from engage.model.features import prefix_feature
    from engage.model.prefix import encode_prefix, next_token_logits, run_suffix, suffix_ids

    bb = engine.backbone
    clip = VideoSource(long_video).clips()[1]
    with bb.lock:
        prefix = encode_prefix(bb, clip)
        feature = prefix_feature(bb, prefix)
        question = state_prompt("Boredom")
        logits = next_token_logits(bb, run_suffix(bb, prefix, suffix_ids(bb, question)))[0]
        again = prefix_feature(bb, prefix)  # the cache was restored after each question
    np.testing.assert_allclose(feature, clip_features(bb, [clip])[0], atol=1e-4)  # float32 kernel order only
    np.testing.assert_allclose(again, feature, atol=1e-6)
    with torch.inference_mode():
        full = bb.model(**bb.inputs([clip], [question])).logits[0, -1]
    np.testing.assert_allclose(logits.numpy(), full.numpy(), atol=1e-4)


def test_a_result_names_the_model_never_the_servers_folder(engine, tiny_dir):
    """The result JSON a visitor downloads says which model, not where the server keeps it (issue 26, item 9)."""
    from engage.affect.pipeline import model_name

    data = engine.analyze_image(np.zeros((64, 64, 3), dtype=np.uint8), "zero-shot").to_dict()
    assert os.path.isabs(tiny_dir) and tiny_dir not in json.dumps(data)
    assert data["backbone"] == os.path.basename(os.path.normpath(tiny_dir))
    assert model_name("Qwen/Qwen2.5-VL-7B-Instruct") == "Qwen/Qwen2.5-VL-7B-Instruct"
    snapshot = "/home/user/.cache/huggingface/hub/models--Qwen--Qwen2.5-VL-7B-Instruct/snapshots/cc594898"
    assert model_name(snapshot) == "Qwen/Qwen2.5-VL-7B-Instruct"
