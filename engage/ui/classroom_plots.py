"""Classroom mode figures (plotly) and the annotated camera frame (PIL; no OpenCV)."""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont
from plotly.subplots import make_subplots

from ..affect.results import LEVELS, STATES
from ..classroom.session import ClassSession
from ..classroom.tracking import default_name
from ..i18n import DEFAULT, number, text
from ..i18n.glossary import level_name, state_name
from .plots import LEVEL_COLORS, _layout

# Distinct, colour-blind-friendly box colours (Okabe-Ito), one per track id in turn.
BOX_COLORS = ((0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0), (240, 228, 66))
UNCONFIRMED = (160, 160, 160)
LEVEL_SCALE = [[lv / 3, c] for lv, c in zip(LEVELS, LEVEL_COLORS)]


def _note(fig: go.Figure, text: str) -> None:
    fig.add_annotation(text=text, showarrow=False, font={"size": 15}, x=0.5, y=0.5, xref="paper", yref="paper")


def class_timeline(session: ClassSession, bin_seconds: float = 10.0, title: str | None = None, lang: str = DEFAULT) -> go.Figure:
    """One row per state: the class mean expected level (0-3) per time bin; hover gives the number of
    students behind each point. Always four traces (empty ones for an empty session)."""
    tl = session.timeline(bin_seconds)
    x = [start + bin_seconds / 2 for start in tl["start"]]
    names = [state_name(state, lang) for state in STATES]
    fig = make_subplots(rows=len(STATES), cols=1, shared_xaxes=True, subplot_titles=names, vertical_spacing=0.06)
    for row, state in enumerate(STATES, start=1):
        series = tl["states"][state]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=series["mean"],
                customdata=series["students"],
                mode="lines+markers",
                connectgaps=False,
                line={"color": LEVEL_COLORS[3], "width": 2},
                marker={"size": 6},
                name=state_name(state, lang),
                hovertemplate=text("class.plot_timeline_hover", lang, state=state_name(state, lang)) + "<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(range=[-0.1, 3.1], tickvals=list(LEVELS), title_text=text("plot.level_axis", lang), row=row, col=1)
    fig.update_xaxes(title_text=text("class.plot_time_axis", lang, bin=f"{bin_seconds:g}"), row=len(STATES), col=1)
    if not x:
        _note(fig, text("class.none_seen", lang))
    return _layout(fig, title or text("class.timeline", lang), 720)


