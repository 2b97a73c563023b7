"""The key/value cache adapter: the one place that reaches into transformers' cache, and its version check."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engage.errors import UnsupportedLibraryError
from engage.media import Clip
from engage.model import kvcache
from engage.model.prefix import encode_prefix


@pytest.fixture()
def prefix(engine):
    frames = np.random.default_rng(5).integers(0, 255, (2, 112, 112, 3), dtype=np.uint8)
    with engine.backbone.lock:
        return encode_prefix(engine.backbone, Clip(frames, np.arange(2.0), 0.0, 2.0))


@pytest.mark.parametrize("version", ["5.0.0", "5.17.0", "5.23.0", "5.99.1.dev0"])
def test_versions_it_was_written_for_pass(version):
    kvcache.check_transformers(version)


@pytest.mark.parametrize("version", ["4.57.1", "6.0.0", "7.1"])
def test_other_versions_fail_with_what_to_do(version):
    with pytest.raises(UnsupportedLibraryError, match=rf"kvcache\.py.*transformers {version}.*requirements\.txt"):
        kvcache.check_transformers(version)


def test_the_installed_transformers_passes():
    kvcache.check_transformers()


@pytest.fixture()
def fresh_check():
    kvcache._check_installed.cache_clear()  # the installed version is checked once per process
    yield
    kvcache._check_installed.cache_clear()


def test_an_upgrade_fails_in_the_adapter_not_in_a_forward(prefix, monkeypatch, fresh_check):
    monkeypatch.setattr(kvcache, "_installed", lambda: "6.2.0")
    for call in (lambda: kvcache.nbytes(prefix.cache), lambda: kvcache.to_device(prefix.cache, "cpu"), lambda: kvcache.truncate(prefix.cache, 1)):
        with pytest.raises(UnsupportedLibraryError, match="transformers 6.2.0"):
            call()


def test_nbytes_counts_keys_and_values_of_every_layer(engine, prefix):
    text = engine.backbone.model.config.text_config
    head_dim = text.hidden_size // text.num_attention_heads
    per_token = text.num_hidden_layers * 2 * text.num_key_value_heads * head_dim * torch.finfo(engine.backbone.model.dtype).bits // 8
    assert kvcache.nbytes(prefix.cache) == prefix.length * per_token
    assert kvcache.nbytes(None) == 0


def test_truncate_keeps_the_first_tokens(prefix):
    first = [layer.keys[..., :5, :].clone() for layer in prefix.cache.layers]
    kvcache.truncate(prefix.cache, prefix.length)  # nothing to drop
    assert prefix.cache.get_seq_length() == prefix.length
    kvcache.truncate(prefix.cache, 5)
    assert prefix.cache.get_seq_length() == 5
    assert all(torch.equal(layer.keys, f) for layer, f in zip(prefix.cache.layers, first))
    with pytest.raises(ValueError, match="cannot truncate it to 6"):
        kvcache.truncate(prefix.cache, 6)


def test_to_device_moves_keys_values_and_the_recorded_device(prefix):
    before = [layer.values.clone() for layer in prefix.cache.layers]
    kvcache.to_device(prefix.cache, "meta")
    assert all(layer.keys.device.type == layer.values.device.type == layer.device.type == "meta" for layer in prefix.cache.layers)
    assert all(layer.values.shape == b.shape for layer, b in zip(prefix.cache.layers, before))
