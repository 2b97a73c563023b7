"""Plotly figures: four-panel level bars, per-state timelines, share of time at each level."""
from __future__ import annotations

import textwrap

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..affect.results import LEVELS, STATES, AffectResult, Analysis
from ..i18n import DEFAULT, number, text
from ..i18n.glossary import level_name, state_name

LEVEL_COLORS = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
HIGHLIGHT = "#e6550d"


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 40, "r": 20, "t": 70, "b": 40},
        template="plotly_white",
        showlegend=False,
    )
    return fig


def level_bars(result: AffectResult, title: str | None = None, lang: str = DEFAULT) -> go.Figure:
    """A 2×2 grid, one panel per state: bars for P(level 0..3), the most likely level highlighted. Two panels a
    row keep titles apart and every level's tick on a phone's 390 px as on a desktop."""
    title = title or text("plot.bars_title", lang)
    fig = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[text("plot.panel", lang, state=state_name(s, lang), level=result.scores[s].level) for s in STATES],
        shared_yaxes=True,
        vertical_spacing=0.2,
        horizontal_spacing=0.08,
    )
    for i, state in enumerate(STATES):
        row, col = divmod(i, 2)
        score = result.scores[state]
        colors = [HIGHLIGHT if lv == score.level else "#9ecae1" for lv in LEVELS]
        fig.add_trace(
            go.Bar(
                x=[str(lv) for lv in LEVELS],
                y=score.probs,
                marker_color=colors,
                text=[f"{p:.0%}" for p in score.probs],
                textposition="outside",
                cliponaxis=False,
                hovertext=[text("plot.bar_hover", lang, level=lv, name=level_name(lv, lang, state), p=f"{p:.1%}") for lv, p in zip(LEVELS, score.probs)],
                hoverinfo="text",
                name=state_name(state, lang),
            ),
            row=row + 1,
            col=col + 1,
        )
        fig.update_xaxes(tickmode="array", tickvals=[str(lv) for lv in LEVELS], row=row + 1, col=col + 1)
    fig.update_yaxes(range=[0, 1.2], tickformat=".0%", dtick=0.5)
    fig.update_xaxes(title_text=text("plot.level_axis", lang), title_standoff=2, row=2)
    # the test-weights note on a line of its own: a long title is cut at the edge of a phone
    _layout(fig, title.replace(" (", "<br><sup>(", 1) + ("</sup>" if " (" in title else ""), 460)
    fig.update_annotations(font_size=13)
    return fig


def timeline(analysis: Analysis, title: str | None = None, lang: str = DEFAULT) -> go.Figure:
    """One row per state: stacked level probabilities per window (x = window centre, seconds)."""
    title = title or text("plot.timeline_title", lang)
    names = [state_name(s, lang) for s in STATES]
    fig = make_subplots(rows=len(STATES), cols=1, shared_xaxes=True, subplot_titles=names, vertical_spacing=0.06)
    x = [(w.start + w.end) / 2 for w in analysis.windows]
    for row, state in enumerate(STATES, start=1):
        for lv in LEVELS:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=[w.scores[state].probs[lv] for w in analysis.windows],
                    mode="lines+markers" if len(x) < 40 else "lines",
                    stackgroup=f"s{row}",
                    line={"width": 0.5, "color": LEVEL_COLORS[lv]},
                    fillcolor=LEVEL_COLORS[lv],
                    name=text("plot.legend_level", lang, level=lv),
                    legendgroup=f"level {lv}",
                    showlegend=row == 1,
                    hovertemplate=text("plot.timeline_hover", lang, state=names[row - 1], level=lv, p="%{y:.0%}", t="%{x:.0f}") + "<extra></extra>",
                ),
                row=row,
                col=1,
            )
        fig.update_yaxes(range=[0, 1], tickformat=".0%", row=row, col=1)
    fig.update_xaxes(range=[0, analysis.duration or x[-1]])
    fig.update_xaxes(title_text=text("plot.time_axis", lang), row=len(STATES), col=1)
    _layout(fig, title, 760)
    fig.update_layout(
        showlegend=True,
        margin={"l": 40, "r": 20, "t": 110, "b": 40},
        legend={"orientation": "h", "y": 1.1, "x": 0.5, "xanchor": "center", "itemwidth": 60, "traceorder": "normal"},
    )
    return fig


def level_share(analysis: Analysis, title: str | None = None, lang: str = DEFAULT) -> go.Figure:
    """Horizontal stacked bars: for each state, the share of time whose most likely level is 0..3."""
    title = title or text("plot.share_title", lang)
    share = analysis.level_share()
    fig = go.Figure()
    for lv in LEVELS:
        fig.add_trace(
            go.Bar(
                y=[state_name(s, lang) for s in STATES],
                x=[share[s][lv] for s in STATES],
                orientation="h",
                name=text("plot.legend_level", lang, level=lv),
                marker_color=LEVEL_COLORS[lv],
                text=[f"{share[s][lv]:.0%}" if share[s][lv] >= 0.05 else "" for s in STATES],
                textposition="inside",
                insidetextfont={"color": "#08306b" if lv < 2 else "white"},
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    _layout(fig, title, 320)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.18, "traceorder": "normal", "font": {"size": 11}})
    return fig


def placeholder(message: str) -> go.Figure:
    """An empty figure that carries a message (before any result, or on an error)."""
    fig = go.Figure()
    text = "<br>".join(textwrap.wrap(message, 36))  # a phone is 390 px wide: plotly does not wrap text itself
    fig.add_annotation(text=text, showarrow=False, font={"size": 15}, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, "", 220)


def audit_runs(report: dict | None, lang: str = DEFAULT, title: str | None = None) -> go.Figure:
    """One marker per logged run (macro-F1) and its majority baseline; constant predictors in red. Runs are named in
    words (state, augmentation, dropout) in the visitor's language."""
    from ..daisee.audit import run_words

    title = title or text("audit.plot_title", lang)
    runs = sorted((r for r in (report or {}).get("runs", []) if "recomputed" in r), key=lambda r: (r["state"], r["run"]))
    names = [run_words(r["run"], lang, short=True) for r in runs]
    if len(set(names)) < len(names):  # two runs alike but for their hidden size: the full words tell them apart
        names = [run_words(r["run"], lang) for r in runs]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(x=names, y=[r["majority_baseline"]["f1_macro"] for r in runs], name=text("audit.plot_baseline", lang), marker_color="#d9d9d9",
               hovertext=[text("audit.plot_baseline_hover", lang, f1=number(r["majority_baseline"]["f1_macro"], lang, 4)) for r in runs],
               hoverinfo="text")
    )
    fig.add_trace(
        go.Scatter(
            x=names,
            y=[r["recomputed"]["f1_macro"] for r in runs],
            mode="markers",
            name=text("audit.plot_run", lang),
            marker={"size": 11, "color": [HIGHLIGHT if r["constant_predictor"] else "#2171b5" for r in runs]},
            hovertext=[
                text("audit.plot_hover_constant" if r["constant_predictor"] else "audit.plot_hover", lang, run=run_words(r["run"], lang),
                     f1=number(r["recomputed"]["f1_macro"], lang, 4), majority=number(r["majority_baseline"]["f1_macro"], lang, 4))
                for r in runs
            ],
            hoverinfo="text",
        )
    )
    fig.update_yaxes(title_text=text("audit.plot_axis", lang), rangemode="tozero")
    fig.update_xaxes(tickangle=-40)
    _layout(fig, title, 480)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": 1.08}, margin={"l": 50, "r": 20, "t": 150, "b": 170},
                      separators=",." if lang == "vi" else ".,")
    return fig
