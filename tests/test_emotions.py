"""Zero-shot basic emotions: whole-word probabilities from the tiny backbone, checked against full passes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engage.affect.emotions import EMOTION_QUESTION, EMOTIONS, prefix_emotion_probs, word_log_probs
from engage.media import Clip
from engage.model.prefix import encode_prefix


@pytest.fixture(scope="module")
def clip() -> Clip:
    frames = np.random.default_rng(3).integers(0, 255, (2, 112, 112, 3), dtype=np.uint8)
    return Clip(frames, np.arange(2.0), 0.0, 2.0)


def test_probabilities_over_the_seven(engine, clip):
    bb = engine.backbone
    with bb.lock:  # as the classroom computes them (engage.classroom.room.analyze_students): from the window's prefix
        probs = prefix_emotion_probs(bb, encode_prefix(bb, clip))
    assert list(probs) == list(EMOTIONS)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert all(0 < p < 1 for p in probs.values())


def test_multi_token_words_scored_by_teacher_forcing(engine, clip):
    """log P('surprise') equals the sum of its tokens' log-probabilities from one full forward pass."""
    bb = engine.backbone
    word = "surprise"
    ids = bb.tokenizer.encode(word, add_special_tokens=False)
    assert len(ids) > 1  # the tiny tokenizer splits it, which is the case this guards
    with bb.lock:
        got = word_log_probs(bb, encode_prefix(bb, clip), EMOTION_QUESTION, (word,))[0]
    batch = bb.inputs([clip], [EMOTION_QUESTION])
    full_ids = torch.cat([batch["input_ids"], torch.tensor([ids])], dim=1)
    batch["input_ids"] = full_ids
    batch["attention_mask"] = torch.ones_like(full_ids)
    batch["mm_token_type_ids"] = torch.cat([batch["mm_token_type_ids"], torch.zeros(1, len(ids), dtype=batch["mm_token_type_ids"].dtype)], dim=1)
    with torch.inference_mode():
        logp = torch.log_softmax(bb.model(**batch).logits[0].float(), dim=-1)
    n = full_ids.shape[1]
    expected = sum(float(logp[n - len(ids) - 1 + k, t]) for k, t in enumerate(ids))
    assert got == pytest.approx(expected, abs=1e-3)
