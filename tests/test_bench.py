"""The benchmark's two pipelines compute the same feature; its reference is the report's call (checked against
the fidelity test's transcription of it, run through transformers alone); its table and ratios are built from
measurements."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from test_fidelity import report_feature, report_image_feature

from engage.bench.configs import daisee_like_files, daisee_like_windows
from engage.bench.flops import flop_counts, matmul_tflops
from engage.bench.measure import BenchResult, engage_features, format_results, measure
from engage.bench.reference import report_face_feature, report_video_features
from engage.model.backbone import Backbone


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[str]:
    return daisee_like_files(2, str(tmp_path_factory.mktemp("bench-files")))


def test_reference_pipeline_is_the_reports_call_and_engage_computes_the_same_feature(engine, files, monkeypatch):
    bb = engine.backbone
    with monkeypatch.context() as m:  # the reference must not borrow engage's way of building inputs
        for name in ("inputs", "inputs_for_texts", "feature_texts"):
            m.setattr(Backbone, name, lambda *a, **k: (_ for _ in ()).throw(AssertionError("engage's inputs used")))
        reference = report_video_features(bb, files)
    oracle = np.stack([report_feature(bb.model, bb.processor, path) for path in files])
    np.testing.assert_allclose(reference, oracle, atol=1e-6)
    np.testing.assert_allclose(engage_features(bb, files), reference, atol=2e-5)


def test_reference_update_is_the_reports_deployment_call(engine, tmp_path):
    """One 224-pixel face image with "Analyze this face.": checked against the report's image call on the
    thumbnail written to a file; not the same feature as a window of frames."""
    from PIL import Image

    bb = engine.backbone
    frame = daisee_like_windows(1)[0].frames[-1]
    thumb = Image.fromarray(frame)
    thumb.thumbnail((224, 224), Image.Resampling.LANCZOS)
    assert max(thumb.size) == 224
    thumb.save(tmp_path / "face.png")
    feature = report_face_feature(bb, frame)
    np.testing.assert_allclose(feature, report_image_feature(bb.model, bb.processor, str(tmp_path / "face.png"), "Analyze this face."), atol=1e-6)
    assert np.abs(feature - report_image_feature(bb.model, bb.processor, str(tmp_path / "face.png"))).max() > 1e-3  # the prompt counts


def test_measure_and_format(engine, files):
    results = [
        measure(engine.backbone, "tiny", files[:1], repeats=1, pipeline=p, matmul_tflops=0.1) for p in ("engage", "reference")
    ]
    assert all(r.tokens_per_window == 1996 and r.seconds_per_window > 0 and r.webcam_latency_s > 0 for r in results)
    assert [r.batch_size for r in results] == [4, 1]
    text = format_results(results)
    assert "tiny    engage" in text and "tiny    reference" in text
    e, r = results
    assert f"{e.video_minutes_per_second / r.video_minutes_per_second:.2f}x" in text
    assert r.flops_per_window > e.flops_per_window > 0


def test_flop_count_sees_the_whole_model(engine, files):
    """The reference pipeline's count exceeds engage's by the lm_head it computes and engage skips; the count
    includes attention (SDPA) and at least 2 FLOPs per non-embedding parameter per token."""
    bb = engine.backbone
    clip = daisee_like_windows(1)[0]
    tokens = int(bb.inputs([clip], [bb.protocol.prompt])["input_ids"].shape[1])
    ours, theirs = (flop_counts(f, bb, files[0]) for f in (engage_features, report_video_features))
    text = bb.model.config.text_config
    lm_head = 2 * tokens * text.hidden_size * text.vocab_size
    assert sum(theirs.values()) - sum(ours.values()) == pytest.approx(lm_head, rel=0.03)
    assert any("scaled_dot_product" in op for op in ours)
    non_embedding = sum(p.numel() for n, p in bb.model.named_parameters() if "embed_tokens" not in n and "lm_head" not in n)
    assert sum(ours.values()) >= 2 * non_embedding * tokens


def test_matmul_rate_is_measured():
    assert matmul_tflops("cpu", torch.float32, size=256, repeats=2) > 0


def test_derived_columns_come_from_the_fields():
    r = BenchResult("x", "engage", "cpu", "float32", 1.0, 10, 4, 2.0, 1.0, 1.0, "RSS", flops_per_window=5e12, matmul_tflops=10.0)
    assert r.video_minutes_per_second == (10 / 60) / 2.0
    assert r.bound_seconds == 0.5 and r.times_bound == 4.0
    header, row = format_results([r]).splitlines()
    assert header.split()[-6:] == ["TFLOP/win", "bound", "s", "x", "bound", "memory"]
    assert row.split()[-4:] == ["5.0000", "0.5000", "4.0", "RSS"]


def test_webcam_update_comparison(engine):
    from engage.bench.webcam import webcam_updates

    bench = webcam_updates(engine.backbone, frames=12)
    assert bench.results == 6  # after 2, 4, 6, 8, 10 and 11 frames (see test_incremental)
    assert bench.latency_s > 0 and bench.recompute_s > 0 and bench.report_image_s > 0
    assert bench.max_difference < 1e-4 and bench.state_mb > 0
    line = bench.line("tiny")
    assert f"({bench.latency_s / bench.recompute_s:.2f}x)" in line and f"{bench.latency_s / bench.report_image_s:.2f}x)" in line


def test_full_size_flops_add_the_layers_mid_lacks():
    from engage.bench.configs import qwen_config
    from engage.bench.full_size import scaled_to_full

    counts = {"Global": 100, "M.language_model.layers.0": 10, "M.language_model.layers.1": 10, "M.visual.blocks.0": 3, "M.visual.blocks.1": 5}
    # the 7B: 28 text layers (mid 2), 28 window-attention vision blocks (mid 1), 4 full-attention ones (mid 1)
    assert scaled_to_full(counts, qwen_config("mid")) == 100 + 26 * 10 + 27 * 3 + 3 * 5


def test_full_size_estimate_runs_and_counts_the_7b_parameters(engine):
    from engage.bench.full_size import estimate_full

    est = estimate_full(engine.backbone)
    assert est.params == 8_292_166_656  # Qwen2.5-VL-7B-Instruct's parameter count: the config mirrors the 7B
    assert 0 < est.webcam_flops < est.window_flops
    assert "15.45 GiB in bf16" in est.lines() and "ms per webcam result" in est.lines(800.0)


def test_grouped_query_attention_is_counted_as_torch_counts_repeated_keys():
    """The 7B's 28 query heads over 4 key/value heads: torch's own formula refuses those shapes on CUDA; engage's
    counts them as torch counts the same attention with the keys and values repeated to 28 heads."""
    from torch.utils.flop_counter import sdpa_flop_count

    from engage.bench.flops import _sdpa_flops

    q, kv, repeated = (1, 28, 1996, 128), (1, 4, 1996, 128), (1, 28, 1996, 128)
    assert _sdpa_flops(q, kv, kv) == sdpa_flop_count(q, repeated, repeated) > 0


def test_varlen_attention_is_counted_as_torch_counts_its_flash_kernel_on_packed_windows():
    """PyTorch's varlen attention (engage's vision attention on CUDA) is a custom op FlopCounterMode would skip;
    engage counts it as torch counts its flash kernel over the same packed windows of unequal lengths."""
    from torch.utils.flop_counter import flop_registry

    from engage.bench.flops import _counter, _varlen_flops, _varlen_op

    query = torch.zeros(100, 16, 80)
    bounds = torch.tensor([0, 64, 80, 100], dtype=torch.int32)
    torch_count = flop_registry[torch.ops.aten._flash_attention_forward](query, query, query, bounds, bounds, 64, 64, 0.0, False, False)
    assert _varlen_flops(query, query, query, bounds, bounds, 64, 64) == torch_count == 2 * 16 * 160 * (64**2 + 16**2 + 20**2)
    assert _counter().flop_registry[_varlen_op()] is _varlen_flops


def test_a_zerogpu_like_call_measures_the_fork_and_the_payloads_here():
    """Off a GPU the CUDA steps are not measured (nan), the fork and the payloads are, in a forked worker."""
    import math

    from engage.bench.zerogpu_call import zerogpu_call_costs

    costs = zerogpu_call_costs(2**26, chunk_bytes=2**24, repeats=1)
    assert costs.weights_gib == pytest.approx(1 / 16) and 0 < costs.fork_s < 30
    assert math.isnan(costs.cuda_init_s) or torch.cuda.is_available()
    mb = {name: size for name, (size, _) in costs.payload_s.items()}
    assert mb["webcam window: 10 frames of 640×480"] == pytest.approx(9.216, abs=0.01)
    assert mb["the 7B's webcam caches: 2 windows, 2,770 tokens"] == pytest.approx(2770 * 56 * 1024 / 1e6, abs=0.01)
    assert all(seconds > 0 for _, seconds in costs.payload_s.values())
    assert "fork to a ready worker" in costs.lines()


def test_end_to_end_rows_run_the_extraction_and_compare_with_the_model_alone(engine, tmp_path):
    from engage.bench import throughput

    files = daisee_like_files(3, str(tmp_path), b_frames_every=2)
    bb = engine.backbone
    alone = throughput.model_only(bb, files, 2)
    row = throughput.extraction(bb, files, 2, workers=2, chunk_size=2)
    assert alone.windows == row.windows == 3 and alone.seconds > 0 and row.seconds > 0
    assert f"{row.video_minutes_per_second / alone.video_minutes_per_second:>10.0%}" in row.line(alone)
    assert "2 decode threads, resize on CPU" in row.line()


def test_feature_comparison_figures():
    from engage.bench.throughput import compare

    a = np.array([[1.0, 0.0], [0.0, 2.0]], np.float32)
    b = np.array([[1.0, 0.0], [0.0, -2.0]], np.float32)
    text = compare(a, b)
    assert "cosine min -1.000000" in text and "max |difference| 4" in text and "relative 2.00e+00" in text
    b[0, 0] = np.nan
    assert "NOT FINITE" in compare(a, b)


def test_some_bench_files_have_b_frames(tmp_path):
    from engage.media import probe_video

    files = daisee_like_files(4, str(tmp_path), b_frames_every=2)
    assert len(set(files)) == 4
    assert [probe_video(p).needs_sequential_decode for p in files] == [False, True, False, True]


def test_resizing_on_the_models_device_goes_through_the_processor(engine, monkeypatch):
    """``resize_on_device`` hands the processor the model's device (here the CPU itself: the same pixels)."""
    import dataclasses

    from engage.model.features import clip_features

    bb = engine.backbone
    clips = daisee_like_windows(2)
    video_processor = bb.processor.video_processor
    real, devices = video_processor._prepare_input_videos, []

    def spy(*args, **kwargs):
        devices.append(kwargs.get("device"))
        return real(*args, **kwargs)

    monkeypatch.setattr(video_processor, "_prepare_input_videos", spy)
    on_device = clip_features(dataclasses.replace(bb, resize_on_device=True), clips, 2)
    assert devices == ["cpu"]
    np.testing.assert_allclose(on_device, clip_features(bb, clips, 2), atol=1e-6)
    assert devices == ["cpu", None]


