"""Evaluating heads on a split: numbers equal engage.daisee.metrics on independent predictions, baselines, files, errors."""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import pytest
from test_train import HIDDEN, write_features

from engage.affect.heads import load_heads, random_heads
from engage.affect.results import STATES
from engage.daisee import featurestore
from engage.daisee.evaluate import add_cli, confusion_figure, evaluate, write_evaluation
from engage.daisee.metrics import classification_metrics, majority_confusion, metrics_from_confusion
from engage.daisee.train import TrainConfig, train_heads
from engage.errors import EngageError, HeadsMismatchError
from engage.model.protocol import DEFAULT_PROTOCOL

SIZES = {"Train": 600, "Validation": 300, "Test": 800}


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("evaluate")
    features = write_features(str(root / "features"), sizes=SIZES)
    weights = str(root / "weights")
    train_heads(features, weights, TrainConfig(epochs=5, dropouts=(0.0,)))
    return features, weights


def test_numbers_equal_engage_metrics_on_independent_predictions(trained):
    features, weights = trained
    report = evaluate(features, weights)
    assert report.split == "Test" and report.baseline_split == "Train" and not report.warnings
    test = featurestore.load_split(features, "Test")
    train = featurestore.load_split(features, "Train")
    heads = load_heads(weights)
    probs = heads.predict_proba(test.features)
    for i, state in enumerate(STATES):
        e = report.states[state]
        y_true = test.labels[:, i]
        predicted = probs[:, i].argmax(axis=1)
        assert e.model == classification_metrics(y_true, predicted)
        from sklearn import metrics as skm

        kappa = skm.cohen_kappa_score(y_true, predicted, weights="quadratic", labels=[0, 1, 2, 3])
        assert e.model.qwk == pytest.approx(0.0 if np.isnan(kappa) else kappa, abs=1e-9)
        assert e.model.balanced_accuracy == pytest.approx(skm.balanced_accuracy_score(y_true, predicted), abs=1e-9)
        assert e.majority.qwk == pytest.approx(0.0, abs=1e-12)
        assert e.model.to_dict() == heads.card["metrics"][state]["test"]  # what training measured on the same clips

        counts = np.bincount(y_true, minlength=4)
        train_counts = np.bincount(train.labels[:, i], minlength=4)
        assert e.majority_level == int(np.argmax(train_counts))
        assert e.majority == metrics_from_confusion(majority_confusion(counts, e.majority_level))
        assert e.majority.to_dict() == heads.card["metrics"][state]["majority_baseline_test"]

        prior = train_counts / train_counts.sum()
        assert e.prior == pytest.approx(prior.tolist())
        # Expected accuracy of guessing with the training shares: sum over levels of P(true = k) P(guess = k).
        assert e.stratified.accuracy == pytest.approx(float((counts / counts.sum()) @ prior))
        assert e.stratified.recall_macro == pytest.approx(0.25)  # guessing recalls each level at its own share
        assert np.asarray(e.stratified.confusion).sum(axis=1) == pytest.approx(counts, abs=1e-3)
        assert e.stratified.n == e.model.n == SIZES["Test"]


def test_files_and_figures_are_written(trained, tmp_path):
    features, weights = trained
    report = evaluate(features, weights, split="Validation")
    paths = write_evaluation(report, str(tmp_path / "out"))
    names = sorted(os.path.basename(p) for p in paths)
    assert names == sorted(["evaluation.json", "evaluation.md"] + [f"confusion_{s}.html" for s in STATES])
    with open(tmp_path / "out" / "evaluation.json") as fh:
        data = json.load(fh)
    assert data["split"] == "Validation" and "expected confusion matrix" in data["baselines"]["stratified_random"]
    for state in STATES:
        entry = data["states"][state]
        assert entry["heads"] == report.states[state].model.to_dict()
        assert entry["heads"]["n"] == SIZES["Validation"]
        assert {"f1_macro", "accuracy", "precision_weighted", "per_level", "confusion"} <= set(entry["majority_class"])
        assert entry["majority_class"]["level"] == report.states[state].majority_level
        assert len(entry["stratified_random"]["prior"]) == 4
    md = (tmp_path / "out" / "evaluation.md").read_text()
    assert "stratified random (expected)" in md and "majority class (level" in md and "Confusion matrix" in md
    frustration = report.states["Frustration"].model
    assert (
        f"| heads | {frustration.accuracy:.4f} | {frustration.balanced_accuracy:.4f} | {frustration.qwk:.4f} "
        f"| {frustration.precision_macro:.4f}" in md
    )
    assert {"qwk", "balanced_accuracy"} <= set(entry["majority_class"])
    html = (tmp_path / "out" / "confusion_Frustration.html").read_text()
    assert "heatmap" in html


