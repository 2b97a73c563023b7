"""Train the four MLP heads on extracted features: the report's recipe, seeded, with learning curves.

``python -m engage train --features DIR --out weights/``. Per state and per dropout of the grid, an MLP
(``heads.build_mlp``) is trained with Adam and ``ReduceLROnPlateau`` on the validation macro-F1 (mode max, as the
report's notebook steps it; ``--scheduler-on loss`` for the validation loss); the epoch with
the best validation macro-F1 is kept, then the dropout whose kept epoch has the best validation macro-F1.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..affect.card import new_card
from ..affect.heads import HeadSet, build_mlp, heads_present, load_heads
from ..affect.results import LEVELS, STATES
from ..errors import EngageError
from ..model.protocol import FeatureProtocol
from . import featurestore
from .metrics import Metrics, classification_metrics, majority_confusion, metrics_from_confusion

if TYPE_CHECKING:
    import torch

LOSSES = ("ce", "weighted-ce", "focal")
SAMPLERS = ("none", "balanced")
SCHEDULER_ON = ("f1", "loss")  # what ReduceLROnPlateau watches: validation macro-F1 (the report's) or loss
CURVES_JSON = "curves.json"
CURVES_HTML = "curves.html"


@dataclass
class TrainConfig:
    """Defaults are the report's settings (section 2.5); the loss and sampler options go beyond it."""

    epochs: int = 50
    lr: float = 1e-3
    batch_size: int = 32
    dropouts: tuple[float, ...] = (0.0, 0.3, 0.5)
    loss: str = "ce"
    focal_gamma: float = 2.0
    sampler: str = "none"
    augment: bool | None = None  # None: use the Augment split when the features have one
    states: tuple[str, ...] = STATES
    seed: int = 0
    scheduler_patience: int = 5
    scheduler_factor: float = 0.5
    scheduler_on: str = "f1"

    def check(self) -> None:
        if self.loss not in LOSSES:
            raise EngageError(f"Unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}.")
        if self.scheduler_on not in SCHEDULER_ON:
            raise EngageError(f"Unknown scheduler metric {self.scheduler_on!r}; choose one of {', '.join(SCHEDULER_ON)}.")
        if self.sampler not in SAMPLERS:
            raise EngageError(f"Unknown sampler {self.sampler!r}; choose one of {', '.join(SAMPLERS)}.")
        unknown = [s for s in self.states if s not in STATES]
        if unknown or not self.states:
            raise EngageError(f"Unknown state(s) {unknown or '(none given)'}; choose from {', '.join(STATES)}.")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise EngageError("--epochs and --batch-size must be at least 1 and --lr positive.")
        if not self.dropouts or any(not 0 <= d < 1 for d in self.dropouts):
            raise EngageError(f"Dropouts must lie in [0, 1); got {list(self.dropouts)}.")


@dataclass
class StateReport:
    state: str
    dropout: float
    best_epoch: int  # 1-based
    train_rows: int  # Train-split rows labelled for the state
    augment_rows: int  # Augment rows added to them
    majority_level: int  # most frequent level of the state in the Train split
    validation: Metrics
    validation_f1_by_dropout: dict[str, float]
    test: Metrics | None = None
    majority_baseline_test: Metrics | None = None


@dataclass
class TrainReport:
    out_dir: str
    card: dict
    headset: HeadSet = field(repr=False)
    states: dict[str, StateReport]
    curves: dict = field(repr=False, default_factory=dict)  # state -> dropout -> list of per-epoch dicts


# ---------------------------------------------------------------- losses and sampling


def inverse_frequency_weights(labels: np.ndarray, levels: int = len(LEVELS)) -> np.ndarray:
    """1 / count per level, normalised to mean 1 over the levels present; 0 for absent levels."""
    counts = np.bincount(labels, minlength=levels).astype(np.float64)
    inverse = np.divide(1.0, counts, out=np.zeros_like(counts), where=counts > 0)
    return inverse / inverse[counts > 0].mean()


def _criterion(config: TrainConfig, class_weights: np.ndarray) -> Callable:
    import torch
    import torch.nn.functional as F

    if config.loss == "ce":
        return lambda logits, y: F.cross_entropy(logits, y)
    if config.loss == "weighted-ce":
        weight = torch.tensor(class_weights, dtype=torch.float32)
        return lambda logits, y: F.cross_entropy(logits, y, weight=weight)
    gamma = config.focal_gamma

    def focal(logits, y):
        log_p = F.log_softmax(logits, dim=-1).gather(1, y[:, None]).squeeze(1)
        return (-((1 - log_p.exp()) ** gamma) * log_p).mean()

    return focal


