"""The app's webcam scheme (two staggered incremental windows) against two baselines: recomputing every reported
window whole, and the report's deployment (one face image per request, no window at all)."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

import numpy as np

from ..affect.webcam import WebcamStream
from ..media import Clip
from ..model.backbone import Backbone
from ..model.features import clip_features
from .configs import daisee_like_windows
from .reference import report_face_feature
from .timing import clocked, timed


@dataclass
class WebcamBench:
    frames: int
    results: int
    latency_s: float  # mean, from the newest kept frame to the feature, over the results on 6-10 s
    recompute_s: float  # mean full forward over the same windows (recomputing each reported window whole)
    report_image_s: float  # mean of the report's deployment call on the newest frame (one image, no window)
    per_frame_s: float  # mean encoding cost per kept frame (results or not)
    max_difference: float  # incremental vs full feature, max abs over the results
    state_mb: float  # key/value caches held between updates at the end
    offload_s: float  # state to host memory, pickled, unpickled and back: a ZeroGPU round trip

    def line(self, config: str) -> str:
        return (
            f"{config}: webcam stream of {self.frames} frames at 1 FPS, {self.results} results on the last 2-10 s: "
            f"latency {self.latency_s:.3f} s (results on 6-10 s) vs {self.recompute_s:.3f} s recomputing the same windows "
            f"whole ({self.latency_s / self.recompute_s:.2f}x) and {self.report_image_s:.3f} s for the report's deployment "
            f"(the newest frame alone, as one 224-pixel image: {self.latency_s / self.report_image_s:.2f}x), "
            f"{self.per_frame_s:.3f} s of encoding per kept frame, "
            f"max feature difference {self.max_difference:.1e}; state {self.state_mb:.1f} MB, "
            f"host round trip {self.offload_s:.3f} s"
        )


def webcam_updates(backbone: Backbone, frames: int = 16) -> WebcamBench:
    """The app's webcam scheme (``engage.affect.webcam.WebcamStream``) against recomputing each reported window
    and against the report's one-image-per-request deployment."""
    import pickle

    clip = daisee_like_windows(1)[0]
    stream_frames = [clip.frames[k % 10] for k in range(frames)]
    stream = WebcamStream()
    cuda = backbone.device.startswith("cuda")
    latency, recompute, per_image, per_frame, diff = [], [], [], [], 0.0
    for k, frame in enumerate(stream_frames, start=1):
        window, seconds = clocked(cuda, stream.push, backbone, frame)
        per_frame.append(seconds)
        if window is None:
            continue
        n = len(window)
        feature, seconds = clocked(cuda, window.feature, backbone)
        latency.append((n, per_frame[-1] + seconds))
        part = Clip(np.stack(stream_frames[k - n : k]), np.arange(float(n)), 0.0, float(n))
        reference, seconds = clocked(cuda, clip_features, backbone, [part])
        recompute.append((n, seconds))
        per_image.append(clocked(cuda, report_face_feature, backbone, frame)[1])
        diff = max(diff, float(np.abs(feature - reference[0]).max()))
    state_mb = stream.cache_bytes() / 2**20
    offload = timed(lambda: pickle.loads(pickle.dumps(stream.to("cpu"))).to(backbone.device), cuda)
    steady = [i for i, (n, _) in enumerate(latency) if n >= 6] or list(range(len(latency)))
    return WebcamBench(
        frames,
        len(latency),
        statistics.mean(latency[i][1] for i in steady),
        statistics.mean(recompute[i][1] for i in steady),
        statistics.mean(per_image[i] for i in steady),
        statistics.mean(per_frame),
        diff,
        state_mb,
        offload,
    )
