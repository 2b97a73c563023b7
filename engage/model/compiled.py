"""torch.compile of the model's repeated blocks (regional compilation): each vision block and each decoder layer
compiled in place; the copies share their code, so one graph serves every block of a kind. On an H200 it took
the 7B's model time per window from 0.1243 to 0.0888 s and extraction's from 0.1347 to 0.1025 s, after a first
call of 11.5-16.1 s (docs/performance.md); off by default (``ENGAGE_COMPILE=1``): every new process, a ZeroGPU
worker or an app's first visitor, would pay that first call."""
from __future__ import annotations


def repeated_blocks(model) -> list:
    """Qwen2.5-VL's vision blocks and decoder layers, the modules compiled."""
    inner = model.model
    return list(inner.visual.blocks) + list(inner.language_model.layers)


def compile_blocks(model, mode: str | None = None, backend: str = "inductor") -> list:
    """Compile ``model``'s repeated blocks in place (``nn.Module.compile``); returns them (for ``uncompile``)."""
    blocks = repeated_blocks(model)
    for block in blocks:
        block.compile(mode=mode, backend=backend)
    return blocks


def uncompile(blocks: list) -> None:
    """The blocks eager again, and dynamo's caches cleared."""
    import torch

    for block in blocks:
        block._compiled_call_impl = None
    torch._dynamo.reset()
