"""The ZeroGPU harness (tests/zerogpu) itself: real ``spaces`` in ZeroGPU mode, a fake device API, the calls log."""
from __future__ import annotations

import json
import os
import pickle
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for `zerogpu`, whatever pytest's import mode

from zerogpu.device_api import FakeDeviceAPI, fake_jwt  # noqa: E402
from zerogpu.run import RUN_PY, free_port, launched, read_calls, run_script, zerogpu_env  # noqa: E402

PLAIN_DEMO = """
import json, os, sys, time

import gradio as gr
import numpy as np
import spaces


@spaces.GPU(duration=lambda x: 10 + len(x))
def work(x):
    return os.getpid(), np.arange(len(x) * 10, dtype=np.float64)


@spaces.GPU(duration=lambda seconds: seconds)
def hold(seconds):
    return seconds


@spaces.GPU(duration=4)
def count(n):
    for i in range(n):
        yield np.ones(i + 1)


@spaces.GPU(duration=1)
def nap(pauses):
    for pause in pauses:
        time.sleep(pause)
        yield pause


out = {"main_pid": os.getpid()}
if sys.argv[1] == "nap":
    out["nap"] = []
    for pauses in ([0.1, 0.2, 5.0, 0.1], [0.1]):  # scheduled 2 s: the first call overruns after two yields
        got = []
        try:
            for pause in nap(pauses):
                got.append(pause)
        except gr.Error as e:
            got.append([e.title, e.message])
        out["nap"].append(got)
elif sys.argv[1] == "work":
    out["work"] = [work(x) for x in ("abcd", "abcdef")]
    out["work"] = [[pid, array.tolist()] for pid, array in out["work"]]
    out["count"] = [array.tolist() for array in count(3)]
else:
    out["hold"] = []
    for seconds in map(int, sys.argv[1:]):
        try:
            out["hold"].append(hold(seconds))
        except gr.Error as e:
            out["hold"].append([e.title, e.message])
print(json.dumps(out))
"""

SERVER_DEMO = """
import sys

import gradio as gr
import spaces


@spaces.GPU(duration=lambda seconds: seconds)
def hold(seconds):
    return seconds


with gr.Blocks() as demo:
    seconds = gr.Number(precision=0)
    gr.Button().click(hold, seconds, gr.Number(), api_name="hold")

demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]))
"""


@pytest.fixture
def api() -> Iterator[FakeDeviceAPI]:
    with FakeDeviceAPI(quota_anonymous=120, quota_regular=300, quota_pro=2400, factor=1.5) as api:
        yield api


