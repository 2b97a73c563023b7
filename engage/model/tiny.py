"""A tiny random Qwen2.5-VL checkpoint for tests and CI (never a default).

It has the real architecture class, processor classes and chat template, and the 7B's processor files as
published (``PUBLISHED_PREPROCESSOR_CONFIG``), so it loads through the same ``from_pretrained`` path as
``Qwen/Qwen2.5-VL-7B-Instruct`` and its processor resizes as the 7B's does; only the model is small and the
weights random. Its directory carries a marker file so the app can say "random test weights".
"""
from __future__ import annotations

import json
import os

TEST_MARKER = "ENGAGE_TEST_BACKBONE.json"

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
]

# Same structure as Qwen2.5-VL's own template: default system prompt, one vision block per item.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# Qwen/Qwen2.5-VL-7B-Instruct's preprocessor_config.json as published on the hub (its only processor file: no
# video_preprocessor_config.json, no processor_config.json). Quoted in public code, e.g. Jeremy-lf/MLLM-Application
# Qwen-02.md (the 7B's processor as AutoProcessor prints it) and a Rust test fixture "trimmed from
# Qwen/Qwen2.5-VL-7B-Instruct". transformers 4.53.3, 4.57.1 and 5.23 all read min_pixels/max_pixels from it for the
# image processor *and* the video processor (size shortest_edge 3,136, longest_edge 12,845,056): see
# tests/processor_sizes.py.
PUBLISHED_PREPROCESSOR_CONFIG = {
    "min_pixels": 3136,
    "max_pixels": 12845056,
    "patch_size": 14,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "image_processor_type": "Qwen2VLImageProcessor",
    "processor_class": "Qwen2_5_VLProcessor",
}

_CORPUS = [
    "You are a helpful assistant.",
    "Analyze this video. Analyze this image. Analyze this face.",
    "Boredom Engagement Confusion Frustration level 0 1 2 3 very low high",
    "angry disgust fear happy sad surprise neutral student class teacher",
    "Answer with a single digit. Rate the level of the learner in the video.",
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,:;!?()[]-'\"\n",
]


def _tokenizer(vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    # Digits split one by one, as in Qwen's tokenizer, so "0".."3" are single tokens.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    fast.padding_side = "left"
    return fast


def tiny_config(vocab_size: int, token_ids: dict[str, int], hidden_size: int = 64, layers: int = 2):
    from transformers import Qwen2_5_VLConfig

    heads = 2
    head_dim = hidden_size // heads
    # mrope sections (temporal, height, width) add up to head_dim / 2, in Qwen's 2:3:3 proportion.
    spatial = 3 * (head_dim // 2) // 8
    section = [head_dim // 2 - 2 * spatial, spatial, spatial]
    return Qwen2_5_VLConfig(
        text_config={
            "vocab_size": vocab_size,
            "hidden_size": hidden_size,
            "intermediate_size": hidden_size * 2,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "num_key_value_heads": 1,
            "max_position_embeddings": 32768,
            "rope_parameters": {"rope_type": "default", "rope_theta": 1_000_000.0, "mrope_section": section},
            "bos_token_id": token_ids["<|endoftext|>"],
            "eos_token_id": token_ids["<|im_end|>"],
            "pad_token_id": token_ids["<|endoftext|>"],
        },
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": hidden_size,
            "fullatt_block_indexes": [1],
            "window_size": 112,
            "tokens_per_second": 2,
        },
        image_token_id=token_ids["<|image_pad|>"],
        video_token_id=token_ids["<|video_pad|>"],
        vision_start_token_id=token_ids["<|vision_start|>"],
        vision_end_token_id=token_ids["<|vision_end|>"],
    )


def make_tiny_backbone(out_dir: str, seed: int = 0, hidden_size: int = 64, layers: int = 2) -> str:
    """Write a tiny random Qwen2.5-VL checkpoint directory and return its path."""
    import torch
    from transformers import (
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
    )

    os.makedirs(out_dir, exist_ok=True)
    tokenizer = _tokenizer(vocab_size=400)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    config = tiny_config(len(tokenizer), ids, hidden_size=hidden_size, layers=layers)
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config).eval()
    model.save_pretrained(out_dir)
    processor = Qwen2_5_VLProcessor(
        image_processor=Qwen2VLImageProcessor(),
        video_processor=Qwen2VLVideoProcessor(),
        tokenizer=tokenizer,
        chat_template=CHAT_TEMPLATE,
    )
    processor.save_pretrained(out_dir)
    # The processor's sizes as the 7B publishes them, not this transformers' defaults: one preprocessor_config.json
    # (read for images and, lacking a video file, for video too) and no processor_config.json.
    os.remove(os.path.join(out_dir, "processor_config.json"))
    with open(os.path.join(out_dir, "preprocessor_config.json"), "w") as fh:
        json.dump(PUBLISHED_PREPROCESSOR_CONFIG, fh, indent=2)
    with open(os.path.join(out_dir, TEST_MARKER), "w") as fh:
        json.dump({"what": "random test weights made by engage.model.tiny; results are meaningless", "seed": seed}, fh)
    return out_dir


def is_test_backbone(source: str) -> bool:
    return os.path.isfile(os.path.join(source, TEST_MARKER))