def student_levels(session: ClassSession, title: str | None = None, lang: str = DEFAULT) -> go.Figure:
    """Heatmap, students (rows, by id) x states (columns), of each student's mean expected level, the
    number written in each cell: all four states for a whole class on one screen. A student without any
    affect estimate has an empty row. One trace."""
    students = session.students()
    names = [html.escape(f"{s['name']} (#{s['id']})" if s["name"] != default_name(s["id"]) else text("class.student_n", lang, id=s["id"]), quote=False)
             for s in students]
    z = [[s["mean_level"][st] if s["affect_seconds"] > 0 else None for st in STATES] for s in students]
    cells = [[number(v, lang) if v is not None else "" for v in row] for row in z]
    hover = [
        [
            text("class.plot_student_hover", lang, name=name, state=state_name(st, lang), mean=number(s["mean_level"][st], lang, 2),
                 seconds=f"{s['affect_seconds']:.0f}") + "<br>"
            + "<br>".join(text("class.plot_student_share", lang, level=lv, name=level_name(lv, lang, st), share=f"{s['level_share'][st][lv]:.0%}")
                          for lv in LEVELS)
            if s["affect_seconds"] > 0
            else text("class.plot_no_estimate", lang, name=name)
            for st in STATES
        ]
        for name, s in zip(names, students)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[state_name(st, lang) for st in STATES],
            y=names,
            text=cells,
            texttemplate="%{text}",
            hovertext=hover,
            hoverinfo="text",
            zmin=0,
            zmax=3,
            colorscale=LEVEL_SCALE,
            colorbar={"title": text("plot.level_axis", lang), "tickvals": list(LEVELS)},
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top")
    if not students:
        _note(fig, text("class.none_seen", lang))
    title = title or text("class.plot_students_title", lang, low=level_name(0, lang), high=level_name(3, lang))
    _layout(fig, title, max(300, 160 + 32 * len(students)))
    fig.update_layout(margin={"l": 40, "r": 20, "t": 140, "b": 20})  # room for the state names, turned on a phone
    return fig


# ---------------------------------------------------------------- annotated frame


def _box_of(face) -> tuple[float, float, float, float]:
    box = face.box if hasattr(face, "box") else face
    return tuple(float(v) for v in box)


def annotate_frame(
    frame: np.ndarray,
    faces: Sequence,
    ids: Sequence[int | None],
    names: Mapping[int, str] | None = None,
    labels: Sequence[str | None] | Mapping[int, str] | None = None,
) -> np.ndarray:
    """A copy of ``frame`` (H x W x 3 uint8, or H x W) with a box per face and a label such as
    "Student 3 · engaged" just above it (below when there is no room above).

    ``faces``: objects with ``.box`` (``engage.classroom.faces.Face``) or ``(x0, y0, x1, y1)`` tuples; ``ids``: their
    track ids, same order (None: a face not confirmed as a student yet, a thin grey box without a label);
    ``names``: track id -> name ("Student <id>" where missing); ``labels``: per face (same order) or per track id,
    None for a name alone. The box is drawn inward from its edges, so inside a box only a band as wide as the line
    changes; labels go outside the box where the frame allows.
    """
    if len(ids) != len(faces):
        raise ValueError(f"{len(faces)} faces but {len(ids)} ids")
    arr = np.asarray(frame)
    if arr.dtype != np.uint8:
        raise ValueError(f"frame must be uint8, got {arr.dtype}")
    gray = arr.ndim == 2
    rgb = np.repeat(arr[:, :, None], 3, axis=2) if gray else arr[:, :, :3]
    img = Image.fromarray(np.ascontiguousarray(rgb))
    draw = ImageDraw.Draw(img)
    h, w = rgb.shape[:2]
    line = max(2, round(min(h, w) / 240))
    font = ImageFont.load_default(size=max(11, round(min(h, w) / 32)))
    pad = max(2, line)
    names = names or {}
    for k, (face, tid) in enumerate(zip(faces, ids)):
        x0, y0, x1, y1 = _box_of(face)
        x0, y0 = max(0, round(x0)), max(0, round(y0))
        x1, y1 = min(w - 1, round(x1) - 1), min(h - 1, round(y1) - 1)
        if x1 <= x0 or y1 <= y0:
            continue
        if tid is None:  # a face not confirmed as a student yet: thin and grey, no name
            draw.rectangle((x0, y0, x1, y1), outline=UNCONFIRMED, width=max(1, line // 2))
            continue
        color = BOX_COLORS[(int(tid) - 1) % len(BOX_COLORS)]
        draw.rectangle((x0, y0, x1, y1), outline=color, width=line)
        if isinstance(labels, Mapping):
            label = labels.get(tid)
        else:
            label = labels[k] if labels is not None else None
        text = names.get(tid, default_name(int(tid))) + (f" · {label}" if label else "")
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        tw, th = right - left + 2 * pad, bottom - top + 2 * pad
        if y0 - th >= 0:
            ty = y0 - th  # above the box
        elif y1 + 1 + th <= h:
            ty = y1 + 1  # below it
        else:
            ty = y0 + line  # no room outside: inside, at the top
        tx = min(max(0, x0), max(0, w - tw))
        draw.rectangle((tx, ty, tx + tw - 1, ty + th - 1), fill=color)
        dark = sum(color) / 3 > 150
        draw.text((tx + pad - left, ty + pad - top), text, font=font, fill=(0, 0, 0) if dark else (255, 255, 255))
    out = np.asarray(img)
    if gray:
        return np.asarray(img.convert("L"))
    if arr.shape[2] == 4:
        return np.concatenate([out, arr[:, :, 3:]], axis=2)
    return out


__all__ = ["class_timeline", "student_levels", "annotate_frame", "BOX_COLORS"]
