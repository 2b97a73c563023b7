"""engage's feature is the report's feature, clip for clip.

The report's code (its repository nhlam04/data-science-group20: the training notebook and
deployment/backend/inference_engine.py) builds a clip's feature with ONE call: the processor's chat template over
the video *path* and "Analyze this video.", fps=1, tokenized; then the model with every hidden state. The
training notebook saved the last one unpooled; the mean over every token, taken here, is from the report's method
text and its image and deployment code. transformers decodes every frame itself (``load_video``) and its video processor keeps
floor(frames / fps / 2) * 2 of them, evenly spread. ``report_feature`` below is that call, run through transformers
(not through engage). engage's three paths must give the same vector: ``python -m engage extract`` (the CLI, which
writes the features the heads are trained on), the extraction library, and the app's video analysis.

Clips: DAiSEE's size and rate (640×480 at 30 fps) with 285, 299, 300 and 330 frames (MPEG-4 Part 2 AVIs, as
DAiSEE's), and one H.264 AVI with B-frames (decoded sequentially: decord seeks wrongly in those).

Photos: the report's notebook fed its augmentation images (256×256, saved as JPEG) as *images* with "Analyze this
image." through the same chat-template call; heads imported from the report run with that protocol, so a photo
analysed in the app with those heads must give that call's feature; so must 224-pixel photos and a video of 224×224
face crops (the classroom's crops), which the 7B's processor keeps at 224 pixels.

The processor: the tiny checkpoint carries the 7B's published ``preprocessor_config.json`` (min_pixels 3,136,
max_pixels 12,845,056), so the report's call in these tests resizes as the report's did. ``tests/processor_sizes.py``
printed the same classes' sizes and the same token counts (``EXPECTED_TOKENS``) under transformers 4.53.3, 4.57.1
(the versions the report's notebooks name) and 5.23; the tests below check 5.23's and engage's against them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, write_video

# Vision tokens the 7B's processor files give (tests/processor_sizes.py; identical under 4.53.3, 4.57.1 and 5.23)
EXPECTED_TOKENS = {
    "image 224x224": 64, "video 10 frames 224x224": 320, "image 256x256": 81, "video 10 frames 256x256": 405,
    "image 640x480": 391, "video 10 frames 640x480": 1955, "image 1920x1080": 2691, "video 10 frames 1920x1080": 13455,
    "image 4000x3000": 15301, "video 10 frames 4000x3000": 76505,
}
FRAMES = {"5000441001": (285, "mpeg4"), "5000441002": (299, "mpeg4"), "5000441003": (300, "mpeg4"), "5000441004": (330, "mpeg4"),
          "5000441005": (299, "libx264")}
HEADER = "ClipID,Boredom,Engagement,Confusion,Frustration \n"


def report_feature(model, processor, path: str) -> np.ndarray:
    """The report's call, through transformers' own ``load_video`` and processor (sampling at fps=1), then the
    model with every hidden state and the mean of the last.

    Two things are pinned so that the call means what the report's meant:
    - Decoding with PyAV, in presentation order. ``apply_chat_template`` decodes through ``fetch_videos``, which
      takes torchcodec, or torchvision where torchcodec is absent (as here); torchvision returns an H.264 AVI
      with B-frames in *decode* order (236 of this 299-frame clip's frames differ), which no one means by "the
      clip". For the MPEG-4 clips all decoders agree.
    - ``second_per_grid_ts`` as the report's transformers 4.57.1 set it: temporal_patch_size / fps with the call's
      fps (1 → 2.0 s for every clip; its processing_qwen2_5_vl.py). 5.x computes it from each video's sampled rate
      (2.49 s for 8 frames over 9.97 s), which moves the temporal positions of clips that are not exactly 10 s.
    """
    import torch
    from transformers.video_utils import load_video

    messages = [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "Analyze this video."}]}]
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    video, metadata = load_video(path, backend="pyav")
    inputs = processor(text=[text], videos=[video], video_metadata=[metadata], do_sample_frames=True, fps=1, return_tensors="pt")
    inputs["second_per_grid_ts"] = torch.full_like(inputs["second_per_grid_ts"], processor.video_processor.temporal_patch_size / 1.0)
    with torch.no_grad():
        hidden = model(**inputs, output_hidden_states=True).hidden_states[-1]
    return hidden.float().mean(dim=1)[0].numpy()


def report_image_feature(model, processor, path: str, prompt: str = "Analyze this image.") -> np.ndarray:
    """The report's image call (its notebook's ``extract_facial_embeddings``): the image *path* in the chat
    template, tokenized by the processor, the model with every hidden state, the mean of the last."""
    import torch

    messages = [{"role": "user", "content": [{"type": "image", "image": path}, {"type": "text", "text": prompt}]}]
    inputs = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**inputs, output_hidden_states=True).hidden_states[-1]
    return hidden.float().mean(dim=1)[0].numpy()


@pytest.fixture(scope="module")
def report_model(tiny_dir):
    from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(tiny_dir, dtype="float32").eval()
    return model, AutoProcessor.from_pretrained(tiny_dir)


@pytest.fixture(scope="module")
def daisee_root(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("daisee-fidelity")
    rows = [HEADER]
    for clip_id, (frames, codec) in FRAMES.items():
        folder = root / "DataSet" / "Test" / clip_id[:6] / clip_id
        folder.mkdir(parents=True)
        write_video(str(folder / f"{clip_id}.avi"), frames / 30, fps=30, size=(640, 480), codec=codec)
        rows.append(f"{clip_id}.avi,1,2,0,0\n")
    (root / "Labels").mkdir()
    (root / "Labels" / "TestLabels.csv").write_text("".join(rows))
    return str(root)


def _path(root: str, clip_id: str) -> str:
    return os.path.join(root, "DataSet", "Test", clip_id[:6], clip_id, f"{clip_id}.avi")


@pytest.fixture(scope="module")
def reference(daisee_root, report_model) -> dict[str, np.ndarray]:
    return {clip_id: report_feature(*report_model, _path(daisee_root, clip_id)) for clip_id in FRAMES}


def test_the_b_frame_clip_really_has_b_frames(daisee_root):
    import av
    from av.video.frame import PictureType

    with av.open(_path(daisee_root, "5000441005")) as container:
        kinds = {int(frame.pict_type) for frame in container.decode(video=0)}
    assert int(PictureType.B) in kinds, kinds


def test_the_cli_extracts_the_reports_feature_for_every_clip(daisee_root, tiny_dir, reference, tmp_path):
    from engage.daisee import featurestore

    out = str(tmp_path / "features")
    cmd = [sys.executable, "-m", "engage", "extract", "--daisee", daisee_root, "--split", "Test", "--out", out, "--backbone", tiny_dir, "--quiet"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ, ENGAGE_DEVICE="cpu"))
    assert done.returncode == 0, done.stderr[-3000:]
    features = featurestore.load_split(out, "Test")
    assert sorted(features.clip_ids) == sorted(FRAMES)
    for clip_id, feature in zip(features.clip_ids, features.features):
        np.testing.assert_allclose(feature, reference[clip_id], atol=2e-5, err_msg=clip_id)


def test_the_app_analyses_each_clip_with_the_reports_feature(engine, daisee_root, reference):
    for clip_id, (frames, _) in FRAMES.items():
        analysis = engine.analyze_video(_path(daisee_root, clip_id), "mlp")
        assert len(analysis.windows) == 1 and analysis.windows[0].frames == (frames // 30) // 2 * 2
        np.testing.assert_allclose(analysis.features[0], reference[clip_id], atol=2e-5, err_msg=clip_id)


# ---------------------------------------------------------------- photos, under the report's protocol


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> str:
    """A 256×256 JPEG like the report's augmentation images (a face-like pattern, not noise)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (256, 256), (180, 150, 120))
    draw = ImageDraw.Draw(img)
    draw.ellipse((60, 40, 196, 220), fill=(230, 190, 160))
    draw.ellipse((95, 100, 115, 115), fill=(40, 40, 40))
    draw.ellipse((141, 100, 161, 115), fill=(40, 40, 40))
    draw.arc((100, 150, 156, 190), 20, 160, fill=(120, 30, 30), width=4)
    path = str(tmp_path_factory.mktemp("photo") / "face.jpg")
    img.save(path)
    return path


