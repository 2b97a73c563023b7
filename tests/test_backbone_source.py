"""Where the backbone comes from: the hub, the cache when the hub cannot be reached, or a clear refusal in seconds."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from engage.errors import BackboneUnavailableError
from engage.model.backbone import hub_access

from conftest import ROOT


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture()
def offline_env(tmp_path) -> dict:
    """A hub that refuses every connection and an empty cache, whatever the machine's network."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENGAGE_", "HF_"))}
    env.update(HF_ENDPOINT=f"http://127.0.0.1:{_closed_port()}", HF_HOME=str(tmp_path / "hf"), HF_HUB_CACHE=str(tmp_path / "hf" / "hub"))
    return env


def _run(code: str, env: dict, timeout: float = 180) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - t0


def test_offline_first_start_says_how_to_run_without_the_download(offline_env):
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=offline_env, capture_output=True, text=True, timeout=180)
    print(f"app.py gave up after {time.monotonic() - t0:.1f} s")
    last = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert last.startswith("engage: Cannot load the backbone Qwen/Qwen2.5-VL-7B-Instruct: it is not in the local Hugging Face cache")
    assert "ENGAGE_BACKBONE=/tmp/tiny python app.py" in last and "python -m engage make-tiny-backbone /tmp/tiny" in last


def test_a_cached_model_loads_from_the_cache_when_the_hub_is_down(offline_env, tiny_dir):
    """The tiny checkpoint placed in the hub cache's layout, as a download leaves it, under a hub id."""
    snapshot = os.path.join(offline_env["HF_HUB_CACHE"], "models--engage-test--tiny", "snapshots", "0" * 40)
    shutil.copytree(tiny_dir, snapshot)
    os.makedirs(os.path.join(offline_env["HF_HUB_CACHE"], "models--engage-test--tiny", "refs"))
    with open(os.path.join(offline_env["HF_HUB_CACHE"], "models--engage-test--tiny", "refs", "main"), "w") as fh:
        fh.write("0" * 40)
    code = (
        "from engage.model.backbone import Backbone, hub_access\n"
        "print(hub_access('engage-test/tiny'))\n"
        "print(Backbone.load('engage-test/tiny', device='cpu').hidden_size)\n"
    )
    proc, seconds = _run(code, offline_env)
    print(f"loaded from the cache in {seconds:.1f} s with the hub down")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["{'local_files_only':", "True}", "64"]


def test_a_local_folder_is_used_as_it_is(tiny_dir):
    assert hub_access(tiny_dir) == {}


def test_a_missing_folder_is_refused_with_the_way_out(tmp_path, offline_env, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no network either way: the check must not need it
    with pytest.raises(BackboneUnavailableError, match="ENGAGE_BACKBONE"):
        hub_access(str(tmp_path / "no-such-model"))
