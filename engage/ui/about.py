"""The About tab: what engage is, the model and its heads' card, the limits and the privacy promise, in the
visitor's language (every sentence by an "about.*" key)."""
from __future__ import annotations

import os
import re

from ..affect.pipeline import Engine
from ..affect.results import STATES
from ..errors import HeadsError, HeadsMismatchError, HeadsMissingError, UnsafeCheckpointError
from ..i18n import DEFAULT, glossary, number, text
from ..model.protocol import (
    ENGAGE_PROTOCOL,
    IMAGES_AS_IMAGE,
    LEGACY_REPORT_PROTOCOL_SOURCES,
    REPORT_PROTOCOL,
    REPORT_PROTOCOL_SOURCE,
    REPORT_SAMPLING,
)
from ..settings import files_max_age_seconds
from .views import escape, minutes, session_lifetime, warning_banner

# Why the MLP method is unavailable (``Engine.heads_reason``, written for visitors in English) by key
_REASON_KEYS = {
    None: "about.reason.none",
    getattr(HeadsError, "for_visitors", None): "about.reason.unusable",
    getattr(HeadsMissingError, "for_visitors", None): "about.reason.missing",
    getattr(HeadsMismatchError, "for_visitors", None): "about.reason.mismatch",
    getattr(UnsafeCheckpointError, "for_visitors", None): "about.reason.unsafe",
}
# Where a card says its feature protocol was read from, by key (the texts engage writes into cards)
_PROTOCOL_SOURCE_KEYS = {
    REPORT_PROTOCOL_SOURCE: "about.protocol_source.report",
    **{legacy: "about.protocol_source.report" for legacy in LEGACY_REPORT_PROTOCOL_SOURCES},
    "engage's default, given at random initialisation": "about.protocol_source.random",
    "the protocol of the features the heads were trained on (their features directory's meta.json)": "about.protocol_source.features",
    "given to import_reference_heads": "about.protocol_source.given",
}
_PROTOCOL_NAME_KEYS = {"report": "about.protocol.report", "engage": "about.protocol.engage", "custom": "about.protocol.custom"}


def _g(value: float, lang: str) -> str:
    """A number as short as exact, with the language's decimal mark (10, 0.5, 0,5)."""
    words = f"{value:g}"
    return words.replace(".", ",") if lang == "vi" else words


def _whole(value: int, lang: str) -> str:
    """A whole number with the language's thousands separator (12,845,056; 12.845.056)."""
    words = f"{value:,}"
    return words.replace(",", ".") if lang == "vi" else words


def backbone_label(source: str, lang: str = DEFAULT) -> str:
    """The backbone as a visitor may see it: a hub id as is, a local folder by its name only (no server path)."""
    if not os.path.isabs(source) and not os.path.exists(source):
        return source
    return text("about.local_checkpoint", lang, name=os.path.basename(os.path.normpath(source)))


def _heads_source(source: str | None, lang: str) -> str:
    """Where the heads come from (the card's ``source``), in words and without a server path."""
    source = source or ""
    if source.startswith("random initialisation"):
        return text("about.source.random", lang)
    if m := re.match(r"imported from (.+?) \(the first report's published checkpoints\)", source):
        return text("about.source.imported", lang, origin=escape(backbone_label(m[1], lang)))
    if source.startswith("trained by `python -m engage train`"):
        return text("about.source.trained", lang)
    return escape(source) if source else "–"


def _protocol_source(card: dict, lang: str) -> str:
    source = card.get("protocol_source")
    if source is None:
        return text("about.protocol_source.none", lang)
    return text(_PROTOCOL_SOURCE_KEYS[source], lang) if source in _PROTOCOL_SOURCE_KEYS else escape(source)


def _metric(value, lang: str) -> str:
    return "–" if value is None else number(value, lang, 3)


def metrics_rows(card: dict, lang: str = DEFAULT) -> list[str]:
    """The card's per-state metrics as a Markdown table in ``lang``: the numbers of ``engage.affect.card.metrics_table``
    (which the CLI and the model card print in English), with the headers and state names translated and decimal
    commas in Vietnamese."""
    rows = [text("about.metrics_head", lang), "|---|---|---|---|---|---|---|---|---|---|---|"]
    metrics = card.get("metrics", {})
    for s in STATES:
        m = metrics.get(s, {})
        val, test, base = m.get("validation", {}), m.get("test", {}), m.get("majority_baseline_test", {})
        cells = [_metric(val.get("f1_macro"), lang)]
        cells += [_metric(test.get(k), lang) for k in ("f1_macro", "qwk", "balanced_accuracy", "accuracy")]
        cells += [_metric(base.get(k), lang) for k in ("f1_macro", "qwk", "balanced_accuracy", "accuracy")]
        rows.append(f"| {glossary.state_name(s, lang)} | " + " | ".join(cells) + f" | {test.get('n') or base.get('n') or '–'} |")
    return rows


