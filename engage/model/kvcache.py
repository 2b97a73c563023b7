"""The one place engage touches transformers' key/value cache internals.

The incremental webcam windows keep a ``DynamicCache`` between calls, move it to host memory between ZeroGPU
calls, measure it, and drop the tokens of a question after asking it. That needs the cache's layer tensors
(``layers[i].keys``/``.values``/``.device``) and ``crop`` with a negative count, which are not a stable API.
Everything here checks first that the installed transformers is one this was written and tested for, so an
upgrade fails here with a message that says what to do, not deep inside a forward pass.
"""
from __future__ import annotations

import functools

from ..errors import UnsupportedLibraryError

# Written against transformers 5.17 (the GPU machine) and 5.23 (requirements.txt); the layer API dates from 5.0.
SUPPORTED = ((5, 0), (6, 0))  # [lowest, first unsupported)


def _release(version: str) -> tuple[int, int]:
    from packaging.version import Version

    release = Version(version).release
    return release[0], release[1] if len(release) > 1 else 0


def check_transformers(version: str | None = None) -> None:
    """Raise ``UnsupportedLibraryError`` unless ``version`` (default: the installed one, checked once) is supported."""
    if version is None:
        return _check_installed()
    low, high = SUPPORTED
    if not low <= _release(version) < high:
        raise UnsupportedLibraryError(
            f"engage's key/value cache adapter (engage/model/kvcache.py) was written for transformers "
            f">={low[0]}.{low[1]},<{high[0]}.{high[1]}; this is transformers {version}. Install the version pinned in "
            "requirements.txt, or update the adapter and its test (tests/test_kvcache.py) for this one."
        )


def _installed() -> str:
    import transformers

    return transformers.__version__


@functools.cache
def _check_installed() -> None:
    # cached: the adapter runs per question and per webcam frame; a failed check raises again each time
    check_transformers(_installed())


def _layers(cache) -> list:
    check_transformers()
    return [layer for layer in cache.layers if layer.is_initialized]


def to_device(cache, device: str) -> None:
    """Move every layer's keys and values to ``device``, in place."""
    for layer in _layers(cache):
        layer.keys, layer.values = layer.keys.to(device), layer.values.to(device)
        layer.device = layer.keys.device


def nbytes(cache) -> int:
    """Bytes held by the keys and values."""
    if cache is None:
        return 0
    return sum(t.numel() * t.element_size() for layer in _layers(cache) for t in (layer.keys, layer.values))


def truncate(cache, length: int) -> None:
    """Keep the first ``length`` tokens, in place (drops a question asked on top of a cached prefix)."""
    check_transformers()
    extra = cache.get_seq_length() - length
    if extra < 0:
        raise ValueError(f"The cache holds {cache.get_seq_length()} tokens; cannot truncate it to {length}.")
    if extra:
        cache.crop(-extra)
