"""Webcam features that grow with the window and compute only what is new, with the same result.

Why it is exact: Qwen2.5-VL encodes a video in temporal patches of two frames, and its vision tower attends
within one patch at a time (no attention across time, no temporal position in the vision rotary embedding), so
a patch's vision tokens do not depend on the others. The language model is causal, so the hidden states and the
key/value cache of every token before the newest patch do not change when a patch is appended. Only the new
patch's tokens, then ``<|vision_end|>`` and the question (which follow the video and so see the new frames),
have to be computed. Multimodal rope positions are taken from ``get_rope_index`` over the whole sequence, as a
full forward pass would; an odd last frame is padded into a patch by repeating it (as the processor does) and
recomputed at the next update, when its partner arrives.

The mean-pooled feature is then the same as ``clip_features`` on the frames seen so far (tested to float
precision). A window grows to ``max_frames`` (10 s at 1 FPS) and then a new one starts (tumbling windows).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .backbone import Backbone
from .prefix import VISION_END, split_chat

VIDEO_TOKEN_TYPE = 2  # mm_token_type_ids: 0 text, 1 image, 2 video


@dataclass
class IncrementalWindow:
    backbone: Backbone
    max_frames: int = 10
    frames: list = field(default_factory=list)
    _cache: object = None
    _cached_patches: int = 0
    _cached_tokens: int = 0
    _hidden_sum: object = None  # sum over cached tokens of the last hidden state (float32)
    _grid_hw: tuple[int, int] | None = None

    def reset(self) -> None:
        self.frames.clear()
        self._cache, self._cached_patches, self._cached_tokens, self._hidden_sum, self._grid_hw = None, 0, 0, None, None

    def _pixels(self, frames: list[np.ndarray]):
        from transformers.video_utils import VideoMetadata

        p = self.backbone.protocol
        out = self.backbone.processor.video_processor(
            videos=[np.stack(frames)],
            video_metadata=[VideoMetadata(total_num_frames=len(frames), fps=p.fps)],
            do_sample_frames=False,
            size={"shortest_edge": p.min_pixels, "longest_edge": p.max_pixels},
            cap_pixels_per_frame=True,
            return_tensors="pt",
        )
        return out["pixel_values_videos"].to(self.backbone.device, self.backbone.model.dtype), out["video_grid_thw"].to(self.backbone.device)

    def _sequence(self, patches: int):
        """input_ids, mm_token_type_ids and rope positions of the full chat for ``patches`` temporal patches."""
        import torch

        bb = self.backbone
        tok = bb.tokenizer
        prefix_text, suffix_text = split_chat(bb, bb.protocol.prompt)
        head = tok.encode(prefix_text[: -len(VISION_END)].replace(bb.processor.video_token, ""), add_special_tokens=False)
        tail = tok.encode(VISION_END + suffix_text, add_special_tokens=False)
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
        return ids, types, positions, len(head), per_patch

    def _run(self, ids, positions, start: int, end: int, pixels=None, grid=None, seconds=None):
        out = self.backbone.model.model(
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

    def add(self, frame: np.ndarray) -> np.ndarray:
        """Add the newest frame (1 FPS) and return the feature of the window so far, (hidden_size,) float32."""
        import torch

        if len(self.frames) >= self.max_frames or (self.frames and frame.shape != self.frames[-1].shape):
            self.reset()
        self.frames.append(frame)
        bb = self.backbone
        size = bb.processor.video_processor.temporal_patch_size
        complete = len(self.frames) // size
        patches = -(-len(self.frames) // size)
        with torch.inference_mode(), bb.lock:
            if self._grid_hw is None:
                _, grid = self._pixels(self.frames[:1])
                self._grid_hw = (int(grid[0, 1]), int(grid[0, 2]))
            ids, _, positions, head, per_patch = self._sequence(patches)
            seconds = torch.tensor([size / bb.protocol.fps], device=bb.device)
            if self._cache is None:  # system prompt and <|vision_start|>
                self._hidden_sum = self._run(ids, positions, 0, head).sum(dim=0)
                self._cached_tokens = head
            if complete > self._cached_patches:  # new complete patches: encode and keep in the cache
                new = self.frames[self._cached_patches * size : complete * size]
                pixels, grid = self._pixels(new)
                end = head + complete * per_patch
                self._hidden_sum = self._hidden_sum + self._run(ids, positions, self._cached_tokens, end, pixels, grid, seconds).sum(dim=0)
                self._cached_patches, self._cached_tokens = complete, end
            # the rest (a padded odd frame, <|vision_end|> and the question) is computed, used and dropped
            rest_pixels = rest_grid = None
            if patches > complete:
                rest_pixels, rest_grid = self._pixels(self.frames[complete * size :])
            rest = self._run(ids, positions, self._cached_tokens, ids.shape[1], rest_pixels, rest_grid, seconds if rest_pixels is not None else None)
            self._cache.crop(-(ids.shape[1] - self._cached_tokens))
            total = self._hidden_sum + rest.sum(dim=0)
        return (total / ids.shape[1]).cpu().numpy()
