"""A handler run inside a context of engage's own, as Gradio calls it: ``around_handler(fn, around)`` runs ``fn`` inside
``around(session, bound)`` (a context manager given the visitor's session and ``fn``'s bound arguments). Gradio passes
a ``gr.Request`` to a handler that declares one: the wrapper declares it when ``fn`` does not, and keeps it from
``fn``. A generator stays a generator (progress and partial results still stream). ``limits.Work`` (slots) and
``shown_errors.remembered`` (errors that stay on the page) are made with it."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import gradio as gr


def _request_parameter(signature: inspect.Signature) -> str | None:
    for name, p in signature.parameters.items():
        if p.annotation in (gr.Request, "gr.Request") or name == "request":
            return name
    return None


def around_handler(fn: Callable, around: Callable[[str | None, inspect.BoundArguments], AbstractContextManager[Any]]) -> Callable:
    signature = inspect.signature(fn)
    own = _request_parameter(signature)
    if own is None:
        extra = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request)
        signature = signature.replace(parameters=[*signature.parameters.values(), extra])
    name = own or "request"

    def begin(args: tuple, kwargs: dict) -> tuple[str | None, inspect.BoundArguments]:
        bound = signature.bind(*args, **kwargs)
        request = bound.arguments.pop(name, None) if own is None else bound.arguments.get(name)
        return getattr(request, "session_hash", None), bound

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            session, bound = begin(args, kwargs)
            with around(session, bound):
                yield from fn(*bound.args, **bound.kwargs)
    else:

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            session, bound = begin(args, kwargs)
            with around(session, bound):
                return fn(*bound.args, **bound.kwargs)

    if own is None:
        wrapper.__signature__ = signature
        wrapper.__annotations__ = {**getattr(fn, "__annotations__", {}), "request": gr.Request}  # a copy: wraps shares fn's dict
    return wrapper
