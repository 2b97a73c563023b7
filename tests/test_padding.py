"""The vision MLPs widened with zeros (engage.model.padding) compute the same function: block by block on random
inputs, and as whole features through the tiny backbone."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engage.bench.configs import daisee_like_windows
from engage.model.backbone import Backbone
from engage.model.features import clip_features
from engage.model.padding import pad_vision_mlp


@pytest.fixture()
def backbone(tiny_dir) -> Backbone:
    return Backbone.load(tiny_dir, device="cpu")  # its own copy: padding changes the model in place


def test_widened_mlps_give_the_same_outputs_and_features(backbone):
    blocks = backbone.model.model.visual.blocks
    width = blocks[0].mlp.gate_proj.out_features
    x = torch.randn(7, blocks[0].mlp.hidden_size)
    with torch.no_grad():
        before = [block.mlp(x) for block in blocks]
    clips = daisee_like_windows(2)
    features = clip_features(backbone, clips, 2)

    assert pad_vision_mlp(backbone.model, width) == width  # already a multiple: untouched
    wide = pad_vision_mlp(backbone.model, width - 16)
    assert wide % (width - 16) == 0 and wide > width
    for block, old in zip(blocks, before):
        mlp = block.mlp
        assert mlp.gate_proj.weight.shape == mlp.up_proj.weight.shape == (wide, mlp.hidden_size)
        assert mlp.down_proj.weight.shape == (mlp.hidden_size, wide) and mlp.intermediate_size == wide
        assert not mlp.gate_proj.weight[width:].any() and not mlp.up_proj.bias[width:].any()
        assert not mlp.down_proj.weight[:, width:].any()
        with torch.no_grad():
            torch.testing.assert_close(mlp(x), old, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(clip_features(backbone, clips, 2), features, atol=1e-5)


def test_the_setting_widens_at_load(tiny_dir, monkeypatch):
    monkeypatch.setenv("ENGAGE_PAD_VISION_MLP", "48")
    bb = Backbone.load(tiny_dir, device="cpu")
    assert bb.model.model.visual.blocks[0].mlp.gate_proj.out_features == 96
    monkeypatch.delenv("ENGAGE_PAD_VISION_MLP")
    assert Backbone.load(tiny_dir, device="cpu").model.model.visual.blocks[0].mlp.gate_proj.out_features == 64
