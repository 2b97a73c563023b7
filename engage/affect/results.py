"""Result dataclasses: per-state level probabilities, per-window and per-video results, exports."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

import numpy as np

STATES: tuple[str, ...] = ("Boredom", "Engagement", "Confusion", "Frustration")
LEVELS: tuple[int, ...] = (0, 1, 2, 3)
LEVEL_NAMES: tuple[str, ...] = ("very low", "low", "high", "very high")  # DAiSEE's 0-3 scale


@dataclass
class StateScore:
    """Probabilities of levels 0-3 for one affective state."""

    state: str
    probs: list[float]

    @property
    def level(self) -> int:
        return int(np.argmax(self.probs))

    @property
    def expected(self) -> float:
        return float(np.dot(self.probs, LEVELS))

    def to_dict(self) -> dict:
        return {"level": self.level, "expected_level": round(self.expected, 4), "probs": [float(p) for p in self.probs]}


@dataclass
class AffectResult:
    """The four states for one clip (an image, a webcam window or a video window)."""

    scores: dict[str, StateScore]
    start: float = 0.0
    end: float = 0.0
    frames: int = 1

    @classmethod
    def from_probs(cls, probs: np.ndarray, start: float = 0.0, end: float = 0.0, frames: int = 1) -> AffectResult:
        """``probs`` is (4 states, 4 levels) in ``STATES`` order."""
        probs = np.asarray(probs, dtype=np.float64)
        return cls({s: StateScore(s, probs[i].tolist()) for i, s in enumerate(STATES)}, start, end, frames)

    def probs(self) -> np.ndarray:
        return np.array([self.scores[s].probs for s in STATES])

    def to_dict(self) -> dict:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "frames": self.frames,
            "states": {s: self.scores[s].to_dict() for s in STATES},
        }


@dataclass
class Analysis:
    """What one request produced: one result per window, plus what produced it."""

    kind: str  # "image", "video" or "webcam"
    method: str  # "mlp" or "zero-shot"
    windows: list[AffectResult]
    duration: float = 0.0
    backbone: str = ""
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # Per-window backbone features (MLP method only); kept in memory, never exported.
    features: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def joined(cls, parts: list[Analysis]) -> Analysis:
        """Consecutive parts of one video (``Engine.analyze_video(part=...)``) as one analysis."""
        first = parts[0]
        features = [p.features for p in parts if p.features is not None]
        return cls(
            kind=first.kind,
            method=first.method,
            windows=[w for p in parts for w in p.windows],
            duration=first.duration,
            backbone=first.backbone,
            warnings=list(first.warnings),
            timings={key: sum(p.timings.get(key, 0.0) for p in parts) for key in dict.fromkeys(k for p in parts for k in p.timings)},
            features=np.concatenate(features) if len(features) == len(parts) else None,
        )

    @property
    def overall(self) -> AffectResult:
        """Duration-weighted mean over windows (the single window when there is one)."""
        if len(self.windows) == 1:
            return self.windows[0]
        weights = np.array([max(w.end - w.start, 1e-6) for w in self.windows])
        probs = np.einsum("w,wsl->sl", weights / weights.sum(), np.stack([w.probs() for w in self.windows]))
        return AffectResult.from_probs(probs, self.windows[0].start, self.windows[-1].end, sum(w.frames for w in self.windows))

    def level_share(self) -> dict[str, list[float]]:
        """Share of time (by window duration) spent at each most-likely level, per state."""
        weights = np.array([max(w.end - w.start, 1e-6) for w in self.windows])
        weights = weights / weights.sum()
        share = {}
        for s in STATES:
            row = np.zeros(len(LEVELS))
            for w, weight in zip(self.windows, weights):
                row[w.scores[s].level] += weight
            share[s] = [round(float(x), 4) for x in row]
        return share

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "method": self.method,
            "backbone": self.backbone,
            "duration_seconds": round(self.duration, 3),
            "warnings": list(self.warnings),
            "overall": self.overall.to_dict(),
            "share_of_time_at_level": self.level_share(),
            "windows": [w.to_dict() for w in self.windows],
            "timings_seconds": {k: round(v, 4) for k, v in self.timings.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf)
        header = ["window", "start", "end", "frames"]
        for s in STATES:
            header += [f"{s}_level", f"{s}_expected"] + [f"{s}_p{lv}" for lv in LEVELS]
        writer.writerow(header)
        for i, w in enumerate(self.windows):
            row: list = [i, f"{w.start:.3f}", f"{w.end:.3f}", w.frames]
            for s in STATES:
                sc = w.scores[s]
                row += [sc.level, f"{sc.expected:.4f}"] + [f"{p:.6f}" for p in sc.probs]
            writer.writerow(row)
        return buf.getvalue()


def analysis_from_dict(data: dict) -> Analysis:
    """Inverse of ``Analysis.to_dict`` (timings and rounding aside)."""
    windows = [
        AffectResult.from_probs(
            np.array([w["states"][s]["probs"] for s in STATES]), w["start"], w["end"], w["frames"]
        )
        for w in data["windows"]
    ]
    return Analysis(
        kind=data["kind"],
        method=data["method"],
        windows=windows,
        duration=data["duration_seconds"],
        backbone=data.get("backbone", ""),
        warnings=list(data.get("warnings", [])),
    )


__all__ = ["STATES", "LEVELS", "LEVEL_NAMES", "StateScore", "AffectResult", "Analysis", "analysis_from_dict", "asdict"]
