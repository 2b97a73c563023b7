"""Heads: shapes, safetensors + card round trip, card validation, the importer, unsafe checkpoints."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from engage.affect.card import validate_card
from engage.affect.heads import build_mlp, load_heads, random_heads
from engage.affect.reference_heads import import_reference_heads
from engage.affect.results import STATES
from engage.errors import HeadsMismatchError, HeadsMissingError, UnsafeCheckpointError
from engage.model.protocol import DEFAULT_PROTOCOL, REPORT_PROTOCOL, FeatureProtocol


def test_mlp_shapes_and_key_names():
    mlp = build_mlp(3584, dropout=0.3)
    shapes = {k: tuple(v.shape) for k, v in mlp.state_dict().items()}
    assert shapes == {
        "classifier.0.weight": (512, 3584),
        "classifier.0.bias": (512,),
        "classifier.3.weight": (256, 512),
        "classifier.3.bias": (256,),
        "classifier.6.weight": (4, 256),
        "classifier.6.bias": (4,),
    }
    assert mlp(torch.zeros(5, 3584)).shape == (5, 4)


def test_round_trip_gives_identical_probabilities(tmp_path):
    heads = random_heads(64, seed=3)
    feats = np.random.default_rng(0).normal(size=(6, 64)).astype(np.float32)
    before = heads.predict_proba(feats)
    heads.save(str(tmp_path))
    loaded = load_heads(str(tmp_path))
    after = loaded.predict_proba(feats)
    assert before.shape == (6, 4, 4)
    np.testing.assert_allclose(after, before, rtol=0, atol=0)
    np.testing.assert_allclose(after.sum(-1), 1.0, atol=1e-6)
    assert loaded.card["trained"] is False and loaded.input_size == 64


def _card(tmp_path) -> dict:
    random_heads(64).save(str(tmp_path))
    return json.loads(Path(tmp_path, "config.json").read_text())["card"]


def _write_card(tmp_path, card: dict) -> None:
    config = json.loads(Path(tmp_path, "config.json").read_text())
    Path(tmp_path, "config.json").write_text(json.dumps(dict(config, card=card)))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("format", "other/9", "format"),
        ("states", ["Boredom", "Engagement"], "states"),
        ("levels", [0, 1, 2], "levels"),
        ("input_size", "big", "input_size"),
        ("input_size", 0, "input_size"),
    ],
)
def test_card_validation_rejects(tmp_path, field, value, message):
    card = _card(tmp_path)
    card[field] = value
    with pytest.raises(HeadsMismatchError, match=message):
        validate_card(card)


def test_card_without_protocol_is_rejected(tmp_path):
    card = _card(tmp_path)
    del card["protocol"]
    with pytest.raises(HeadsMismatchError, match="protocol"):
        validate_card(card)


@pytest.mark.parametrize("protocol", [[1, 2], "report", None, {"gpu_dtype": "int8"}, {"images": "as a poem"}])
def test_card_with_an_unreadable_protocol_is_rejected(tmp_path, protocol):
    card = _card(tmp_path)
    card["protocol"] = protocol
    with pytest.raises(HeadsMismatchError, match="protocol cannot be read"):
        validate_card(card)


def test_a_card_from_before_the_sampling_field_is_refused_by_todays_backbone(tmp_path):
    """Heads trained on whole-second frames (cards without ``sampling``) must not take today's features."""
    card = _card(tmp_path)
    del card["protocol"]["sampling"]
    _write_card(tmp_path, card)
    heads = load_heads(str(tmp_path))
    assert heads.protocol.sampling == "one frame per whole second"
    with pytest.raises(HeadsMismatchError, match="sampling"):
        heads.check_compatible(64, DEFAULT_PROTOCOL)


def test_the_two_protocols_differ_where_the_report_did_and_pick_the_dtype():
    from engage.model.backbone import model_dtype

    assert REPORT_PROTOCOL.name == "report" and DEFAULT_PROTOCOL.name == "engage"
    assert set(f.split(":")[0] for f in REPORT_PROTOCOL.differences(DEFAULT_PROTOCOL)) == {
        "gpu_dtype", "images", "image_prompt", "min_pixels", "max_pixels"}
    assert model_dtype(REPORT_PROTOCOL, "cuda") == torch.float16
    assert model_dtype(REPORT_PROTOCOL, "cuda:1") == torch.float16
    assert model_dtype(DEFAULT_PROTOCOL, "cuda") == torch.bfloat16
    assert model_dtype(REPORT_PROTOCOL, "cpu") == torch.float32
    assert "float16 on GPU" in REPORT_PROTOCOL.describe() and "'Analyze this image.'" in REPORT_PROTOCOL.describe()


