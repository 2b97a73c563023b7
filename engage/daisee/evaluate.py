"""Evaluate heads on one split of a features directory, next to the majority-class and stratified-random baselines.

``python -m engage evaluate --features DIR --weights weights/`` writes ``evaluation.json``, ``evaluation.md``
and one ``confusion_<State>.html`` per state (default folder ``<weights>/evaluation/``).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from ..affect.heads import load_heads
from ..affect.results import LEVEL_NAMES, LEVELS, STATES
from ..errors import EngageError, HeadsMismatchError
from ..model.protocol import FeatureProtocol
from . import featurestore
from .metrics import Metrics, classification_metrics, majority_confusion, metrics_from_confusion, stratified_confusion

EVALUATION_JSON = "evaluation.json"
EVALUATION_MD = "evaluation.md"


@dataclass
class StateEvaluation:
    state: str
    model: Metrics
    majority: Metrics  # always predicting majority_level
    stratified: Metrics  # from the expected confusion matrix of guessing with the level shares in prior
    majority_level: int
    prior: list[float]  # level shares of the baseline split


@dataclass
class EvaluationReport:
    features_dir: str
    weights_dir: str
    split: str
    baseline_split: str  # the split whose labels give the majority level and the stratified prior
    card: dict = field(repr=False)
    states: dict[str, StateEvaluation] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "features": os.path.abspath(self.features_dir),
            "weights": os.path.abspath(self.weights_dir),
            "split": self.split,
            "heads": {k: self.card.get(k) for k in ("backbone", "input_size", "trained", "source")},
            "warnings": list(self.warnings),
            "baselines": {
                "majority_class": f"always the most frequent level of the state in the {self.baseline_split} split",
                "stratified_random": (
                    f"guessing each level at random with its share in the {self.baseline_split} split; "
                    "the metrics come from the expected confusion matrix (not one random draw)"
                ),
            },
            "states": {
                s: {
                    "heads": e.model.to_dict(),
                    "majority_class": {"level": e.majority_level, **e.majority.to_dict()},
                    "stratified_random": {"prior": e.prior, **e.stratified.to_dict()},
                }
                for s, e in self.states.items()
            },
        }

    def to_markdown(self) -> str:
        lines = [
            f"# Evaluation on the {self.split} split",
            "",
            f"Features: `{os.path.abspath(self.features_dir)}`. Heads: `{os.path.abspath(self.weights_dir)}` "
            f"({self.card.get('input_size')}-d, {self.card.get('backbone')}; {self.card.get('source')}).",
            "",
            *[f"**Warning:** {w}\n" for w in self.warnings],
            f"Baselines: *majority class* always predicts the most frequent level of the {self.baseline_split} split; "
            f"*stratified random* guesses each level with its {self.baseline_split} share, and its numbers come from the "
            "expected confusion matrix (an average over guesses, not one random draw). *QWK* is the quadratic "
            "weighted kappa (a miss by one level costs less than a miss by three; 0 is chance, so 0 for a constant "
            "guess); *balanced accuracy* is the mean recall over the levels that occur.",
        ]
        for s, e in self.states.items():
            lines += [
                "",
                f"## {s} ({e.model.n} clips)",
                "",
                "| predictor | accuracy | balanced accuracy | QWK | macro precision | macro recall | macro F1 | weighted precision "
                "| weighted recall | weighted F1 |",
                "|---|---|---|---|---|---|---|---|---|---|",
            ]
            for name, m in (
                ("heads", e.model),
                (f"majority class (level {e.majority_level})", e.majority),
                ("stratified random (expected)", e.stratified),
            ):
                lines.append(
                    f"| {name} | {m.accuracy:.4f} | {m.balanced_accuracy:.4f} | {m.qwk:.4f} "
                    f"| {m.precision_macro:.4f} | {m.recall_macro:.4f} | {m.f1_macro:.4f} "
                    f"| {m.precision_weighted:.4f} | {m.recall_weighted:.4f} | {m.f1_weighted:.4f} |"
                )
            lines += [
                "",
                "| level | precision | recall | F1 | support | majority-class F1 | stratified-random F1 |",
                "|---|---|---|---|---|---|---|",
            ]
            pl = e.model.per_level
            for lv in LEVELS:
                lines.append(
                    f"| {lv} ({LEVEL_NAMES[lv]}) | {pl['precision'][lv]:.4f} | {pl['recall'][lv]:.4f} | {pl['f1'][lv]:.4f} "
                    f"| {pl['support'][lv]} | {e.majority.per_level['f1'][lv]:.4f} | {e.stratified.per_level['f1'][lv]:.4f} |"
                )
            lines += ["", "Confusion matrix of the heads (rows: true level, columns: predicted level):", ""]
            lines += ["| true \\ predicted | " + " | ".join(str(lv) for lv in LEVELS) + " |", "|---" * (len(LEVELS) + 1) + "|"]
            lines += [f"| {lv} | " + " | ".join(str(v) for v in row) + " |" for lv, row in enumerate(e.model.confusion)]
        return "\n".join(lines) + "\n"


def _level_counts(labels: np.ndarray) -> np.ndarray:
    return np.bincount(labels, minlength=len(LEVELS))


def evaluate(features_dir: str, weights_dir: str, split: str = "Test") -> EvaluationReport:
    """Predict ``split`` with the heads in ``weights_dir`` (argmax of the level probabilities) and score them."""
    if split not in featurestore.SPLITS:
        raise EngageError(f"Unknown split {split!r}; choose one of {', '.join(featurestore.SPLITS)}.")
    if not os.path.isfile(os.path.join(features_dir, "meta.json")):
        raise EngageError(f"{features_dir} is not a features directory (no meta.json).")
    meta = featurestore.read_meta(features_dir)
    heads = load_heads(weights_dir)
    try:
        heads.check_compatible(int(meta["hidden_size"]), FeatureProtocol.from_dict(meta["protocol"]))
    except HeadsMismatchError as exc:
        raise HeadsMismatchError(f"The heads in {weights_dir} do not fit the features in {features_dir}: {exc}") from exc
    data = featurestore.load_split(features_dir, split)
    if not len(data):
        raise EngageError(f"{features_dir} has no {split} features.")
    train = featurestore.load_split(features_dir, "Train")
    baseline = train if len(train) else data
    report = EvaluationReport(
        features_dir=features_dir,
        weights_dir=weights_dir,
        split=split,
        baseline_split="Train" if len(train) else split,
        card=heads.card,
    )
    if not heads.trained:
        report.warnings.append("These heads are untrained random weights (their card says so); the numbers mean nothing.")
    if report.baseline_split == split and split != "Train":
        report.warnings.append(f"No Train split: the baselines use the level shares of the {split} split itself.")

    probs = heads.predict_proba(data.features)  # (N, states, levels)
    for i, state in enumerate(STATES):
        labelled = data.labels[:, i] >= 0
        if not labelled.any():
            report.warnings.append(f"No {state} labels in the {split} split; {state} is not evaluated.")
            continue
        y_true = data.labels[labelled, i]
        y_pred = probs[labelled, i].argmax(axis=1)
        counts = _level_counts(y_true)
        _, base_labels = baseline.for_state(state)
        base_counts = _level_counts(base_labels) if len(base_labels) else counts
        majority_level = int(np.argmax(base_counts))
        stratified = metrics_from_confusion(stratified_confusion(counts, base_counts))
        report.states[state] = StateEvaluation(
            state=state,
            model=classification_metrics(y_true, y_pred),
            majority=metrics_from_confusion(majority_confusion(counts, majority_level)),
            stratified=stratified,
            majority_level=majority_level,
            prior=(base_counts / base_counts.sum()).tolist(),
        )
    if not report.states:
        raise EngageError(f"The {split} split of {features_dir} has no labels to evaluate against.")
    return report


def confusion_figure(cm, title: str):
    """Heatmap of a confusion matrix: rows true level, columns predicted; colour = share of the row, text = count."""
    import plotly.graph_objects as go

    cm = np.asarray(cm, dtype=np.float64)
    rows = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    labels = [f"{lv} ({LEVEL_NAMES[lv]})" for lv in LEVELS]
    text = [[f"{int(round(v))}<br>{p:.0%}" for v, p in zip(row, prow)] for row, prow in zip(cm, share)]
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "share of<br>true level"}, "tickformat": ".0%"},
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="predicted level", side="bottom")
    fig.update_yaxes(title_text="true level", autorange="reversed")
    fig.update_layout(title={"text": title, "x": 0.01}, height=460, width=560, template="plotly_white")
    return fig


def write_evaluation(report: EvaluationReport, out_dir: str) -> list[str]:
    """Write evaluation.json, evaluation.md and confusion_<State>.html; return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, EVALUATION_JSON), os.path.join(out_dir, EVALUATION_MD)]
    with open(paths[0], "w") as fh:
        json.dump(report.to_dict(), fh, indent=2)
    with open(paths[1], "w") as fh:
        fh.write(report.to_markdown())
    for state, e in report.states.items():
        path = os.path.join(out_dir, f"confusion_{state}.html")
        title = f"{state} on the {report.split} split: macro-F1 {e.model.f1_macro:.3f}, accuracy {e.model.accuracy:.1%} (n = {e.model.n})"
        confusion_figure(e.model.confusion, title).write_html(path, include_plotlyjs="cdn")
        paths.append(path)
    return paths


def cmd_evaluate(args) -> int:
    report = evaluate(args.features, args.weights, split=args.split)
    out_dir = args.out or os.path.join(args.weights, "evaluation")
    paths = write_evaluation(report, out_dir)
    print(report.to_markdown())
    print("wrote " + ", ".join(paths))
    return 0


def add_cli(subparsers) -> None:
    p = subparsers.add_parser("evaluate", help="score heads on a split of extracted features, next to baselines")
    p.add_argument("--features", required=True, help="features directory written by `python -m engage extract`")
    p.add_argument("--weights", default="weights", help="heads: a folder or a hub repo id (default weights/)")
    p.add_argument("--split", choices=featurestore.SPLITS, default="Test")
    p.add_argument("--out", help="where to write the evaluation (default <weights>/evaluation/)")
    p.set_defaults(func=cmd_evaluate)
