"""The command line: python -m engage make-tiny-backbone / make-random-heads / import-heads / predict / bench."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from engage.affect.heads import build_mlp
from engage.affect.results import STATES
from engage.cli import main

from conftest import ROOT


@pytest.fixture
def env(monkeypatch, tiny_dir, heads_dir):
    monkeypatch.setenv("ENGAGE_BACKBONE", tiny_dir)
    monkeypatch.setenv("ENGAGE_WEIGHTS", heads_dir)
    monkeypatch.setenv("ENGAGE_DEVICE", "cpu")


def test_make_tiny_backbone_loads_through_from_pretrained(tmp_path, capsys):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    assert main(["make-tiny-backbone", str(tmp_path / "tiny")]) == 0
    model = AutoModelForImageTextToText.from_pretrained(tmp_path / "tiny")
    processor = AutoProcessor.from_pretrained(tmp_path / "tiny")
    assert model.config.model_type == "qwen2_5_vl" and processor.chat_template
    assert os.path.isfile(tmp_path / "tiny" / "ENGAGE_TEST_BACKBONE.json")


def test_predict_image_text_output(env, capsys):
    assert main(["predict", os.path.join(ROOT, "examples", "astronaut.png")]) == 0
    out = capsys.readouterr().out
    assert "WARNING: Random test weights" in out
    assert all(s in out for s in STATES)


def test_predict_video_json_and_csv(env, capsys, long_video, tmp_path):
    assert main(["predict", long_video, "--method", "zero-shot", "--json", "--csv", str(tmp_path / "w.csv")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "zero-shot" and len(data["windows"]) == 3
    assert len(Path(tmp_path / "w.csv").read_text().splitlines()) == 4


def test_predict_bad_file_exits_2_with_message(env, capsys, tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 100)
    assert main(["predict", str(bad)]) == 2
    assert "error:" in capsys.readouterr().err


def test_predict_without_heads_says_how_to_get_them(env, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ENGAGE_WEIGHTS", str(tmp_path))
    assert main(["predict", os.path.join(ROOT, "examples", "astronaut.png")]) == 2
    assert "import-heads" in capsys.readouterr().err


def test_import_heads_cli(tmp_path, capsys):
    src = tmp_path / "report"
    src.mkdir()
    for state in STATES:
        torch.save(
            {"model_state_dict": build_mlp(32).state_dict(), "epoch": 3, "val_f1": np.float32(0.3)},
            src / f"mlp_{state}_best.pth",
        )
    assert main(["import-heads", str(src), "--out", str(tmp_path / "w")]) == 0
    card = json.loads(Path(tmp_path / "w" / "config.json").read_text())["card"]
    assert card["protocol_name"] == "report" and "wrote" in capsys.readouterr().out
    assert card["input_size"] == 32 and card["trained"] and card["backbone"] == "Qwen/Qwen2.5-VL-7B-Instruct"


def test_make_random_heads_cli(tmp_path):
    assert main(["make-random-heads", str(tmp_path), "--input-size", "16"]) == 0
    assert json.loads(Path(tmp_path / "config.json").read_text())["card"]["trained"] is False
