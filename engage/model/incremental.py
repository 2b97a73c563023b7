"""Webcam features that grow with the window and compute only what is new, with the same result.

Why it is exact: Qwen2.5-VL encodes a video in temporal patches of two frames, and its vision tower attends
within one patch at a time (no attention across time, no temporal position in the vision rotary embedding), so
a patch's vision tokens do not depend on the others. The language model is causal, so the hidden states and the
key/value cache of every token before the newest patch do not change when a patch is appended. Only the new
patch's tokens, then ``<|vision_end|>`` and the question (which follow the video and so see the new frames),
have to be computed. Multimodal rope positions are taken from ``get_rope_index`` over the whole sequence, as a
full forward pass would; an odd last frame is padded into a patch by repeating it (as the processor does) and
recomputed at the next update, when its partner arrives.

The mean-pooled feature is then the same as ``clip_features`` on the frames seen so far, and the prefix handed
up by ``with_prefix`` the same as ``encode_prefix`` gives (``engage.affect`` asks its zero-shot questions on
it, then they are dropped from the cache); both tested to float precision. A window grows to ``max_frames`` (10 s at 1 FPS) and then starts again;
``engage.affect.webcam`` staggers two of them so that every result covers the last 6-10 s.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from . import kvcache
from .backbone import Backbone
from .prefix import VISION_END, VideoPrefix, split_chat

T = TypeVar("T")

VIDEO_TOKEN_TYPE = 2  # mm_token_type_ids: 0 text, 1 image, 2 video


@dataclass
class IncrementalWindow:
    """One growing window's state. Data only (key/value cache, running sums, the frame not yet in a patch), so
    that it can live in a Gradio State and cross into a ZeroGPU worker; the backbone is passed to each call."""

    max_frames: int = 10
    count: int = 0  # frames in the window
    pending: list = field(default_factory=list)  # frames not yet encoded into the cache (at most one)
    _shape: tuple | None = None
    _cache: object = None
    _cached_patches: int = 0
    _cached_tokens: int = 0
    _hidden_sum: object = None  # sum over cached tokens of the last hidden state (float32)
    _grid_hw: tuple[int, int] | None = None

    def reset(self) -> None:
        self.count, self._shape = 0, None
        self.pending.clear()
        self._cache, self._cached_patches, self._cached_tokens, self._hidden_sum, self._grid_hw = None, 0, 0, None, None

    @property
    def full(self) -> bool:
        return self.count >= self.max_frames

    def __len__(self) -> int:
        return self.count

    def to(self, device: str) -> IncrementalWindow:
        """Move the cache and sums, e.g. to host memory between ZeroGPU calls (no CUDA tensor may cross them)."""
        if self._cache is not None:
            kvcache.to_device(self._cache, device)
        if self._hidden_sum is not None:
            self._hidden_sum = self._hidden_sum.to(device)
        return self

    def cache_bytes(self) -> int:
        return kvcache.nbytes(self._cache)

    def _pixels(self, backbone: Backbone, frames: list[np.ndarray]):
        from transformers.video_utils import VideoMetadata

        p = backbone.protocol
        out = backbone.processor.video_processor(
            videos=[np.stack(frames)],
            video_metadata=[VideoMetadata(total_num_frames=len(frames), fps=p.fps)],
            do_sample_frames=False,
            size={"shortest_edge": p.min_pixels, "longest_edge": p.max_pixels},
            cap_pixels_per_frame=True,
            return_tensors="pt",
        )
        return out["pixel_values_videos"].to(backbone.device, backbone.model.dtype), out["video_grid_thw"].to(backbone.device)

    def _sequence(self, backbone: Backbone, patches: int, suffix: str):
        """input_ids and rope positions of system prompt, ``patches`` temporal patches, then ``suffix`` text."""
        import torch

        bb = backbone
        tok = bb.tokenizer
        prefix_text, _ = split_chat(bb, bb.protocol.prompt)
        head = tok.encode(prefix_text[: -len(VISION_END)].replace(bb.processor.video_token, ""), add_special_tokens=False)
        tail = tok.encode(suffix, add_special_tokens=False)
        gh, gw = self._grid_hw
        per_patch = gh * gw // bb.processor.video_processor.merge_size**2
        video = [bb.model.config.video_token_id] * (patches * per_patch)
        ids = torch.tensor([head + video + tail], device=bb.device)
        types = torch.zeros_like(ids)
        types[0, len(head) : len(head) + len(video)] = VIDEO_TOKEN_TYPE
        grid = torch.tensor([[patches, gh, gw]], device=bb.device)
        seconds = torch.tensor([bb.processor.video_processor.temporal_patch_size / bb.protocol.fps], device=bb.device)
        positions, _ = bb.model.model.get_rope_index(
            ids, video_grid_thw=grid, attention_mask=torch.ones_like(ids), second_per_grid_ts=seconds, mm_token_type_ids=types
        )
        return ids, positions, len(head), per_patch

    def _run(self, backbone: Backbone, ids, positions, start: int, end: int, pixels=None, grid=None):
        import torch

        seconds = None
        if pixels is not None:
            seconds = torch.tensor([backbone.processor.video_processor.temporal_patch_size / backbone.protocol.fps], device=backbone.device)
        out = backbone.model.model(
            input_ids=ids[:, start:end],
            pixel_values_videos=pixels,
            video_grid_thw=grid,
            second_per_grid_ts=seconds,
            position_ids=positions[:, :, start:end],
            past_key_values=self._cache,
            use_cache=True,
        )
        self._cache = out.past_key_values
        return out.last_hidden_state[0].float()

    def push(self, backbone: Backbone, frame: np.ndarray) -> None:
        """Add the newest frame (1 FPS); a frame that completes a temporal patch is encoded into the cache now.
        A full window (or a frame of another size) starts a new window."""
        import torch

        if self.full or (self._shape is not None and frame.shape != self._shape):
            self.reset()
        self.pending.append(frame)
        self.count, self._shape = self.count + 1, frame.shape
        bb = backbone
        size = bb.processor.video_processor.temporal_patch_size
        complete = self.count // size
        with torch.inference_mode(), bb.lock:
            if self._grid_hw is None:
                _, grid = self._pixels(bb, self.pending[:1])
                self._grid_hw = (int(grid[0, 1]), int(grid[0, 2]))
            if self._cache is not None and complete == self._cached_patches:
                return  # an odd frame: it waits for its partner (a result pads it in ``_with_rest``)
            ids, positions, head, per_patch = self._sequence(bb, complete, "")
            if self._cache is None:  # system prompt and <|vision_start|>
                self._hidden_sum = self._run(bb, ids, positions, 0, head).sum(dim=0)
                self._cached_tokens = head
            if complete > self._cached_patches:
                new = (complete - self._cached_patches) * size
                pixels, grid = self._pixels(bb, self.pending[:new])
                del self.pending[:new]
                end = head + complete * per_patch
                self._hidden_sum = self._hidden_sum + self._run(bb, ids, positions, self._cached_tokens, end, pixels, grid).sum(dim=0)
                self._cached_patches, self._cached_tokens = complete, end

    def _with_rest(self, backbone: Backbone, suffix: str, use):
        """Run what follows the cached tokens (a padded odd frame, then ``suffix``), call ``use(ids, positions,
        rest_hidden)`` with the cache extended to the end, then drop those tokens from the cache again."""
        import torch

        bb = backbone
        size = bb.processor.video_processor.temporal_patch_size
        patches = -(-self.count // size)
        with torch.inference_mode(), bb.lock:
            ids, positions, _, _ = self._sequence(bb, patches, suffix)
            pixels = grid = None
            if patches > self._cached_patches:
                pixels, grid = self._pixels(bb, self.pending)
            rest = self._run(bb, ids, positions, self._cached_tokens, ids.shape[1], pixels, grid)
            try:
                return use(ids, positions, rest)
            finally:
                kvcache.truncate(self._cache, self._cached_tokens)

    def feature(self, backbone: Backbone) -> np.ndarray:
        """The mean-pooled feature of the frames so far, equal to ``clip_features`` on them, (hidden_size,) float32."""
        _, suffix = split_chat(backbone, backbone.protocol.prompt)
        return self._with_rest(
            backbone, VISION_END + suffix, lambda ids, _, rest: ((self._hidden_sum + rest.sum(dim=0)) / ids.shape[1]).cpu().numpy()
        )

    def with_prefix(self, backbone: Backbone, use: Callable[[VideoPrefix], T]) -> T:
        """``use(prefix)`` on the video prefix of the frames so far (system prompt, video, ``<|vision_end|>``), as
        ``encode_prefix`` gives it for them (without its hidden states); the tokens it adds are dropped afterwards."""

        def hand_up(ids, positions, _):
            next_position = int(positions[:, 0, -1].max()) + 1
            return use(VideoPrefix(cache=self._cache, length=int(ids.shape[1]), hidden=None, next_position=next_position))

        return self._with_rest(backbone, VISION_END, hand_up)

    def add(self, backbone: Backbone, frame: np.ndarray) -> np.ndarray:
        """Push the newest frame and return the feature of the window so far."""
        self.push(backbone, frame)
        return self.feature(backbone)
