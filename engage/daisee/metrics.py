"""Classification metrics for the four-level states, from a confusion matrix.

Definitions follow scikit-learn with ``labels=[0, 1, 2, 3]`` and ``zero_division=0``: every level counts in the
macro average even when it never occurs, and a precision, recall or F1 with a zero denominator is 0.
Two ordinal-aware ones sit beside them: quadratic weighted kappa (``cohen_kappa_score(weights="quadratic")``: a
prediction one level off costs less than one three levels off; 0 is chance, 1 perfect) and balanced accuracy
(``balanced_accuracy_score``: the mean recall over the levels that occur, so a constant guess scores 1 / levels
present). Where scikit-learn's kappa is undefined (every truth and every prediction on one level: nan there),
engage gives 0, no agreement beyond chance to measure. (Tests check agreement with scikit-learn to 1e-9.)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..affect.results import LEVELS


def confusion_matrix(y_true, y_pred, n_levels: int = len(LEVELS)) -> np.ndarray:
    """Rows are true levels, columns predicted levels."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}")
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= n_levels):
        raise ValueError(f"levels must lie in 0..{n_levels - 1}")
    cm = np.zeros((n_levels, n_levels), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


@dataclass
class Metrics:
    n: float  # an int for counted predictions; a float for an expected (baseline) matrix
    accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    precision_weighted: float
    recall_weighted: float
    f1_weighted: float
    per_level: dict[str, list[float]]  # precision, recall, f1, support: one value per level
    confusion: list[list[float]]
    qwk: float  # quadratic weighted kappa
    balanced_accuracy: float  # mean recall over the levels present in the truth

    def to_dict(self) -> dict:
        return asdict(self)


def metrics_from_confusion(cm) -> Metrics:
    """All the report's metrics (and more) from one confusion matrix."""
    cm = np.asarray(cm, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix must be square, got shape {cm.shape}")
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    total = cm.sum()
    precision = _safe_div(tp, predicted)
    recall = _safe_div(tp, support)
    f1 = _safe_div(2 * tp, support + predicted)  # = 2PR/(P+R), and 0 where both are 0
    weights = _safe_div(support, np.full_like(support, total)) if total else np.zeros_like(support)
    counted = bool(np.all(cm == np.round(cm)))
    as_number = (lambda v: int(round(v))) if counted else (lambda v: round(float(v), 6))
    return Metrics(
        n=as_number(total),
        accuracy=float(tp.sum() / total) if total else 0.0,
        precision_macro=float(precision.mean()),
        recall_macro=float(recall.mean()),
        f1_macro=float(f1.mean()),
        precision_weighted=float((precision * weights).sum()),
        recall_weighted=float((recall * weights).sum()),
        f1_weighted=float((f1 * weights).sum()),
        per_level={
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "f1": f1.tolist(),
            "support": [as_number(s) for s in support],
        },
        confusion=[[as_number(v) for v in row] for row in cm],
        qwk=quadratic_weighted_kappa(cm),
        balanced_accuracy=float(recall[support > 0].mean()) if total else 0.0,
    )


def quadratic_weighted_kappa(cm) -> float:
    """Cohen's kappa with quadratic weights, from a confusion matrix (rows true, columns predicted): one minus
    the weighted disagreement over the disagreement expected from the two margins alone."""
    cm = np.asarray(cm, dtype=np.float64)
    total = cm.sum()
    if not total:
        return 0.0
    levels = np.arange(cm.shape[0])
    weights = (levels[:, None] - levels[None, :]) ** 2
    expected = np.outer(cm.sum(axis=1), cm.sum(axis=0)) / total
    chance = float((weights * expected).sum())
    return 1.0 - float((weights * cm).sum()) / chance if chance else 0.0


def classification_metrics(y_true, y_pred) -> Metrics:
    return metrics_from_confusion(confusion_matrix(y_true, y_pred))


def majority_confusion(true_counts, level: int | None = None) -> np.ndarray:
    """Confusion matrix of always predicting ``level`` (default: the most frequent true level)."""
    counts = np.asarray(true_counts, dtype=np.int64)
    level = int(np.argmax(counts)) if level is None else level
    cm = np.zeros((len(counts), len(counts)), dtype=np.int64)
    cm[:, level] = counts
    return cm


def stratified_confusion(true_counts, prior) -> np.ndarray:
    """Expected confusion matrix of guessing at random with the class ``prior`` (float counts)."""
    counts = np.asarray(true_counts, dtype=np.float64)
    prior = np.asarray(prior, dtype=np.float64)
    return np.outer(counts, prior / prior.sum())


def is_constant_predictor(cm) -> bool:
    """True when every prediction falls in one column."""
    cm = np.asarray(cm)
    return int((cm.sum(axis=0) > 0).sum()) <= 1
