"""The four MLP heads (one per state): the report's architecture, stored as safetensors beside a JSON card
(``card``). Level probabilities for the MLP method are computed here (softmax over each head's four logits).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import HeadsError, HeadsMismatchError, HeadsMissingError
from ..model.protocol import FeatureProtocol
from ..settings import REFERENCE_HEADS_REPO
from .card import CARD_FILE, WEIGHTS_FILE, card_protocol, new_card, validate_card
from .results import LEVELS, STATES


def build_mlp(input_size: int, hidden: tuple[int, int] = (512, 256), dropout: float = 0.0, levels: int = 4):
    """Linear-ReLU-Dropout-Linear-ReLU-Dropout-Linear under ``classifier`` (the report's key names)."""
    from torch import nn

    class MLPHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.classifier = nn.Sequential(
                nn.Linear(input_size, hidden[0]),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden[0], hidden[1]),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden[1], levels),
            )

        def forward(self, x):
            return self.classifier(x)

    return MLPHead()


@dataclass
class HeadSet:
    """Four trained (or, in tests, random) heads and the card that says what they are."""

    heads: dict  # state -> nn.Module
    card: dict = field(default_factory=dict)

    @property
    def input_size(self) -> int:
        return int(self.card["input_size"])

    @property
    def protocol(self) -> FeatureProtocol:
        return card_protocol(self.card)

    @property
    def trained(self) -> bool:
        return bool(self.card.get("trained", False))

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """(N, input_size) features → (N, 4 states, 4 levels) probabilities."""
        import torch

        feats = np.asarray(features, dtype=np.float32)
        if feats.ndim == 1:
            feats = feats[None]
        if feats.shape[1] != self.input_size:
            raise HeadsMismatchError(
                f"Features have {feats.shape[1]} dimensions but the heads expect {self.input_size}."
            )
        x = torch.from_numpy(feats)
        with torch.inference_mode():
            probs = [torch.softmax(self.heads[s](x), dim=-1).numpy() for s in STATES]
        return np.stack(probs, axis=1).astype(np.float64)

    def check_compatible(self, hidden_size: int, protocol: FeatureProtocol) -> None:
        """Refuse heads made for another input size or feature protocol."""
        if self.input_size != hidden_size:
            raise HeadsMismatchError(
                f"These heads take {self.input_size}-d features but the loaded backbone gives {hidden_size}-d. "
                f"They were made for {self.card.get('backbone', 'another backbone')}."
            )
        diff = self.protocol.differences(protocol)
        if diff:
            raise HeadsMismatchError(
                f"The heads were trained with the {self.protocol.name} feature protocol but the backbone feeds the "
                f"{protocol.name} one ({'; '.join(diff)}). Load the backbone with the heads' protocol."
            )

    def save(self, out_dir: str, push_to: str | None = None) -> str:
        """Write the heads as a hub model (``model.safetensors``, ``config.json``, a model card ``README.md``) into
        ``out_dir``, and publish them to the hub repo ``push_to`` when given."""
        from .hub import AffectHeads

        return AffectHeads.from_headset(self).save(out_dir, push_to=push_to)


def _legacy_present(folder: str) -> bool:
    """engage's first format: ``heads.safetensors`` + ``card.json``."""
    return os.path.isfile(os.path.join(folder, WEIGHTS_FILE)) and os.path.isfile(os.path.join(folder, CARD_FILE))


def _hub_present(folder: str) -> bool:
    from .hub import CONFIG_NAME, WEIGHTS_NAME

    return os.path.isfile(os.path.join(folder, WEIGHTS_NAME)) and os.path.isfile(os.path.join(folder, CONFIG_NAME))


def is_hub_id(source: str) -> bool:
    """``owner/name`` that is not a folder here: heads to fetch from the hub."""
    parts = source.split("/")
    return not os.path.exists(source) and len(parts) == 2 and all(parts) and not source.startswith((".", "~"))


def heads_present(source: str) -> bool:
    """Heads in either format in the folder ``source``, or ``source`` is a hub repo id (checked on loading)."""
    return _legacy_present(source) or _hub_present(source) or is_hub_id(source)


def _read_card(folder: str) -> dict:
    """The card of the heads in ``folder``: ``card.json``, or the ``card`` in a hub model's ``config.json``."""
    from .hub import CONFIG_NAME

    if _legacy_present(folder):
        with open(os.path.join(folder, CARD_FILE)) as fh:
            card = json.load(fh)
    else:
        with open(os.path.join(folder, CONFIG_NAME)) as fh:
            config = json.load(fh)
        card = config.get("card") if isinstance(config, dict) else None
    if not isinstance(card, dict):
        raise HeadsMismatchError(f"The heads' card in {folder} is not a JSON object.")
    return card


