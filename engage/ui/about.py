"""The About tab: what engage is, the model and its heads' card, the limits and the privacy promise."""
from __future__ import annotations

import os

from ..affect.card import metrics_table
from ..affect.pipeline import METHODS, Engine
from ..model.protocol import IMAGES_AS_IMAGE
from ..settings import files_max_age_seconds
from .views import escape, minutes, session_lifetime, warning_banner


def backbone_label(source: str) -> str:
    """The backbone as a visitor may see it: a hub id as is, a local folder by its name only (no server path)."""
    return source if not os.path.isabs(source) and not os.path.exists(source) else f"a local checkpoint ({os.path.basename(os.path.normpath(source))})"


def heads_markdown(engine: Engine) -> str:
    """The heads' card, as a reader wants it: where they come from and how well they did."""
    if engine.heads is None:
        return f"**MLP heads: not available.** {escape(engine.heads_notice)}"
    card = engine.heads.card
    lines = [
        f"**MLP heads** for {card.get('backbone')} ({card['input_size']}-d features). Source: {card.get('source')}.",
        "",
    ]
    if not card.get("trained"):
        lines.insert(0, warning_banner(["These heads are untrained random weights, for tests only."]))
    protocol = engine.heads.protocol
    lines += [
        *metrics_table(card),
        "",
        "The majority-class baseline always predicts the most frequent level of the training set; a head is only "
        "useful where it beats it on macro-F1, quadratic weighted kappa (QWK: a miss by one level costs less than a "
        "miss by three; 0 is chance, and the baseline's) and balanced accuracy (mean recall over the levels that "
        "occur). \"–\" means the card has no such number yet.",
        "",
        f"Feature protocol: **{protocol.name}**, {card.get('protocol_source', 'as recorded in the card')}.",
    ]
    return "\n".join(lines)


def about_markdown(engine: Engine) -> str:
    limits = engine.limits
    bb = engine.backbone
    p = bb.protocol
    head_size = engine.heads.input_size if engine.heads is not None else bb.hidden_size
    return "\n".join(
        [
            warning_banner([w for w in engine.warnings("zero-shot")]),
            "### What this is",
            "engage estimates a learner's **boredom, engagement, confusion and frustration**, each at level 0-3 "
            "(very low, low, high, very high) as annotated in the DAiSEE dataset, from a webcam stream, a photo or a video.",
            "",
            "### The model",
            f"- Backbone: `{backbone_label(bb.source)}` ({bb.hidden_size}-d hidden state), frozen, on `{bb.device}`.",
            f"- Feature ({p.name} protocol): a video is cut into 10 s windows; each goes in as the report's processor "
            f"call feeds it: the frames that call keeps (floor(seconds × {p.fps:g} / 2) × 2, at least 4, evenly spread), "
            f"each resized to {p.min_pixels / 1e6:.1f}-{p.max_pixels / 1e6:.1f} megapixels ({p.min_pixels // 784}-"
            f"{p.max_pixels // 784} patches of 28×28 pixels), inside a chat message with the text \"{p.prompt}\". "
            + (
                f"A photo goes in as an image with \"{p.image_prompt}\", as the report fed its augmentation images. "
                if p.images == IMAGES_AS_IMAGE
                else "A photo goes in as a one-frame video with the same text (engage's choice; the report fed images as images). "
            )
            + f"The model runs in {p.gpu_dtype} on a GPU (float32 on a CPU); the feature is the {p.pooling}. "
            + ("This is the protocol read from the report's code, which the report's heads were trained with." if p.name == "report"
               else "The heads, when loaded, were trained with this same protocol (a mismatch is refused)."),
            f"- **{METHODS['mlp']}:** four small classifiers ({head_size} → 512 → 256 → 4) trained on those "
            "features, one per state.",
            f"- **{METHODS['zero-shot']}:** engage's own scoring with the same model, no training: asked once per "
            "state to rate levels 0-3 (each level defined in the prompt), it gives the probability of each level from "
            "its next-token scores for `0`-`3`. This is **not** the report's zero-shot baseline, which generated one "
            "answer for all four states, read the digits with a regular expression and put level 0 wherever none was "
            "found; its numbers are not comparable with these.",
            "",
            heads_markdown(engine),
            "",
            "How far to trust the first report's own numbers: see the **Report check** tab. The **Classroom** tab "
            "analyses every face in a classroom (detection with dlib, tracking, emotions and head pose; see the README).",
            "",
            "### Limits",
            "- DAiSEE shows one learner at a desk, filmed by a laptop camera; other settings (several people, far away, "
            "poor light) are outside what the heads saw in training.",
            "- Levels are strongly imbalanced in DAiSEE (most clips are engaged and not confused or frustrated): read a "
            "probability as a tendency, not a verdict about a person.",
            f"- Uploads up to {limits.max_upload_mb:.0f} MB and {limits.max_video_seconds:.0f} s; frames larger than "
            f"{limits.max_side} pixels on a side are scaled down; images over {limits.max_image_pixels / 1e6:.0f} "
            "megapixels are refused.",
            "",
            "### Privacy",
            f"Nothing you upload or stream is stored: frames are analysed in memory and dropped with your session "
            f"({session_lifetime()}, or when you close the tab); your JSON/CSV exports go with it, and the server's "
            f"copies of uploads and downloads are deleted within {minutes(files_max_age_seconds())}.",
        ]
    )
