"""Training the heads on synthetic features with DAiSEE-like imbalance (no backbone involved)."""
from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from engage.affect.heads import load_heads
from engage.affect.results import STATES
from engage.daisee import featurestore
from engage.daisee.metrics import classification_metrics, majority_confusion, metrics_from_confusion
from engage.daisee.train import TrainConfig, add_cli, inverse_frequency_weights, train_heads
from engage.errors import EngageError
from engage.model.protocol import DEFAULT_PROTOCOL

from conftest import SHARED

# Level shares of DAiSEE's Train split (the report's table 1), rounded.
SHARES = {
    "Boredom": (0.45, 0.32, 0.20, 0.03),
    "Engagement": (0.01, 0.04, 0.49, 0.46),
    "Confusion": (0.67, 0.23, 0.08, 0.02),
    "Frustration": (0.78, 0.17, 0.04, 0.01),
}
HIDDEN = 32
SIZES = {"Train": 1200, "Validation": 800, "Test": 3000}


def write_features(
    root: str,
    sizes: dict[str, int] = SIZES,
    hidden: int = HIDDEN,
    separation: float = 0.3,
    seed: int = 0,
    augment: dict[str, int] | None = None,
    protocol: dict | None = None,
) -> str:
    """A features directory of class-conditional Gaussians: each row = noise + one mean per (state, level).

    ``augment`` maps a state to a number of Augment rows labelled (at random levels) for that state only.
    """
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(len(STATES), 4, hidden)) * separation
    featurestore.write_meta(root, {"backbone": "synthetic", "hidden_size": hidden, "protocol": protocol or DEFAULT_PROTOCOL.to_dict()})

    def rows(labels: np.ndarray) -> np.ndarray:
        x = rng.normal(size=(len(labels), hidden))
        for i in range(len(STATES)):
            known = labels[:, i] >= 0
            x[known] += means[i, labels[known, i]]
        return x

    for split, n in sizes.items():
        labels = np.stack([rng.choice(4, n, p=SHARES[s]) for s in STATES], axis=1)
        ids = [f"{split}-{i:05d}" for i in range(n)]
        featurestore.write_chunk(featurestore.shard_dir(root, split, 0, 1), rows(labels), ids, labels)
    for state, n in (augment or {}).items():
        labels = np.full((n, len(STATES)), featurestore.UNKNOWN)
        labels[:, STATES.index(state)] = rng.integers(0, 4, n)
        ids = [f"aug-{state}-{i:05d}" for i in range(n)]
        featurestore.write_chunk(featurestore.shard_dir(root, "Augment", 0, 1), rows(labels), ids, labels)
    return root


def minority_recall(report) -> float:
    """Mean test recall of the levels other than each state's training majority, over the states."""
    values = []
    for r in report.states.values():
        recall = np.array(r.test.per_level["recall"])
        values.append(np.delete(recall, r.majority_level).mean())
    return float(np.mean(values))


@pytest.fixture(scope="module")
def features(tmp_path_factory) -> str:
    return write_features(str(tmp_path_factory.mktemp("features")))


@pytest.fixture(scope="module")
def default_run(features, tmp_path_factory):
    """The report's settings, with 15 epochs instead of 50."""
    out = str(tmp_path_factory.mktemp("weights"))
    return train_heads(features, out, TrainConfig(epochs=15))


def test_defaults_are_the_reports():
    c = TrainConfig()
    assert (c.epochs, c.lr, c.batch_size, c.dropouts, c.loss, c.sampler) == (50, 1e-3, 32, (0.0, 0.3, 0.5), "ce", "none")
    assert (c.scheduler_patience, c.scheduler_factor) == (5, 0.5)


def test_defaults_match_the_reports_recorded_training_settings():
    """The defaults against the report's claims file; without ../shared this skips (and fails in CI, where CI=true),
    never passes silently."""
    claims = os.path.join(SHARED, "reference", "seed-report", "claims.json")
    if not os.path.isfile(claims):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"../shared/reference is not beside the repository ({claims}): CI must provide it")
        pytest.skip("../shared/reference is not beside the repository")
    c = TrainConfig()
    with open(claims) as fh:
        training = json.load(fh)["method"]["training"]
    assert (training["lr"], training["batch_size"], training["epochs"]) == (c.lr, c.batch_size, c.epochs)
    assert tuple(float(d) for d in training["dropout_grid"]) == c.dropouts


