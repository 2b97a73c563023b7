"""The feature protocol: how a clip becomes one vector. Heads record it and refuse a mismatch.

Two protocols are named. ``report`` is the first report's, read from its code (training notebook
``qwen2-5-embedding-classifier-wandb.ipynb``, transformers 4.57.1): videos through the processor's own frame
sampling at 1 FPS with "Analyze this video.", augmentation images as images with "Analyze this image.", the model
in float16 on GPU. ``engage`` differs only where engage chose to: bfloat16 on GPU (float16's range is narrower)
and a photo fed like a one-frame video with the video prompt. On a CPU both run in float32.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

# Qwen2-VL's video processor defaults in transformers 4.57.1 (size shortest_edge / longest_edge: 128 and 768
# patches of 28×28 pixels), which the report's processor call used; it never called qwen-vl-utils.
VIDEO_MIN_PIXELS = 128 * 28 * 28
VIDEO_MAX_PIXELS = 768 * 28 * 28

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
    min_pixels: int = VIDEO_MIN_PIXELS
    max_pixels: int = VIDEO_MAX_PIXELS
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
            f"prompt {self.prompt!r}; {photos}; {self.gpu_dtype} on GPU (float32 on CPU); {self.pooling}"
        )


ENGAGE_PROTOCOL = FeatureProtocol()
REPORT_PROTOCOL = replace(ENGAGE_PROTOCOL, gpu_dtype="float16", images=IMAGES_AS_IMAGE, image_prompt="Analyze this image.")
PROTOCOLS = {"report": REPORT_PROTOCOL, "engage": ENGAGE_PROTOCOL}
DEFAULT_PROTOCOL = ENGAGE_PROTOCOL

# Where REPORT_PROTOCOL was read from; written into the card of heads imported from the report.
REPORT_PROTOCOL_SOURCE = (
    "read from the report's code (nhlam04/data-science-group20): qwen2-5-embedding-classifier-wandb.ipynb loads "
    "the model in float16 on GPU and calls processor.apply_chat_template(video, 'Analyze this video.', fps=1) then "
    "averages hidden_states[-1]; its augmentation images go in as images with 'Analyze this image.'"
)


def protocol_named(name: str) -> FeatureProtocol:
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(f"Unknown feature protocol {name!r}; choose {' or '.join(PROTOCOLS)}.") from None
