"""At a phone's size (390×844, Chromium through Playwright): every result readable. Chart titles do not run into
each other or past the edge, every level has its tick, no word in a table is broken across lines, and the
screenshots are kept (their folder is printed; ``ENGAGE_SCREENSHOTS`` chooses it)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PIL import Image
from test_browser import CHROMIUM, IN_CI, MISSING, _chromium_args, write_y4m

from conftest import ROOT

try:
    from playwright.sync_api import Page, expect, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # pragma: no cover
    sync_playwright = None

pytestmark = pytest.mark.skipif(MISSING is not None and not IN_CI, reason=f"browser test skipped: {MISSING}")
PHONE = {"width": 390, "height": 844}

# Every word of every table cell and chart title, measured where the browser drew it.
MEASURE = """(root) => {
  const words = [];
  for (const cell of root.querySelectorAll('table td, table th, [role=gridcell], [role=columnheader]')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        words.push({word: m[0], lines: lines.size});
      }
    }
  }
  return words;
}"""

PLOT_TEXT = """(plot) => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {text: el.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const svg = plot.querySelector('.main-svg');
  return {
    frame: svg ? box(svg) : null,
    titles: [...plot.querySelectorAll('.infolayer .annotation-text, .infolayer .gtitle')].map(box),
    xticks: [...plot.querySelectorAll('.xaxislayer-above text')].map(el => el.textContent),
    ticks: [...plot.querySelectorAll('.xaxislayer-above text, .yaxislayer-above text')].map(box),
  };
}"""


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1


def _check_plot(page: Page, selector: str) -> None:
    plot = page.locator(selector)
    expect(plot.locator(".main-svg").first).to_be_visible()
    found = plot.evaluate(PLOT_TEXT)
    titles, frame = found["titles"], found["frame"]
    assert titles, f"{selector}: no titles drawn"
    for i, a in enumerate(titles):
        assert a["left"] >= frame["left"] - 1 and a["right"] <= frame["right"] + 1, f"{selector}: {a['text']!r} runs past the edge"
        for b in titles[i + 1 :] + found["ticks"]:
            assert not _overlap(a, b), f"{selector}: {a['text']!r} and {b['text']!r} overlap"
    return found


def _check_words(page: Page, selector: str) -> int:
    words = page.locator(selector).evaluate(MEASURE)
    broken = [w["word"] for w in words if w["lines"] > 1]
    assert not broken, f"{selector}: words broken across lines: {broken}"
    return len(words)


# The cells whose text is not all within what the page shows of them (cut by the screen's edge or a scroll box's).
HIDDEN_CELLS = """(root) => {
  const hidden = [];
  const width = document.documentElement.clientWidth;
  const cells = root.querySelectorAll('table td, table th, [role=gridcell], [role=columnheader]');
  for (const [i, cell] of cells.entries()) {
    if (!cell.textContent.trim()) continue;
    let left = 0, right = width;
    for (let el = cell.parentElement; el && el !== document.body; el = el.parentElement) {
      if (getComputedStyle(el).overflowX === 'visible') continue;
      const r = el.getBoundingClientRect();
      left = Math.max(left, r.left);
      right = Math.min(right, r.right);
    }
    const range = document.createRange();
    range.selectNodeContents(cell);
    if ([...range.getClientRects()].some(r => r.width > 0 && (r.left < left - 1 || r.right > right + 1))) hidden.push(`${i}: ${cell.textContent.trim()}`);
  }
  return hidden;
}"""


def _check_cells(page: Page, selector: str, swipe: bool = False) -> None:
    """Every cell's text is visible on the phone: within the screen as it is or, for a wide table the page says to
    swipe (``swipe``), at some position of its sideways scroll."""
    table = page.locator(selector)
    hidden = set(table.evaluate(HIDDEN_CELLS))
    if swipe and hidden:
        width = table.evaluate("(el) => Math.max(...[...el.querySelectorAll('*')].map(c => c.scrollWidth))")
        for x in range(0, int(width) + 100, 100):  # every scroll box of the table, 100 px at a time
            table.evaluate("(el, x) => el.querySelectorAll('*').forEach(c => { if (c.scrollWidth > c.clientWidth) c.scrollLeft = x; })", x)
            hidden &= set(table.evaluate(HIDDEN_CELLS))
        table.evaluate("(el) => el.querySelectorAll('*').forEach(c => { c.scrollLeft = 0; })")
    assert not hidden, f"{selector}: cells cut off at a phone's width: {sorted(hidden)[:8]}"


def _open_tab(page: Page, name: str, timeout_s: float = 60.0) -> None:
    """A tab as a phone user reaches it: on the bar, or under the bar's ⋯ ("More tabs") when it does not fit.

    Gradio moves the tabs that do not fit under ⋯ when it measures the bar, so a tab seen on the bar a moment ago
    may be gone when clicked (CI saw this once): this looks again until it reaches the tab."""
    tab = page.get_by_role("tab", name=name)
    more = page.get_by_role("button", name="More tabs")
    item = page.locator(".overflow-dropdown button").filter(has_text=name).first
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if tab.is_visible():
                tab.click(timeout=2_000)
                return
            if more.is_visible():
                if not item.is_visible():
                    more.click(timeout=2_000)
                item.click(timeout=2_000)
                return
        except PlaywrightTimeoutError:
            pass  # moved while being clicked: look again
        if time.monotonic() > deadline:
            raise AssertionError(f"tab {name!r} is neither on the bar nor under ⋯ after {timeout_s:.0f} s")
        page.wait_for_timeout(250)


def _shots() -> Path:
    folder = Path(os.environ.get("ENGAGE_SCREENSHOTS") or Path(ROOT) / ".screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def class_photo_file(tmp_path: Path) -> Path:
    """A synthetic classroom photo of three or more faces, written where the browser can upload it."""
    from engage.classroom.scenes import benchmark_scenes

    scene = next(s for s in benchmark_scenes() if len(s.boxes) >= 3)
    path = tmp_path / "class.png"
    Image.fromarray(scene.frame).save(path)
    return path


def test_results_read_well_on_a_phone(app_url: str, tmp_path: Path) -> None:
    if MISSING is not None:
        pytest.fail(f"CI=true but the browser test cannot run: {MISSING}")
    from engage.classroom import measure

    shots = _shots()
    class_photo = class_photo_file(tmp_path)
    people = measure.people()
    roster_photos = [tmp_path / "eileen_collins-1.png", tmp_path / "grace_hopper.png"]
    for path, who in zip(roster_photos, ("collins", "hopper")):
        Image.fromarray(measure.portrait(people[who], 110)).save(path)
    pair_photo = tmp_path / "pair.png"
    Image.fromarray(measure.pair_clip([people["hopper"], people["collins"]], seconds=1).frames[0]).save(pair_photo)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=_chromium_args(write_y4m(tmp_path / "cam.y4m")))
        try:
            page = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
            page.set_default_timeout(60_000)
            page.goto(app_url)
            expect(page.get_by_text("under ⋯ beside the tabs")).to_be_visible()  # the header says where About is on a phone
            _open_tab(page, "About")
            expect(page.get_by_text("What this is")).to_be_visible()

            _open_tab(page, "Image")
            page.locator("#image-input input[type=file]").set_input_files(os.path.join(ROOT, "examples", "astronaut.png"))
            page.get_by_role("button", name="Analyse image").click()
            expect(page.locator("#image-summary")).to_contain_text("most likely level", timeout=90_000)
            expect(page.locator("#image-plot .xaxislayer-above text").first).to_be_attached(timeout=30_000)  # drawn after the summary
            found = _check_plot(page, "#image-plot")
            assert sorted(found["xticks"]) == sorted(["0", "1", "2", "3"] * 4), found["xticks"]  # every level, every panel
            assert _check_words(page, "#image-summary") >= 20
            _check_cells(page, "#image-summary")
            assert not page.locator(".modebar-container").first.is_visible()  # Plotly's toolbar is not drawn over the titles
            page.screenshot(path=str(shots / "phone-image.png"), full_page=True)
            notes = tmp_path / "notes.png"
            notes.write_text("text, named like a picture\n")
            page.locator("#image-input input[type=file]").set_input_files(str(notes))
            page.get_by_role("button", name="Analyse image").click()
            expect(page.get_by_text("This file is not an image we can read.").first).to_be_visible()  # engage's line
            # the reason stays beside the photo once the toast has gone (not "the message at the top"), the last result gone
            expect(page.locator("#image-summary")).to_contain_text("This file is not an image we can read.")
            expect(page.locator("#image-summary")).not_to_contain_text("most likely level")
            page.screenshot(path=str(shots / "phone-image-error.png"), full_page=True)

            _open_tab(page, "Video")
            page.locator("#video-input input[type=file]").set_input_files(os.path.join(ROOT, "examples", "astronaut_clip.mp4"))
            page.get_by_role("button", name="Analyse video").click()
            expect(page.locator("#video-summary")).to_contain_text("most likely level", timeout=120_000)
            for plot in ("#video-plot", "#video-timeline", "#video-share"):
                _check_plot(page, plot)
            _check_words(page, "#video-summary")
            _check_words(page, "#share-table")
            for table in ("#video-summary", "#share-table"):
                _check_cells(page, table)
            page.screenshot(path=str(shots / "phone-video.png"), full_page=True)

            _open_tab(page, "Classroom")
            expect(page.locator("#class-notice")).to_contain_text("prohibited in the EU since 2 February 2025 (AI Act, Article 5(1)(f)")
            page.locator("#class-photo input[type=file]").set_input_files(str(class_photo))
            page.get_by_role("button", name="Analyse classroom").click()
            expect(page.locator("#class-cards")).to_contain_text("students seen", timeout=120_000)
            for plot in ("#class-students", "#class-timeline"):
                _check_plot(page, plot)
            _check_words(page, "#class-cards")
            _check_words(page, "#class-table")
            _check_words(page, "#class-emotions")
            _check_cells(page, "#class-cards")
            expect(page.get_by_text("swipe them sideways for every column")).to_be_visible()  # the wide tables say so
            for table in ("#class-table", "#class-emotions"):
                _check_cells(page, table, swipe=True)
            page.screenshot(path=str(shots / "phone-classroom.png"), full_page=True)

            # the roster: photos named after two people, then a photo of both: the table names them
            page.get_by_text("Class roster (optional)").click()
            expect(page.get_by_text("lives only in this browser session")).to_be_visible()
            page.locator("#roster-files input[type=file]").set_input_files([str(p) for p in roster_photos])
            page.get_by_role("button", name="Add to roster").click()
            expect(page.locator("#roster-status")).to_contain_text("2 students in the roster", timeout=60_000)
            page.locator("#class-photo input[type=file]").set_input_files(str(pair_photo))
            page.get_by_role("button", name="Analyse classroom").click()
            expect(page.locator("#class-table")).to_contain_text("Grace Hopper", timeout=120_000)
            expect(page.locator("#class-table")).to_contain_text("Eileen Collins")
            _check_words(page, "#roster-table")
            page.screenshot(path=str(shots / "phone-roster.png"), full_page=True)
        finally:
            browser.close()
    print(f"\nphone screenshots: {shots}")
