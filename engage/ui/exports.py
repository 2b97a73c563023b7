"""A visitor's export files (JSON and CSV): one folder per session, holding only the latest export of each
kind, removed with the session (tab closed or state expired) and, for whatever a stopped server left, at start.
Gradio serves its own copies of them, which its ``delete_cache`` removes."""
from __future__ import annotations

import glob
import os
import shutil
import tempfile
import time
import uuid

EXPORT_ROOT = os.path.join(tempfile.gettempdir(), "engage-exports")


def session_folder(folder: str | None, root: str = EXPORT_ROOT) -> str:
    """``folder`` when it still exists, else a new one under ``root``."""
    if folder and os.path.isdir(folder):
        return folder
    os.makedirs(root, exist_ok=True)
    return tempfile.mkdtemp(prefix="session-", dir=root)


def remove_folder(folder: str | None) -> None:
    """The session is over: its exports go (gradio's ``delete_callback`` of the state that holds the folder)."""
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def clear_root(root: str = EXPORT_ROOT) -> None:
    """At server start: exports of sessions a previous server did not see end."""
    shutil.rmtree(root, ignore_errors=True)


def write_export(folder: str, kind: str, files: dict[str, str]) -> tuple[str, ...]:
    """Write one export (``files``: name ending, e.g. ".json", -> text) under a fresh name, replacing the folder's
    earlier ``kind`` export; the paths in the order of ``files``."""
    os.makedirs(folder, exist_ok=True)
    for old in glob.glob(os.path.join(glob.escape(folder), f"engage-{kind}-*")):
        os.remove(old)
    stem = os.path.join(folder, f"engage-{kind}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}")
    for ending, text in files.items():
        with open(stem + ending, "w", encoding="utf-8") as fh:
            fh.write(text)
    return tuple(stem + ending for ending in files)
