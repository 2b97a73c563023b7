"""Load Qwen2.5-VL once and turn clips into model inputs.

The same ``from_pretrained`` path loads the real model (hub id or local directory) and the tiny
random test checkpoint of ``engage.model.tiny``.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import numpy as np

from ..errors import BackboneUnavailableError
from ..media import Clip
from ..settings import backbone_source, compile_blocks_on_gpu, device_override, resize_on_gpu, vision_mlp_multiple
from .attention import use_vision_attention, vision_attention_for
from .protocol import DEFAULT_PROTOCOL, IMAGES_AS_IMAGE, FeatureProtocol
from .tiny import is_test_backbone

HUB_TIMEOUT_S = 5.0  # how long the hub may take to answer before the cache alone is tried

def pick_device() -> str:
    import torch

    return device_override() or ("cuda" if torch.cuda.is_available() else "cpu")


def hub_access(source: str, timeout: float = HUB_TIMEOUT_S) -> dict:
    """``from_pretrained``'s keyword arguments for ``source``, decided in seconds rather than after minutes of
    retries: nothing for a local folder or a reachable hub; the cache alone (``local_files_only``) for a hub id
    the hub cannot serve now but that was downloaded before; else ``BackboneUnavailableError`` saying how to run
    without the download."""
    if os.path.isdir(source):
        return {}
    from huggingface_hub import get_hf_file_metadata, hf_hub_url, try_to_load_from_cache

    try:
        get_hf_file_metadata(hf_hub_url(source, "config.json"), timeout=timeout)
        return {}
    except Exception as exc:  # offline, no DNS, a timeout, or the hub's own refusal (no such repo, gated)
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no detail'}"
    try:
        cached = isinstance(try_to_load_from_cache(source, "config.json"), str)
    except ValueError:  # not a hub id either (a folder that does not exist, say)
        cached = False
    if cached:
        return {"local_files_only": True}
    raise BackboneUnavailableError(
        f"Cannot load the backbone {source}: it is not in the local Hugging Face cache and the hub cannot serve it "
        f"({reason[:200]}). To run without the download, use the tiny random test backbone (results are meaningless): "
        "`python -m engage make-tiny-backbone /tmp/tiny && ENGAGE_BACKBONE=/tmp/tiny python app.py`; or set "
        "ENGAGE_BACKBONE to a local folder holding the model."
    )


def model_dtype(protocol: FeatureProtocol, device: str):
    """The protocol's dtype on a GPU; float32 on a CPU (half precision there is slow and not what any GPU computes)."""
    import torch

    return getattr(torch, protocol.gpu_dtype) if device.startswith("cuda") else torch.float32