def heads_markdown(engine: Engine, lang: str = DEFAULT) -> str:
    """The heads' card, as a reader wants it: where they come from and how well they did."""
    if engine.heads is None:
        reason = getattr(engine, "heads_reason", ...)
        if reason in _REASON_KEYS:
            notice = text("about.heads_notice", lang, reason=text(_REASON_KEYS[reason], lang))
        else:  # a reason engage does not know by key: as the engine words it (English)
            notice = escape(engine.heads_notice)
        return text("about.heads_none", lang, notice=notice)
    card = engine.heads.card
    lines = [
        text("about.heads_title", lang, backbone=escape(backbone_label(str(card.get("backbone")), lang)), size=card["input_size"],
             source=_heads_source(card.get("source"), lang)),
        "",
    ]
    if not card.get("trained"):
        lines.insert(0, warning_banner([text("about.heads_untrained", lang)], lang))
    protocol = engine.heads.protocol
    name = text(_PROTOCOL_NAME_KEYS[protocol.name], lang) if protocol.name in _PROTOCOL_NAME_KEYS else protocol.name
    lines += [
        *metrics_rows(card, lang),
        "",
        text("about.metrics_note", lang),
        "",
        text("about.protocol_line", lang, name=name, source=_protocol_source(card, lang)),
    ]
    return "\n".join(lines)


def _feature_line(engine: Engine, lang: str) -> str:
    p = engine.backbone.protocol
    rate = text("about.rate_one", lang) if p.fps == 1 else text("about.rate", lang, fps=_g(p.fps, lang))
    frames = text("about.frames_report", lang, rate=rate) if p.sampling == REPORT_SAMPLING else text("about.frames_whole_seconds", lang)
    photo = (
        text("about.photo_image", lang, prompt=p.image_prompt) if p.images == IMAGES_AS_IMAGE else text("about.photo_video", lang)
    )
    pooling = (
        text("about.pooling_mean", lang) if p.pooling == ENGAGE_PROTOCOL.pooling else text("about.pooling_other", lang, pooling=escape(p.pooling))
    )
    name = text(_PROTOCOL_NAME_KEYS[p.name], lang) if p.name in _PROTOCOL_NAME_KEYS else p.name
    r = REPORT_PROTOCOL
    if (p.min_pixels, p.max_pixels) == (r.min_pixels, r.max_pixels):
        sizes = text("about.sizes_report", lang)
    else:
        sizes = text("about.sizes_engage", lang, min_px=_whole(r.min_pixels, lang), max_px=_whole(r.max_pixels, lang))
    return text(
        "about.feature", lang, protocol=name, window=_g(engine.windowing.window_seconds, lang), frames=frames,
        min_px=_whole(p.min_pixels, lang), max_px=_whole(p.max_pixels, lang), sizes=sizes, prompt=p.prompt, photo=photo,
        dtype=p.gpu_dtype, pooling=pooling,
        heads=text("about.protocol_is_report" if p.name == "report" else "about.protocol_checked", lang),
    )


def about_markdown(engine: Engine, lang: str = DEFAULT) -> str:
    limits = engine.limits
    bb = engine.backbone
    head_size = engine.heads.input_size if engine.heads is not None else bb.hidden_size
    methods = glossary.METHODS[lang]
    return "\n".join(
        [
            warning_banner(engine.warnings("zero-shot"), lang),
            text("about.what_title", lang),
            text("about.what", lang, levels=", ".join(glossary.LEVELS[lang])),
            "",
            text("about.model_title", lang),
            text("about.backbone", lang, backbone=backbone_label(bb.source, lang), size=bb.hidden_size, device=bb.device),
            _feature_line(engine, lang),
            text("about.mlp", lang, method=methods["mlp"], size=head_size),
            text("about.zero_shot", lang, method=methods["zero-shot"]),
            "",
            heads_markdown(engine, lang),
            "",
            text("about.see_also", lang, report_check=text("tab.report_check", lang), classroom=text("tab.classroom", lang)),
            "",
            text("about.limits_title", lang),
            text("about.limit_setting", lang),
            text("about.limit_imbalance", lang),
            text("about.limit_uploads", lang, mb=number(limits.max_upload_mb, lang, 0), seconds=number(limits.max_video_seconds, lang, 0),
                 side=limits.max_side, mp=number(limits.max_image_pixels / 1e6, lang, 0)),
            "",
            text("about.privacy_title", lang),
            text("about.privacy", lang, lifetime=session_lifetime(lang), files=minutes(files_max_age_seconds(), lang)),
        ]
    )
