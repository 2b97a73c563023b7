"""An error stays on the page beside its input until the next action: Gradio shows a failed event's message in a toast
that closes by itself, and a ``.failure()`` listener is not told why. ``remembered(handler)`` keeps the message a
handler raised for the visitor's session; the failure listener (``last_error``) takes it and shows it where the
result would have been."""
from __future__ import annotations

import contextlib
import html
import threading
from collections import OrderedDict

import gradio as gr

from .wrapping import around_handler

_KEPT = 256  # sessions whose last error is held at once (one short line each); the oldest go first
_LAST: OrderedDict[str, str] = OrderedDict()
_LOCK = threading.Lock()


def _keep(session: str | None, exc: gr.Error) -> None:
    if session is None:
        return
    with _LOCK:
        _LAST[session] = html.unescape(str(exc.message))  # a toast's message is escaped HTML; kept as the words
        _LAST.move_to_end(session)
        while len(_LAST) > _KEPT:
            _LAST.popitem(last=False)


def last_error(request: gr.Request | None) -> str | None:
    """The message the session's last failed action raised (taken: shown once), or None."""
    session = getattr(request, "session_hash", None)
    with _LOCK:
        return _LAST.pop(session, None) if session else None


def remembered(fn):
    """``fn`` as Gradio calls it, keeping the message of a ``gr.Error`` it raises for ``last_error``
    (``wrapping.around_handler``: the visitor's request is declared for it, a generator stays a generator)."""

    @contextlib.contextmanager
    def keeping(session, bound):
        try:
            yield
        except gr.Error as exc:
            _keep(session, exc)
            raise

    return around_handler(fn, keeping)
