"""Importing the first report's published heads (``mlp_<State>_best.pth``, from a folder or the hub).

Read with ``torch.load(weights_only=True)`` (only numpy scalars allowed besides tensors), converted to
safetensors with a card; nothing is unpickled freely.
"""
from __future__ import annotations

import glob
import os

import numpy as np

from ..errors import HeadsMismatchError, HeadsMissingError, UnsafeCheckpointError
from ..model.protocol import REPORT_PROTOCOL, REPORT_PROTOCOL_SOURCE, FeatureProtocol
from ..settings import DEFAULT_BACKBONE
from .card import new_card
from .heads import HeadSet, module_from_state_dict
from .results import STATES


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
    backbone: str = DEFAULT_BACKBONE,
    protocol: FeatureProtocol = REPORT_PROTOCOL,
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
        first = state_dict.get("classifier.0.weight")
        size = int(first.shape[1]) if getattr(first, "ndim", 0) == 2 else -1
        input_size = size if input_size is None else input_size
        if size != input_size:
            raise HeadsMismatchError(f"mlp_{s}_best.pth takes {size}-d input; the other heads take {input_size}-d.")
        heads[s] = module_from_state_dict(state_dict, size, s)
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
        protocol_source=REPORT_PROTOCOL_SOURCE if protocol == REPORT_PROTOCOL else "given to import_reference_heads",
        training={"by": "the first report's authors; see its section 2.5", "selection": "best validation macro-F1"},
        metrics=validation,
    )
    headset = HeadSet(heads=heads, card=card)
    headset.save(out_dir)
    return headset
