"""``python -m engage …``: predict, extract, train, evaluate, audit, import-heads, bench, make-tiny-backbone."""
from __future__ import annotations

import argparse
import json
import sys

from .affect.results import LEVEL_NAMES, STATES, Analysis
from .errors import EngageError


def _print_analysis(analysis: Analysis) -> None:
    for warning in analysis.warnings:
        print(f"WARNING: {warning}")
    overall = analysis.overall
    span = f"{analysis.duration:.1f} s of video in {len(analysis.windows)} window(s)" if analysis.kind == "video" else "one image"
    print(f"{analysis.method} on {span}:")
    for s in STATES:
        sc = overall.scores[s]
        probs = "  ".join(f"{lv}:{p:5.1%}" for lv, p in enumerate(sc.probs))
        print(f"  {s:<12} level {sc.level} ({LEVEL_NAMES[sc.level]:<9})  {probs}")
    if len(analysis.windows) > 1:
        print("per window (most likely level B/E/C/F):")
        for w in analysis.windows:
            levels = "/".join(str(w.scores[s].level) for s in STATES)
            print(f"  {w.start:7.1f}-{w.end:7.1f} s  {levels}")


def cmd_predict(args) -> int:
    from .affect.pipeline import Engine

    engine = Engine.load(args.backbone, args.weights)
    analysis = engine.analyze_file(args.file, args.method)
    if args.json:
        print(analysis.to_json())
    else:
        _print_analysis(analysis)
    if args.save_features:
        if analysis.features is None:
            raise EngageError("--save-features needs the MLP method (zero-shot computes no features).")
        import numpy as np

        np.save(args.save_features, analysis.features)
    if args.csv:
        with open(args.csv, "w") as fh:
            fh.write(analysis.to_csv())
    return 0


def cmd_make_tiny(args) -> int:
    from .model.tiny import make_tiny_backbone

    print(make_tiny_backbone(args.dir, seed=args.seed))
    return 0


def cmd_random_heads(args) -> int:
    from .affect.heads import random_heads

    random_heads(args.input_size, seed=args.seed).save(args.out)
    print(f"wrote untrained random heads ({args.input_size}-d input) to {args.out}; for tests only")
    return 0


def cmd_import_heads(args) -> int:
    from .affect.reference_heads import import_reference_heads

    headset = import_reference_heads(args.src, args.out, backbone=args.backbone_id)
    print(f"wrote {args.out}/model.safetensors, config.json (with the card) and README.md (the model card): "
          f"{headset.input_size}-d input, the {headset.protocol.name} feature protocol")
    print(json.dumps(headset.card["metrics"], indent=2))
    return 0


def cmd_bench(args) -> int:
    from .bench import run_bench

    if args.zerogpu_call:
        from .bench.zerogpu_call import zerogpu_call_costs

        print(zerogpu_call_costs(int(args.zerogpu_call * 2**30)).lines())
        return 0
    run_bench(
        configs=args.config,
        windows=args.windows,
        repeats=args.repeats,
        backbone=args.backbone,
        reference=not args.no_reference,
        webcam_frames=args.webcam_frames,
        gpu_tflops=args.gpu_tflops,
        e2e_files=args.e2e_files,
        parts=args.part,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .bench.parts import PARTS as BENCH_PARTS
    from .settings import DEFAULT_BACKBONE, REFERENCE_HEADS_REPO

    parser = argparse.ArgumentParser(prog="python -m engage", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("predict", help="analyse an image or a video file")
    p.add_argument("file")
    p.add_argument("--method", choices=["mlp", "zero-shot"], default="mlp")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--csv", help="also write per-window results to this CSV file")
    p.add_argument("--save-features", help="also save the per-window backbone features (.npy, MLP method)")
    p.add_argument("--backbone", help=f"hub id or local directory (default $ENGAGE_BACKBONE or {DEFAULT_BACKBONE})")
    p.add_argument("--weights", help="heads: a folder or a hub repo id (default $ENGAGE_WEIGHTS or weights/)")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("make-tiny-backbone", help="write a tiny random Qwen2.5-VL checkpoint (tests only)")
    p.add_argument("dir")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_make_tiny)

    p = sub.add_parser("make-random-heads", help="write untrained random heads (tests only)")
    p.add_argument("out")
    p.add_argument("--input-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_random_heads)

    p = sub.add_parser("import-heads", help="convert the report's mlp_<State>_best.pth heads to safetensors + card")
    p.add_argument("src", nargs="?", default=REFERENCE_HEADS_REPO, help="local folder or hub repo id")
    p.add_argument("--out", default="weights")
    p.add_argument("--backbone-id", default=DEFAULT_BACKBONE)
    p.set_defaults(func=cmd_import_heads)

    p = sub.add_parser("bench", help="tokens, seconds and peak memory per 10 s window")
    p.add_argument("--config", action="append", choices=["tiny", "mid", "full"], help="random-weight sizes to run")
    p.add_argument("--backbone", help="benchmark this checkpoint (hub id or directory) instead")
    p.add_argument("--windows", type=int, default=4)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-reference", action="store_true", help="skip the reference-style pipeline")
    p.add_argument("--webcam-frames", type=int, default=16, help="frames streamed in the webcam comparison (0: skip)")
    p.add_argument("--gpu-tflops", type=float, help="without a GPU: a GPU's bf16 matmul rate, for the full model's compute bound")
    p.add_argument(
        "--e2e-files", type=int, default=0,
        help="also run this many DAiSEE-like files end to end against the model alone, the vision attention "
        "implementations, a profile of one forward and (CUDA) float16 against bfloat16",
    )
    p.add_argument(
        "--part", action="append", choices=list(BENCH_PARTS),
        help="run only these parts (repeatable): window (engage's and the reference's rows), webcam, and with "
        "--e2e-files e2e, attention, padding (the vision MLPs widened), profile, compiled (torch.compile of the "
        "blocks), precision; default all",
    )
    p.add_argument(
        "--zerogpu-call", type=float, metavar="GIB",
        help="only measure a ZeroGPU-like call (fork, CUDA start, GIB of weights to the GPU, pickled payloads)",
    )
    p.set_defaults(func=cmd_bench)

    from .daisee import audit, evaluate, extract, train

    extract.add_cli(sub)
    train.add_cli(sub)
    evaluate.add_cli(sub)
    audit.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EngageError as exc:
        print(f"error: {exc.detail or exc}", file=sys.stderr)
        return 2
