"""Typed exceptions. Every message is written for the person who uploaded the file: one a visitor may read is raised
with a catalogue key and its fields (``MediaTooLongError(key="error.video_too_long", seconds=…)``), so that the app
can say it in the visitor's language (``words``); its ``str`` is the English, for the CLI and logs."""
from __future__ import annotations

from typing import Any

from .i18n import DEFAULT, text


class EngageError(Exception):
    """Base class: anything the user can fix or should be told about."""

    detail: str | None = None  # more for an operator (paths, commands), where the message is for a visitor
    key: str | None = None
    fields: dict[str, Any] = {}  # noqa: RUF012 (never mutated: an instance's own dict replaces it)

    def __init__(self, message: str | None = None, /, *, key: str | None = None, **fields: Any) -> None:
        if key is not None:
            self.key, self.fields = key, fields
            message = text(key, DEFAULT, **fields)
        super().__init__(message)

    def words(self, lang: str = DEFAULT) -> str:
        """The message in ``lang`` (English where it was written without a key: an operator's message)."""
        return text(self.key, lang, **self.fields) if self.key else str(self)


class InvalidInputError(EngageError, ValueError):
    """A value a visitor typed (a name, a rename) that cannot be used."""


class MediaError(EngageError):
    """The input could not be used as an image or a video."""


class UnsupportedMediaError(MediaError):
    """Not an image or a video we can read."""


class CorruptMediaError(MediaError):
    """Looks like media but cannot be decoded."""


class EmptyMediaError(MediaError):
    """Zero-length video, no video stream, or an empty webcam frame."""


class MediaTooLargeError(MediaError):
    """File size, pixel count or resolution over the limits."""


class MediaTooLongError(MediaError):
    """Video longer than the configured limit."""


class HeadsError(EngageError):
    """Problems with the MLP heads. The message is for the operator (paths, commands); ``for_visitors`` is the
    reason a Space visitor is shown."""

    for_visitors = "the MLP heads on this server could not be used"


class HeadsMissingError(HeadsError):
    """No heads are installed."""

    for_visitors = "no MLP heads are installed on this server"


class HeadsMismatchError(HeadsError):
    """Heads were trained for another backbone, input size or feature protocol, or cannot be read."""

    for_visitors = "the MLP heads on this server do not fit its model or could not be read"


class UnsafeCheckpointError(HeadsError):
    """A checkpoint that would need unpickling of arbitrary objects."""

    for_visitors = "the MLP heads on this server were refused as unsafe to load"


class UnsupportedLibraryError(EngageError):
    """An installed library is a version engage was not written for."""


class BackboneUnavailableError(EngageError):
    """The backbone can be neither downloaded nor found in the local cache."""
