"""Training-set extraction: DAiSEE layout and labels, features on disk, failures, resume, shards, images, CLI."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import engage.daisee.extract as extract
from engage.affect.heads import random_heads
from engage.affect.pipeline import Engine
from engage.daisee import featurestore
from engage.daisee.labels import DatasetError, find_clips, parse_shard, read_labels, shard
from engage.errors import EngageError
from engage.model.backbone import Backbone

from conftest import ROOT, write_video

HEADER = "ClipID,Boredom,Engagement,Confusion,Frustration \n"  # DAiSEE's trailing space
# (subject, ClipID, seconds or None for a corrupt file, labels). 2.2-4 s at 1 FPS is 3-4 frames: every
# clip has the same token count, so batching never pads and features compare exactly.
CLIPS = [
    ("500044", "5000441001.avi", 2.2, (0, 2, 0, 0)),
    ("500044", "5000441002.avi", 2.6, (1, 3, 0, 1)),
    ("500044", "5000441003.mp4", 3.0, (2, 1, 1, 0)),
    ("500067", "5000671001.avi", 3.4, (0, 2, 3, 2)),
    ("500067", "5000671002.avi", None, (1, 1, 0, 0)),
    ("500067", "5000671003.avi", 3.8, (3, 0, 2, 1)),
]
MISSING = "5000671004.avi"
GOOD = ["5000441001", "5000441002", "5000441003", "5000671001", "5000671003"]
CHUNK = 2


@pytest.fixture(scope="module")
def daisee_root(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("daisee")
    rows = [HEADER]
    for subject, clip_file, seconds, labels in CLIPS:
        stem = os.path.splitext(clip_file)[0]
        folder = root / "DataSet" / "Train" / subject / stem
        folder.mkdir(parents=True)
        # MPEG-4 Part 2 in the .avi files: decord's random access into H.264-with-B-frames AVIs returns a
        # neighbouring frame about 1% of the time (dmlc/decord#195), which would make exact comparisons flaky.
        codec = "mpeg4" if clip_file.endswith(".avi") else "libx264"
        path = write_video(str(folder / clip_file), seconds or 3.0, fps=10, size=(64, 48), codec=codec)
        if seconds is None:
            data = Path(path).read_bytes()
            Path(path).write_bytes(data[: len(data) // 2])
        rows.append(f"{clip_file},{','.join(map(str, labels))}\n")
    rows.append(f"{MISSING},1,1,1,1\n")
    (root / "Labels").mkdir()
    (root / "Labels" / "TrainLabels.csv").write_text("".join(rows))
    return str(root)


@pytest.fixture(scope="module")
def backbone(tiny_dir) -> Backbone:
    return Backbone.load(tiny_dir, device="cpu")


@pytest.fixture(scope="module")
def reference(daisee_root, backbone, tmp_path_factory) -> tuple[str, dict]:
    """One uninterrupted, unsharded extraction of Train."""
    out = str(tmp_path_factory.mktemp("features"))
    return out, extract.extract_split(daisee_root, "Train", out, backbone, chunk_size=CHUNK, progress=False)


def count_forwards(monkeypatch) -> list[int]:
    """The clips in each forward pass of the extraction."""
    calls: list[int] = []
    real = extract.batch_features

    def counting(backbone, inputs):
        calls.append(len(inputs["attention_mask"]))
        return real(backbone, inputs)

    monkeypatch.setattr(extract, "batch_features", counting)
    return calls


def assert_same(a: featurestore.FeatureSet, b: featurestore.FeatureSet) -> None:
    assert list(a.clip_ids) == list(b.clip_ids)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.features, b.features)


# ---------------------------------------------------------------- DAiSEE layout and labels


def test_read_labels_strips_header_and_extension(daisee_root):
    labels = read_labels(os.path.join(daisee_root, "Labels", "TrainLabels.csv"))
    assert labels["5000441003"] == (2, 1, 1, 0)  # ClipID "5000441003.mp4"
    assert len(labels) == len(CLIPS) + 1


def test_read_labels_bad_level_names_file_and_line(tmp_path):
    path = tmp_path / "TrainLabels.csv"
    path.write_text(HEADER + "1.avi,0,1,2,3\n2.avi,0,4,0,0\n")
    with pytest.raises(DatasetError, match=r"TrainLabels\.csv, line 3: Engagement level '4' of clip 2"):
        read_labels(str(path))
    path.write_text(HEADER + "1.avi,0,1,x,3\n")
    with pytest.raises(DatasetError, match="line 2: Confusion level 'x'"):
        read_labels(str(path))
    path.write_text("ClipID,Boredom,Engagement\n1.avi,0,1\n")
    with pytest.raises(DatasetError, match="lacks column.*Confusion"):
        read_labels(str(path))


def test_find_clips_sorted_with_missing_file(daisee_root):
    clips = find_clips(daisee_root, "Train")
    assert [c.clip_id for c in clips] == sorted(c.clip_id for c in clips)
    by_id = {c.clip_id: c for c in clips}
    assert by_id["5000671004"].path is None
    assert by_id["5000441003"].path.endswith(os.path.join("500044", "5000441003", "5000441003.mp4"))
    clip_id, path, labels = clips[0]  # also a plain tuple
    assert (clip_id, labels) == ("5000441001", (0, 2, 0, 0))


def test_find_clips_clear_errors(daisee_root, tmp_path):
    with pytest.raises(DatasetError, match="Labels file not found.*ValidationLabels.csv"):
        find_clips(daisee_root, "Validation")
    (tmp_path / "Labels").mkdir()
    (tmp_path / "Labels" / "TestLabels.csv").write_text(HEADER)
    with pytest.raises(DatasetError, match="Split folder not found"):
        find_clips(str(tmp_path), "Test")
    with pytest.raises(DatasetError, match="Unknown DAiSEE split"):
        find_clips(daisee_root, "Dev")


def test_parse_shard_and_shard():
    assert parse_shard("1/4") == (1, 4)
    for bad in ("4/4", "-1/2", "1", "a/b", "0/0"):
        with pytest.raises(EngageError, match="shard"):
            parse_shard(bad)
    items = list(range(7))
    parts = [shard(items, i, 3) for i in range(3)]
    assert sorted(sum(parts, [])) == items


# ---------------------------------------------------------------- extraction


def test_extracts_good_clips_with_labels_and_records_failures(reference, daisee_root):
    out, summary = reference
    assert summary["done"] == len(GOOD) and summary["failed"] == 2 and summary["skipped"] == 0
    data = featurestore.load_split(out, "Train")
    assert data.features.shape == (len(GOOD), 64) and data.features.dtype == np.float32
    assert np.isfinite(data.features).all() and np.abs(data.features).sum(axis=1).min() > 0
    assert list(data.clip_ids) == GOOD
    expected = read_labels(os.path.join(daisee_root, "Labels", "TrainLabels.csv"))
    assert data.labels.tolist() == [list(expected[c]) for c in GOOD]
    failures = {row[0]: row for row in featurestore.load_failures(out, "Train")}
    assert set(failures) == {"5000671002", "5000671004"}
    assert "corrupt" in failures["5000671002"][2] and failures["5000671002"][1].endswith("5000671002.avi")
    assert "missing" in failures["5000671004"][2]
    meta = featurestore.read_meta(out)
    assert meta["hidden_size"] == 64 and meta["protocol"]["prompt"] == "Analyze this video."


def test_features_equal_the_apps(reference, daisee_root, backbone):
    out, _ = reference
    data = featurestore.load_split(out, "Train")
    engine = Engine(backbone=backbone, heads=random_heads(64))
    for clip in find_clips(daisee_root, "Train"):
        if clip.clip_id in ("5000441003", "5000671003"):
            app = engine.analyze_video(clip.path, "mlp").features
            np.testing.assert_array_equal(app[0], data.features[list(data.clip_ids).index(clip.clip_id)])


def test_resume_after_interruption_equals_uninterrupted(reference, daisee_root, backbone, tmp_path, monkeypatch):
    out = str(tmp_path / "features")
    real, seen = extract.batch_features, []

    def crash_on_third(backbone, inputs):
        seen.append(len(inputs["attention_mask"]))
        if len(seen) == 3:  # chunks 0 and 1 written, both failures recorded, the last clip not
            raise KeyboardInterrupt
        return real(backbone, inputs)

    monkeypatch.setattr(extract, "batch_features", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        extract.extract_split(daisee_root, "Train", out, backbone, chunk_size=CHUNK, progress=False)
    assert len(featurestore.load_split(out, "Train")) == 4  # two chunks made it to disk
    assert len(featurestore.load_failures(out, "Train")) == 2
    # as if killed inside write_chunk: a half-written temporary file is left behind
    Path(os.path.join(featurestore.shard_dir(out, "Train", 0, 1), ".tmp-chunk-00002.npz")).write_bytes(b"PK\x03")

    monkeypatch.undo()
    calls = count_forwards(monkeypatch)
    summary = extract.extract_split(daisee_root, "Train", out, backbone, chunk_size=CHUNK, progress=False)
    assert summary["done"] == 1 and summary["skipped"] == 6 and summary["failed"] == 0 and calls == [1]
    assert_same(featurestore.load_split(out, "Train"), featurestore.load_split(reference[0], "Train"))
    assert sorted(r[0] for r in featurestore.load_failures(out, "Train")) == ["5000671002", "5000671004"]


def test_rerun_of_finished_extraction_does_no_work(reference, daisee_root, backbone, monkeypatch):
    out, _ = reference
    before = featurestore.load_split(out, "Train")
    calls = count_forwards(monkeypatch)
    summary = extract.extract_split(daisee_root, "Train", out, backbone, chunk_size=CHUNK, progress=False)
    assert calls == [] and summary["done"] == 0 and summary["failed"] == 0 and summary["skipped"] == len(CLIPS) + 1
    assert_same(featurestore.load_split(out, "Train"), before)
    assert len(featurestore.load_failures(out, "Train")) == 2


def test_shards_partition_the_split(reference, daisee_root, backbone, tmp_path):
    out = str(tmp_path / "features")
    for i in range(2):
        extract.extract_split(daisee_root, "Train", out, backbone, shard=(i, 2), chunk_size=CHUNK, progress=False)
    parts = [featurestore.done_ids(featurestore.shard_dir(out, "Train", i, 2)) for i in range(2)]
    assert not parts[0] & parts[1] and len(parts[0] | parts[1]) == len(CLIPS) + 1
    assert_same(featurestore.load_split(out, "Train"), featurestore.load_split(reference[0], "Train"))


def test_out_dir_of_another_protocol_is_refused(reference, daisee_root, backbone):
    from dataclasses import replace

    other = replace(backbone, protocol=replace(backbone.protocol, prompt="Analyze this image."))
    with pytest.raises(EngageError, match="another backbone or protocol"):
        extract.extract_split(daisee_root, "Train", reference[0], other, progress=False)


# ---------------------------------------------------------------- augmentation images


def write_images(folder) -> list[str]:
    (folder / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    paths = [folder / "a.png", folder / "b.png", folder / "sub" / "c.png"]
    for p in paths:
        Image.fromarray(rng.integers(0, 255, (40, 56, 3), dtype=np.uint8)).save(p)
    (folder / "notes.txt").write_text("not an image")
    return [str(p) for p in paths]


def test_images_go_to_augment_with_one_known_label(backbone, tmp_path):
    paths = write_images(tmp_path / "bored")
    out = str(tmp_path / "features")
    summary = extract.extract_images(str(tmp_path / "bored"), "Engagement", out, backbone, level=2, progress=False)
    assert summary["done"] == 3 and summary["failed"] == 0
    data = featurestore.load_split(out, "Augment")
    assert list(data.clip_ids) == ["Engagement/a.png", "Engagement/b.png", "Engagement/sub/c.png"]
    assert data.labels.tolist() == [[-1, 2, -1, -1]] * 3
    app = Engine(backbone=backbone, heads=random_heads(64)).analyze_image(paths[2], "mlp").features
    np.testing.assert_array_equal(app[0], data.features[2])
    X, y = data.for_state("Engagement")
    assert X.shape == (3, 64) and y.tolist() == [2, 2, 2]
    assert data.for_state("Boredom")[0].shape[0] == 0


def test_images_bad_arguments(tmp_path):
    with pytest.raises(EngageError, match="Unknown state"):
        extract.image_items(str(tmp_path), "Sleepy")
    with pytest.raises(EngageError, match="No images"):
        extract.image_items(str(tmp_path), "Boredom")


# ---------------------------------------------------------------- CLI


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    extract.add_cli(p.add_subparsers(dest="command", required=True))
    return p


def test_cli_daisee_and_images(daisee_root, tiny_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ENGAGE_DEVICE", "cpu")
    out = str(tmp_path / "features")
    args = parser().parse_args(
        ["extract", "--daisee", daisee_root, "--split", "Train", "--out", out, "--shard", "0/2", "--backbone", tiny_dir]
    )
    assert args.func(args) == 0
    captured = capsys.readouterr()
    assert "Train shard 0/2: 2 written, 0 skipped (already there), 2 failed" in captured.out
    assert "(2 in all listed in" in captured.out and "failures.tsv" in captured.out and "clips/s" in captured.err
    assert list(featurestore.load_split(out, "Train").clip_ids) == ["5000441001", "5000441003"]

    write_images(tmp_path / "imgs")
    args = parser().parse_args(
        ["extract", "--images", str(tmp_path / "imgs"), "--state", "Boredom", "--level", "3", "--out", out, "--backbone", tiny_dir]
    )
    assert args.func(args) == 0
    assert featurestore.load_split(out, "Augment").labels.tolist() == [[3, -1, -1, -1]] * 3


def test_cli_user_errors(daisee_root, tmp_path):
    args = parser().parse_args(["extract", "--daisee", daisee_root, "--out", str(tmp_path)])
    with pytest.raises(EngageError, match="--split"):
        args.func(args)
    args = parser().parse_args(["extract", "--daisee", daisee_root, "--split", "Train", "--out", str(tmp_path), "--shard", "2/2"])
    with pytest.raises(EngageError, match="shard"):
        args.func(args)
    args = parser().parse_args(["extract", "--images", str(tmp_path), "--state", "Boredom", "--split", "Train", "--out", str(tmp_path)])
    with pytest.raises(EngageError, match="--split goes with --daisee"):
        args.func(args)
    with pytest.raises(SystemExit):
        parser().parse_args(["extract", "--daisee", daisee_root, "--images", str(tmp_path), "--out", str(tmp_path)])


# ---------------------------------------------------------------- the shard from the launcher's environment

LAUNCHER_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT")


@pytest.fixture
def launcher(monkeypatch):
    for name in LAUNCHER_VARS:
        monkeypatch.delenv(name, raising=False)

    def setenv(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, str(value))

    return setenv


@pytest.mark.parametrize(
    "env, expected, source",
    [
        ({}, (0, 1), "no launcher"),
        ({"RANK": 2, "WORLD_SIZE": 4, "LOCAL_RANK": 2}, (2, 4), "torchrun/accelerate"),
        ({"SLURM_ARRAY_TASK_ID": 3, "SLURM_ARRAY_TASK_COUNT": 4, "SLURM_ARRAY_TASK_MIN": 0}, (3, 4), "SLURM"),
        ({"SLURM_ARRAY_TASK_ID": 7, "SLURM_ARRAY_TASK_COUNT": 4, "SLURM_ARRAY_TASK_MIN": 5}, (2, 4), "SLURM"),  # --array=5-8
    ],
)
def test_the_shard_comes_from_the_launcher(launcher, env, expected, source):
    launcher(**env)
    i, n, where = extract.resolve_shard(None)
    assert (i, n) == expected and source in where
    assert extract.resolve_shard("1/3")[:2] == (1, 3)  # --shard wins over any launcher


@pytest.mark.parametrize(
    "env",
    [{"WORLD_SIZE": 4}, {"RANK": 4, "WORLD_SIZE": 4}, {"RANK": "x", "WORLD_SIZE": 2}, {"SLURM_ARRAY_TASK_ID": 1},
     {"SLURM_ARRAY_TASK_ID": 0, "SLURM_ARRAY_TASK_COUNT": 3, "SLURM_ARRAY_TASK_MIN": 1}],
)
def test_a_launcher_environment_that_is_no_shard_is_one_clear_error(launcher, env, daisee_root, tmp_path, capsys):
    from engage.cli import main

    launcher(**env)
    with pytest.raises(EngageError, match="does not give a shard"):
        extract.resolve_shard(None)
    assert main(["extract", "--daisee", daisee_root, "--split", "Train", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "or pass --shard i/n" in err[0]


def test_each_rank_takes_its_own_gpu(launcher, monkeypatch):
    import torch

    launcher(RANK=1, WORLD_SIZE=2, LOCAL_RANK=1)
    monkeypatch.delenv("ENGAGE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert extract._device_for_rank() == "cuda:1"
    monkeypatch.setenv("ENGAGE_DEVICE", "cuda:0")
    assert extract._device_for_rank() is None  # ENGAGE_DEVICE decides
    monkeypatch.delenv("ENGAGE_DEVICE")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert extract._device_for_rank() is None


def test_cli_under_torchrun_extracts_its_rank(launcher, daisee_root, tiny_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ENGAGE_DEVICE", "cpu")
    launcher(RANK=1, WORLD_SIZE=2, LOCAL_RANK=1)
    out = str(tmp_path / "features")
    args = parser().parse_args(["extract", "--daisee", daisee_root, "--split", "Train", "--out", out, "--backbone", tiny_dir])
    assert args.func(args) == 0
    captured = capsys.readouterr()
    assert "extracting shard 1/2 (torchrun/accelerate (RANK=1, WORLD_SIZE=2))" in captured.err
    assert os.path.isdir(featurestore.shard_dir(out, "Train", 1, 2))


def test_the_readmes_torchrun_line_splits_the_split_between_ranks(launcher, daisee_root, tiny_dir, tmp_path):
    """`torchrun --nproc-per-node 2 -m engage extract ...` (two CPU processes here): each rank its own shard."""
    import subprocess
    import sys

    out = str(tmp_path / "features")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "-m", "engage", "extract",
           "--daisee", daisee_root, "--split", "Train", "--out", out, "--backbone", tiny_dir, "--quiet"]
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARS}
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(env, ENGAGE_DEVICE="cpu"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "shard 0/2 (torchrun" in done.stderr and "shard 1/2 (torchrun" in done.stderr
    parts = [featurestore.done_ids(featurestore.shard_dir(out, "Train", i, 2)) for i in range(2)]
    assert parts[0] and parts[1] and not parts[0] & parts[1]


def test_decoding_in_worker_threads_gives_the_same_features(reference, daisee_root, backbone, tmp_path, monkeypatch):
    import threading

    threads = set()
    real = extract.decode_video

    def recording(path, limits=None):
        threads.add(threading.current_thread().name)
        return real(path, limits)

    monkeypatch.setattr(extract, "decode_video", recording)
    out = str(tmp_path / "features")
    items = extract.daisee_items(daisee_root, "Train")
    summary = extract.extract_items(items, out, "Train", backbone, extract.decode_video, chunk_size=CHUNK, progress=False, workers=3)
    assert summary.done == len(GOOD) and summary.failed == 2
    assert threads and all(name.startswith("engage-ahead") for name in threads)
    assert_same(featurestore.load_split(out, "Train"), featurestore.load_split(reference[0], "Train"))


def test_decode_workers_and_resizing_settings(monkeypatch):
    from engage import settings

    monkeypatch.setenv("ENGAGE_DECODE_WORKERS", "3")
    monkeypatch.setenv("ENGAGE_RESIZE_ON_GPU", "1")
    assert settings.decode_workers() == 3 and settings.resize_on_gpu()
    monkeypatch.delenv("ENGAGE_DECODE_WORKERS")
    monkeypatch.delenv("ENGAGE_RESIZE_ON_GPU")
    assert 1 <= settings.decode_workers() <= 8 and not settings.resize_on_gpu()
