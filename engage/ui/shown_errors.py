"""An error stays on the page beside its input until the next action: Gradio shows a failed event's message in a toast
that closes by itself, and a ``.failure()`` listener is not told why. ``remembered(handler)`` keeps the message a
handler raised for the visitor's session; the failure listener (``last_error``) takes it and shows it where the
result would have been."""
from __future__ import annotations

import functools
import html
import inspect
import threading
from collections import OrderedDict

import gradio as gr

_KEPT = 256  # sessions whose last error is held at once (one short line each); the oldest go first
_LAST: OrderedDict[str, str] = OrderedDict()
_LOCK = threading.Lock()


def _session(args: tuple, kwargs: dict) -> str | None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, gr.Request):
            return value.session_hash
    return None


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
    """``fn`` as Gradio calls it, keeping the message of a ``gr.Error`` it raises for ``last_error``. Gradio passes a
    ``gr.Request`` to a handler that declares one: the wrapper declares it when ``fn`` does not, and keeps it from
    ``fn``. A generator stays a generator (progress and partial results still stream)."""
    signature = inspect.signature(fn)
    own = any(p.annotation in (gr.Request, "gr.Request") for p in signature.parameters.values())

    def split(args: tuple, kwargs: dict) -> tuple[str | None, tuple, dict]:
        session = _session(args, kwargs)
        if not own:
            kwargs = {k: v for k, v in kwargs.items() if not isinstance(v, gr.Request)}
            args = tuple(a for a in args if not isinstance(a, gr.Request))
        return session, args, kwargs

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            session, args, kwargs = split(args, kwargs)
            try:
                yield from fn(*args, **kwargs)
            except gr.Error as exc:
                _keep(session, exc)
                raise
    else:

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            session, args, kwargs = split(args, kwargs)
            try:
                return fn(*args, **kwargs)
            except gr.Error as exc:
                _keep(session, exc)
                raise

    if not own:
        request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request)
        wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), request])
        wrapper.__annotations__ = {**fn.__annotations__, "request": gr.Request}  # a copy: wraps shares fn's dict
    return wrapper
