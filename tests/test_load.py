"""A bounded load test: app.py with the tiny backbone on the CPU, 8 concurrent clients for 30 s, then 200 sequential
image requests watched for memory growth (tests/loadtest.py). About 1.5-2 minutes on 2 cores; run with -s to see
the table. The figures are queueing, errors and leaks, not the 7B's speed (docs/load.md)."""
from __future__ import annotations

import pytest
from loadtest import ENDPOINTS, memory_figures, run

from conftest import start_app, stop_app

CLIENTS, SECONDS, SEQUENTIAL = 8, 30, 200


@pytest.fixture(scope="module")
def load_app(tiny_dir, heads_dir, tmp_path_factory):
    """An app process of this test's own (not the shared ``app_url``), so its PID and memory are this test's alone."""
    env = dict(ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu", GRADIO_TEMP_DIR=str(tmp_path_factory.mktemp("gradio-load")))
    url, proc = start_app(env, str(tmp_path_factory.mktemp("load-applog") / "app.log"))
    yield url, proc
    stop_app(proc)


def test_the_leak_check_flags_a_megabyte_per_request_and_not_noise():
    leak = [(k, 1000.0 + k) for k in range(0, 201, 20)]  # 1 MB per request
    noise = [(k, 1000.0 + (7 if k % 40 else -5)) for k in range(0, 201, 20)]
    assert memory_figures(leak).tail_requests == 100 and memory_figures(leak).tail_growth_mb == pytest.approx(100)
    assert memory_figures(noise).tail_growth_mb < 50 < memory_figures(leak).tail_growth_mb


def test_eight_clients_then_two_hundred_requests(load_app):
    url, proc = load_app
    result = run(url, proc.pid, clients=CLIENTS, seconds=SECONDS, sequential=SEQUENTIAL)
    print("\n" + result.table())
    assert proc.poll() is None, "the app died under load"
    assert result.errors == 0, "\n".join(result.error_messages[:10])
    assert result.rejected == 0
    assert all(result.endpoints[e].requests > 0 for e in ENDPOINTS), result.endpoints
    assert result.sequential_stats.requests == SEQUENTIAL and result.rss_samples[-1][0] == SEQUENTIAL
    assert result.tail_requests == SEQUENTIAL // 2
    assert result.leak_ok, f"memory grew {result.tail_growth_mb:.1f} MB over the last {result.tail_requests} requests (bound {result.bound_mb:g} MB)"
