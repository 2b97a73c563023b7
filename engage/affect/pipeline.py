"""The engine: backbone loaded once, heads checked once; per request decode → forward → scores."""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..errors import EngageError, HeadsError
from ..media import Clip, VideoSource, image_array_to_clip, load_image, media_kind, prefetch
from ..model.backbone import Backbone
from ..model.batching import pick_batch_size
from ..model.features import clip_features
from ..model.protocol import DEFAULT_PROTOCOL, FeatureProtocol
from ..settings import Limits, Windowing, weights_dir
from .heads import HeadSet, heads_present, load_heads
from .reference_heads import import_reference_heads
from .results import AffectResult, Analysis
from .webcam import WebcamStream
from .zeroshot import window_level_probs, zero_shot_probs

# The zero-shot method is engage's own (next-token probabilities of the levels, one question per state); the
# report's zero-shot baseline generated one answer for all four states and parsed it, defaulting to level 0.
METHODS = {"mlp": "MLP heads (the report's method)", "zero-shot": "Zero-shot level probabilities (engage's, untrained)"}
TEST_WEIGHTS_WARNING = "Random test weights: these results are meaningless."
UNTRAINED_HEADS_WARNING = "The MLP heads are untrained random weights: these results are meaningless."

Progress = Callable[[float, str], None]
LOG = logging.getLogger("engage")
HEADS_FETCH_FAILED = "the MLP heads could not be fetched"


def normalize_method(method: str) -> str:
    """Accept the short name ("mlp", "zero-shot") or the UI label."""
    for key, label in METHODS.items():
        if method in (key, label):
            return key
    raise EngageError(key="error.unknown_method", method=repr(method), choices=", ".join(METHODS))



def model_name(source: str) -> str:
    """The backbone as a result names it: a hub id as is; a local folder by the model it holds (the hub id of a hub
    cache's snapshot, else the folder's name), never the server's path."""
    if not os.path.isabs(source) and not os.path.exists(source):
        return source
    parts = os.path.normpath(source).split(os.sep)
    for part in parts:
        if part.startswith("models--"):
            return part[len("models--"):].replace("--", "/")
    return os.path.basename(os.path.normpath(source))

