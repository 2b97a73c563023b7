"""Regenerate the example media from scikit-image's public-domain astronaut portrait.

    pip install scikit-image && python examples/make_examples.py
"""
from __future__ import annotations

import os

import av
import numpy as np
from PIL import Image
from skimage import data

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    portrait = Image.fromarray(data.astronaut())  # 512×512 RGB, NASA photo of Eileen Collins (public domain)
    portrait.save(os.path.join(HERE, "astronaut.png"))

    # A 12 s, 640×480, 10 FPS clip made from the portrait: a slow zoom and pan, so frames differ.
    width, height, fps, seconds = 640, 480, 10, 12
    canvas = portrait.resize((720, 720), Image.Resampling.BICUBIC)
    with av.open(os.path.join(HERE, "astronaut_clip.mp4"), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "30"}
        for i in range(fps * seconds):
            t = i / (fps * seconds)
            zoom = 1.0 + 0.25 * t
            w, h = int(width / zoom), int(height / zoom)
            x, y = int(20 + 40 * t), int(60 + 40 * np.sin(np.pi * t))
            frame = canvas.crop((x, y, x + w, y + h)).resize((width, height), Image.Resampling.BILINEAR)
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(frame), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


if __name__ == "__main__":
    main()