def test_defaults_beat_the_majority_baseline(default_run):
    # Measured margins of test macro-F1 over the majority class: 0.44 to 0.25 for the four states.
    for state, r in default_run.states.items():
        assert r.test.f1_macro - r.majority_baseline_test.f1_macro >= 0.15, state
        assert r.test.n == SIZES["Test"]


def test_weighted_loss_raises_minority_recall(features, tmp_path):
    config = dict(epochs=10, dropouts=(0.0,))
    plain = train_heads(features, str(tmp_path / "ce"), TrainConfig(**config))
    weighted = train_heads(features, str(tmp_path / "wce"), TrainConfig(loss="weighted-ce", **config))
    # Measured: 0.42 with cross-entropy, 0.54 with the class-weighted one.
    assert minority_recall(weighted) - minority_recall(plain) >= 0.05


def test_inverse_frequency_weights():
    w = inverse_frequency_weights(np.array([0] * 6 + [1] * 3 + [2]))
    assert w.tolist() == pytest.approx([1 / 6, 1 / 3, 1.0, 0.0] / np.mean([1 / 6, 1 / 3, 1.0]))
    assert w[:3].mean() == pytest.approx(1.0)


@pytest.mark.parametrize("sampler", ["none", "balanced"])
def test_same_command_twice_gives_identical_weights(tmp_path, sampler):
    features = write_features(str(tmp_path / "f"), sizes={"Train": 300, "Validation": 100, "Test": 100})
    config = TrainConfig(epochs=3, dropouts=(0.0, 0.5), sampler=sampler)
    rng_before = torch.get_rng_state()
    train_heads(features, str(tmp_path / "a"), config)
    train_heads(features, str(tmp_path / "b"), config)
    a = (tmp_path / "a" / "model.safetensors").read_bytes()
    assert a == (tmp_path / "b" / "model.safetensors").read_bytes()
    assert (tmp_path / "a" / "curves.json").read_bytes() == (tmp_path / "b" / "curves.json").read_bytes()
    # Training leaves the caller's global RNG and determinism setting alone.
    assert torch.equal(torch.get_rng_state(), rng_before)
    assert not torch.are_deterministic_algorithms_enabled()
    other = TrainConfig(epochs=3, dropouts=(0.0, 0.5), sampler=sampler, seed=1)
    train_heads(features, str(tmp_path / "c"), other)
    assert (tmp_path / "c" / "model.safetensors").read_bytes() != a


def test_card_curves_and_loading_back(default_run, features):
    out = default_run.out_dir
    with open(os.path.join(out, "config.json")) as fh:
        card = json.load(fh)["card"]
    assert card == json.loads(json.dumps(default_run.card))
    assert card["trained"] and card["backbone"] == "synthetic" and card["input_size"] == HIDDEN
    assert card["protocol"] == DEFAULT_PROTOCOL.to_dict()
    training = card["training"]
    assert (training["loss"], training["optimizer"], training["lr"], training["batch_size"], training["epochs"]) == ("ce", "Adam", 1e-3, 32, 15)
    assert training["dropout_grid"] == [0.0, 0.3, 0.5] and training["augment"] is False and training["seed"] == 0
    assert training["scheduler"] == "ReduceLROnPlateau(mode=max, patience=5, factor=0.5) on validation macro-F1"

    with open(os.path.join(out, "curves.json")) as fh:
        curves = json.load(fh)
    html = Path(os.path.join(out, "curves.html")).read_text()
    assert "plotly" in html.lower() and all(s in html for s in STATES)

    train = featurestore.load_split(features, "Train")
    test = featurestore.load_split(features, "Test")
    probs = load_heads(out).predict_proba(test.features)
    np.testing.assert_array_equal(probs, default_run.headset.predict_proba(test.features))
    for i, state in enumerate(STATES):
        per_state, m = training["states"][state], card["metrics"][state]
        assert per_state["dropout"] in (0.0, 0.3, 0.5) and per_state["train_rows"] == SIZES["Train"] and per_state["augment_rows"] == 0
        assert set(curves[state]) == {"0.0", "0.3", "0.5"}
        curve = curves[state][str(per_state["dropout"])]
        assert len(curve) == 15 and set(curve[0]) == {"epoch", "train_loss", "val_loss", "val_accuracy", "val_f1_macro", "lr"}
        assert curve[0]["lr"] == 1e-3
        # The kept epoch is the first with the best validation macro-F1, and the kept dropout the best of the grid.
        f1s = [p["val_f1_macro"] for p in curve]
        assert per_state["best_epoch"] == int(np.argmax(f1s)) + 1
        assert m["validation"]["f1_macro"] == max(f1s) == max(per_state["validation_f1_macro_by_dropout"].values())
        assert m["validation"]["n"] == SIZES["Validation"] and m["test"]["n"] == m["majority_baseline_test"]["n"] == SIZES["Test"]
        # The saved weights are the kept epoch's: they reproduce the card's test numbers.
        assert classification_metrics(test.labels[:, i], probs[:, i].argmax(axis=1)).to_dict() == m["test"]
        majority = int(np.argmax(np.bincount(train.labels[:, i], minlength=4)))
        assert per_state["majority_level"] == majority
        counts = np.bincount(test.labels[:, i], minlength=4)
        assert m["majority_baseline_test"] == metrics_from_confusion(majority_confusion(counts, majority)).to_dict()


