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
    (system prompt, vision tokens and text). Where that mean comes from: the report's video notebook
    (``qwen2-5-embedding-classifier-wandb.ipynb``, its extraction cell ``extract_video_embeddings``) saved the last
    hidden state *unpooled*, one row per token. The mean is from elsewhere in the report: its method text
    (``sections/03_methodology.tex``: the clip's features mean-pooled into one vector), its image extraction in the
    same notebook (``extract_facial_embeddings``: ``hidden_states.mean(dim=1)``, over every token) and its deployment
    code (``deployment/backend/inference_engine.py``: the same mean). With several batches, the
    next one is prepared (the processor's resizing and patching, CPU work) in a thread while the model runs the
    current one.
    """
    from ..media import map_ahead

    clips = list(clips)
    out = np.zeros((len(clips), backbone.hidden_size), dtype=np.float32)
    starts = range(0, len(clips), batch_size)
    prepare = lambda i: prepare_batch(backbone, clips[i : i + batch_size])  # noqa: E731
    batches = map(prepare, starts) if len(starts) < 2 else map_ahead(prepare, starts, workers=1, ahead=1)
    for i, batch in zip(starts, batches):
        out[i : i + batch_size] = batch_features(backbone, batch)
    return out


def prepare_batch(backbone: Backbone, clips: list[Clip]):
    """The processor's inputs for ``clips``, left on the CPU (in pinned memory on CUDA, so that the copy to the
    GPU overlaps), or resized on the device when ``backbone.resize_on_device``: the first half of
    ``clip_features``, for a worker thread."""
    on_device = backbone.resize_on_device
    batch = backbone.inputs_for_texts(clips, backbone.feature_texts(clips), to_device=on_device, resize_on_device=on_device)
    if backbone.device.startswith("cuda") and not on_device:
        for key, value in batch.items():
            if hasattr(value, "pin_memory"):
                batch[key] = value.pin_memory()
    return batch


def batch_features(backbone: Backbone, batch) -> np.ndarray:
    """The model half of ``clip_features``: one forward pass over processor outputs, mean-pooled."""
    import torch

    with torch.inference_mode(), backbone.lock:
        batch = batch.to(backbone.device, non_blocking=True)
        hidden = backbone.model.model(**batch, use_cache=False).last_hidden_state
        return mean_pool(hidden, batch["attention_mask"]).cpu().numpy()


def prefix_feature(backbone: Backbone, prefix) -> np.ndarray:
    """The same feature as ``clip_features``, from a shared video prefix (see ``engage.model.prefix``)."""
    import torch

    from .prefix import run_suffix, suffix_ids

    tail = run_suffix(backbone, prefix, suffix_ids(backbone, backbone.protocol.prompt))
    hidden = torch.cat([prefix.hidden, tail], dim=1)
    return hidden.float().mean(dim=1)[0].cpu().numpy()