@dataclass
class Engine:
    backbone: Backbone
    heads: HeadSet | None = None
    heads_problem: str | None = None  # for the operator: paths, commands (logged at load)
    heads_reason: str | None = None  # for visitors: no paths, no commands
    limits: Limits = field(default_factory=Limits)
    windowing: Windowing = field(default_factory=Windowing)
    # Windows per forward pass. None: sized once, at the first video, to the accelerator memory free then;
    # not at load, because on ZeroGPU the GPU is attached only inside a request.
    batch_size: int | None = None

    @classmethod
    def load(
        cls,
        backbone: str | None = None,
        weights: str | None = None,
        device: str | None = None,
        protocol: FeatureProtocol | None = None,
        heads_source: str | None = None,
    ) -> Engine:
        """Heads first (a folder or a hub repo id), then the backbone fed with their feature protocol, or with
        ``protocol`` when given (heads recorded with another are then refused). ``heads_source``: a hub repo or
        folder of the report's checkpoints, imported into ``weights`` when it holds no heads (the Space's first
        start). Without usable heads the reason is kept for the user and zero-shot still works."""
        source = weights or weights_dir()
        heads, problem, reason = None, None, None
        if heads_source and not heads_present(source):
            try:
                import_reference_heads(heads_source, source)
            except Exception as exc:  # no hub, no such repo, or a bad checkpoint: say why, keep zero-shot working
                problem, reason = f"No heads in {source}, and importing {heads_source} failed: {exc}", HEADS_FETCH_FAILED
        if problem is None:
            try:
                heads = load_heads(source)
            except HeadsError as exc:
                problem, reason = str(exc), exc.for_visitors
        chosen = protocol or (heads.protocol if heads is not None else DEFAULT_PROTOCOL)
        engine = cls(backbone=Backbone.load(backbone, device=device, protocol=chosen))
        if heads is not None:
            engine.use_heads(heads)
        else:
            engine._no_heads(problem, reason, source)
        return engine

    def use_heads(self, heads: HeadSet) -> None:
        """Attach ``heads`` if they fit the backbone; else keep the reason to show the user, never other heads."""
        try:
            heads.check_compatible(self.backbone.hidden_size, self.backbone.protocol)
        except HeadsError as exc:
            self.heads = None
            self._no_heads(str(exc), exc.for_visitors)
        else:
            self.heads, self.heads_problem, self.heads_reason = heads, None, None

    def _no_heads(self, problem: str | None, reason: str | None, source: str | None = None) -> None:
        self.heads_problem, self.heads_reason = problem, reason
        if problem:
            LOG.warning("MLP heads%s unavailable (zero-shot still works): %s", f" in {source}" if source else "", problem)

    def heads_unavailable(self) -> HeadsError:
        """The error for a request of the MLP method without heads: the visitor's notice, the operator's reason
        as ``detail`` (the CLI prints it)."""
        error = HeadsError(self.heads_notice)
        error.detail = self.heads_problem
        return error

    @property
    def heads_notice(self) -> str:
        """Why the MLP method is unavailable, for a visitor (no server paths or commands)."""
        return f"The MLP method is unavailable here: {self.heads_reason or 'no MLP heads are loaded'}. Use the zero-shot method."

    def warnings(self, method: str) -> list[str]:
        out = []
        if self.backbone.is_test_weights:
            out.append(TEST_WEIGHTS_WARNING)
        if method == "mlp" and self.heads is not None and not self.heads.trained:
            out.append(UNTRAINED_HEADS_WARNING)
        return out

    def windows_per_batch(self) -> int:
        if self.batch_size is None:
            self.batch_size = pick_batch_size(self.backbone, self.windowing, self.limits)
        return self.batch_size

    # ------------------------------------------------------------------ scoring

    def score_clips(self, clips: list[Clip], method: str) -> tuple[list[AffectResult], np.ndarray | None]:
        """Scores per clip, and the features when the MLP method computed them."""
        method = normalize_method(method)
        features = None
        if method == "mlp":
            if self.heads is None:
                raise self.heads_unavailable()
            features = clip_features(self.backbone, clips, self.windows_per_batch() if len(clips) > 1 else 1)
            probs = self.heads.predict_proba(features)
        else:
            probs = zero_shot_probs(self.backbone, clips)
        return [AffectResult.from_probs(p, c.start, c.end, c.num_frames) for p, c in zip(probs, clips)], features

    def _analysis(
        self, kind: str, method: str, scored: tuple[list[AffectResult], np.ndarray | None], duration: float, t0: float
    ) -> Analysis:
        method = normalize_method(method)
        windows, features = scored
        return Analysis(
            kind=kind,
            method=method,
            windows=windows,
            duration=duration,
            backbone=model_name(self.backbone.source),
            warnings=self.warnings(method),
            timings={"total": time.perf_counter() - t0},
            features=features,
        )

    # ------------------------------------------------------------------ entry points

    def analyze_image(self, image: str | np.ndarray, method: str = "mlp") -> Analysis:
        t0 = time.perf_counter()
        frame = load_image(image, self.limits) if isinstance(image, str) else image
        clip = image_array_to_clip(frame)
        return self._analysis("image", method, self.score_clips([clip], method), 0.0, t0)

    def analyze_video(self, path: str, method: str = "mlp", progress: Progress | None = None, part: range | None = None) -> Analysis:
        """All windows of the video, or those numbered in ``part`` (one GPU call's share; ``Analysis.joined``
        puts the parts back together); ``duration`` is always the whole video's."""
        return Analysis.joined(list(self.iter_video(path, method, progress, part)))

    def iter_video(self, path: str, method: str = "mlp", progress: Progress | None = None, part: range | None = None) -> Iterator[Analysis]:
        """The windows of ``analyze_video``, one batch at a time, each as soon as it is scored: a GPU call that yields
        them hands back what it finished even if it is stopped later. ``timings["model"]`` is the time in the model
        (forward passes and scoring) and ``timings["total"]`` the time since the previous batch, decoding included."""
        t0 = time.perf_counter()
        method = normalize_method(method)
        if method == "mlp" and self.heads is None:
            raise HeadsError(self.heads_problem or "No MLP heads are loaded.")
        source = VideoSource(path, self.limits, self.windowing)
        total = source.num_windows
        done = part.start if part is not None else 0
        pending: list[Clip] = []
        step = self.windows_per_batch() if method == "mlp" else 1

        def scored() -> Analysis:
            nonlocal t0, done
            t_model = time.perf_counter()
            results = self.score_clips(pending, method)
            now = time.perf_counter()
            piece = self._analysis("video", method, results, source.info.duration, t0)
            piece.timings = {"total": now - t0, "model": now - t_model}
            t0, done = now, done + len(pending)
            pending.clear()
            if progress:
                progress(done / total, f"Analysed {done} of {total} windows")
            return piece

        if progress and not done:
            progress(0.0, f"Decoding {source.info.duration:.0f} s of video in {total} windows")
        for clip in prefetch(source.windows(part)):
            pending.append(clip)
            if len(pending) >= step:
                yield scored()
        if pending:
            yield scored()

    def analyze_file(self, path: str, method: str = "mlp", progress: Progress | None = None) -> Analysis:
        """Image or video, decided by content."""
        if media_kind(path) == "image":
            return self.analyze_image(path, method)
        return self.analyze_video(path, method, progress)

    def analyze_clip(self, clip: Clip, method: str = "mlp", kind: str = "webcam") -> Analysis:
        t0 = time.perf_counter()
        return self._analysis(kind, method, self.score_clips([clip], method), clip.seconds, t0)

    def analyze_webcam(self, stream: WebcamStream, frame: np.ndarray, method: str = "mlp") -> Analysis | None:
        """Push one kept webcam frame (1 FPS); the analysis of the longer window when one is due, else None."""
        t0 = time.perf_counter()
        method = normalize_method(method)
        if method == "mlp" and self.heads is None:
            raise HeadsError(self.heads_problem or "No MLP heads are loaded.")
        bb = self.backbone
        window = stream.to(bb.device).push(bb, frame)
        if window is None:
            return None
        features = None
        if method == "mlp":
            features = window.feature(bb)[None]
            probs = self.heads.predict_proba(features)[0]
        else:
            probs = window_level_probs(bb, window)
        n = len(window)
        seconds = n / stream.fps
        return self._analysis("webcam", method, ([AffectResult.from_probs(probs, 0.0, seconds, n)], features), seconds, t0)