def _run_demo(tmp_path: Path, api: FakeDeviceAPI, *args: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run PLAIN_DEMO under the harness; its printed result and the calls log."""
    script, log = tmp_path / "demo.py", str(tmp_path / "calls.jsonl")
    script.write_text(textwrap.dedent(PLAIN_DEMO))
    done = run_script(str(script), *args, env=zerogpu_env(api.url, str(tmp_path / "zerogpu"), log), cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), read_calls(log)


def test_plain_python_calls_run_in_a_worker_and_are_recorded(tmp_path: Path, api: FakeDeviceAPI) -> None:
    out, log = _run_demo(tmp_path, api, "work")
    (pid1, array1), (pid2, _) = out["work"]
    assert pid1 == pid2 != out["main_pid"]  # one forked worker, reused
    assert array1 == list(range(40))
    assert [c["visitor"] for c in api.calls] == ["anonymous"] * 3
    assert [(c["result"], c["requested_s"], c["scheduled_s"]) for c in api.calls] == [("approved", 14, 21), ("approved", 16, 24), ("approved", 4, 6)]
    assert api.calls[0]["worker_pid"] == pid1
    assert api.used("anonymous") == sum(c["charged_s"] for c in api.calls) >= 3

    work1, work2, count = log
    assert [e["name"] for e in log] == ["work", "work", "count"]
    assert all(e["pid"] == out["main_pid"] and e["error"] is None for e in log)
    assert [(e["requested_s"], e["scheduled_s"]) for e in log] == [(14, 21), (16, 24), (4, 6)]
    assert work1["bytes_in"] == len(pickle.dumps((("abcd",), {})))
    assert work2["bytes_in"] == len(pickle.dumps((("abcdef",), {})))
    assert work1["bytes_out"] == len(pickle.dumps((pid1, np.arange(40, dtype=np.float64))))
    assert out["count"] == [[1.0], [1.0, 1.0], [1.0, 1.0, 1.0]]
    assert count["yields"] == 3
    assert count["bytes_out"] == sum(len(pickle.dumps(np.ones(n))) for n in (1, 2, 3))


def test_quota_exceeded_and_illegal_duration(tmp_path: Path, api: FakeDeviceAPI) -> None:
    api.set_used("anonymous", 100)
    out, log = _run_demo(tmp_path, api, "10", "20", "100")
    charged = api.calls[0]["charged_s"]
    assert out["hold"][0] == 10
    assert out["hold"][1][0] == "ZeroGPU quota exceeded"
    assert out["hold"][2][0] == "ZeroGPU illegal duration"
    assert out["hold"][2][1].startswith("The requested GPU duration (150s) is larger than the maximum allowed")
    assert [(c["result"], c["scheduled_s"], c["left_before_s"]) for c in api.calls] == [
        ("approved", 15, 20), ("quota-exceeded", 30, 20 - charged), ("illegal-duration", 150, 20 - charged)]
    assert api.used("anonymous") == 100 + charged
    assert [e["error"] and e["error"]["title"] for e in log] == [None, "ZeroGPU quota exceeded", "ZeroGPU illegal duration"]
    assert [e["bytes_out"] for e in log] == [len(pickle.dumps(10)), None, None]


def test_server_quota_follows_the_x_ip_token(tmp_path: Path, api: FakeDeviceAPI) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    script, log, port = tmp_path / "server.py", str(tmp_path / "calls.jsonl"), free_port()
    script.write_text(textwrap.dedent(SERVER_DEMO))
    env = zerogpu_env(api.url, str(tmp_path / "zerogpu"), log)
    with launched([sys.executable, RUN_PY, str(script), str(port)], env, port, cwd=str(tmp_path)) as url:
        alice = Client(url, headers={"X-IP-Token": fake_jwt("alice", "regular")}, verbose=False)
        assert alice.predict(100, api_name="/hold") == 100  # 150 s scheduled: within a regular user's 300 s
        with pytest.raises(AppError) as refused:
            Client(url, verbose=False).predict(100, api_name="/hold")
        assert refused.value.title == "ZeroGPU illegal duration"  # more than the 120 s an anonymous visitor gets a day
    assert api.startup_reports == 1
    assert [(c["visitor"], c["auth"], c["scheduled_s"], c["result"]) for c in api.calls] == [
        ("alice", "regular", 150, "approved"), ("anonymous", "anonymous", 150, "illegal-duration")]
    assert api.calls[0]["left_before_s"] == 300 and api.used("alice") >= 1
    assert [(e["name"], e["requested_s"], e["error"] and e["error"]["title"]) for e in read_calls(log)] == [
        ("hold", 100, None), ("hold", 100, "ZeroGPU illegal duration")]


def test_a_call_past_its_scheduled_time_is_aborted_and_keeps_what_it_yielded(tmp_path: Path, api: FakeDeviceAPI) -> None:
    """As ZeroGPU does: a call still holding the GPU at its scheduled time loses its worker; spaces reports "GPU task
    aborted" after the values already yielded, the visitor is charged the time held, and the next call gets a new
    worker."""
    out, _ = _run_demo(tmp_path, api, "nap")
    assert out["nap"][0] == [0.1, 0.2, ["ZeroGPU worker error", "GPU task aborted"]]
    assert out["nap"][1] == [0.1]
    first, second = api.calls
    assert first["aborted"] and first["fail"] and 2 <= first["charged_s"] <= 3 and not second.get("aborted")
    assert first["worker_pid"] != second["worker_pid"]


def test_offload_falls_back_beside_the_clone_where_tmp_is_tmpfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """spaces packs tensors with O_DIRECT, which tmpfs refuses: a machine whose /tmp is tmpfs gets a folder on disk."""
    from zerogpu import run

    asked: list[str] = []
    monkeypatch.setattr(run, "_supports_o_direct", lambda d: asked.append(d) or len(asked) > 1)
    env = zerogpu_env("http://127.0.0.1:1", str(tmp_path / "zg"), str(tmp_path / "calls.jsonl"))
    assert asked[0] == str(tmp_path / "zg" / "tensors")
    assert env["ZEROGPU_OFFLOAD_DIR"] == asked[1] and asked[1].startswith(os.path.join(run.ROOT, ".pytest_cache"))
    monkeypatch.setattr(run, "_supports_o_direct", lambda d: False)
    with pytest.raises(RuntimeError, match="O_DIRECT"):
        zerogpu_env("http://127.0.0.1:1", str(tmp_path / "zg2"), str(tmp_path / "calls.jsonl"))
