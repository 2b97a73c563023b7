"""The first report's two calls, run through transformers as its code ran them (not through engage's inputs):
the baseline engage's pipelines are measured against.

- A video (its training notebook): the processor's chat template over the video and "Analyze this video.", with
  transformers decoding *every* frame (``load_video``) and its video processor keeping floor(frames / 30 / 2) × 2
  of them at fps=1; then the whole model with every hidden state and the mean of the last, one clip at a time.
- A webcam update (its deployment, ``deployment/backend/inference_engine.py``): one face image, thumbnailed to
  224 pixels, as an *image* with "Analyze this face.", one request per frame.
"""
from __future__ import annotations

import numpy as np

from ..model.backbone import Backbone

DEPLOYMENT_MAX_SIDE = 224  # the report's deployment: MAX_IMAGE_SIZE in deployment/backend/config.py


def report_video_features(backbone: Backbone, paths: list[str]) -> np.ndarray:
    """The report's feature of each video file. PyAV decodes (in presentation order; torchvision, transformers'
    fallback when torchcodec is absent, returns B-frame files in decode order); ``second_per_grid_ts`` is set as
    the report's transformers 4.57.1 set it (temporal_patch_size / fps = 2 s), which 5.x computes per video."""
    import torch
    from transformers.video_utils import load_video

    processor, model = backbone.processor, backbone.model
    messages = [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "Analyze this video."}]}]
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    out = []
    for path in paths:
        video, metadata = load_video(path, backend="pyav")
        inputs = processor(text=[text], videos=[video], video_metadata=[metadata], do_sample_frames=True, fps=1, return_tensors="pt")
        seconds = processor.video_processor.temporal_patch_size / 1.0
        inputs["second_per_grid_ts"] = torch.full_like(inputs["second_per_grid_ts"], seconds)
        with torch.no_grad():
            hidden = model(**inputs.to(backbone.device), output_hidden_states=True).hidden_states[-1]
        out.append(hidden.float().mean(dim=1)[0].cpu().numpy())
    return np.stack(out)


def report_face_feature(backbone: Backbone, frame: np.ndarray) -> np.ndarray:
    """The report's deployment on one webcam frame: the picture thumbnailed to 224 pixels, fed as an image with
    "Analyze this face.", the whole model, the mean of the last hidden state."""
    import torch
    from PIL import Image

    image = Image.fromarray(frame)
    image.thumbnail((DEPLOYMENT_MAX_SIDE, DEPLOYMENT_MAX_SIDE), Image.Resampling.LANCZOS)
    messages = [{"role": "user", "content": [{"type": "image", "image": image}, {"type": "text", "text": "Analyze this face."}]}]
    inputs = backbone.processor.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
    )
    with torch.no_grad():
        hidden = backbone.model(**inputs.to(backbone.device), output_hidden_states=True).hidden_states[-1]
    return hidden.float().mean(dim=1)[0].cpu().numpy()