def test_card_reads_in_the_about_tab(default_run):
    from engage.ui.about import heads_markdown

    text = heads_markdown(SimpleNamespace(heads=load_heads(default_run.out_dir), heads_problem=""))
    frustration = next(line for line in text.splitlines() if line.startswith("| Frustration"))
    m = default_run.card["metrics"]["Frustration"]
    assert f"{m['test']['f1_macro']:.3f}" in frustration and f"{m['majority_baseline_test']['accuracy']:.3f}" in frustration
    cells = [c.strip() for c in frustration.split("|")[1:-1]]
    assert cells[3:5] == [f"{m['test']['qwk']:.3f}", f"{m['test']['balanced_accuracy']:.3f}"]
    assert cells[7:9] == ["0.000", f"{m['majority_baseline_test']['balanced_accuracy']:.3f}"]
    assert "Feature protocol: **engage**" in text
    assert f"| {SIZES['Test']} |" in frustration


def test_augment_split_adds_rows_to_training_only(tmp_path):
    sizes = {"Train": 200, "Validation": 100, "Test": 100}
    features = write_features(str(tmp_path / "f"), sizes=sizes, augment={"Boredom": 70, "Confusion": 30})
    config = dict(epochs=1, dropouts=(0.0,))
    on = train_heads(features, str(tmp_path / "on"), TrainConfig(**config))  # default: on, the split exists
    rows = {s: (r.train_rows, r.augment_rows) for s, r in on.states.items()}
    assert rows == {"Boredom": (200, 70), "Engagement": (200, 0), "Confusion": (200, 30), "Frustration": (200, 0)}
    assert on.card["training"]["augment"] is True and on.card["training"]["states"]["Boredom"]["augment_rows"] == 70
    assert all(r.validation.n == 100 and r.test.n == 100 for r in on.states.values())

    off = train_heads(features, str(tmp_path / "off"), TrainConfig(augment=False, **config))
    assert all(r.augment_rows == 0 for r in off.states.values()) and off.card["training"]["augment"] is False

    plain = write_features(str(tmp_path / "plain"), sizes=sizes)
    with pytest.raises(EngageError, match="no Augment split"):
        train_heads(plain, str(tmp_path / "x"), TrainConfig(augment=True, **config))


def test_focal_loss_and_balanced_sampler_are_recorded(features, tmp_path):
    report = train_heads(features, str(tmp_path / "w"), TrainConfig(epochs=2, dropouts=(0.0,), loss="focal", focal_gamma=1.5, sampler="balanced"))
    training = report.card["training"]
    assert (training["loss"], training["focal_gamma"], training["sampler"]) == ("focal", 1.5, "balanced")
    assert all(np.isfinite(p["train_loss"]) for c in report.curves.values() for p in c["0.0"])
    weighted = train_heads(features, str(tmp_path / "wce"), TrainConfig(epochs=1, dropouts=(0.0,), loss="weighted-ce"))
    assert weighted.card["training"]["class_weights"] == "inverse level frequency, mean 1"
    assert weighted.card["training"]["focal_gamma"] is None


