"""Seven basic emotions, zero-shot from the same Qwen2.5-VL: P(word) after a fixed question, normalised.

A word's probability is the product of its tokens' next-token probabilities (teacher forcing), so words that
a tokenizer splits into several tokens are scored fairly; the seven are then normalised to sum to 1. The
question reuses the clip's shared video prefix (``engage.model.prefix``), so it costs only its text tokens.
"""
from __future__ import annotations

import numpy as np

from ..model.backbone import Backbone
from ..model.prefix import VideoPrefix, run_suffix, suffix_ids

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
EMOTION_QUESTION = (
    "Which basic emotion does the person's face show? "
    "Answer with one word: angry, disgust, fear, happy, sad, surprise or neutral."
)


def word_log_probs(backbone: Backbone, prefix: VideoPrefix, question: str, words: tuple[str, ...]) -> np.ndarray:
    """log P(word | prefix, question) for each word, summed over the word's tokens."""
    import torch

    lm_head = backbone.model.lm_head
    q_ids = suffix_ids(backbone, question)
    out = np.zeros(len(words))
    for i, word in enumerate(words):
        w_ids = backbone.tokenizer.encode(word, add_special_tokens=False)
        hidden = run_suffix(backbone, prefix, q_ids + w_ids[:-1])
        with torch.inference_mode():
            # positions predicting each of the word's tokens: the last question token, then the word's own
            logits = lm_head(hidden[0, len(q_ids) - 1 :, :]).float()
            logp = torch.log_softmax(logits, dim=-1)
            out[i] = float(logp[torch.arange(len(w_ids)), torch.tensor(w_ids)].sum())
    return out


def prefix_emotion_probs(backbone: Backbone, prefix: VideoPrefix) -> dict[str, float]:
    logp = word_log_probs(backbone, prefix, EMOTION_QUESTION, EMOTIONS)
    probs = np.exp(logp - logp.max())
    probs /= probs.sum()
    return {e: float(p) for e, p in zip(EMOTIONS, probs)}

