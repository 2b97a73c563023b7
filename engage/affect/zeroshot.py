"""Zero-shot level scoring: ask the backbone per state, read P(0..3) from the next-token logits.

No text is generated or parsed, and nothing defaults to level 0 (the report's baseline did both).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..media import Clip
from ..model.backbone import Backbone
from ..model.incremental import IncrementalWindow
from ..model.prefix import VideoPrefix, encode_prefix, next_token_logits, run_suffix, suffix_ids
from .results import LEVELS, STATES

LEVEL_DEFINITIONS: dict[str, tuple[str, str, str, str]] = {
    "Boredom": (
        "not bored: alert and interested",
        "slightly bored: attention sometimes drifts",
        "bored: yawning, slouching, looking away or fidgeting",
        "very bored: clearly disengaged, sleepy or restless",
    ),
    "Engagement": (
        "not engaged: not looking at the screen, doing something else",
        "barely engaged: glances at the screen but is mostly distracted",
        "engaged: watching the screen and following along",
        "very engaged: focused and attentive the whole time",
    ),
    "Confusion": (
        "not confused: relaxed, understands what is shown",
        "slightly confused: a brief frown or hesitation",
        "confused: frowning, squinting or puzzled",
        "very confused: clearly lost, puzzled for most of the time",
    ),
    "Frustration": (
        "not frustrated: calm",
        "slightly frustrated: a little tense or impatient",
        "frustrated: annoyed, sighing, tense",
        "very frustrated: clearly upset or angry",
    ),
}


def state_prompt(state: str) -> str:
    levels = " ".join(f"{lv} = {text}." for lv, text in zip(LEVELS, LEVEL_DEFINITIONS[state]))
    return (
        f"The video shows a learner in front of a screen. Rate the learner's {state.lower()} "
        f"on a scale from 0 to 3. {levels} Answer with a single digit."
    )


def level_token_ids(tokenizer) -> list[int]:
    ids = []
    for lv in LEVELS:
        enc = tokenizer.encode(str(lv), add_special_tokens=False)
        if len(enc) != 1:
            raise ValueError(f"The tokenizer splits {lv!r} into {len(enc)} tokens; zero-shot scoring needs one.")
        ids.append(enc[0])
    return ids


def prefix_level_probs(backbone: Backbone, prefix: VideoPrefix) -> np.ndarray:
    """(4 states, 4 levels) from one clip's shared video prefix: each state's question costs only its text."""
    import torch

    token_ids = level_token_ids(backbone.tokenizer)
    out = np.zeros((len(STATES), len(LEVELS)))
    for i, state in enumerate(STATES):
        hidden = run_suffix(backbone, prefix, suffix_ids(backbone, state_prompt(state)))
        logits = next_token_logits(backbone, hidden)[0]
        out[i] = torch.softmax(logits[token_ids], dim=-1).cpu().numpy()
    return out


def zero_shot_probs(backbone: Backbone, clips: Iterable[Clip]) -> np.ndarray:
    """(N clips, 4 states, 4 levels): softmax over the logits of the tokens '0'..'3' after each state's prompt."""
    clips = list(clips)
    out = np.zeros((len(clips), len(STATES), len(LEVELS)))
    with backbone.lock:
        for i, clip in enumerate(clips):
            out[i] = prefix_level_probs(backbone, encode_prefix(backbone, clip))
    return out


def window_level_probs(backbone: Backbone, window: IncrementalWindow) -> np.ndarray:
    """(4 states, 4 levels) for a webcam window's frames so far, asked on its cached prefix; equal to
    ``zero_shot_probs`` on those frames."""
    return window.with_prefix(backbone, lambda prefix: prefix_level_probs(backbone, prefix))
