"""What the server removes, and when: a closed tab's session at once, every file in gradio's temporary folder once it
is ``ENGAGE_FILES_MAX_AGE_S`` old (the copies gradio tracks, and those it loses track of: an upload cut off mid-transfer,
what a killed or restarted server left), and everything of this server's when it stops (SIGTERM as SIGINT)."""
from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

from . import exports


def end_session(blocks, session: str | None) -> None:
    """The tab closed (gradio's ``unload``): the session's state goes now, each State's ``delete_callback`` run (the
    export folder removed). Gradio would keep a closed session's state an hour, whatever its ``time_to_live``; the
    session's entry is dropped too, so anything a still-running event writes later lives by its State's lifetime."""
    holder = getattr(blocks, "state_holder", None)
    if holder is None or not session or session not in holder:
        return
    holder.delete_state(session)
    with holder.lock:
        holder.session_data.pop(session, None)
        holder.time_last_used.pop(session, None)


def upload_folder() -> str:
    """Gradio's folder for uploads and its copies of outputs (``GRADIO_TEMP_DIR``)."""
    from gradio.utils import get_upload_folder

    return get_upload_folder()


def _kept(blocks) -> set[str]:
    """Files gradio keeps for good (a component's own value, e.g. an example)."""
    keep: set[str] = set()
    for block in getattr(blocks, "blocks", {}).values():
        keep.update(str(f) for f in getattr(block, "keep_in_cache", ()) or ())
    return keep


def sweep(folder: str, max_age_s: float | None, keep: set[str] = frozenset(), now: float | None = None) -> int:
    """Delete the files under ``folder`` not changed for ``max_age_s`` (all of them when None), except ``keep``, and
    the folders they leave empty; returns how many files went. Gradio's own sweep knows only the files it made in
    this process: a partial upload and a previous server's files are found here."""
    now = time.time() if now is None else now
    removed = 0
    if not os.path.isdir(folder):
        return 0
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):  # gone meanwhile, or in use and refused: the next sweep tries again
                st = os.lstat(path)
                if path not in keep and (max_age_s is None or now - max(st.st_mtime, st.st_ctime) > max_age_s):
                    os.remove(path)
                    removed += 1
        for name in dirs:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                if not os.listdir(path) and (max_age_s is None or now - os.lstat(path).st_mtime > max_age_s):
                    os.rmdir(path)
    return removed


def sweep_app(blocks, max_age_s: float | None) -> int:
    """Gradio's own sweep of the files it tracks, then the rest of its folder by age."""
    from gradio.route_utils import delete_files_created_by_app

    with contextlib.suppress(RuntimeError):  # "Set changed size during iteration": a request added a file meanwhile
        delete_files_created_by_app(blocks, max_age_s)
    return sweep(upload_folder(), max_age_s, _kept(blocks))


def sweep_every(blocks, max_age_s: int, stop: threading.Event) -> threading.Thread:
    """Sweep now (what a previous server left), then every third of ``max_age_s``, on a thread of engage's: gradio's
    own ``delete_cache`` task ends for good at its first error, which a request adding a file mid-sweep can cause."""

    def loop() -> None:
        while True:
            with contextlib.suppress(OSError):
                sweep_app(blocks, max_age_s)
            if stop.wait(max(1, max_age_s // 3)):
                return

    thread = threading.Thread(target=loop, daemon=True, name="engage-file-sweeper")
    thread.start()
    return thread


def stop_on_sigterm() -> None:
    """SIGTERM (a Space restarting, ``docker stop``) ends the server as Ctrl-C does, so that ``at_exit`` runs."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread: nothing to install
        signal.signal(signal.SIGTERM, interrupt)


def at_exit(blocks) -> None:
    """The server stopped: every upload and copy this server made, uploads cut off mid-transfer and the sessions'
    exports go. (Gradio deletes its files in its own shutdown, which does not run when the server takes more than
    5 s to stop, as it does with a visitor's page still open.)"""
    from gradio.route_utils import delete_files_created_by_app

    with contextlib.suppress(RuntimeError):
        delete_files_created_by_app(blocks, None)
    folder = upload_folder()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):  # an upload still being received is a file here; finished ones are moved into folders
            if entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.remove(entry.path)
    exports.clear_root()
