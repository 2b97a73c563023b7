"""One head's architecture: the report's MLP (3584 → 512 → 256 → 4 levels, its key names), and reading one head's
tensors with every check. Used by the heads (``heads``), their hub model (``hub``) and the report's importer."""
from __future__ import annotations

from ..errors import HeadsMismatchError
from .results import LEVELS


def build_mlp(input_size: int, hidden: tuple[int, int] = (512, 256), dropout: float = 0.0, levels: int = 4):
    """Linear-ReLU-Dropout-Linear-ReLU-Dropout-Linear under ``classifier`` (the report's key names)."""
    from torch import nn

    class MLPHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.classifier = nn.Sequential(
                nn.Linear(input_size, hidden[0]),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden[0], hidden[1]),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden[1], levels),
            )

        def forward(self, x):
            return self.classifier(x)

    return MLPHead()


def module_from_state_dict(state_dict: dict, input_size: int, state: str):
    """The head of ``state`` from its tensors, every one checked: present, a tensor of the right shape, finite."""
    import torch

    needed = [f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")]
    missing = [k for k in needed if k not in state_dict]
    if missing:
        raise HeadsMismatchError(f"The {state} head lacks {', '.join(missing)}.")
    if not all(isinstance(state_dict[k], torch.Tensor) for k in needed):
        raise HeadsMismatchError(f"The {state} head's weights are not all tensors.")
    w0, w1, w2 = (state_dict[f"classifier.{i}.weight"] for i in (0, 3, 6))
    if w0.ndim != 2 or w1.ndim != 2 or w2.ndim != 2:
        raise HeadsMismatchError(f"The {state} head's layer weights are not matrices.")
    if w0.shape[1] != input_size:
        raise HeadsMismatchError(f"The {state} head takes {w0.shape[1]}-d input but the card says {input_size}.")
    if w2.shape[0] != len(LEVELS) or w1.shape[1] != w0.shape[0] or w2.shape[1] != w1.shape[0]:
        raise HeadsMismatchError(f"The {state} head has inconsistent layer shapes {[tuple(w.shape) for w in (w0, w1, w2)]}.")
    module = build_mlp(input_size, hidden=(w0.shape[0], w1.shape[0]))
    for key, expected in module.state_dict().items():
        got = state_dict[key]
        if tuple(got.shape) != tuple(expected.shape):
            raise HeadsMismatchError(f"The {state} head's {key} has shape {tuple(got.shape)}; expected {tuple(expected.shape)}.")
        if not got.is_floating_point() or not bool(torch.isfinite(got).all()):
            raise HeadsMismatchError(f"The {state} head's {key} is not all finite numbers (NaN, infinity or not floats); refusing it.")
    module.load_state_dict({k: state_dict[k] for k in needed})
    return module.eval()
