"""What one ZeroGPU-like call costs on this machine, apart from the model's work: a worker forked from a process
that holds the 7B's weights in CPU memory (as the Space's main process does: CUDA is never initialised there),
CUDA started in the worker, the weights copied to the GPU, and the app's payloads pickled across a pipe each way.

Run it in a process of its own (``python -m engage bench --zerogpu-call``): forking after CUDA has started in
the parent would not be the Space's situation.
"""
from __future__ import annotations

import multiprocessing as mp
import pickle
import time
from dataclasses import dataclass

import numpy as np

# The app's GPU payloads (docs/performance.md, "Every action under ZeroGPU's rules"), at 7B size
PAYLOADS = {
    "webcam window: 10 frames of 640×480": lambda: np.zeros((10, 480, 640, 3), np.uint8),
    "classroom camera: 12 students × 6 s of 224×224 crops": lambda: [np.zeros((6, 224, 224, 3), np.uint8) for _ in range(12)],
    "the 7B's webcam caches: 2 windows, 2,770 tokens": lambda: np.zeros(2770 * 56 * 1024, np.uint8),
    "an MLP result: 15 windows × 3,584 float32": lambda: np.zeros((15, 3584), np.float32),
}


PINNED_CHUNKS = 4


@dataclass
class CallCosts:
    weights_gib: float
    fork_s: float  # fork → the worker answers
    cuda_init_s: float  # in the worker: the CUDA context
    weights_to_gpu_s: float  # in the worker: the parent's weights (pageable, copy-on-write) to the GPU
    weights_pinned_s: float  # the same from pinned memory, pinning excluded (timed on PINNED_CHUNKS, scaled)
    payload_s: dict[str, tuple[float, float]]  # name → (MB, seconds: pickled, sent to the worker, unpickled there)

    def lines(self) -> str:
        out = [
            f"ZeroGPU-like call with {self.weights_gib:.2f} GiB of weights in the parent: fork to a ready worker "
            f"{self.fork_s:.3f} s, CUDA started in the worker {self.cuda_init_s:.3f} s, weights to the GPU "
            f"{self.weights_to_gpu_s:.3f} s from the parent's pageable memory "
            f"({self.weights_gib / self.weights_to_gpu_s:.1f} GiB/s), {self.weights_pinned_s:.3f} s from pinned memory "
            f"({self.weights_gib / self.weights_pinned_s:.1f} GiB/s, timed on {PINNED_CHUNKS} GiB)"
        ]
        for name, (mb, seconds) in self.payload_s.items():
            out.append(f"  payload {name}: {mb:.1f} MB, pickled, sent to the worker and unpickled there in {seconds * 1e3:.1f} ms (best of the repeats)")
        return "\n".join(out)


def _worker(conn, weights) -> None:
    conn.send(time.perf_counter())
    while (message := conn.recv_bytes()) != b"gpu":
        payload = pickle.loads(message)
        conn.send_bytes(pickle.dumps(("done", type(payload).__name__)))
    try:
        _to_gpu(weights, conn)
    except (RuntimeError, AssertionError) as exc:  # no GPU here: only the fork and the pickling are measured
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))


def _to_gpu(weights, conn) -> None:
    """Each step's seconds sent as it ends, so that a step that hangs is named."""
    import torch

    t0 = time.perf_counter()
    torch.cuda.init()
    torch.empty(1, device="cuda")
    torch.cuda.synchronize()
    conn.send(("cuda", time.perf_counter() - t0))
    t0 = time.perf_counter()
    on_gpu = [w.to("cuda") for w in weights]
    torch.cuda.synchronize()
    conn.send(("pageable", time.perf_counter() - t0))
    del on_gpu
    pinned = [w.pin_memory() for w in weights[:PINNED_CHUNKS]]  # a part: pinning all of it takes long
    t0 = time.perf_counter()
    on_gpu = [w.to("cuda", non_blocking=True) for w in pinned]
    torch.cuda.synchronize()
    conn.send(("pinned", (time.perf_counter() - t0) * len(weights) / len(pinned)))
    del on_gpu


def zerogpu_call_costs(weights_bytes: int, chunk_bytes: int = 2**30, repeats: int = 3, step_timeout: float = 60.0) -> CallCosts:
    """Hold ``weights_bytes`` of bf16 'weights' (touched, so resident), fork a worker and time each step."""
    import torch

    if torch.cuda.is_initialized():
        raise RuntimeError("CUDA is already started in this process; run the ZeroGPU-like call in a fresh one")
    torch.set_num_threads(1)  # no OpenMP pool in the parent: a forked child cannot use one it inherits
    weights, left = [], weights_bytes
    t0 = time.perf_counter()
    while left > 0:
        n = min(chunk_bytes, left)
        weights.append(torch.ones(n // 2, dtype=torch.bfloat16))
        left -= n
    print(f"{weights_bytes / 2**30:.2f} GiB of weights filled in {time.perf_counter() - t0:.1f} s", flush=True)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    t0 = time.perf_counter()
    # CUDA is not even asked whether a GPU exists here (that starts the driver, which a fork does not survive)
    proc = ctx.Process(target=_worker, args=(child, weights), daemon=True)
    proc.start()
    if not parent.poll(step_timeout):
        raise RuntimeError(f"the forked worker did not answer in {step_timeout:.0f} s")
    fork_s = parent.recv() - t0
    print(f"fork to a ready worker: {fork_s:.3f} s", flush=True)
    costs = {}
    for name, make in PAYLOADS.items():
        payload = make()
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            parent.send_bytes(pickle.dumps(payload))
            pickle.loads(parent.recv_bytes())
            best = min(best, time.perf_counter() - t0)
        costs[name] = (len(pickle.dumps(payload)) / 1e6, best)
    parent.send_bytes(b"gpu")
    steps = {"cuda": float("nan"), "pageable": float("nan"), "pinned": float("nan")}
    for _ in steps.copy():
        if not parent.poll(step_timeout):
            print(f"the worker did not finish a step in {step_timeout:.0f} s; steps done: {steps}", flush=True)
            break
        step, value = parent.recv()
        print(f"in the worker: {step} {value}", flush=True)
        if step == "failed":
            break
        steps[step] = value
    proc.kill()
    proc.join(timeout=10)
    return CallCosts(weights_bytes / 2**30, fork_s, steps["cuda"], steps["pageable"], steps["pinned"], costs)
