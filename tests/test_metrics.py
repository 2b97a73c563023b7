"""Metric parity with scikit-learn (to 1e-9) and the baselines."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from engage.daisee.metrics import (
    classification_metrics,
    confusion_matrix,
    is_constant_predictor,
    majority_confusion,
    metrics_from_confusion,
    stratified_confusion,
)

LABELS = [0, 1, 2, 3]


def _cases():
    rng = np.random.default_rng(0)
    yield rng.integers(0, 4, 500), rng.integers(0, 4, 500)
    y = rng.choice(4, 300, p=[0.78, 0.17, 0.04, 0.01])
    yield y, np.zeros_like(y)  # constant predictor
    yield y, np.where(rng.random(300) < 0.7, y, rng.integers(0, 4, 300))
    yield np.array([0, 0, 1, 1]), np.array([0, 0, 1, 1])  # levels 2 and 3 absent from both
    yield np.array([2, 2, 2]), np.array([0, 1, 3])  # nothing right


@pytest.mark.parametrize("y_true, y_pred", list(_cases()))
def test_parity_with_scikit_learn(y_true, y_pred):
    m = classification_metrics(y_true, y_pred)
    kw = dict(labels=LABELS, zero_division=0)
    assert m.accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-9)
    for avg in ("macro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, average=avg, **kw)
        assert getattr(m, f"precision_{avg}") == pytest.approx(p, abs=1e-9)
        assert getattr(m, f"recall_{avg}") == pytest.approx(r, abs=1e-9)
        assert getattr(m, f"f1_{avg}") == pytest.approx(f, abs=1e-9)
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, average=None, **kw)
    np.testing.assert_allclose(m.per_level["precision"], p, atol=1e-9)
    np.testing.assert_allclose(m.per_level["recall"], r, atol=1e-9)
    np.testing.assert_allclose(m.per_level["f1"], f, atol=1e-9)
    assert m.per_level["support"] == s.tolist()
    assert m.confusion == skm.confusion_matrix(y_true, y_pred, labels=LABELS).tolist()


def _ordinal_cases():
    yield from _cases()
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        present = rng.choice(4, size=int(rng.integers(1, 5)), replace=False)
        y_true = rng.choice(present, n)
        y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, 4, n))
        yield y_true, y_pred
    yield np.array([3, 3, 3]), np.array([3, 3, 3])  # one level everywhere: kappa undefined in scikit-learn
    yield np.array([1, 1, 2]), np.array([1, 1, 2])  # perfect
    yield np.array([0, 1, 2, 3]), np.array([3, 2, 1, 0])  # reversed


@pytest.mark.parametrize("y_true, y_pred", list(_ordinal_cases()))
def test_ordinal_metrics_parity_with_scikit_learn(y_true, y_pred):
    import warnings

    m = classification_metrics(y_true, y_pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns where kappa is undefined or y_pred has extra levels
        kappa = skm.cohen_kappa_score(y_true, y_pred, weights="quadratic", labels=LABELS)
        balanced = skm.balanced_accuracy_score(y_true, y_pred)
    assert m.qwk == pytest.approx(0.0 if np.isnan(kappa) else kappa, abs=1e-9)
    assert m.balanced_accuracy == pytest.approx(balanced, abs=1e-9)


def test_ordinal_metrics_of_the_baselines():
    """A constant guess: kappa 0 (its agreement is all chance), balanced accuracy 1 / levels present."""
    m = metrics_from_confusion(majority_confusion([50, 30, 0, 5]))
    assert m.qwk == pytest.approx(0.0, abs=1e-12) and m.balanced_accuracy == pytest.approx(1 / 3)
    assert metrics_from_confusion(stratified_confusion([50, 30, 15, 5], [50, 30, 15, 5])).qwk == pytest.approx(0.0, abs=1e-12)


def test_confusion_matrix_checks_input():
    with pytest.raises(ValueError):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError):
        confusion_matrix([0, 4], [0, 1])


def test_report_constant_predictor_numbers():
    """The report's mlp_Frustration_True_512_0.5 matrix gives its logged 78.08 % / 0.1952 / 0.25 / 0.2192."""
    m = metrics_from_confusion([[1279, 0, 0, 0], [280, 0, 0, 0], [56, 0, 0, 0], [23, 0, 0, 0]])
    assert (round(m.accuracy, 4), round(m.precision_macro, 4), m.recall_macro, round(m.f1_macro, 4)) == (0.7808, 0.1952, 0.25, 0.2192)
    assert m.n == 1638


def test_baselines():
    counts = [50, 30, 15, 5]
    cm = majority_confusion(counts)
    assert cm[:, 0].tolist() == counts and is_constant_predictor(cm)
    assert metrics_from_confusion(cm).accuracy == 0.5
    exp = stratified_confusion(counts, counts)
    assert exp.sum() == pytest.approx(100) and exp[0, 0] == pytest.approx(25)
    assert not is_constant_predictor(exp)
