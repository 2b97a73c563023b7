"""The feature protocol: how a clip becomes one vector. Heads record it and refuse a mismatch."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

# Qwen2-VL's video processor defaults in transformers 4.57.1 (size shortest_edge / longest_edge: 128 and 768
# patches of 28×28 pixels), which the report's processor call used; it never called qwen-vl-utils.
VIDEO_MIN_PIXELS = 128 * 28 * 28
VIDEO_MAX_PIXELS = 768 * 28 * 28


@dataclass(frozen=True)
class FeatureProtocol:
    prompt: str = "Analyze this video."
    fps: float = 1.0
    min_pixels: int = VIDEO_MIN_PIXELS
    max_pixels: int = VIDEO_MAX_PIXELS
    media: str = "video"  # images go in as one-frame videos
    pooling: str = "mean of the language model's last hidden state over all tokens"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FeatureProtocol:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def differences(self, other: FeatureProtocol) -> list[str]:
        """Human-readable list of fields that differ (empty when compatible)."""
        out = []
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                out.append(f"{f.name}: {a!r} vs {b!r}")
        return out


DEFAULT_PROTOCOL = FeatureProtocol()
