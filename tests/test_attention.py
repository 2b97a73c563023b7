"""The vision tower's window attention in batched calls (engage.model.attention) computes what transformers' own
per-window SDPA loop computes; PyTorch's varlen kernel (CUDA only) falls back to it elsewhere."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engage.bench.configs import daisee_like_windows
from engage.media import Clip
from engage.model import attention
from engage.model.backbone import Backbone
from engage.model.features import clip_features


def per_window(q, k, v, bounds):
    """transformers' non-flash path: one SDPA call per window, (1, tokens, heads, dim) out."""
    outs = [
        F.scaled_dot_product_attention(q[:, :, a:b], k[:, :, a:b], v[:, :, a:b]).transpose(1, 2)
        for a, b in zip(bounds[:-1], bounds[1:])
    ]
    return torch.cat(outs, dim=1)


def test_grouped_windows_equal_one_call_per_window():
    torch.manual_seed(0)
    bounds = [0, 16, 32, 44, 60, 64, 80, 92]  # lengths 16, 16, 12, 16, 4, 16, 12: three sizes, out of order
    q, k, v = (torch.randn(1, 3, bounds[-1], 8) for _ in range(3))
    cu = torch.tensor(bounds, dtype=torch.int32)
    out, weights = attention.grouped_window_attention(None, q, k, v, scaling=8**-0.5, cu_seq_lens_q=cu)
    assert weights is None and out.shape == (1, bounds[-1], 3, 8)
    torch.testing.assert_close(out, per_window(q, k, v, bounds), rtol=0, atol=1e-6)
    # and the windows really are separate: attending across all tokens gives something else
    assert (out - F.scaled_dot_product_attention(q, k, v).transpose(1, 2)).abs().max() > 1e-2


def test_varlen_falls_back_to_grouped_off_cuda():
    torch.manual_seed(1)
    bounds = [0, 5, 9, 14]
    q, k, v = (torch.randn(1, 2, 14, 4) for _ in range(3))
    cu = torch.tensor(bounds, dtype=torch.int32)
    out, _ = attention.varlen_window_attention(None, q, k, v, scaling=0.5, cu_seq_lens_q=cu, max_length_q=5)
    torch.testing.assert_close(out, per_window(q, k, v, bounds), rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def backbone(tiny_dir) -> Backbone:
    return Backbone.load(tiny_dir, device="cpu")


def test_the_backbone_uses_grouped_windows_on_the_cpu_and_they_give_transformers_features(backbone):
    assert backbone.model.config.vision_config._attn_implementation == attention.VISION_ATTENTION
    assert backbone.model.config.text_config._attn_implementation == "sdpa"
    window = daisee_like_windows(1)[0]
    small = Clip(window.frames[:4, :240, :320].copy(), window.timestamps[:4], 0.0, 4.0)  # other window sizes
    clips = [window, small]
    ours = clip_features(backbone, clips, batch_size=2)
    try:
        attention.use_vision_attention(backbone.model, attention.TRANSFORMERS_DEFAULT)
        theirs = clip_features(backbone, clips, batch_size=2)
    finally:
        attention.use_vision_attention(backbone.model, attention.VISION_ATTENTION)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    assert np.abs(ours[0] - ours[1]).max() > 1e-3


@pytest.mark.parametrize(
    "env, device, expected",
    [
        (None, "cpu", attention.VISION_ATTENTION),
        (None, "cuda", attention.VARLEN_ATTENTION),
        ("sdpa", "cuda", attention.TRANSFORMERS_DEFAULT),
        ("Grouped", "cuda", attention.VISION_ATTENTION),
        ("varlen", "cpu", attention.VARLEN_ATTENTION),
    ],
)
def test_the_choice_of_attention(monkeypatch, env, device, expected):
    if env is None:
        monkeypatch.delenv("ENGAGE_VISION_ATTENTION", raising=False)
    else:
        monkeypatch.setenv("ENGAGE_VISION_ATTENTION", env)
    assert attention.vision_attention_for(device) == expected


def test_an_unknown_attention_is_refused(monkeypatch):
    monkeypatch.setenv("ENGAGE_VISION_ATTENTION", "flash")
    with pytest.raises(ValueError, match="grouped, varlen or sdpa"):
        attention.vision_attention_for("cuda")


@pytest.mark.parametrize("env, device, compiled", [("1", "cuda", True), ("1", "cpu", False), (None, "cuda", False)])
def test_compiled_blocks_only_on_cuda_when_asked(tiny_dir, monkeypatch, env, device, compiled):
    """``ENGAGE_COMPILE=1`` compiles the repeated blocks in ``Backbone.ready`` on CUDA (compiling is lazy: nothing runs
    here); nowhere else, and never by default."""
    from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

    from engage.model.compiled import repeated_blocks, uncompile

    if env is None:
        monkeypatch.delenv("ENGAGE_COMPILE", raising=False)
    else:
        monkeypatch.setenv("ENGAGE_COMPILE", env)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(tiny_dir)
    Backbone.ready(tiny_dir, AutoProcessor.from_pretrained(tiny_dir), model, device)
    blocks = repeated_blocks(model)
    assert len(blocks) == model.config.vision_config.depth + model.config.text_config.num_hidden_layers
    assert [b._compiled_call_impl is not None for b in blocks] == [compiled] * len(blocks)
    uncompile(blocks)
    assert all(b._compiled_call_impl is None for b in blocks)