def test_one_forward_is_profiled_for_where_its_time_goes(engine, tmp_path):
    from engage.bench.throughput import profile_window

    lines = profile_window(engine.backbone, daisee_like_files(1, str(tmp_path)), 1, rows=5)
    assert lines[0].startswith("profile of one forward at batch 1: wall")
    assert any("aten::" in line for line in lines[1:]) and any("Self CPU" in line for line in lines[1:])
    families = {line[4:].split(":")[0]: line for line in lines if line.startswith("  - ")}
    assert {"matmul", "attention", "convolution"} <= set(families)
    shares = [int(line.split(" s (")[1].split("%")[0]) for line in families.values()]
    assert 95 <= sum(shares) <= 105  # the families split the busy time
    assert "TFLOP/s" in families["matmul"] and "TFLOP/s" in families["attention"]


def test_operator_families():
    from engage.bench.throughput import flop_family, op_family

    assert op_family("aten::addmm") == op_family("aten::bmm") == flop_family("aten.mm") == "matmul"
    assert op_family("aten::_scaled_dot_product_flash_attention_for_cpu") == "attention"
    assert op_family("aten::_flash_attention_forward") == "attention"
    assert op_family("aten::cudnn_convolution") == flop_family("aten.convolution") == "convolution"
    assert op_family("aten::mul").startswith("the rest")