def test_card_input_size_must_match_tensors(tmp_path):
    card = _card(tmp_path)
    card["input_size"] = 3584
    _write_card(tmp_path, card)
    with pytest.raises(HeadsMismatchError, match="64-d input"):
        load_heads(str(tmp_path))


def test_heads_refuse_other_backbone_size_or_protocol():
    heads = random_heads(64)
    heads.check_compatible(64, DEFAULT_PROTOCOL)
    with pytest.raises(HeadsMismatchError, match="3584-d"):
        heads.check_compatible(3584, DEFAULT_PROTOCOL)
    with pytest.raises(HeadsMismatchError, match="prompt"):
        heads.check_compatible(64, FeatureProtocol(prompt="Analyze this face."))
    with pytest.raises(HeadsMismatchError, match="fps"):
        heads.check_compatible(64, FeatureProtocol(fps=2.0))
    with pytest.raises(HeadsMismatchError, match="engage feature protocol but the backbone feeds the report one"):
        heads.check_compatible(64, REPORT_PROTOCOL)


def test_features_of_wrong_size_are_refused():
    with pytest.raises(HeadsMismatchError, match="expect 64"):
        random_heads(64).predict_proba(np.zeros((1, 32)))


def test_missing_heads_say_how_to_get_them(tmp_path):
    with pytest.raises(HeadsMissingError, match="import-heads"):
        load_heads(str(tmp_path))


# ---------------------------------------------------------------- the report's checkpoint format


def _write_report_checkpoints(folder, input_size: int = 3584) -> dict:
    """Checkpoints as the report saved them: mlp_<State>_best.pth with a numpy val_f1."""
    modules = {}
    for i, state in enumerate(STATES):
        torch.manual_seed(i)
        mlp = build_mlp(input_size).eval()
        modules[state] = mlp
        torch.save(
            {"model_state_dict": mlp.state_dict(), "epoch": 10 + i, "val_f1": np.float64(0.25 + i / 100)},
            os.path.join(folder, f"mlp_{state}_best.pth"),
        )
    return modules


def test_importer_converts_report_checkpoints(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    modules = _write_report_checkpoints(src)
    imported = import_reference_heads(str(src), str(out))
    assert imported.input_size == 3584 and imported.trained
    assert imported.card["metrics"]["Confusion"]["validation"] == {"f1_macro": pytest.approx(0.27), "epoch": 12, "n": None}
    # the report's protocol, and the card says where it was read from
    assert imported.card["protocol"] == REPORT_PROTOCOL.to_dict() and imported.card["protocol_name"] == "report"
    assert imported.protocol.gpu_dtype == "float16" and imported.protocol.image_prompt == "Analyze this image."
    assert "qwen2-5-embedding-classifier-wandb.ipynb" in imported.card["protocol_source"]
    loaded = load_heads(str(out))
    x = torch.randn(3, 3584)
    expected = np.stack([torch.softmax(modules[s](x), -1).detach().numpy() for s in STATES], axis=1)
    np.testing.assert_allclose(loaded.predict_proba(x.numpy()), expected, atol=1e-6)
    assert sorted(os.listdir(out)) == ["README.md", "config.json", "model.safetensors"]


def test_importer_needs_all_four_heads(tmp_path):
    _write_report_checkpoints(tmp_path, input_size=16)
    os.remove(tmp_path / "mlp_Frustration_best.pth")
    with pytest.raises(HeadsMissingError, match="Frustration"):
        import_reference_heads(str(tmp_path), str(tmp_path / "out"))


class _Exploit:
    """Unpickling this would create a file: the importer must refuse before that happens."""

    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_importer_refuses_arbitrary_pickles(tmp_path):
    _write_report_checkpoints(tmp_path, input_size=16)
    exploit = _Exploit()
    exploit.marker = str(tmp_path / "pwned")
    _Exploit.marker = exploit.marker
    torch.save({"model_state_dict": {}, "payload": exploit}, tmp_path / "mlp_Boredom_best.pth")
    with pytest.raises(UnsafeCheckpointError, match="refusing"):
        import_reference_heads(str(tmp_path), str(tmp_path / "out"))
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "out").exists()
