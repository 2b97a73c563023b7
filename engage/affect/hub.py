"""The heads as a Hugging Face Hub model: ``model.safetensors`` + ``config.json`` (sizes and engage's card) + a
model card ``README.md``, written and read by huggingface_hub's PyTorch mixin, so a folder or a hub repo id both
load and ``push_to_hub`` publishes. Loading stays strict (every tensor, right shapes, finite, no pickle fallback)."""
from __future__ import annotations

import os
from pathlib import Path

import torch
from huggingface_hub import ModelCard, PyTorchModelHubMixin
from torch import nn

from ..errors import HeadsMismatchError
from ..model.protocol import FeatureProtocol
from .card import metrics_table, validate_card
from .mlp import build_mlp, module_from_state_dict
from .results import LEVEL_NAMES, STATES

WEIGHTS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"


class AffectHeads(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="engage",
    tags=["engage", "affect-recognition", "daisee", "qwen2.5-vl-features"],
):
    """Four MLP heads (one per state) on Qwen2.5-VL features; ``card`` is engage's heads card (protocol,
    training, metrics), kept in config.json."""

    def __init__(self, input_size: int, hidden: list[int] | None = None, card: dict | None = None):
        super().__init__()
        hidden = list(hidden or [512, 256])
        self.hidden, self.card = hidden, dict(card or {})
        with torch.random.fork_rng(devices=[]):  # the weights are overwritten: leave the caller's RNG alone
            self.heads = nn.ModuleDict({s: build_mlp(input_size, hidden=tuple(hidden)) for s in STATES})

    @classmethod
    def from_heads(cls, heads: dict, card: dict) -> AffectHeads:
        """The hub model of four heads (state -> module of ``mlp.build_mlp``) and their card."""
        first = heads[STATES[0]].classifier
        module = cls(int(card["input_size"]), [first[0].out_features, first[3].out_features], card)
        for s in STATES:
            module.heads[s].load_state_dict(heads[s].state_dict())
        return module.eval()

    @classmethod
    def _from_pretrained(cls, *, model_id: str, revision, cache_dir, force_download, local_files_only, token, **model_kwargs):
        """Only safetensors, every tensor checked (the mixin's default is non-strict with a pickle fallback)."""
        from huggingface_hub import hf_hub_download

        if os.path.isdir(model_id):
            path = os.path.join(model_id, WEIGHTS_NAME)
        else:
            path = hf_hub_download(
                repo_id=model_id, filename=WEIGHTS_NAME, revision=revision, cache_dir=cache_dir,
                force_download=force_download, token=token, local_files_only=local_files_only,
            )
        return cls.from_tensors(path, **{k: v for k, v in model_kwargs.items() if k in ("input_size", "hidden", "card")})

    @classmethod
    def from_tensors(cls, path: str, input_size: int, hidden: list[int] | None = None, card: dict | None = None) -> AffectHeads:
        from safetensors.torch import load_file

        card = dict(card or {})
        validate_card(card)
        if card["input_size"] != input_size:
            raise HeadsMismatchError(f"config.json says {input_size}-d input but its card says {card['input_size']}.")
        tensors = load_file(path)
        module = cls(input_size, hidden, card)
        for s in STATES:
            prefix = f"heads.{s}."
            loaded = module_from_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, input_size, s)
            module.heads[s].load_state_dict(loaded.state_dict())
        unknown = sorted(k for k in tensors if not any(k.startswith(f"heads.{s}.") for s in STATES))
        if unknown:
            raise HeadsMismatchError(f"{WEIGHTS_NAME} holds tensors no head uses: {', '.join(unknown[:5])}.")
        return module.eval()

    def save(self, folder: str, push_to: str | None = None, token: str | None = None) -> str:
        """Write the three files into ``folder`` (a model card left there from earlier heads is replaced), and
        publish them to the hub repo ``push_to`` when given."""
        Path(folder, "README.md").unlink(missing_ok=True)
        self.save_pretrained(folder)
        if push_to:
            self.push_to_hub(push_to, token=token, commit_message=f"engage heads: {self.card.get('source', '')}"[:200])
        return folder

    def generate_model_card(self, *args, **kwargs) -> ModelCard:
        return ModelCard(model_card_text(self.card, self._hub_mixin_info.model_card_data.tags or []))


def model_card_text(card: dict, tags: list[str]) -> str:
    """The hub model card: YAML front matter, then what the heads are, the feature protocol, per-state metrics
    beside the majority-class baseline, training and limits."""
    protocol = FeatureProtocol.from_dict(card["protocol"])
    warning = "" if card.get("trained") else "\n> **Untrained random weights, for tests only: every prediction is meaningless.**\n"
    levels = ", ".join(f"{lv} {name}" for lv, name in enumerate(LEVEL_NAMES))
    training = card.get("training") or {}
    training_lines = [f"- {k}: {v}" for k, v in training.items()] or ["- not recorded"]
    front = "\n".join(["---", "library_name: engage", f"base_model: {card.get('backbone')}", "tags:", *[f"- {t}" for t in sorted(set(tags))], "---"])
    return "\n".join(
        [
            front,
            "",
            "# engage affect heads",
            warning,
            f"Four MLP heads ({card.get('architecture', '')}) that read a learner's **boredom, engagement, confusion "
            f"and frustration** at levels 0-3 ({levels}, as annotated in DAiSEE) from one {card['input_size']}-d "
            f"feature of `{card.get('backbone')}`. Source: {card.get('source')}.",
            "",
            "## Feature protocol",
            "",
            protocol.describe() + ".",
            "",
            f"Where it comes from: {card.get('protocol_source', 'not recorded')}. engage refuses to run these heads on "
            "features made another way.",
            "",
            "## Metrics",
            "",
            "Test macro-F1, quadratic weighted kappa (QWK) and balanced accuracy beside the majority-class baseline, "
            "which always predicts the most frequent level of the training set (its QWK is 0). A head is only useful "
            "where it beats the baseline. \"–\": not measured.",
            "",
            *metrics_table(card),
            "",
            "## Training",
            "",
            *training_lines,
            "",
            "## Limits",
            "",
            "- DAiSEE films one learner at a desk with a laptop camera; other settings are outside what the heads saw.",
            "- Levels are strongly imbalanced in DAiSEE: read a probability as a tendency, not a verdict about a person.",
            "- Inferring emotions of people in workplaces and education institutions is prohibited in the EU "
            "(AI Act, Article 5(1)(f)) except for medical or safety reasons.",
            "",
            "Written by engage (`python -m engage train` or `import-heads`); engage loads them with "
            "`ENGAGE_WEIGHTS=<this repo id or folder>`.",
            "",
        ]
    )
