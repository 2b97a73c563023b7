"""Gradio's own words (the upload zones, the webcam button, the red "Error" pill, the progress line, the footer) in
the page's language. Gradio draws them in the browser from its own locale files, chosen by the browser's language
alone, and ships none for Vietnamese (``gr.I18n`` adds words for Gradio's own languages only). So the page swaps them
in the browser: ``script()`` (gradio_words.js) is run once at load and watches the page; the language switch tells it the language
(``set_language_js``), which it also writes as the document's ``lang``. The words come from the catalogue
(``gradio.*``), whose English is Gradio's own, exactly as Gradio writes it."""
from __future__ import annotations

import json
from pathlib import Path

from ..i18n import CATALOGUES, DEFAULT

# matched when a text (or a title, or an aria-label) is exactly these words
EXACT = (
    "gradio.drop_video", "gradio.drop_image", "gradio.drop_file", "gradio.or", "gradio.click_to_upload",
    "gradio.access_webcam", "gradio.grant_webcam", "gradio.paste", "gradio.error", "gradio.uploading", "gradio.loading",
    "gradio.fullscreen", "gradio.download", "gradio.clear", "gradio.copy_table", "gradio.use_via_api",
    "gradio.built_with", "gradio.settings", "gradio.video_not_playable", "gradio.runs", "gradio.runs_saved",
    "gradio.reset_video", "gradio.trim_video",
)
# matched when a text starts with these words (the progress line: "processing | 3.1/12.0s", "queue: 2/5 |")
PREFIX = ("gradio.processing", "gradio.queue")


def words() -> dict[str, dict[str, list[str]]]:
    """{"exact"|"prefix": {language: [words, in the order of the keys]}} for every language of the catalogue."""
    return {kind: {lang: [table[k] for k in keys] for lang, table in CATALOGUES.items()} for kind, keys in (("exact", EXACT), ("prefix", PREFIX))}


_SCRIPT = Path(__file__).with_suffix(".js")



def script() -> str:
    """The page's load script (``launch(js=...)``): it swaps Gradio's words for the page's language, now and as
    Gradio draws more."""
    js = _SCRIPT.read_text(encoding="utf-8").split("\n", 1)[1]  # past its first line, a comment
    return js.replace("WORDS_HERE", json.dumps(words(), ensure_ascii=False)).replace("DEFAULT_HERE", json.dumps(DEFAULT))


# the language switch's browser-side step (``js=`` of its event): the page's language, to the script above
set_language_js = "(code) => { if (window.engageLanguage) window.engageLanguage(code); return code; }"
