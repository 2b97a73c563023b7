"""Clip → feature: the one function every caller (app, CLI, extraction, benchmark) uses."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..media import Clip
from .backbone import Backbone


def mean_pool(hidden, attention_mask):
    """Mean of the last hidden state over every real (unpadded) token, in float32."""
    hidden = hidden.float()
    mask = attention_mask.to(hidden.device).float().unsqueeze(-1)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


def clip_features(backbone: Backbone, clips: Iterable[Clip], batch_size: int = 4) -> np.ndarray:
    """One ``hidden_size`` vector per clip, as (N, hidden_size) float32.

    Clips are run ``batch_size`` at a time, each fed as the backbone's protocol says (a photo as an image or
    a one-frame video); the language model's last hidden state is averaged over all tokens of the sequence
    (system prompt, vision tokens and text), as the report's code did.
    """
    import torch

    clips = list(clips)
    out = np.zeros((len(clips), backbone.hidden_size), dtype=np.float32)
    with torch.inference_mode(), backbone.lock:
        for i in range(0, len(clips), batch_size):
            chunk = clips[i : i + batch_size]
            batch = backbone.inputs_for_texts(chunk, backbone.feature_texts(chunk))
            hidden = backbone.model.model(**batch, use_cache=False).last_hidden_state
            out[i : i + len(chunk)] = mean_pool(hidden, batch["attention_mask"]).cpu().numpy()
    return out


def prefix_feature(backbone: Backbone, prefix) -> np.ndarray:
    """The same feature as ``clip_features``, from a shared video prefix (see ``engage.model.prefix``)."""
    import torch

    from .prefix import run_suffix, suffix_ids

    tail = run_suffix(backbone, prefix, suffix_ids(backbone, backbone.protocol.prompt))
    hidden = torch.cat([prefix.hidden, tail], dim=1)
    return hidden.float().mean(dim=1)[0].cpu().numpy()