def test_training_a_subset_keeps_the_other_heads(tmp_path):
    features = write_features(str(tmp_path / "f"), sizes={"Train": 200, "Validation": 100, "Test": 100})
    out = str(tmp_path / "w")
    with pytest.raises(EngageError, match="train all four states first"):
        train_heads(features, out, TrainConfig(epochs=1, dropouts=(0.0,), states=("Frustration",)))
    train_heads(features, out, TrainConfig(epochs=1, dropouts=(0.0,)))
    before = load_file(os.path.join(out, "model.safetensors"))
    shutil.copy(os.path.join(out, "config.json"), tmp_path / "config-before.json")
    report = train_heads(features, out, TrainConfig(epochs=3, dropouts=(0.3,), states=("Frustration",)))
    after = load_file(os.path.join(out, "model.safetensors"))
    for key, tensor in before.items():
        assert torch.equal(tensor, after[key]) == (not key.startswith("heads.Frustration.")), key
    old_card = json.loads((tmp_path / "config-before.json").read_text())["card"]
    card = report.card
    assert card["metrics"]["Boredom"] == old_card["metrics"]["Boredom"]
    assert card["training"]["states"]["Boredom"]["settings"]["epochs"] == 1
    assert card["training"]["states"]["Frustration"]["dropout"] == 0.3 and card["training"]["epochs"] == 3
    with open(os.path.join(out, "curves.json")) as fh:
        curves = json.load(fh)
    assert len(curves["Boredom"]["0.0"]) == 1 and len(curves["Frustration"]["0.3"]) == 3


def test_bad_input_is_a_clear_error(tmp_path):
    with pytest.raises(EngageError, match="no meta.json"):
        train_heads(str(tmp_path), str(tmp_path / "w"))
    features = write_features(str(tmp_path / "f"), sizes={"Train": 50, "Test": 50})
    with pytest.raises(EngageError, match="Validation"):
        train_heads(features, str(tmp_path / "w"))
    with pytest.raises(EngageError, match="Unknown loss"):
        train_heads(features, str(tmp_path / "w"), TrainConfig(loss="hinge"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engage")
    add_cli(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli(tmp_path, capsys):
    features = write_features(str(tmp_path / "f"), sizes={"Train": 200, "Validation": 100, "Test": 100}, augment={"Boredom": 20})
    parser = _parser()
    args = parser.parse_args(
        ["train", "--features", features, "--out", str(tmp_path / "w"), "--epochs", "2", "--dropouts", "0,0.5",
         "--loss", "weighted-ce", "--sampler", "balanced", "--no-augment", "--seed", "3"]
    )
    assert (args.augment, args.dropouts, args.states) == (False, (0.0, 0.5), STATES)
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "model.safetensors" in out and all(s in out for s in STATES)
    card = load_heads(str(tmp_path / "w")).card
    assert (card["training"]["seed"], card["training"]["loss"], card["training"]["augment"]) == (3, "weighted-ce", False)

    defaults = parser.parse_args(["train", "--features", features])
    assert (defaults.out, defaults.augment, defaults.epochs, defaults.dropouts) == ("weights", None, 50, (0.0, 0.3, 0.5))
    assert parser.parse_args(["train", "--features", features, "--states", "frustration,Boredom"]).states == ("Frustration", "Boredom")
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--features", features, "--states", "Happiness"])


@pytest.mark.parametrize("scheduler_on", ["f1", "loss"])
def test_the_rate_halves_once_validation_f1_stops_improving(monkeypatch, scheduler_on):
    """The report's scheduler: ReduceLROnPlateau(mode="max", patience=5, factor=0.5) stepped on validation
    macro-F1. F1 rises for 3 epochs, then stays flat while the loss keeps falling: on F1 the rate halves after the
    6th epoch in a row without a new best (PyTorch counts patience as bad epochs *beyond* 5, as in the report's
    code); watching the loss instead (the option), it does not."""
    import dataclasses

    from engage.daisee import train

    f1s = iter([0.1, 0.2, 0.3] + [0.3] * 20)
    real = train.classification_metrics
    monkeypatch.setattr(train, "classification_metrics", lambda y, p: dataclasses.replace(real(y, p), f1_macro=next(f1s)))
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.normal(size=(256, 16)), dtype=torch.float32)
    y = torch.tensor((x[:, 0] > 0).long().numpy() + 2 * (x[:, 1] > 0).long().numpy())
    config = TrainConfig(epochs=12, scheduler_on=scheduler_on)
    _, _, _, curve = train._fit(x, y, x, y, 0.0, config, np.ones(4))
    lrs = [point["lr"] for point in curve]
    losses = [point["val_loss"] for point in curve]
    assert all(b < a for a, b in zip(losses, losses[1:]))  # the loss improves every epoch
    if scheduler_on == "f1":
        assert lrs == [1e-3] * 9 + [5e-4] * 3  # best F1 at epoch 3; epochs 4-9 without a better one
    else:
        assert lrs == [1e-3] * 12


def test_the_scheduler_metric_is_checked_and_recorded(tmp_path):
    with pytest.raises(EngageError, match="scheduler"):
        TrainConfig(scheduler_on="accuracy").check()
    assert TrainConfig().scheduler_on == "f1"