def load_heads(source: str) -> HeadSet:
    """The heads in the folder ``source`` (hub format, or engage's first format) or the hub repo ``source``,
    every file checked. Whatever is wrong with them raises a ``HeadsError`` (never another exception), so the
    app can start without them."""
    try:
        return _load_heads(source)
    except HeadsError:
        raise
    except Exception as exc:  # a card that is not JSON, a broken safetensors file, an unreadable folder
        detail = str(exc).splitlines()[0][:200] if str(exc) else "no detail"
        raise HeadsMismatchError(f"The heads in {source} cannot be read ({type(exc).__name__}: {detail}).") from None


def _load_heads(source: str) -> HeadSet:
    from .hub import AffectHeads

    if _hub_present(source) or is_hub_id(source):
        try:
            return AffectHeads.from_pretrained(source).to_headset()
        except HeadsMismatchError:
            raise
        except Exception as exc:  # hub unreachable, no such repo, a config that is not JSON, a broken file
            detail = str(exc).splitlines()[0][:200] if str(exc) else "no detail"
            raise HeadsMismatchError(f"The heads in {source} cannot be loaded ({type(exc).__name__}: {detail}).") from None
    if not _legacy_present(source):
        raise HeadsMissingError(
            f"No MLP heads in {source}. Import the report's heads with "
            f"`python -m engage import-heads {REFERENCE_HEADS_REPO}` (or a local folder of mlp_<State>_best.pth), "
            "or train your own; meanwhile use the zero-shot method."
        )
    from safetensors.torch import load_file

    card = _read_card(source)
    validate_card(card)
    tensors = load_file(os.path.join(source, WEIGHTS_FILE))
    heads = {}
    for s in STATES:
        state_dict = {k[len(s) + 1 :]: v for k, v in tensors.items() if k.startswith(s + ".")}
        heads[s] = module_from_state_dict(state_dict, card["input_size"], s)
    return HeadSet(heads=heads, card=card)


def module_from_state_dict(state_dict: dict, input_size: int, state: str):
    """The head of ``state`` from its tensors, every one checked: present, a tensor of the right shape, finite."""
    import torch

    needed = [f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")]
    missing = [k for k in needed if k not in state_dict]
    if missing:
        raise HeadsMismatchError(f"The {state} head lacks {', '.join(missing)}.")
    if not all(isinstance(state_dict[k], torch.Tensor) for k in needed):
        raise HeadsMismatchError(f"The {state} head's weights are not all tensors.")
    w0, w1, w2 = (state_dict[f"classifier.{i}.weight"] for i in (0, 3, 6))
    if w0.ndim != 2 or w1.ndim != 2 or w2.ndim != 2:
        raise HeadsMismatchError(f"The {state} head's layer weights are not matrices.")
    if w0.shape[1] != input_size:
        raise HeadsMismatchError(f"The {state} head takes {w0.shape[1]}-d input but the card says {input_size}.")
    if w2.shape[0] != len(LEVELS) or w1.shape[1] != w0.shape[0] or w2.shape[1] != w1.shape[0]:
        raise HeadsMismatchError(f"The {state} head has inconsistent layer shapes {[tuple(w.shape) for w in (w0, w1, w2)]}.")
    module = build_mlp(input_size, hidden=(w0.shape[0], w1.shape[0]))
    for key, expected in module.state_dict().items():
        got = state_dict[key]
        if tuple(got.shape) != tuple(expected.shape):
            raise HeadsMismatchError(f"The {state} head's {key} has shape {tuple(got.shape)}; expected {tuple(expected.shape)}.")
        if not got.is_floating_point() or not bool(torch.isfinite(got).all()):
            raise HeadsMismatchError(f"The {state} head's {key} is not all finite numbers (NaN, infinity or not floats); refusing it.")
    module.load_state_dict({k: state_dict[k] for k in needed})
    return module.eval()


def random_heads(input_size: int, seed: int = 0, backbone: str = "engage tiny test backbone") -> HeadSet:
    """Untrained heads for tests: the card says so and the UI warns that results are meaningless."""
    import torch

    torch.manual_seed(seed)
    heads = {s: build_mlp(input_size).eval() for s in STATES}
    card = new_card(
        input_size, backbone, source=f"random initialisation (seed {seed}), for tests only", trained=False,
        protocol_source="engage's default, given at random initialisation",
    )
    return HeadSet(heads=heads, card=card)
