"""Pure parts: result maths, exports, figures, the webcam buffer, ZeroGPU durations, views."""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

from engage.affect.results import STATES, AffectResult, Analysis, analysis_from_dict
from engage.ui import plots, views


def _probs(levels: list[int], p: float = 0.7) -> np.ndarray:
    out = np.full((4, 4), (1 - p) / 3)
    for s, lv in enumerate(levels):
        out[s, lv] = p
    return out


def _analysis() -> Analysis:
    windows = [
        AffectResult.from_probs(_probs([0, 2, 0, 0]), 0, 10, 10),
        AffectResult.from_probs(_probs([1, 2, 0, 0]), 10, 20, 10),
        AffectResult.from_probs(_probs([3, 3, 1, 0]), 20, 25, 5),
    ]
    return Analysis(kind="video", method="mlp", windows=windows, duration=25.0, warnings=["a warning"])


def test_state_score():
    r = AffectResult.from_probs(_probs([0, 1, 2, 3], p=0.4))
    assert [r.scores[s].level for s in STATES] == [0, 1, 2, 3]
    assert r.scores["Boredom"].expected == pytest.approx(0.4 * 0 + 0.2 * (1 + 2 + 3))


def test_overall_is_duration_weighted():
    a = _analysis()
    expected = (10 * _probs([0, 2, 0, 0]) + 10 * _probs([1, 2, 0, 0]) + 5 * _probs([3, 3, 1, 0])) / 25
    np.testing.assert_allclose(a.overall.probs(), expected)
    assert a.overall.frames == 25


def test_level_share():
    share = _analysis().level_share()
    assert share["Boredom"] == [0.4, 0.4, 0.0, 0.2]
    assert share["Engagement"] == [0.0, 0.0, 0.8, 0.2]
    assert all(sum(v) == pytest.approx(1) for v in share.values())


def test_json_round_trip():
    a = _analysis()
    b = analysis_from_dict(json.loads(a.to_json()))
    np.testing.assert_allclose([w.probs() for w in b.windows], [w.probs() for w in a.windows])
    assert (b.kind, b.method, b.duration, b.warnings) == (a.kind, a.method, a.duration, a.warnings)


def test_csv_export():
    rows = list(csv.DictReader(io.StringIO(_analysis().to_csv())))
    assert len(rows) == 3
    assert rows[2]["start"] == "20.000" and rows[2]["Boredom_level"] == "3"
    assert float(rows[0]["Engagement_p2"]) == pytest.approx(0.7)
    assert len(rows[0]) == 4 + 4 * 6


def test_level_bars_figure():
    fig = plots.level_bars(AffectResult.from_probs(_probs([0, 1, 2, 3])))
    assert len(fig.data) == 4 and all(len(t.y) == 4 for t in fig.data)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Boredom: level 0", "Engagement: level 1", "Confusion: level 2", "Frustration: level 3"]
    # the most likely level is the highlighted bar
    assert fig.data[2].marker.color[2] == plots.HIGHLIGHT


def test_timeline_and_share_figures():
    a = _analysis()
    tl = plots.timeline(a)
    assert len(tl.data) == 16 and list(tl.data[0].x) == [5, 15, 22.5]
    share = plots.level_share(a)
    assert [t.name.split()[1] for t in share.data] == ["0", "1", "2", "3"]
    assert share.data[0].x[0] == pytest.approx(0.4)
    assert plots.placeholder("hello").layout.annotations[0].text == "hello"


# ---------------------------------------------------------------- views


def test_summary_markdown_carries_warnings_and_coverage():
    md = views.summary_markdown(_analysis())
    assert "a warning" in md and "25.0 s of video (3 windows, 25 frames" in md
    assert "| Boredom |" in md


def test_a_session_keeps_only_its_latest_export_of_each_kind(tmp_path):
    from engage.ui import exports

    root = tmp_path / "exports"
    folder = exports.session_folder(None, str(root))
    assert exports.session_folder(folder, str(root)) == folder  # the same session keeps its folder
    other = exports.session_folder(None, str(root))
    first = views.write_exports(_analysis(), folder)
    class_export = exports.write_export(folder, "class", {".json": "{}", ".csv": "row\n"})
    json_path, csv_path = views.write_exports(_analysis(), folder)
    assert json.loads(Path(json_path).read_text())["duration_seconds"] == 25.0
    assert Path(csv_path).read_text().splitlines(keepends=True)[0].startswith("window,start,end,frames")
    assert not any(Path(p).exists() for p in first)  # replaced by the new video export
    assert sorted(os.listdir(folder)) == sorted(os.path.basename(p) for p in (json_path, csv_path, *class_export))
    exports.remove_folder(folder)  # the session ended
    assert not Path(folder).exists() and Path(other).exists()
    exports.clear_root(str(root))  # a new server starts
    assert not root.exists()


def test_video_outputs_for_one_window(tmp_path):
    a = Analysis(kind="video", method="zero-shot", windows=[AffectResult.from_probs(_probs([0, 0, 0, 0]), 0, 8, 8)], duration=8)
    md, bars, timeline, share, table, data, files = views.video_outputs(a, str(tmp_path))
    assert "one window" in timeline.layout.annotations[0].text.lower()
    assert table["data"][0] == ["Boredom", 100.0, 0.0, 0.0, 0.0] and table["headers"][1] == "level 0" and len(files) == 2