def test_confusion_figure():
    cm = [[50, 3, 0, 0], [10, 5, 0, 0], [2, 0, 1, 0], [0, 0, 0, 0]]
    fig = confusion_figure(cm, "title")
    heat = fig.data[0]
    assert heat.type == "heatmap" and np.asarray(heat.z).shape == (4, 4)
    assert heat.text[1][0].startswith("10<br>") and heat.text[3][3].startswith("0<br>")
    assert np.asarray(heat.z)[1].sum() == pytest.approx(1.0) and np.asarray(heat.z)[3].sum() == 0  # row shares
    assert fig.layout.yaxis.title.text == "true level" and fig.layout.xaxis.title.text == "predicted level"


def test_mismatched_heads_are_refused(trained, tmp_path):
    features, _ = trained
    other = random_heads(HIDDEN // 2).save(str(tmp_path / "small"))
    with pytest.raises(HeadsMismatchError, match=f"take {HIDDEN // 2}-d features.*gives {HIDDEN}-d"):
        evaluate(features, other)
    protocol = {**DEFAULT_PROTOCOL.to_dict(), "fps": 2.0}
    other_protocol = write_features(str(tmp_path / "fps2"), sizes={"Test": 20}, protocol=protocol)
    with pytest.raises(HeadsMismatchError, match="fps"):
        evaluate(other_protocol, trained[1])


def test_untrained_heads_and_missing_train_split_are_said(tmp_path):
    features = write_features(str(tmp_path / "f"), sizes={"Test": 200})
    heads = random_heads(HIDDEN).save(str(tmp_path / "random"))
    report = evaluate(features, heads)
    assert report.baseline_split == "Test"
    assert any("untrained" in w for w in report.warnings) and any("No Train split" in w for w in report.warnings)
    counts = np.bincount(featurestore.load_split(features, "Test").labels[:, 0], minlength=4)
    assert report.states["Boredom"].majority_level == int(np.argmax(counts))
    assert "untrained" in report.to_markdown()


def test_bad_requests_are_clear_errors(trained, tmp_path):
    features, weights = trained
    with pytest.raises(EngageError, match="no Augment features"):
        evaluate(features, weights, split="Augment")
    with pytest.raises(EngageError, match="Unknown split"):
        evaluate(features, weights, split="Dev")
    with pytest.raises(EngageError, match="No MLP heads"):
        evaluate(features, str(tmp_path))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engage")
    add_cli(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli(trained, tmp_path, capsys):
    features, weights = trained
    parser = _parser()
    args = parser.parse_args(["evaluate", "--features", features, "--weights", weights, "--out", str(tmp_path / "ev")])
    assert args.split == "Test"
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "# Evaluation on the Test split" in out and "evaluation.json" in out
    assert all(os.path.isfile(tmp_path / "ev" / f"confusion_{s}.html") for s in STATES)

    args = parser.parse_args(["evaluate", "--features", features, "--weights", weights, "--split", "Validation"])
    assert args.func(args) == 0
    assert os.path.isfile(os.path.join(weights, "evaluation", "evaluation.md"))
    with pytest.raises(SystemExit):
        parser.parse_args(["evaluate", "--features", features, "--split", "Dev"])
