"""The heads as a hub model (huggingface_hub's PyTorch mixin): the files written, the model card, loading from a
folder or a hub id (the hub simulated by serving a folder), strict loading, push_to_hub, and engage's first
format still loading."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from engage.affect.heads import HeadSet, load_heads, random_heads
from engage.affect.results import STATES
from engage.errors import HeadsMismatchError

FEATURES = np.random.default_rng(1).normal(size=(5, 64)).astype(np.float32)


@pytest.fixture
def fake_hub(monkeypatch, tmp_path):
    """Hub repos served from folders under ``tmp_path/hub/<owner>/<name>``: what hf_hub_download would fetch."""
    from huggingface_hub import hub_mixin
    from huggingface_hub.errors import EntryNotFoundError

    root = tmp_path / "hub"
    asked = []

    def download(repo_id, filename, **kwargs):
        asked.append((repo_id, filename))
        path = root / repo_id / filename
        if not path.exists():
            raise EntryNotFoundError(f"{filename} not in {repo_id}")
        return str(path)

    monkeypatch.setattr(hub_mixin, "hf_hub_download", download)
    monkeypatch.setattr("huggingface_hub.hf_hub_download", download)
    return root, asked


def _trained_like(seed: int = 2) -> HeadSet:
    heads = random_heads(64, seed=seed)
    heads.card.update(
        trained=True,
        metrics={s: {"test": {"f1_macro": 0.31, "qwk": 0.12, "balanced_accuracy": 0.29, "accuracy": 0.5, "n": 1784},
                     "majority_baseline_test": {"f1_macro": 0.18, "qwk": 0.0, "balanced_accuracy": 0.25, "accuracy": 0.49, "n": 1784},
                     "validation": {"f1_macro": 0.33}} for s in STATES},
    )
    return heads


def test_saved_as_a_hub_model_with_its_card(tmp_path):
    heads = _trained_like()
    heads.save(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["README.md", "config.json", "model.safetensors"]
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["input_size"] == 64 and config["hidden"] == [512, 256] and config["card"]["protocol"]["sampling"]
    from safetensors.torch import load_file

    assert set(load_file(str(tmp_path / "model.safetensors"))) == {
        f"heads.{s}.classifier.{i}.{p}" for s in STATES for i in (0, 3, 6) for p in ("weight", "bias")
    }
    readme = (tmp_path / "README.md").read_text()
    front = readme.split("---")[1]
    assert "library_name: engage" in front and "base_model: engage tiny test backbone" in front
    row = next(line for line in readme.splitlines() if line.startswith("| Confusion |"))
    assert [c.strip() for c in row.split("|")[1:-1]] == ["Confusion", "0.330", "0.310", "0.120", "0.290", "0.500", "0.180", "0.000", "0.250", "0.490", "1784"]
    assert "engage protocol" in readme and "Untrained" not in readme
    np.testing.assert_array_equal(load_heads(str(tmp_path)).predict_proba(FEATURES), heads.predict_proba(FEATURES))


def test_saving_again_replaces_the_model_card(tmp_path):
    random_heads(64).save(str(tmp_path))
    assert "Untrained random weights" in (tmp_path / "README.md").read_text()
    _trained_like().save(str(tmp_path))
    assert "Untrained random weights" not in (tmp_path / "README.md").read_text()


def test_imported_report_heads_carry_the_reports_protocol_in_their_model_card(tmp_path):
    from engage.affect.heads import build_mlp
    from engage.affect.reference_heads import import_reference_heads

    for s in STATES:
        torch.save({"model_state_dict": build_mlp(64).state_dict(), "epoch": 4, "val_f1": np.float64(0.3)}, tmp_path / f"mlp_{s}_best.pth")
    import_reference_heads(str(tmp_path), str(tmp_path / "out"))
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "report protocol" in readme and "float16 on GPU" in readme and "'Analyze this image.'" in readme
    assert "read from the report's code" in readme


def test_a_hub_id_loads_through_the_mixin_and_is_strict(fake_hub):
    root, asked = fake_hub
    heads = _trained_like()
    heads.save(str(root / "someone" / "heads"))
    loaded = load_heads("someone/heads")
    assert ("someone/heads", "config.json") in asked and ("someone/heads", "model.safetensors") in asked
    np.testing.assert_array_equal(loaded.predict_proba(FEATURES), heads.predict_proba(FEATURES))
    with pytest.raises(HeadsMismatchError, match="cannot be loaded"):
        load_heads("someone/missing")

    from safetensors.torch import load_file, save_file

    repo = root / "someone" / "heads"
    tensors = load_file(str(repo / "model.safetensors"))
    save_file({**tensors, "extra.weight": torch.zeros(2)}, str(repo / "model.safetensors"))
    with pytest.raises(HeadsMismatchError, match="no head uses: extra.weight"):
        load_heads("someone/heads")
    save_file({k: v for k, v in tensors.items() if k != "heads.Boredom.classifier.6.bias"}, str(repo / "model.safetensors"))
    with pytest.raises(HeadsMismatchError, match="Boredom head lacks classifier.6.bias"):
        load_heads("someone/heads")
    # no pickle fallback: a repo with only pytorch_model.bin is refused, never unpickled
    os.remove(repo / "model.safetensors")
    torch.save(tensors, repo / "pytorch_model.bin")
    with pytest.raises(HeadsMismatchError, match="cannot be loaded"):
        load_heads("someone/heads")
    assert ("someone/heads", "pytorch_model.bin") not in asked


def test_engage_weights_takes_a_hub_id_and_the_backbone_takes_its_protocol(fake_hub, tiny_dir, monkeypatch):
    from engage.affect.pipeline import Engine
    from engage.model.protocol import REPORT_PROTOCOL

    root, _ = fake_hub
    heads = random_heads(64)
    heads.card.update(protocol=REPORT_PROTOCOL.to_dict())
    heads.save(str(root / "lab" / "report-like"))
    monkeypatch.setenv("ENGAGE_WEIGHTS", "lab/report-like")
    engine = Engine.load(tiny_dir, device="cpu")
    assert engine.heads is not None and engine.backbone.protocol == REPORT_PROTOCOL


def test_push_to_hub_uploads_the_three_files(monkeypatch, tmp_path):
    from huggingface_hub import HfApi

    uploaded = {}

    def create_repo(self, repo_id, **kwargs):
        return type("Repo", (), {"repo_id": repo_id})()

    def upload_folder(self, repo_id, folder_path, **kwargs):
        uploaded[repo_id] = {p.name: p.read_bytes() for p in Path(folder_path).iterdir()}
        return "https://huggingface.co/" + repo_id

    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setattr(HfApi, "upload_folder", upload_folder)
    heads = _trained_like()
    heads.save(str(tmp_path / "local"), push_to="me/engage-heads")
    assert sorted(uploaded["me/engage-heads"]) == ["README.md", "config.json", "model.safetensors"]
    assert uploaded["me/engage-heads"]["model.safetensors"] == (tmp_path / "local" / "model.safetensors").read_bytes()


def test_engages_first_format_still_loads_and_is_still_checked(tmp_path):
    """``heads.safetensors`` (tensors ``<State>.classifier...``) + ``card.json``, as engage wrote them before."""
    from safetensors.torch import save_file

    heads = random_heads(64, seed=5)
    save_file({f"{s}.{k}": v.contiguous() for s in STATES for k, v in heads.heads[s].state_dict().items()}, str(tmp_path / "heads.safetensors"))
    (tmp_path / "card.json").write_text(json.dumps(heads.card))
    np.testing.assert_array_equal(load_heads(str(tmp_path)).predict_proba(FEATURES), heads.predict_proba(FEATURES))
    other = tmp_path / "other"
    shutil.copytree(tmp_path, other, ignore=shutil.ignore_patterns("other"))
    (other / "card.json").write_text(json.dumps(dict(heads.card, input_size=3584)))
    with pytest.raises(HeadsMismatchError, match="64-d input but the card says 3584"):
        load_heads(str(other))


def test_train_push_to_hub_publishes_what_it_wrote(monkeypatch, tmp_path, capsys):
    from huggingface_hub import HfApi
    from test_train import write_features

    from engage.cli import main

    uploaded = {}
    monkeypatch.setattr(HfApi, "create_repo", lambda self, repo_id, **k: type("Repo", (), {"repo_id": repo_id})())
    monkeypatch.setattr(
        HfApi, "upload_folder", lambda self, repo_id, folder_path, **k: uploaded.setdefault(repo_id, sorted(p.name for p in Path(folder_path).iterdir()))
    )
    features = write_features(str(tmp_path / "f"), sizes={"Train": 120, "Validation": 60, "Test": 60})
    out = tmp_path / "w"
    assert main(["train", "--features", features, "--out", str(out), "--epochs", "1", "--dropouts", "0", "--push-to-hub", "me/heads"]) == 0
    assert uploaded == {"me/heads": ["README.md", "config.json", "model.safetensors"]}
    assert "published the heads to https://huggingface.co/me/heads" in capsys.readouterr().out
    assert "test QWK" in (out / "README.md").read_text()
