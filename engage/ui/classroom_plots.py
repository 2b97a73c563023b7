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


def label_font_size(height: int, width: int) -> int:
    """The labels' starting font size in pixels: 1/36 of the frame's longer side (36 px on 1280×720), at least 12, so
    that a label stays about 10 px high on a phone that shows the frame 360 px wide. Smaller only where the labels
    would not fit otherwise (``label_layout``)."""
    return max(12, round(max(height, width) / 36))


Rect = tuple[int, int, int, int]  # x0, y0, x1, y1, ends excluded


def _overlap(rect: Rect, others: np.ndarray) -> np.ndarray:
    """Overlap area of ``rect`` with each row (x0, y0, x1, y1) of ``others``."""
    if not len(others):
        return np.zeros(0)
    w = np.minimum(rect[2], others[:, 2]) - np.maximum(rect[0], others[:, 0])
    h = np.minimum(rect[3], others[:, 3]) - np.maximum(rect[1], others[:, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _spots(box: Rect, tw: int, th: int, w: int, h: int) -> list[Rect]:
    """Where a ``tw`` × ``th`` label may go for ``box``, best first: touching it above, below, right or left (its
    left edge, centre or right edge aligned), then one to three label heights further up or down or half label widths
    further aside; kept in the frame."""
    x0, y0, x1, y1 = box
    xs = (x0, (x0 + x1 - tw) // 2, x1 - tw)
    ys_side = (y0, (y0 + y1 - th) // 2, y1 - th)
    spots = [(x, y0 - th) for x in xs] + [(x, y1) for x in xs]
    spots += [(x1, y) for y in ys_side] + [(x0 - tw, y) for y in ys_side]
    for k in (1, 2, 3):
        spots += [(x, y0 - th - k * th) for x in xs] + [(x, y1 + k * th) for x in xs]
        spots += [(x1 + k * tw // 2, y) for y in ys_side] + [(x0 - tw - k * tw // 2, y) for y in ys_side]
    out = []
    for x, y in spots:
        x, y = min(max(0, x), max(0, w - tw)), min(max(0, y), max(0, h - th))
        rect = (x, y, x + tw, y + th)
        if rect not in out:
            out.append(rect)
    return out


def label_layout(
    shape: tuple[int, ...], boxes: Sequence[Rect], texts: Sequence[tuple[int, str, str | None]]
) -> tuple[int, list[tuple[int, Rect, str]]]:
    """Where the labels go: (font size, [(face index, label rectangle, text)]).

    ``boxes``: every face's box on the frame (x0, y0, x1, y1, ends excluded); ``texts``: (face index, name, label or
    None) for each face that gets a label. A label is placed next to its face (``_spots``) where it overlaps no face's
    box and no other label; when some label finds no such spot the labels are tried again on two lines (the name above
    the label), then with a font 15 % smaller, down to 11 px or 1/90 of the frame's longer side. Where even that
    fails (a frame too small for its faces) each label takes the spot that covers the least."""
    h, w = shape[:2]
    faces = np.array(boxes, dtype=np.int64).reshape(-1, 4)
    size, floor = label_font_size(h, w), max(11, round(max(h, w) / 90))
    sizes = []
    while size > floor:
        sizes.append(size)
        size = int(size * 0.85)
    sizes.append(floor)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    tries = [(size, two_lines) for size in sizes for two_lines in (False, True)]
    for n, (size, two_lines) in enumerate(tries, start=1):
        font = ImageFont.load_default(size=size)
        pad = max(2, round(size / 8))
        placed, taken = [], np.zeros((0, 4), dtype=np.int64)
        for k, name, label in texts:
            words = f"{name}\n{label}" if two_lines and label else name + (f" · {label}" if label else "")
            left, top, right, bottom = probe.multiline_textbbox((0, 0), words, font=font)
            tw, th = right - left + 2 * pad, bottom - top + 2 * pad
            spots = _spots(tuple(faces[k]), tw, th, w, h)
            cost = [float(_overlap(s, faces).sum() + _overlap(s, taken).sum()) for s in spots]
            if min(cost) > 0 and n < len(tries):
                break  # try two lines, or a smaller font
            i = int(np.argmin(cost))
            placed.append((k, spots[i], words))
            taken = np.vstack([taken, np.array(spots[i])[None]])
        else:
            return size, placed
    raise AssertionError("unreachable")  # the last try places every label


def annotate_frame(
    frame: np.ndarray,
    faces: Sequence,
    ids: Sequence[int | None],
    names: Mapping[int, str] | None = None,
    labels: Sequence[str | None] | Mapping[int, str] | None = None,
) -> np.ndarray:
    """A copy of ``frame`` (H x W x 3 uint8, or H x W) with a box per face and a label such as
    "Student 3 · engaged" next to it (``label_layout``: above, below or beside the box, where it covers no face and
    no other label, on two lines or smaller where the faces are crowded).

    ``faces``: objects with ``.box`` (``engage.classroom.faces.Face``) or ``(x0, y0, x1, y1)`` tuples; ``ids``: their
    track ids, same order (None: a face not confirmed as a student yet, a thin grey box without a label);
    ``names``: track id -> name ("Student <id>" where missing); ``labels``: per face (same order) or per track id,
    None for a name alone. The box is drawn inward from its edges, so inside a box only a band as wide as the line
    changes; labels go outside the boxes where the frame allows. The font is sized to the frame
    (``label_font_size``).
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
    names = names or {}
    boxes, texts, colors = [], [], {}
    for k, (face, tid) in enumerate(zip(faces, ids)):
        x0, y0, x1, y1 = _box_of(face)
        x0, y0 = max(0, round(x0)), max(0, round(y0))
        x1, y1 = min(w - 1, round(x1) - 1), min(h - 1, round(y1) - 1)
        boxes.append((x0, y0, x1 + 1, y1 + 1))
        if x1 <= x0 or y1 <= y0:
            continue
        if tid is None:  # a face not confirmed as a student yet: thin and grey, no name
            draw.rectangle((x0, y0, x1, y1), outline=UNCONFIRMED, width=max(1, line // 2))
            continue
        colors[k] = BOX_COLORS[(int(tid) - 1) % len(BOX_COLORS)]
        draw.rectangle((x0, y0, x1, y1), outline=colors[k], width=line)
        if isinstance(labels, Mapping):
            label = labels.get(tid)
        else:
            label = labels[k] if labels is not None else None
        texts.append((k, names.get(tid, default_name(int(tid))), label))
    if texts:
        size, placed = label_layout(rgb.shape, boxes, texts)
        font = ImageFont.load_default(size=size)
        pad = max(2, round(size / 8))
        for k, (tx, ty, tx1, ty1), words in placed:
            color = colors[k]
            left, top, _, _ = draw.multiline_textbbox((0, 0), words, font=font)
            draw.rectangle((tx, ty, tx1 - 1, ty1 - 1), fill=color)
            dark = sum(color) / 3 > 150
            draw.multiline_text((tx + pad - left, ty + pad - top), words, font=font, fill=(0, 0, 0) if dark else (255, 255, 255))
    out = np.asarray(img)
    if gray:
        return np.asarray(img.convert("L"))
    if arr.shape[2] == 4:
        return np.concatenate([out, arr[:, :, 3:]], axis=2)
    return out


__all__ = ["class_timeline", "student_levels", "annotate_frame", "label_layout", "label_font_size", "BOX_COLORS"]
