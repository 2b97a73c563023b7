"""Shared visual prefix: run the vision tower and the video tokens once, then ask several questions.

Every prompt engage sends puts the video before the text, so the tokens up to ``<|vision_end|>`` are the
same for all questions about one clip. With causal attention their hidden states and key/value cache do not
depend on what follows, so each question only costs its own few text tokens.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..media import Clip
from . import kvcache
from .backbone import Backbone

VISION_END = "<|vision_end|>"


@dataclass
class VideoPrefix:
    cache: object  # the language model's key/value cache after the prefix
    length: int
    hidden: object  # (1, length, hidden) last hidden state of the prefix tokens
    next_position: int  # multimodal rope position of the first token after the prefix (all three axes)


def split_chat(backbone: Backbone, prompt: str) -> tuple[str, str]:
    """The chat text for ``prompt`` cut right after the video: (prefix with the video, question suffix)."""
    text = backbone.chat_text(prompt)
    cut = text.index(VISION_END) + len(VISION_END)
    return text[:cut], text[cut:]


def suffix_ids(backbone: Backbone, prompt: str) -> list[int]:
    return backbone.tokenizer.encode(split_chat(backbone, prompt)[1], add_special_tokens=False)


def encode_prefix(backbone: Backbone, clip: Clip) -> VideoPrefix:
    """One forward pass over system prompt + video; call under ``backbone.lock``."""
    import torch

    prefix_text, _ = split_chat(backbone, backbone.protocol.prompt)
    batch = backbone.inputs_for_texts([clip], [prefix_text])
    model = backbone.model.model
    with torch.inference_mode():
        positions, _ = model.get_rope_index(
            batch["input_ids"],
            video_grid_thw=batch["video_grid_thw"],
            attention_mask=batch["attention_mask"],
            second_per_grid_ts=batch["second_per_grid_ts"],
            mm_token_type_ids=batch["mm_token_type_ids"],
        )
        out = model(**batch, position_ids=positions, use_cache=True)
    # Text after the video continues from the last prefix token (<|vision_end|>), not from the largest
    # position in the prefix: the temporal axis of the video runs ahead of it.
    return VideoPrefix(
        cache=out.past_key_values,
        length=int(batch["input_ids"].shape[1]),
        hidden=out.last_hidden_state,
        next_position=int(positions[:, 0, -1].max()) + 1,
    )


def run_suffix(backbone: Backbone, prefix: VideoPrefix, token_ids: list[int]):
    """Hidden states (1, k, hidden) of ``token_ids`` read after the prefix; the cache is restored afterwards."""
    import torch

    ids = torch.tensor([token_ids], device=backbone.device)
    positions = torch.arange(prefix.next_position, prefix.next_position + len(token_ids), device=backbone.device)
    with torch.inference_mode():
        out = backbone.model.model(
            input_ids=ids,
            position_ids=positions.view(1, 1, -1).expand(3, 1, -1),
            past_key_values=prefix.cache,
            use_cache=True,
        )
    kvcache.truncate(prefix.cache, prefix.length)
    return out.last_hidden_state


def next_token_logits(backbone: Backbone, hidden):
    """Logits of the token after the last position of ``hidden``."""
    import torch

    with torch.inference_mode():
        return backbone.model.lm_head(hidden[:, -1, :]).float()
