"""The four MLP heads (one per state): the report's architecture, stored as safetensors beside a JSON card
(``card``). Level probabilities for the MLP method are computed here (softmax over each head's four logits).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import HeadsMismatchError, HeadsMissingError
from ..model.protocol import FeatureProtocol
from ..settings import REFERENCE_HEADS_REPO
from .card import CARD_FILE, CARD_FORMAT, WEIGHTS_FILE, new_card, validate_card
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
        return FeatureProtocol.from_dict(self.card.get("protocol", {}))

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
            raise HeadsMismatchError("The heads were trained with another feature protocol: " + "; ".join(diff))

    def save(self, out_dir: str) -> str:
        from safetensors.torch import save_file

        os.makedirs(out_dir, exist_ok=True)
        tensors = {}
        for s in STATES:
            for k, v in self.heads[s].state_dict().items():
                tensors[f"{s}.{k}"] = v.detach().cpu().contiguous()
        save_file(tensors, os.path.join(out_dir, WEIGHTS_FILE), metadata={"format": CARD_FORMAT})
        with open(os.path.join(out_dir, CARD_FILE), "w") as fh:
            json.dump(self.card, fh, indent=2)
        return out_dir


def heads_present(weights_dir: str) -> bool:
    return os.path.isfile(os.path.join(weights_dir, WEIGHTS_FILE)) and os.path.isfile(os.path.join(weights_dir, CARD_FILE))


def load_heads(weights_dir: str) -> HeadSet:
    """Load ``heads.safetensors`` + ``card.json`` from ``weights_dir``, checking both."""
    from safetensors.torch import load_file

    if not heads_present(weights_dir):
        raise HeadsMissingError(
            f"No MLP heads in {weights_dir}. Import the report's heads with "
            f"`python -m engage import-heads {REFERENCE_HEADS_REPO}` (or a local folder of mlp_<State>_best.pth), "
            "or train your own; meanwhile use the zero-shot method."
        )
    with open(os.path.join(weights_dir, CARD_FILE)) as fh:
        card = json.load(fh)
    validate_card(card)
    tensors = load_file(os.path.join(weights_dir, WEIGHTS_FILE))
    heads = {}
    for s in STATES:
        state_dict = {k[len(s) + 1 :]: v for k, v in tensors.items() if k.startswith(s + ".")}
        heads[s] = module_from_state_dict(state_dict, card["input_size"], s)
    return HeadSet(heads=heads, card=card)


def module_from_state_dict(state_dict: dict, input_size: int, state: str):
    needed = [f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")]
    missing = [k for k in needed if k not in state_dict]
    if missing:
        raise HeadsMismatchError(f"The {state} head lacks {', '.join(missing)}.")
    w0, w1, w2 = (state_dict[f"classifier.{i}.weight"] for i in (0, 3, 6))
    if w0.shape[1] != input_size:
        raise HeadsMismatchError(f"The {state} head takes {w0.shape[1]}-d input but the card says {input_size}.")
    if w2.shape[0] != len(LEVELS) or w1.shape[1] != w0.shape[0] or w2.shape[1] != w1.shape[0]:
        raise HeadsMismatchError(f"The {state} head has inconsistent layer shapes {[tuple(w.shape) for w in (w0, w1, w2)]}.")
    module = build_mlp(input_size, hidden=(w0.shape[0], w1.shape[0]))
    module.load_state_dict({k: state_dict[k] for k in needed})
    return module.eval()


def random_heads(input_size: int, seed: int = 0, backbone: str = "engage tiny test backbone") -> HeadSet:
    """Untrained heads for tests: the card says so and the UI warns that results are meaningless."""
    import torch

    torch.manual_seed(seed)
    heads = {s: build_mlp(input_size).eval() for s in STATES}
    card = new_card(input_size, backbone, source=f"random initialisation (seed {seed}), for tests only", trained=False)
    return HeadSet(heads=heads, card=card)
