"""What the benchmark runs on: DAiSEE-like windows from the example clip, and random-weight Qwen2.5-VL
configurations (``mid``: the 7B's widths with 2 + 2 layers; ``full``: the 7B's architecture)."""
from __future__ import annotations

import os
import shutil

import numpy as np

from ..media import Clip, VideoSource
from ..model.backbone import Backbone
from ..settings import EXAMPLES_DIR

EXAMPLE_CLIP = os.path.join(EXAMPLES_DIR, "astronaut_clip.mp4")

FULL_TEXT = dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4, vocab_size=152064)
FULL_VISION = dict(
    depth=32,
    hidden_size=1280,
    intermediate_size=3420,
    num_heads=16,
    out_hidden_size=3584,
    fullatt_block_indexes=[7, 15, 23, 31],
    window_size=112,
    tokens_per_second=2,
)


def daisee_like_windows(count: int) -> list[Clip]:
    """``count`` windows of 10 frames at 640×480 (a DAiSEE clip at 1 FPS), from the example clip."""
    frames = VideoSource(EXAMPLE_CLIP).clips()[0].frames[:10]
    return [Clip(frames.copy(), np.arange(10.0), 10.0 * i, 10.0 * (i + 1)) for i in range(count)]


def _write_daisee_like(path: str, b_frames: int) -> None:
    import av

    with av.open(EXAMPLE_CLIP) as container:
        frames = [f.to_ndarray(format="rgb24", width=640, height=480) for f in container.decode(video=0)]
    with av.open(path, "w") as container:
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        if b_frames:
            stream.codec_context.options = {"bf": str(b_frames)}
        for i in range(300):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frames[i % len(frames)], format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def daisee_like_files(count: int, folder: str, b_frames_every: int = 0) -> list[str]:
    """``count`` DAiSEE-like files in ``folder``: AVIs (MPEG-4 Part 2, as DAiSEE's) of 10 s at 30 fps, 640×480,
    the example clip's frames looped; with ``b_frames_every`` = k, every k-th file (the 2nd, 4th, … for k = 2)
    has B-frames (engage decodes those with PyAV, frame by frame). The first of each kind is written once and
    reused when it is already there."""
    firsts = {0: os.path.join(folder, "daisee-like-0.avi"), 2: os.path.join(folder, "daisee-like-b-0.avi")}
    paths: list[str] = []
    for i in range(count):
        b = 2 if b_frames_every and i % b_frames_every == b_frames_every - 1 else 0
        first = firsts[b]
        if not os.path.exists(first):
            _write_daisee_like(first, b)
        # each kind's first file once, then copies, so that no file is served from a warm page cache the others lack
        path = first.replace("-0.avi", f"-{i}.avi") if first in paths else first
        if not os.path.exists(path):
            shutil.copyfile(first, path)
        paths.append(path)
    return paths


def qwen_config(name: str, ids: dict[str, int] | None = None):
    """Qwen2.5-VL-7B's configuration; ``mid`` keeps its widths with 2 text layers and 2 vision blocks (one of
    them full-attention, as 4 of the 7B's 32 are)."""
    from transformers import Qwen2_5_VLConfig

    ids = ids or {}
    text = dict(FULL_TEXT, rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]})
    vision = dict(FULL_VISION)
    if name == "mid":
        text["num_hidden_layers"], vision["depth"], vision["fullatt_block_indexes"] = 2, 2, [1]
    tokens = {
        "image_token_id": "<|image_pad|>",
        "video_token_id": "<|video_pad|>",
        "vision_start_token_id": "<|vision_start|>",
        "vision_end_token_id": "<|vision_end|>",
    }
    config = Qwen2_5_VLConfig(text_config=text, vision_config=vision, **{k: ids[t] for k, t in tokens.items() if t in ids})
    config._attn_implementation = "sdpa"
    return config


def random_backbone(name: str, processor_dir: str, device: str) -> Backbone:
    import torch
    from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

    from ..model.tiny import SPECIAL_TOKENS

    processor = AutoProcessor.from_pretrained(processor_dir)
    config = qwen_config(name, {t: processor.tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS})
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = Qwen2_5_VLForConditionalGeneration(config).eval()
    finally:
        torch.set_default_dtype(torch.float32)
    return Backbone.ready(f"random {name} Qwen2.5-VL", processor, model, device)