def _epoch_order(y_train, config: TrainConfig, generator) -> torch.Tensor:
    """Indices of one epoch: a seeded shuffle, or a seeded class-balanced draw with replacement."""
    import torch
    from torch.utils.data import WeightedRandomSampler

    n = len(y_train)
    if config.sampler == "balanced":
        per_sample = inverse_frequency_weights(y_train.numpy())[y_train.numpy()]
        sampler = WeightedRandomSampler(per_sample.tolist(), num_samples=n, replacement=True, generator=generator)
        return torch.tensor(list(sampler), dtype=torch.long)
    return torch.randperm(n, generator=generator)


# ---------------------------------------------------------------- one head, one dropout


def _fit(x_train, y_train, x_val, y_val, dropout: float, config: TrainConfig, class_weights: np.ndarray):
    """Train one head; return (state dict of the best epoch, best epoch, its validation metrics, curve)."""
    import torch

    torch.manual_seed(config.seed)  # same init and dropout masks whatever else is trained in the run
    generator = torch.Generator().manual_seed(config.seed)
    model = build_mlp(x_train.shape[1], dropout=dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="max" if config.scheduler_on == "f1" else "min", patience=config.scheduler_patience, factor=config.scheduler_factor
    )
    criterion = _criterion(config, class_weights)
    best_f1, best_epoch, best_state, best_metrics = -1.0, 0, None, None
    curve = []
    for epoch in range(1, config.epochs + 1):
        model.train()
        lr = optimizer.param_groups[0]["lr"]
        total, seen = 0.0, 0
        for batch in _epoch_order(y_train, config, generator).split(config.batch_size):
            optimizer.zero_grad()
            loss = criterion(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
            seen += len(batch)
        model.eval()
        with torch.no_grad():
            logits = model(x_val)
            val_loss = float(criterion(logits, y_val))
        metrics = classification_metrics(y_val.numpy(), logits.argmax(dim=1).numpy())
        scheduler.step(metrics.f1_macro if config.scheduler_on == "f1" else val_loss)
        curve.append(
            {
                "epoch": epoch,
                "train_loss": total / seen,
                "val_loss": val_loss,
                "val_accuracy": metrics.accuracy,
                "val_f1_macro": metrics.f1_macro,
                "lr": lr,
            }
        )
        if metrics.f1_macro > best_f1:
            best_f1, best_epoch, best_metrics = metrics.f1_macro, epoch, metrics
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return best_state, best_epoch, best_metrics, curve


# ---------------------------------------------------------------- all heads


@contextlib.contextmanager
def _deterministic_torch():
    """Deterministic kernels, one thread and a private copy of the global RNG for the duration of training.

    One thread: the heads' matrices are small, so more threads gain little, and spinning OpenMP threads slow
    training tenfold on a machine whose cores are busy; it also keeps results independent of the core count.
    """
    import torch

    was_deterministic, threads = torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    try:
        with torch.random.fork_rng(devices=[]):
            yield
    finally:
        torch.use_deterministic_algorithms(was_deterministic)
        torch.set_num_threads(threads)


def _split_for_state(fs: featurestore.FeatureSet, state: str):
    if not len(fs):
        return np.zeros((0, 0), np.float32), np.zeros(0, np.int64)
    x, y = fs.for_state(state)
    return np.asarray(x, np.float32), np.asarray(y, np.int64)


def _test_metrics(model, x_test: np.ndarray, y_test: np.ndarray, majority_level: int) -> tuple[Metrics, Metrics]:
    import torch

    with torch.no_grad():
        pred = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
    counts = np.bincount(y_test, minlength=len(LEVELS))
    baseline = metrics_from_confusion(majority_confusion(counts, majority_level))
    return classification_metrics(y_test, pred), baseline


@dataclass
class _Features:
    """A features directory read and checked: what training needs of it."""

    input_size: int
    protocol: FeatureProtocol
    backbone: str
    splits: dict  # split -> featurestore.FeatureSet
    augment: bool  # whether the Augment split joins Train


def _read_features(features_dir: str, config: TrainConfig) -> _Features:
    if not os.path.isfile(os.path.join(features_dir, "meta.json")):
        raise EngageError(f"{features_dir} is not a features directory (no meta.json); run `python -m engage extract` first.")
    meta = featurestore.read_meta(features_dir)
    input_size = int(meta["hidden_size"])
    splits = {split: featurestore.load_split(features_dir, split) for split in featurestore.SPLITS}
    for split, fs in splits.items():
        if len(fs) and fs.features.shape[1] != input_size:
            raise EngageError(f"{split} features are {fs.features.shape[1]}-d but meta.json says {input_size}.")
    if not len(splits["Train"]) or not len(splits["Validation"]):
        raise EngageError(f"{features_dir} needs Train and Validation features (model selection uses Validation).")
    has_augment = len(splits["Augment"]) > 0
    if config.augment and not has_augment:
        raise EngageError(f"--augment was asked for but {features_dir} has no Augment split.")
    augment = has_augment if config.augment is None else config.augment
    protocol = FeatureProtocol.from_dict(meta["protocol"])
    return _Features(input_size, protocol, meta.get("backbone", "unknown backbone"), splits, augment)


def _heads_kept(out_dir: str, config: TrainConfig, data: _Features) -> HeadSet | None:
    """The heads already in ``out_dir`` whose states this run does not train (None when it trains all four)."""
    if set(config.states) == set(STATES):
        return None
    if not heads_present(out_dir):
        raise EngageError(
            f"Training only {', '.join(config.states)} keeps the other heads of {out_dir}, but it has none; train all four states first."
        )
    previous = load_heads(out_dir)
    previous.check_compatible(data.input_size, data.protocol)
    return previous


def _settings(config: TrainConfig, features_dir: str, augment: bool) -> dict:
    """How the heads were trained, as the card records it."""
    return {
        "by": "python -m engage train",
        "features": features_dir,
        "loss": config.loss,
        "class_weights": "inverse level frequency, mean 1" if config.loss == "weighted-ce" else None,
        "focal_gamma": config.focal_gamma if config.loss == "focal" else None,
        "sampler": config.sampler,
        "optimizer": "Adam",
        "lr": config.lr,
        "batch_size": config.batch_size,
        "epochs": config.epochs,
        "scheduler": (
            f"ReduceLROnPlateau(mode={'max' if config.scheduler_on == 'f1' else 'min'}, patience={config.scheduler_patience}, "
            f"factor={config.scheduler_factor}) on validation {'macro-F1' if config.scheduler_on == 'f1' else 'loss'}"
        ),
        "dropout_grid": list(config.dropouts),
        "selection": "epoch with the best validation macro-F1, then the dropout whose kept epoch scores best",
        "augment": augment,
        "seed": config.seed,
        "majority_baseline": "always the most frequent level of the state in the Train split",
    }


def _train_state(state: str, data: _Features, config: TrainConfig, log: Callable[[str], None]):
    """One state's head: every dropout of the grid trained, the best kept; returns (head, report, curves by dropout)."""
    import torch

    x_train, y_train = _split_for_state(data.splits["Train"], state)
    x_aug, y_aug = _split_for_state(data.splits["Augment"], state) if data.augment else (x_train[:0], y_train[:0])
    x_val, y_val = _split_for_state(data.splits["Validation"], state)
    if not len(y_train) or not len(y_val):
        raise EngageError(f"No {state} labels in the Train or Validation features.")
    majority_level = int(np.argmax(np.bincount(y_train, minlength=len(LEVELS))))
    x_fit = torch.from_numpy(np.concatenate([x_train, x_aug]))
    y_fit = torch.from_numpy(np.concatenate([y_train, y_aug]))
    class_weights = inverse_frequency_weights(y_fit.numpy())
    runs = {}
    for dropout in config.dropouts:
        runs[dropout] = _fit(x_fit, y_fit, torch.from_numpy(x_val), torch.from_numpy(y_val), dropout, config, class_weights)
        log(f"{state} dropout {dropout}: best epoch {runs[dropout][1]}, validation macro-F1 {runs[dropout][2].f1_macro:.4f}")
    best_dropout = max(config.dropouts, key=lambda d: runs[d][2].f1_macro)  # ties: the first in the grid
    best_state, best_epoch, val_metrics, _ = runs[best_dropout]
    head = build_mlp(data.input_size, dropout=best_dropout)
    head.load_state_dict(best_state)
    head.eval()
    report = StateReport(
        state=state,
        dropout=best_dropout,
        best_epoch=best_epoch,
        train_rows=len(y_train),
        augment_rows=len(y_aug),
        majority_level=majority_level,
        validation=val_metrics,
        validation_f1_by_dropout={str(d): runs[d][2].f1_macro for d in config.dropouts},
    )
    x_test, y_test = _split_for_state(data.splits["Test"], state)
    if len(y_test):
        report.test, report.majority_baseline_test = _test_metrics(head, x_test, y_test, majority_level)
    return head, report, {str(d): runs[d][3] for d in config.dropouts}


def _card_entries(reports: dict[str, StateReport], previous: HeadSet | None, config: TrainConfig) -> tuple[dict, dict]:
    """Per-state training settings and metrics for the card: this run's states, and the kept states' old entries."""
    per_state, metrics = {}, {}
    if previous is not None:
        old_training = previous.card.get("training", {})
        old_settings = {k: v for k, v in old_training.items() if k != "states"}
        for state in STATES:
            if state not in config.states:
                per_state[state] = {"settings": old_settings, **old_training.get("states", {}).get(state, {})}
                metrics[state] = previous.card.get("metrics", {}).get(state, {})
    for state, r in reports.items():
        per_state[state] = {
            "dropout": r.dropout,
            "best_epoch": r.best_epoch,
            "train_rows": r.train_rows,
            "augment_rows": r.augment_rows,
            "majority_level": r.majority_level,
            "validation_f1_macro_by_dropout": r.validation_f1_by_dropout,
        }
        metrics[state] = {"validation": r.validation.to_dict()}
        if r.test is not None:
            metrics[state]["test"] = r.test.to_dict()
            metrics[state]["majority_baseline_test"] = r.majority_baseline_test.to_dict()
    return per_state, metrics


def train_heads(
    features_dir: str,
    out_dir: str,
    config: TrainConfig | None = None,
    log: Callable[[str], None] | None = None,
    push_to: str | None = None,
) -> TrainReport:
    """Train the heads of ``config.states`` on ``features_dir`` and save them (a hub model: weights, config with
    the card, model card; + curves) to ``out_dir``, and publish the heads to the hub repo ``push_to`` when given.

    Training a subset of the states keeps the other heads (and their card entries) already in ``out_dir``.
    """
    config = config or TrainConfig()
    config.check()
    log = log or (lambda message: None)
    data = _read_features(features_dir, config)
    previous = _heads_kept(out_dir, config, data)

    heads, reports, curves = {}, {}, {}
    with _deterministic_torch():
        for state in config.states:
            heads[state], reports[state], curves[state] = _train_state(state, data, config, log)
    if previous is not None:
        heads = {**{s: previous.heads[s] for s in STATES if s not in config.states}, **heads}
        curves = {**_read_curves(out_dir), **curves}

    per_state, metrics = _card_entries(reports, previous, config)
    card = new_card(
        data.input_size,
        backbone=data.backbone,
        source=f"trained by `python -m engage train` on the features in {features_dir}",
        trained=True,
        protocol=data.protocol,
        training={**_settings(config, features_dir, data.augment), "states": {s: per_state[s] for s in STATES}},
        metrics={s: metrics[s] for s in STATES},
    )
    headset = HeadSet(heads={s: heads[s] for s in STATES}, card=card)
    headset.save(out_dir, push_to=push_to)
    with open(os.path.join(out_dir, CURVES_JSON), "w") as fh:
        json.dump(curves, fh, indent=1)
    curves_figure(curves).write_html(os.path.join(out_dir, CURVES_HTML), include_plotlyjs="cdn")
    return TrainReport(out_dir=out_dir, card=card, headset=headset, states=reports, curves=curves)


def _read_curves(out_dir: str) -> dict:
    path = os.path.join(out_dir, CURVES_JSON)
    if not os.path.isfile(path):
        return {}
    with open(path) as fh:
        return json.load(fh)


def curves_figure(curves: dict):
    """One row per state: validation macro-F1 (left) and train / validation loss (right) per epoch, per dropout."""
    import plotly.graph_objects as go
    from plotly.colors import qualitative
    from plotly.subplots import make_subplots

    states = [s for s in STATES if s in curves]
    titles = [t for s in states for t in (f"{s}: validation macro-F1", f"{s}: loss (solid train, dotted validation)")]
    fig = make_subplots(rows=len(states), cols=2, subplot_titles=titles, vertical_spacing=0.08)
    dropouts = sorted({d for s in states for d in curves[s]}, key=float)
    for row, state in enumerate(states, start=1):
        for i, dropout in enumerate(dropouts):
            points = curves[state].get(dropout)
            if not points:
                continue
            color = qualitative.Plotly[i % len(qualitative.Plotly)]
            epochs = [p["epoch"] for p in points]
            common = {"legendgroup": dropout, "line": {"color": color}, "mode": "lines"}
            fig.add_trace(
                go.Scatter(x=epochs, y=[p["val_f1_macro"] for p in points], name=f"dropout {dropout}", showlegend=row == 1, **common),
                row=row,
                col=1,
            )
            fig.add_trace(
                go.Scatter(x=epochs, y=[p["train_loss"] for p in points], showlegend=False, name=f"train, dropout {dropout}", **common), row=row, col=2
            )
            fig.add_trace(
                go.Scatter(
                    x=epochs,
                    y=[p["val_loss"] for p in points],
                    showlegend=False,
                    name=f"validation, dropout {dropout}",
                    legendgroup=dropout,
                    mode="lines",
                    line={"color": color, "dash": "dot"},
                ),
                row=row,
                col=2,
            )
        fig.update_xaxes(title_text="epoch", row=row)
    fig.update_layout(title={"text": "Learning curves", "x": 0.01}, height=260 * len(states) + 80, template="plotly_white")
    return fig


# ---------------------------------------------------------------- command line


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _states(text: str) -> tuple[str, ...]:
    names = {s.lower(): s for s in STATES}
    chosen = [names.get(x.strip().lower()) for x in text.split(",") if x.strip()]
    if not chosen or None in chosen:
        raise argparse.ArgumentTypeError(f"expected comma-separated states from {', '.join(STATES)}, got {text!r}")
    return tuple(dict.fromkeys(chosen))


def cmd_train(args) -> int:
    config = TrainConfig(
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        dropouts=args.dropouts,
        loss=args.loss,
        focal_gamma=args.focal_gamma,
        sampler=args.sampler,
        augment=args.augment,
        states=args.states,
        seed=args.seed,
        scheduler_on=args.scheduler_on,
    )
    report = train_heads(args.features, args.out, config, log=print, push_to=args.push_to_hub)
    print(f"wrote {args.out}/model.safetensors, config.json (with the card), README.md (the model card), {CURVES_JSON} and {CURVES_HTML}")
    if args.push_to_hub:
        print(f"published the heads to https://huggingface.co/{args.push_to_hub}")
    print(f"{'state':<12} dropout  epoch  val macro-F1  test macro-F1  test QWK  test bal.acc  majority macro-F1  test clips")
    for state, r in report.states.items():
        test = f"{r.test.f1_macro:13.4f}  {r.test.qwk:8.4f}  {r.test.balanced_accuracy:12.4f}" if r.test else f"{'–':>13}  {'–':>8}  {'–':>12}"
        base = f"{r.majority_baseline_test.f1_macro:17.4f}" if r.majority_baseline_test else f"{'–':>17}"
        n = r.test.n if r.test else "–"
        print(f"{state:<12} {r.dropout:7.2f}  {r.best_epoch:5d}  {r.validation.f1_macro:11.4f}  {test}  {base}  {n}")
    return 0


def add_cli(subparsers) -> None:
    defaults = TrainConfig()
    p = subparsers.add_parser("train", help="train the four MLP heads on extracted features")
    p.add_argument("--features", required=True, help="features directory written by `python -m engage extract`")
    p.add_argument("--out", default="weights", help="where to write the heads (a hub model folder) and curves (default weights/)")
    p.add_argument("--push-to-hub", metavar="REPO", help="also publish the heads to this hub model repo (needs a token: HF_TOKEN or `hf auth login`)")
    p.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="add the Augment split's rows to training (default: on when the features have an Augment split)",
    )
    p.add_argument("--loss", choices=LOSSES, default=defaults.loss, help="ce (the report's), weighted-ce or focal")
    p.add_argument("--focal-gamma", type=float, default=defaults.focal_gamma)
    p.add_argument("--sampler", choices=SAMPLERS, default=defaults.sampler, help="balanced: draw levels equally often")
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--lr", type=float, default=defaults.lr)
    p.add_argument("--batch-size", type=int, default=defaults.batch_size)
    p.add_argument("--dropouts", type=_floats, default=defaults.dropouts, help="comma-separated grid (default 0,0.3,0.5)")
    p.add_argument("--states", type=_states, default=defaults.states, help="comma-separated subset; the other heads in --out are kept")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument(
        "--scheduler-on",
        choices=SCHEDULER_ON,
        default=defaults.scheduler_on,
        help="what ReduceLROnPlateau watches: f1 (validation macro-F1, mode max: the report's) or loss (validation loss, mode min)",
    )
    p.set_defaults(func=cmd_train)
