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
from .mlp import build_mlp, module_from_state_dict
from .results import STATES

__all__ = ["HeadSet", "build_mlp", "heads_present", "load_heads", "module_from_state_dict", "random_heads"]


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

        return AffectHeads.from_heads(self.heads, self.card).save(out_dir, push_to=push_to)


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
            module = AffectHeads.from_pretrained(source)
            return HeadSet(heads={s: module.heads[s] for s in STATES}, card=module.card)
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
