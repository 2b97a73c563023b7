"""The heads' card: the JSON that says what the heads are, what backbone and feature protocol they take, how they
were made and how good they are (the ``card`` of a hub model's config.json, or engage's first format's card.json
beside heads.safetensors). Checked on every load."""
from __future__ import annotations

import datetime as _dt

from ..errors import HeadsMismatchError
from ..model.protocol import DEFAULT_PROTOCOL, FeatureProtocol
from .results import LEVELS, STATES

CARD_FORMAT = "engage-heads/1"
WEIGHTS_FILE = "heads.safetensors"
CARD_FILE = "card.json"


def validate_card(card: dict) -> None:
    """Raise ``HeadsMismatchError`` when a card is not one engage can use."""
    if card.get("format") != CARD_FORMAT:
        raise HeadsMismatchError(f"Unknown heads card format {card.get('format')!r}; expected {CARD_FORMAT!r}.")
    if list(card.get("states", [])) != list(STATES):
        raise HeadsMismatchError(f"The card lists states {card.get('states')}; expected {list(STATES)}.")
    if list(card.get("levels", [])) != list(LEVELS):
        raise HeadsMismatchError(f"The card lists levels {card.get('levels')}; expected {list(LEVELS)}.")
    size = card.get("input_size")
    if not isinstance(size, int) or size <= 0:
        raise HeadsMismatchError(f"The card's input_size {size!r} is not a positive integer.")
    if "protocol" not in card:
        raise HeadsMismatchError("The card does not record the feature protocol the heads were trained with.")
    card_protocol(card)


def card_protocol(card: dict) -> FeatureProtocol:
    """The feature protocol a card records, or ``HeadsMismatchError`` saying why it cannot be read."""
    try:
        return FeatureProtocol.from_dict(card.get("protocol"))
    except (TypeError, ValueError) as exc:
        raise HeadsMismatchError(f"The card's feature protocol cannot be read: {exc}.") from None


def new_card(
    input_size: int,
    backbone: str,
    source: str,
    trained: bool,
    protocol: FeatureProtocol = DEFAULT_PROTOCOL,
    training: dict | None = None,
    metrics: dict | None = None,
    protocol_source: str = "the protocol of the features the heads were trained on (their features directory's meta.json)",
) -> dict:
    return {
        "format": CARD_FORMAT,
        "backbone": backbone,
        "input_size": int(input_size),
        "protocol": protocol.to_dict(),
        "protocol_name": protocol.name,
        "protocol_source": protocol_source,
        "states": list(STATES),
        "levels": list(LEVELS),
        "architecture": "Linear(in,512)-ReLU-Dropout-Linear(512,256)-ReLU-Dropout-Linear(256,4), one per state",
        "trained": trained,
        "training": training or {},
        "metrics": metrics or {},
        "source": source,
        "created": _dt.date.today().isoformat(),
    }


def _metric(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def metrics_table(card: dict) -> list[str]:
    """The card's per-state metrics as a Markdown table: validation and test macro-F1, test QWK, balanced accuracy
    and accuracy, and the majority-class baseline's on the same test clips ("–" where the card has none)."""
    rows = [
        "| state | validation macro-F1 | test macro-F1 | test QWK | test balanced accuracy | test accuracy "
        "| majority macro-F1 | majority QWK | majority balanced accuracy | majority accuracy | test clips |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    metrics = card.get("metrics", {})
    for s in STATES:
        m = metrics.get(s, {})
        val, test, base = m.get("validation", {}), m.get("test", {}), m.get("majority_baseline_test", {})
        cells = [_metric(val.get("f1_macro"))]
        cells += [_metric(test.get(k)) for k in ("f1_macro", "qwk", "balanced_accuracy", "accuracy")]
        cells += [_metric(base.get(k)) for k in ("f1_macro", "qwk", "balanced_accuracy", "accuracy")]
        rows.append(f"| {s} | " + " | ".join(cells) + f" | {test.get('n') or base.get('n') or '–'} |")
    return rows