def test_preparing_ahead_gives_a_row_over_every_window(engine, tmp_path):
    from engage.bench import throughput

    files = daisee_like_files(3, str(tmp_path))
    row = throughput.prepared_ahead(engine.backbone, files, 2)
    assert row.windows == 3 and row.seconds > 0 and row.batch_size == 2


def test_compiled_blocks_are_measured_against_eager_and_restored(engine, tmp_path):
    """Through dynamo with its eager backend (no C++ compiler needed): the same features, and the model eager
    again afterwards."""
    from engage.bench.compiled import compile_variants
    from engage.model.compiled import repeated_blocks

    bb = engine.backbone
    blocks = repeated_blocks(bb.model)
    assert len(blocks) == bb.model.config.vision_config.depth + bb.model.config.text_config.num_hidden_layers
    lines = list(compile_variants(bb, daisee_like_files(2, str(tmp_path)), 2, webcam_frames=4, repeats=1, backend="eager"))
    assert len(lines) == 2  # eager and compiled; no CUDA graphs on the CPU
    assert lines[0].startswith("model only, eager") and "webcam due window of 4 frames" in lines[0]
    assert lines[1].startswith("model only, blocks compiled") and "first call" in lines[1]
    assert "max |difference| 0 " in lines[1] or "relative 0.00e+00" in lines[1] or "e-0" in lines[1].split("relative")[1]
    assert all(block._compiled_call_impl is None for block in blocks)


def test_padding_rows_compare_the_widened_model_with_the_loaded_one(tiny_dir, tmp_path):
    from engage.bench.throughput import padding_variants

    bb = Backbone.load(tiny_dir, device="cpu")  # widened in place: not the shared engine's
    lines = padding_variants(bb, daisee_like_files(2, str(tmp_path)), 2, multiples=(24, 48))
    assert [line.split(" wide")[0] for line in lines] == [f"model only, vision MLP {w}" for w in (64, 72, 96)]
    assert all("vs 64 wide: cosine min 1.000000" in line for line in lines[1:])