@pytest.fixture(scope="module")
def report_weights(tmp_path_factory) -> str:
    """The report's heads as the Space gets them: checkpoints in the report's format (random weights of the
    report's shape) converted by the importer, whose card records the report's protocol."""
    import torch

    from engage.affect.heads import build_mlp
    from engage.affect.reference_heads import import_reference_heads
    from engage.affect.results import STATES

    src = tmp_path_factory.mktemp("report-heads")
    for s in STATES:
        torch.save({"model_state_dict": build_mlp(64).state_dict(), "epoch": 3, "val_f1": 0.3}, src / f"mlp_{s}_best.pth")
    out = str(tmp_path_factory.mktemp("weights"))
    import_reference_heads(str(src), out)
    return out


@pytest.fixture(scope="module")
def report_engine(tiny_dir, report_weights):
    from engage.affect.pipeline import Engine

    return Engine.load(tiny_dir, report_weights, device="cpu")


def test_with_the_reports_heads_a_photo_gives_the_reports_image_feature(report_engine, report_model, photo):
    from engage.model.protocol import REPORT_PROTOCOL

    assert report_engine.backbone.protocol == REPORT_PROTOCOL and report_engine.heads is not None
    expected = report_image_feature(*report_model, photo)
    analysis = report_engine.analyze_image(photo, "mlp")
    np.testing.assert_allclose(analysis.features[0], expected, atol=2e-5)


