"""What a transformers version loads from a checkpoint's processor files, and the vision tokens it makes of them.

Runs under any transformers from 4.53 on, alone (no engage import), so that the report's versions can be checked
beside engage's:

    python -m venv --system-site-packages /tmp/tf4571 && /tmp/tf4571/bin/pip install transformers==4.57.1 \\
        "tokenizers<0.23" "huggingface-hub<1.0"
    /tmp/tf4571/bin/python tests/processor_sizes.py [FOLDER]

FOLDER holds a ``preprocessor_config.json`` (default: a temporary folder with the 7B's published one, the same as
``engage.model.tiny.PUBLISHED_PREPROCESSOR_CONFIG``, written out here so that no engage import is needed). It prints
one JSON line (the version, the classes and sizes loaded for images and video) and then, for each input, the
``grid_thw`` and the tokens the language model gets (grid / 4: 2×2 patches merge into one token).
``tests/test_fidelity.py`` pins the figures (``EXPECTED_TOKENS``) that 4.53.3, 4.57.1 and 5.23 all printed.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

import numpy as np

# Qwen/Qwen2.5-VL-7B-Instruct's preprocessor_config.json as published (see engage/model/tiny.py for the sources)
PUBLISHED = {
    "min_pixels": 3136,
    "max_pixels": 12845056,
    "patch_size": 14,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "image_processor_type": "Qwen2VLImageProcessor",
    "processor_class": "Qwen2_5_VLProcessor",
}
SIZES = [(224, 224), (256, 256), (640, 480), (1920, 1080), (4000, 3000)]  # width × height
FRAMES = 10  # a 10 s window at 1 FPS


def _edges(processor) -> list:
    size = getattr(processor, "size", None) or {}
    get = size.get if isinstance(size, dict) else lambda k: getattr(size, k, None)
    return [get("shortest_edge"), get("longest_edge")]


def sizes(folder: str) -> dict:
    """The loaded classes, their [shortest_edge, longest_edge] in pixels, and {input: [grid_thw, tokens]}."""
    import transformers
    from transformers import AutoImageProcessor, AutoVideoProcessor

    image = AutoImageProcessor.from_pretrained(folder)
    video = AutoVideoProcessor.from_pretrained(folder)
    out = {
        "transformers": transformers.__version__,
        "image_processor": type(image).__name__,
        "image_pixels": _edges(image),
        "video_processor": type(video).__name__,
        "video_pixels": _edges(video),
        "tokens": {},
    }
    rng = np.random.default_rng(0)
    for w, h in SIZES:
        grid = image(images=[rng.integers(0, 255, (h, w, 3), dtype=np.uint8)], return_tensors="pt")["image_grid_thw"][0].tolist()
        out["tokens"][f"image {w}x{h}"] = [grid, int(np.prod(grid)) // 4]
        frames = rng.integers(0, 255, (FRAMES, h, w, 3), dtype=np.uint8)
        grid = video(videos=[frames], do_sample_frames=False, return_tensors="pt")["video_grid_thw"][0].tolist()
        out["tokens"][f"video {FRAMES} frames {w}x{h}"] = [grid, int(np.prod(grid)) // 4]
    return out


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = argv[0] if argv else tmp
        if not argv:
            with open(os.path.join(tmp, "preprocessor_config.json"), "w") as fh:
                json.dump(PUBLISHED, fh)
        out = sizes(folder)
    tokens = out.pop("tokens")
    print(json.dumps(out))
    for name, (grid, n) in tokens.items():
        print(f"  {name}: grid {grid} -> {n} tokens")


if __name__ == "__main__":
    main(sys.argv[1:])
