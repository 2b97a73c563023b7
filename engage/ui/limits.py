"""What one visitor's requests may hold of the server at once.

- ``Work``: an event's slots, held by the work itself. Gradio's ``concurrency_limit`` counts the events the queue has
  started; a cancelled event's handler keeps running in its worker thread while the queue starts the next one, so
  the handler holds a slot of its own (a semaphore) until it returns: a cancelled-but-running handler still counts,
  and the next one waits for it.
- ``Admission``: how many of these events one session may have queued or running (``ENGAGE_SESSION_REQUESTS``),
  checked by gradio's ``validator`` before the event joins the shared queue, so that one client cannot fill it.
- ``pixels_check``: the images of a request are sized from their headers (PIL opens lazily) before anything is
  decoded, so a request of huge images is refused at once, without waiting for a slot.
"""
from __future__ import annotations

import collections
import contextlib
import inspect
import threading
import time

import gradio as gr
from PIL import Image

from .. import i18n, settings
from ..i18n import language, text
from .wrapping import around_handler


class Admission:
    """At most ``limit`` guarded events per session queued or running. A place is taken when gradio's validator
    admits the event (before it joins the queue) and given back when its handler ends; a place whose event never
    ran (cancelled while queued, the tab closed) is given back once the queue no longer holds that many of the
    session's events."""

    # An admission older than this that the queue does not hold is an event that will never run (cancelled while
    # queued, failed in gradio's preprocessing before its handler): admission to queue takes milliseconds.
    STALE_S = 2.0

    def __init__(self, limit: int | None = None, queue_size=None):
        self.limit = limit if limit is not None else settings.session_requests()
        self.queue_size = queue_size or (lambda session: None)  # the queue's count of the session's events, if known
        self._held: dict[str, collections.deque] = {}
        self._lock = threading.Lock()

    def held(self, session: str) -> int:
        with self._lock:
            return len(self._held.get(session, ()))

    def take(self, session: str | None) -> bool:
        """A place for one more event of ``session``; False when it holds ``limit`` already."""
        if not session:
            return True
        now = time.monotonic()
        with self._lock:
            places = self._held.setdefault(session, collections.deque())
            queued = self.queue_size(session)
            while queued is not None and len(places) > queued and places and now - places[0] > self.STALE_S:
                places.popleft()  # admitted long ago, not in the queue: cancelled or dropped before it ran
            if len(places) >= self.limit:
                return False
            places.append(now)
            return True

    def give_back(self, session: str | None) -> None:
        if not session:
            return
        with self._lock:
            places = self._held.get(session)
            if places:
                places.popleft()
            if not places:
                self._held.pop(session, None)

    def forget(self, session: str | None) -> None:
        """The session is over (its tab closed)."""
        with self._lock:
            self._held.pop(session, None)

    def validator(self):
        """Gradio's ``validator=`` for an event whose last input is the page's language: refuses, before the event
        is queued, a session that holds ``limit`` places already (the message shown on the event's first input)."""

        def check(request, *values):
            if self.take(getattr(request, "session_hash", None)):
                return [gr.validate(True, "")] * len(values)  # one per input, as gradio expects
            lang = language(values[-1] if values and isinstance(values[-1], str) else i18n.DEFAULT)
            message = text("limits.session_busy", lang, n=self.limit)
            return [gr.validate(False, message)] + [gr.validate(True, "")] * (len(values) - 1)

        # gradio passes the request to a parameter annotated with it, at that parameter's place: the first
        check.__signature__ = inspect.Signature([
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request),
            inspect.Parameter("values", inspect.Parameter.VAR_POSITIONAL),
        ])
        check.__annotations__ = {"request": gr.Request}
        return check


class Work:
    """``slots`` handlers of one event at work at once, counted by the work itself (see the module's note)."""

    def __init__(self, slots: int, admission: Admission | None = None, check=None):
        self.slots = slots
        self.admission = admission
        self.check = check  # check(*args, lang=...) -> None; raises a visitor's error before a slot is waited for
        self._semaphore = threading.BoundedSemaphore(slots)

    @contextlib.contextmanager
    def held(self):
        self._semaphore.acquire()
        try:
            yield
        finally:
            self._semaphore.release()

    def __call__(self, fn):
        """``fn`` (a function or a generator) holding a slot while it runs, with its signature as gradio reads it
        (a ``request`` added when ``fn`` has none: the session's place is given back by it)."""
        admission, check = self.admission, self.check

        @contextlib.contextmanager
        def holding(session, bound):
            try:
                if check is not None:
                    check(*bound.args, lang=language(bound.arguments.get("lang", i18n.DEFAULT)))
                with self.held():
                    yield
            finally:
                if admission is not None:
                    admission.give_back(session)

        return around_handler(fn, holding)


def image_size(path: str) -> tuple[int, int] | None:
    """(width, height) from the file's header, nothing decoded; None when it is not an image PIL knows."""
    try:
        with Image.open(path) as img:
            return img.size
    except Exception:  # not an image, unreadable: engage's own decoder says what is wrong with it
        return None


def upload_paths(payload) -> list[str]:
    """The server paths in an event's unprocessed file payload (one file, a list of them, or paths)."""
    items = payload if isinstance(payload, (list, tuple)) else [payload]
    paths = []
    for item in items:
        if isinstance(item, dict):
            inner = item.get("video")  # gr.Video sends {"video": file, "subtitles": ...}
            item = inner.get("path") if isinstance(inner, dict) else item.get("path")
        elif item is not None and not isinstance(item, str):
            item = getattr(item, "name", None)
        if item:
            paths.append(str(item))
    return paths


def pixels_check(index: int, budget: int | None = None):
    """A ``Work`` check: the images in argument ``index`` hold at most ``budget`` pixels together
    (``ENGAGE_MAX_REQUEST_PIXELS``), read from their headers."""

    def check(*args, lang: str = i18n.DEFAULT):
        limit = budget if budget is not None else settings.max_request_pixels()
        total = 0
        for path in upload_paths(args[index] if len(args) > index else None):
            size = image_size(path)
            total += size[0] * size[1] if size else 0
        if total > limit:
            from .server import user_error

            raise user_error(text("limits.request_pixels", lang, mp=round(total / 1e6), limit=round(limit / 1e6)), lang=lang)

    return check
