"""The four MLP heads (one per state): the report's architecture, safetensors + a JSON card.

Level probabilities for the MLP method are computed here (softmax over each head's four logits).
"""
from __future__ import annotations

import datetime as _dt
import glob
import json
import os
from dataclasses import dataclass, field

import numpy as np

from .errors import HeadsMismatchError, HeadsMissingError, UnsafeCheckpointError
from .protocol import DEFAULT_PROTOCOL, FeatureProtocol
from .results import LEVELS, STATES

CARD_FORMAT = "engage-heads/1"
WEIGHTS_FILE = "heads.safetensors"
CARD_FILE = "card.json"
REFERENCE_HEADS_REPO = "mapotofu40/qwen-mlp"


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
        heads[s] = _module_from_state_dict(state_dict, card["input_size"], s)
    return HeadSet(heads=heads, card=card)


def _module_from_state_dict(state_dict: dict, input_size: int, state: str):
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


def new_card(
    input_size: int,
    backbone: str,
    source: str,
    trained: bool,
    protocol: FeatureProtocol = DEFAULT_PROTOCOL,
    training: dict | None = None,
    metrics: dict | None = None,
) -> dict:
    return {
        "format": CARD_FORMAT,
        "backbone": backbone,
        "input_size": int(input_size),
        "protocol": protocol.to_dict(),
        "states": list(STATES),
        "levels": list(LEVELS),
        "architecture": "Linear(in,512)-ReLU-Dropout-Linear(512,256)-ReLU-Dropout-Linear(256,4), one per state",
        "trained": trained,
        "training": training or {},
        "metrics": metrics or {},
        "source": source,
        "created": _dt.date.today().isoformat(),
    }


def random_heads(input_size: int, seed: int = 0, backbone: str = "engage tiny test backbone") -> HeadSet:
    """Untrained heads for tests: the card says so and the UI warns that results are meaningless."""
    import torch

    torch.manual_seed(seed)
    heads = {s: build_mlp(input_size).eval() for s in STATES}
    card = new_card(input_size, backbone, source=f"random initialisation (seed {seed}), for tests only", trained=False)
    return HeadSet(heads=heads, card=card)


# ---------------------------------------------------------------- importing the report's checkpoints


def _safe_torch_load(path: str) -> dict:
    """``torch.load(weights_only=True)``, allowing only numpy scalars (the report saved ``val_f1`` as one)."""
    import pickle

    import torch

    allowed = [np.dtype, type(np.dtype(np.float64)), type(np.dtype(np.float32))]
    try:
        allowed.append(np._core.multiarray.scalar)
    except AttributeError:  # numpy < 2
        allowed.append(np.core.multiarray.scalar)
    try:
        with torch.serialization.safe_globals(allowed):
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise UnsafeCheckpointError(
            f"{os.path.basename(path)} needs arbitrary objects unpickled to load; refusing it. ({str(exc).splitlines()[-1][:200]})"
        ) from exc
    except (RuntimeError, EOFError) as exc:
        raise HeadsMismatchError(f"{os.path.basename(path)} is not a readable torch checkpoint ({exc}).") from exc
    if not isinstance(obj, dict):
        raise HeadsMismatchError(f"{os.path.basename(path)} holds a {type(obj).__name__}, not a checkpoint dict.")
    return obj


def _resolve_source(src: str) -> str:
    if os.path.isdir(src):
        return src
    from huggingface_hub import snapshot_download

    return snapshot_download(repo_id=src, allow_patterns=["*.pth", "*.pt", "*.json", "*.md"])


def import_reference_heads(
    src: str,
    out_dir: str,
    backbone: str = "Qwen/Qwen2.5-VL-7B-Instruct",
    protocol: FeatureProtocol = DEFAULT_PROTOCOL,
) -> HeadSet:
    """Convert the report's ``mlp_<State>_best.pth`` files (local folder or hub repo) to safetensors + card."""
    folder = _resolve_source(src)
    heads, validation = {}, {}
    input_size = None
    for s in STATES:
        matches = sorted(glob.glob(os.path.join(folder, "**", f"mlp_{s}_best.pth"), recursive=True))
        if not matches:
            raise HeadsMissingError(f"No mlp_{s}_best.pth in {src}.")
        ckpt = _safe_torch_load(matches[0])
        state_dict = ckpt.get("model_state_dict", ckpt)
        if not all(hasattr(v, "shape") for v in state_dict.values()):
            raise HeadsMismatchError(f"mlp_{s}_best.pth has no tensor state dict under 'model_state_dict'.")
        size = int(state_dict["classifier.0.weight"].shape[1]) if "classifier.0.weight" in state_dict else -1
        input_size = size if input_size is None else input_size
        if size != input_size:
            raise HeadsMismatchError(f"mlp_{s}_best.pth takes {size}-d input; the other heads take {input_size}-d.")
        heads[s] = _module_from_state_dict(state_dict, size, s)
        validation[s] = {
            "validation": {
                "f1_macro": float(ckpt["val_f1"]) if "val_f1" in ckpt else None,
                "epoch": int(ckpt["epoch"]) if "epoch" in ckpt else None,
                "n": None,
            }
        }
    card = new_card(
        input_size,
        backbone,
        source=f"imported from {src} (the first report's published checkpoints) by `python -m engage import-heads`",
        trained=True,
        protocol=protocol,
        training={"by": "the first report's authors; see its section 2.5", "selection": "best validation macro-F1"},
        metrics=validation,
    )
    headset = HeadSet(heads=heads, card=card)
    headset.save(out_dir)
    return headset
