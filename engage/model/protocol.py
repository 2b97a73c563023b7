"""The feature protocol: how a clip becomes one vector. Heads record it and refuse a mismatch.

Two protocols are named. ``report`` is the first report's, read from its code (training notebook
``qwen2-5-embedding-classifier-wandb.ipynb``, transformers 4.57.1): videos through the processor's own frame
sampling at 1 FPS with "Analyze this video.", augmentation images as images with "Analyze this image.", the model
in float16 on GPU. ``engage`` differs only where engage chose to: bfloat16 on GPU (float16's range is narrower),
a photo fed like a one-frame video with the video prompt, and a narrower range of frame sizes (below). On a CPU both
run in float32.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

# How many pixels a frame (or photo) is resized to, at least and at most (aspect kept, sides multiples of 28).
# The report's: what its processor call used. Its notebooks load the processor from Qwen/Qwen2.5-VL-7B-Instruct,
# whose published preprocessor_config.json says min_pixels 3,136 and max_pixels 12,845,056
# (engage.model.tiny.PUBLISHED_PREPROCESSOR_CONFIG); transformers 4.53.3 and 4.57.1 (the versions its notebooks
# name) and 5.23 all apply these to images and to video (tests/processor_sizes.py prints what each loads). A
# 224×224 face crop stays 224×224 (64 tokens a pair of frames: 320 for 10 crops), a 640×480 DAiSEE frame becomes
# 644×476, a 1920×1080 frame keeps its size (2,691 tokens a pair).
REPORT_MIN_PIXELS = 3136
REPORT_MAX_PIXELS = 12845056
# engage's own protocol keeps a narrower range on purpose: at least 100,352 and at most 602,112 pixels (the video
# processor's class defaults in transformers 4.53.3 to 5.23, which engage once took for the report's). The ceiling
# bounds a window's cost whatever the upload's size (at most 768 tokens a pair of frames, 3,840 for a 10 s window);
# the floor enlarges small frames (a 224×224 crop becomes 336×336: 720 tokens for 10 crops). DAiSEE's 640×480 frames resize the same under both.
# Heads record the protocol of their features, so heads trained under one refuse the other.
ENGAGE_MIN_PIXELS = 128 * 28 * 28
ENGAGE_MAX_PIXELS = 768 * 28 * 28

# transformers' Qwen2-VL ``sample_frames`` at ``fps`` on each window: floor(frames / video_fps × fps / 2) × 2
# frames, at least 4, evenly spread (``engage.media.report_frame_indices``).
REPORT_SAMPLING = "qwen2-vl sample_frames"
# What a record without a ``sampling`` field was made with: one frame per whole second (engage before the
# report's rule). Its features differ from the report's on clips that are not exactly 10 s at 30 fps.
LEGACY_SAMPLING = "one frame per whole second"

VIDEO_PROMPT = "Analyze this video."
IMAGES_AS_VIDEO = "one-frame video"
IMAGES_AS_IMAGE = "image"
GPU_DTYPES = ("bfloat16", "float16")


@dataclass(frozen=True)
class FeatureProtocol:
    prompt: str = VIDEO_PROMPT
    fps: float = 1.0
    min_pixels: int = ENGAGE_MIN_PIXELS  # images and video alike
    max_pixels: int = ENGAGE_MAX_PIXELS
    sampling: str = REPORT_SAMPLING
    gpu_dtype: str = "bfloat16"  # the model's dtype on a GPU; float32 on a CPU whatever this says
    images: str = IMAGES_AS_VIDEO  # how a photo goes in: IMAGES_AS_VIDEO (with ``prompt``) or IMAGES_AS_IMAGE
    image_prompt: str = VIDEO_PROMPT
    pooling: str = "mean of the language model's last hidden state over all tokens"

    def __post_init__(self) -> None:
        if self.gpu_dtype not in GPU_DTYPES:
            raise ValueError(f"gpu_dtype must be one of {GPU_DTYPES}, not {self.gpu_dtype!r}")
        if self.images not in (IMAGES_AS_VIDEO, IMAGES_AS_IMAGE):
            raise ValueError(f"images must be {IMAGES_AS_VIDEO!r} or {IMAGES_AS_IMAGE!r}, not {self.images!r}")

    @property
    def name(self) -> str:
        """'report', 'engage', or 'custom'."""
        for key, known in PROTOCOLS.items():
            if self == known:
                return key
        return "custom"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FeatureProtocol:
        """A recorded protocol; fields older records lack take the values those records were made with."""
        if not isinstance(data, dict):
            raise ValueError(f"a feature protocol is a JSON object, not {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        values = {"sampling": LEGACY_SAMPLING, "image_prompt": data.get("prompt", VIDEO_PROMPT)}
        values.update({k: v for k, v in data.items() if k in known})
        return cls(**values)

    def differences(self, other: FeatureProtocol) -> list[str]:
        """Human-readable list of fields that differ (empty when compatible)."""
        out = []
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                out.append(f"{f.name}: {a!r} vs {b!r}")
        return out

    def describe(self) -> str:
        """One line for cards and the About tab."""
        photos = (
            f"photos as images with {self.image_prompt!r}"
            if self.images == IMAGES_AS_IMAGE
            else f"photos as one-frame videos with {self.prompt!r}"
        )
        return (
            f"{self.name} protocol: videos cut into 10 s windows, frames by {self.sampling} at {self.fps:g} FPS, "
            f"prompt {self.prompt!r}; {photos}; frames and photos resized to {self.min_pixels:,}-{self.max_pixels:,} pixels; "
            f"{self.gpu_dtype} on GPU (float32 on CPU); {self.pooling}"
        )


ENGAGE_PROTOCOL = FeatureProtocol()
REPORT_PROTOCOL = replace(
    ENGAGE_PROTOCOL, min_pixels=REPORT_MIN_PIXELS, max_pixels=REPORT_MAX_PIXELS, gpu_dtype="float16", images=IMAGES_AS_IMAGE,
    image_prompt="Analyze this image.",
)
PROTOCOLS = {"report": REPORT_PROTOCOL, "engage": ENGAGE_PROTOCOL}
DEFAULT_PROTOCOL = ENGAGE_PROTOCOL

# Where REPORT_PROTOCOL was read from; written into the card of heads imported from the report.
REPORT_PROTOCOL_SOURCE = (
    "read from the report's code (nhlam04/data-science-group20): qwen2-5-embedding-classifier-wandb.ipynb loads "
    "the model in float16 on GPU with the processor of Qwen/Qwen2.5-VL-7B-Instruct (its published sizes: 3,136 to "
    "12,845,056 pixels) and calls processor.apply_chat_template(video, 'Analyze this video.', fps=1), saving "
    "hidden_states[-1] unpooled; the mean over every token is from its method text and its image and deployment "
    "code; its augmentation images go in as images with 'Analyze this image.'"
)
# What cards written before said in that place (the same protocol, less accurately described)
LEGACY_REPORT_PROTOCOL_SOURCES = (
    "read from the report's code (nhlam04/data-science-group20): qwen2-5-embedding-classifier-wandb.ipynb loads "
    "the model in float16 on GPU and calls processor.apply_chat_template(video, 'Analyze this video.', fps=1) then "
    "averages hidden_states[-1]; its augmentation images go in as images with 'Analyze this image.'",
)


def protocol_named(name: str) -> FeatureProtocol:
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(f"Unknown feature protocol {name!r}; choose {' or '.join(PROTOCOLS)}.") from None