def test_with_the_reports_heads_videos_keep_the_reports_feature(report_engine, daisee_root, reference):
    clip_id = "5000441002"
    analysis = report_engine.analyze_video(_path(daisee_root, clip_id), "mlp")
    np.testing.assert_allclose(analysis.features[0], reference[clip_id], atol=2e-5)


def test_engages_protocol_feeds_a_photo_as_a_one_frame_video_and_refuses_the_reports_heads(engine, report_model, photo, tiny_dir, report_weights):
    from engage.affect.pipeline import Engine
    from engage.model.protocol import ENGAGE_PROTOCOL

    mine = engine.analyze_image(photo, "mlp").features[0]
    assert np.abs(mine - report_image_feature(*report_model, photo)).max() > 1e-2
    forced = Engine.load(tiny_dir, report_weights, device="cpu", protocol=ENGAGE_PROTOCOL)
    assert forced.heads is None
    assert "report feature protocol but the backbone feeds the engage one" in forced.heads_problem


def test_the_cli_extracts_the_reports_image_feature_under_the_reports_protocol(tiny_dir, report_model, photo, tmp_path):
    """``extract --images --protocol report``: the report's augmentation features, and the protocol recorded."""
    from engage.daisee import featurestore
    from engage.model.protocol import REPORT_PROTOCOL, FeatureProtocol

    folder = tmp_path / "faces"
    folder.mkdir()
    shutil.copy(photo, folder / "face.jpg")
    out = str(tmp_path / "features")
    cmd = [sys.executable, "-m", "engage", "extract", "--images", str(folder), "--state", "Boredom", "--out", out,
           "--backbone", tiny_dir, "--protocol", "report", "--quiet"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ, ENGAGE_DEVICE="cpu"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert FeatureProtocol.from_dict(featurestore.read_meta(out)["protocol"]) == REPORT_PROTOCOL
    features = featurestore.load_split(out, "Augment")
    np.testing.assert_allclose(features.features[0], report_image_feature(*report_model, photo), atol=2e-5)


# ---------------------------------------------------------------- the processor, and 224-pixel photos and crops


def test_the_tiny_checkpoint_carries_the_7bs_published_processor_files(tiny_dir):
    import json

    from processor_sizes import PUBLISHED

    from engage.model.tiny import PUBLISHED_PREPROCESSOR_CONFIG

    assert PUBLISHED_PREPROCESSOR_CONFIG == PUBLISHED
    with open(os.path.join(tiny_dir, "preprocessor_config.json")) as fh:
        assert json.load(fh) == PUBLISHED
    for absent in ("processor_config.json", "video_preprocessor_config.json"):  # the 7B publishes neither
        assert not os.path.exists(os.path.join(tiny_dir, absent))


def test_this_transformers_reads_the_published_sizes_for_images_and_video(tiny_dir):
    from processor_sizes import sizes

    loaded = sizes(tiny_dir)
    assert loaded["image_pixels"] == loaded["video_pixels"] == [3136, 12845056]
    assert {k: n for k, (_, n) in loaded["tokens"].items()} == EXPECTED_TOKENS


def _video_tokens(backbone, frames: np.ndarray) -> int:
    from engage.media import Clip

    clip = Clip(frames=frames, timestamps=np.arange(len(frames), dtype=float), start=0.0, end=float(len(frames)))
    batch = backbone.inputs_for_texts([clip], backbone.feature_texts([clip]), to_device=False)
    return int(batch["video_grid_thw"].prod()) // 4


def test_the_report_protocol_resizes_as_the_reports_processor_and_engages_is_its_own(tiny_dir, report_model):
    """The report's protocol: the sizes its processor loaded; 10 face crops of 224×224 stay 320 tokens. engage's
    protocol keeps its narrower range on purpose (engage.model.protocol): the same crops become 336×336, 720 tokens;
    a DAiSEE window (640×480) is 1,955 tokens under both."""
    from engage.model.backbone import Backbone
    from engage.model.protocol import ENGAGE_PROTOCOL, REPORT_PROTOCOL

    model, processor = report_model
    for kind in ("image_processor", "video_processor"):
        size = getattr(processor, kind).size
        assert (size.shortest_edge, size.longest_edge) == (REPORT_PROTOCOL.min_pixels, REPORT_PROTOCOL.max_pixels), kind
    assert (ENGAGE_PROTOCOL.min_pixels, ENGAGE_PROTOCOL.max_pixels) == (100_352, 602_112)
    crops, daisee = np.zeros((10, 224, 224, 3), np.uint8), np.zeros((10, 480, 640, 3), np.uint8)
    report = Backbone.ready(tiny_dir, processor, model, "cpu", REPORT_PROTOCOL)
    engage = Backbone.ready(tiny_dir, processor, model, "cpu", ENGAGE_PROTOCOL)
    assert _video_tokens(report, crops) == EXPECTED_TOKENS["video 10 frames 224x224"] == 320
    assert _video_tokens(engage, crops) == 720
    assert _video_tokens(report, daisee) == _video_tokens(engage, daisee) == EXPECTED_TOKENS["video 10 frames 640x480"]


@pytest.fixture(scope="module")
def photo_224(tmp_path_factory) -> str:
    """A 224×224 JPEG: a face crop's size (engage.classroom.room.CROP_SIZE), below engage's protocol's minimum."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (224, 224), (170, 140, 110))
    draw = ImageDraw.Draw(img)
    draw.ellipse((50, 30, 174, 200), fill=(225, 185, 150))
    draw.rectangle((80, 90, 100, 102), fill=(30, 30, 30))
    draw.rectangle((124, 90, 144, 102), fill=(30, 30, 30))
    path = str(tmp_path_factory.mktemp("photo-224") / "crop.jpg")
    img.save(path)
    return path


@pytest.fixture(scope="module")
def crops_video(tmp_path_factory) -> str:
    """10 s of 224×224 face crops at 30 fps, as a DAiSEE-style AVI."""
    path = str(tmp_path_factory.mktemp("crops") / "crops.avi")
    return write_video(path, 10, fps=30, size=(224, 224), codec="mpeg4")


def test_with_the_reports_heads_a_224_pixel_photo_gives_the_reports_image_feature(report_engine, report_model, photo_224):
    expected = report_image_feature(*report_model, photo_224)
    np.testing.assert_allclose(report_engine.analyze_image(photo_224, "mlp").features[0], expected, atol=2e-5)


def test_with_the_reports_heads_224_pixel_crops_give_the_reports_feature(report_engine, report_model, crops_video):
    expected = report_feature(*report_model, crops_video)
    analysis = report_engine.analyze_video(crops_video, "mlp")
    assert len(analysis.windows) == 1
    np.testing.assert_allclose(analysis.features[0], expected, atol=2e-5)