@dataclass
class Backbone:
    """A loaded processor + model pair and the protocol used to feed it."""

    source: str
    processor: object
    model: object
    device: str
    protocol: FeatureProtocol = DEFAULT_PROTOCOL
    # One model call at a time: requests run in threads, and the model keeps per-call rope state.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    # One processor call at a time (a fast tokenizer refuses concurrent calls that set padding), apart from ``lock``
    # so that one batch is prepared while the model runs another.
    prep_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    # The video processor resizes on the model's device rather than the CPU (docs/performance.md, issue 14)
    resize_on_device: bool = False

    @classmethod
    def load(
        cls,
        source: str | None = None,
        device: str | None = None,
        protocol: FeatureProtocol = DEFAULT_PROTOCOL,
    ) -> Backbone:
        from transformers import AutoModelForImageTextToText, AutoProcessor
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        source = source or backbone_source()
        access = hub_access(source)
        device = device or pick_device()
        dtype = model_dtype(protocol, device)
        processor = AutoProcessor.from_pretrained(source, **access)
        model = AutoModelForImageTextToText.from_pretrained(source, dtype=dtype, attn_implementation="sdpa", **access)
        model.to(device).eval()
        return cls.ready(source, processor, model, device, protocol)

    @classmethod
    def ready(cls, source: str, processor, model, device: str, protocol: FeatureProtocol = DEFAULT_PROTOCOL) -> Backbone:
        """A loaded processor and model set up as engage runs them: the vision attention, the resizing device and
        compiled blocks for ``device`` (``ENGAGE_VISION_ATTENTION``, ``ENGAGE_RESIZE_ON_GPU``, ``ENGAGE_COMPILE``),
        the vision MLPs' width (``ENGAGE_PAD_VISION_MLP``), left padding for batches."""
        use_vision_attention(model, vision_attention_for(device))
        if multiple := vision_mlp_multiple():
            from .padding import pad_vision_mlp

            pad_vision_mlp(model, multiple)
        processor.tokenizer.padding_side = "left"
        if device.startswith("cuda") and compile_blocks_on_gpu():
            from .compiled import compile_blocks

            compile_blocks(model)
        resize = device.startswith("cuda") and resize_on_gpu()
        return cls(source=source, processor=processor, model=model, device=device, protocol=protocol, resize_on_device=resize)

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.text_config.hidden_size)

    @property
    def is_test_weights(self) -> bool:
        return is_test_backbone(self.source)

    @property
    def tokenizer(self):
        return self.processor.tokenizer

    def chat_text(self, prompt: str, media: str = "video") -> str:
        messages = [{"role": "user", "content": [{"type": media}, {"type": "text", "text": prompt}]}]
        return self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def as_image(self, clip: Clip) -> bool:
        """Whether the protocol feeds this clip as an image (a photo, under a protocol that does so)."""
        return clip.still and self.protocol.images == IMAGES_AS_IMAGE

    def feature_texts(self, clips: list[Clip]) -> list[str]:
        """The chat text of each clip's feature call: the protocol's prompt, and its image prompt for a photo
        it feeds as an image."""
        p = self.protocol
        return [self.chat_text(p.image_prompt, "image") if self.as_image(c) else self.chat_text(p.prompt) for c in clips]

    def inputs(self, clips: list[Clip], prompts: list[str]):
        """Processor outputs for one batch: clip i goes with prompt i, as a 1 FPS video."""
        return self.inputs_for_texts(clips, [self.chat_text(t) for t in prompts])

    def inputs_for_texts(self, clips: list[Clip], texts: list[str], to_device: bool = True, resize_on_device: bool = False):
        """Processor outputs for chat texts already built, each holding one video placeholder, or one image
        placeholder for a clip ``as_image`` (those go to the image processor, as in the report's call). Both are
        resized to between the protocol's ``min_pixels`` and ``max_pixels``: for the report's protocol, the sizes its
        processor loaded from the 7B's published files. ``to_device=False`` leaves them on the CPU (a worker thread
        prepares them); ``resize_on_device`` has the video processor resize and normalise on the model's device.
        (``cap_pixels_per_frame`` bounds a video's total pixels; with at most 10 frames a window it never binds at either
        protocol's ``max_pixels``.)"""
        from transformers.video_utils import VideoMetadata

        p = self.protocol
        images = [c.frames[0] for c in clips if self.as_image(c)]
        videos = [np.ascontiguousarray(c.frames) for c in clips if not self.as_image(c)]
        size = {"shortest_edge": p.min_pixels, "longest_edge": p.max_pixels}
        kwargs = {"images_kwargs": {"size": size}} if images else {}
        if videos:
            kwargs |= {
                "videos": videos,
                "video_metadata": [VideoMetadata(total_num_frames=len(v), fps=p.fps) for v in videos],
                "videos_kwargs": {
                    "do_sample_frames": False,
                    "size": size,
                    "cap_pixels_per_frame": True,
                },
            }
            if resize_on_device:
                kwargs["videos_kwargs"]["device"] = self.device
        with self.prep_lock:
            batch = self.processor(text=texts, images=images or None, padding=True, return_tensors="pt", **kwargs)
        return batch.to(self.device) if to_device else batch
