"""Qwen2.5-VL's vision MLP widened with zeros to an aligned width: the same function, possibly faster matmuls.

The 7B's vision blocks have MLPs 3,420 units wide: a bfloat16 row of 6,840 bytes, not a multiple of 16, which
Hopper's fastest matmul kernels (those loading tiles with its tensor memory accelerator) need. In the H200's
profile (docs/performance.md) two groups of Ampere-generation CUTLASS kernels, whose call counts are those of these
three matmuls per block, ran at 194-228 TFLOP/s, against 720-809 for two groups of aligned ones: 30.5 of the
window's 68 ms of matmuls. Widening the gate and up projections with zero rows (and zero biases) and the down
projection with zero columns adds units whose output is exactly zero, ``act(0) · 0``, read by zero weights. Not
yet measured on a GPU, so off unless ``ENGAGE_PAD_VISION_MLP`` names the multiple (8 is the least that aligns
bfloat16 rows).
"""
from __future__ import annotations


def _widened(linear, out_features: int | None = None, in_features: int | None = None):
    """A copy of ``linear`` with zero rows (outputs) or zero columns (inputs) added."""
    import torch

    out_features = out_features or linear.out_features
    in_features = in_features or linear.in_features
    wide = torch.nn.Linear(
        in_features, out_features, bias=linear.bias is not None, device=linear.weight.device, dtype=linear.weight.dtype
    )
    with torch.no_grad():
        wide.weight.zero_()
        wide.weight[: linear.out_features, : linear.in_features] = linear.weight
        if linear.bias is not None:
            wide.bias.zero_()
            wide.bias[: linear.out_features] = linear.bias
    return wide.requires_grad_(linear.weight.requires_grad)


def pad_vision_mlp(model, multiple: int) -> int:
    """Widen every vision block's MLP of ``model`` (a Qwen2.5-VL) to a multiple of ``multiple`` units, in place;
    returns the width (unchanged when already a multiple, or when ``multiple`` < 1)."""
    blocks = model.model.visual.blocks
    width = blocks[0].mlp.gate_proj.out_features
    if multiple < 1 or width % multiple == 0:
        return width
    padded = -(-width // multiple) * multiple
    for block in blocks:
        mlp = block.mlp
        mlp.gate_proj = _widened(mlp.gate_proj, out_features=padded)
        mlp.up_proj = _widened(mlp.up_proj, out_features=padded)
        mlp.down_proj = _widened(mlp.down_proj, in_features=padded)
        mlp.intermediate_size = padded
    return padded
