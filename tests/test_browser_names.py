"""Real-browser test: students' names are text on the page (issue 26, item 18). A classroom photo is analysed in
Chromium, its students are renamed to Markdown that would fetch an image, make a link, shift a table or draw a formula, and the class
report is written: the page must hold no such image or link, make no request for it, and show each name as typed.

Fixtures and skipping as in ``test_browser.py`` (Debian's Chromium through Playwright; in CI a missing browser fails)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from test_browser import CHROMIUM, IN_CI, MISSING

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = pytest.mark.skipif(MISSING is not None and not IN_CI, reason=f"browser test skipped: {MISSING}")

NAMES = ("![p](https://evil.example/p.png)", "[click me](https://evil.example/x)", "a | b | c", "$$x^2$$")  # the last: KaTeX


def test_names_stay_text_in_the_class_report_in_chromium(app_url: str, tmp_path: Path) -> None:
    if MISSING is not None:
        pytest.fail(f"CI=true but the browser test cannot run: {MISSING}")
    from engage.classroom.scenes import benchmark_scenes

    scene = next(s for s in benchmark_scenes() if len(s.boxes) >= 3)
    photo = tmp_path / "class.png"
    Image.fromarray(scene.frame).save(photo)
    asked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(60_000)
            page.on("request", lambda request: asked.append(request.url) if "evil.example" in request.url else None)
            page.goto(app_url)
            page.get_by_role("tab", name="Classroom").click()
            page.locator("#class-photo input[type=file]").set_input_files(str(photo))
            page.get_by_role("button", name="Analyse classroom").click()
            expect(page.locator("#class-cards")).to_contain_text("students seen", timeout=120_000)
            table = page.locator("#class-table")
            renames = "\n".join(f"{i}={name}" for i, name in enumerate(NAMES, start=1))  # a photo's students are 1, 2, 3…
            page.get_by_label(re.compile("Rename students")).fill(renames)
            page.get_by_role("button", name="Rename", exact=True).click()
            expect(table).to_contain_text(NAMES[2], timeout=60_000)
            page.get_by_role("button", name="Write class report").click()
            report = page.locator("#class-report")
            expect(report).to_contain_text(NAMES[0], timeout=120_000)
            for name in NAMES:
                expect(report).to_contain_text(name)
            assert page.locator("img[src*='evil.example']").count() == 0
            assert page.locator("a[href*='evil.example']").count() == 0
            assert report.locator("a").count() == 0  # no name became a link (nor an autolink)
            assert page.locator(".katex").count() == 0  # nor a formula, anywhere on the page (cards, tables, report)
            for row in report.locator("table tr").all():  # the emotions table: the student and seven emotions per row
                assert row.locator("th, td").count() == 8, row.inner_text()
            page.wait_for_timeout(500)
        finally:
            browser.close()
    assert not asked, f"the page asked for {asked}"
