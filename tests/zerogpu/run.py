"""Run a script under real ZeroGPU ``spaces`` on this CPU machine: ``python tests/zerogpu/run.py SCRIPT [ARGS...]``.

The command imports ``zerogpu.shim`` and then runs SCRIPT as ``__main__``, as ``python SCRIPT ARGS...`` would; the
environment (see :func:`zerogpu_env`) says where the device API is. The functions here are for the tests that drive it.
"""
from __future__ import annotations

import contextlib
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

RUN_PY = os.path.abspath(__file__)
TESTS_DIR = os.path.dirname(os.path.dirname(RUN_PY))
ROOT = os.path.dirname(TESTS_DIR)


def _supports_o_direct(directory: str) -> bool:
    probe = os.path.join(directory, ".o_direct_probe")
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_DIRECT))
    except OSError:  # EINVAL on tmpfs
        return False
    os.unlink(probe)
    return True


def zerogpu_env(api_url: str, workdir: str, calls_log: str) -> dict[str, str]:
    """``os.environ`` plus what makes ``spaces`` run in ZeroGPU mode against the device API at ``api_url``.

    ``workdir`` receives the fake HOME (spaces keeps ~/.zerogpu there), the fake /proc/self/cgroup and the tensor
    offload directory, which must support O_DIRECT (spaces packs tensors with it; tmpfs does not).
    """
    home, offload = os.path.join(workdir, "home"), os.path.join(workdir, "tensors")
    os.makedirs(home, exist_ok=True)
    os.makedirs(offload, exist_ok=True)
    if not _supports_o_direct(offload):  # /tmp is tmpfs on some machines: use the (git-ignored) cache beside the clone
        offload = os.path.join(ROOT, ".pytest_cache", "zerogpu-offload", os.path.basename(os.path.normpath(workdir)))
        os.makedirs(offload, exist_ok=True)
        if not _supports_o_direct(offload):
            raise RuntimeError(f"neither {workdir} nor {offload} supports O_DIRECT (tmpfs?): give zerogpu_env a workdir on a disk filesystem")
    cgroup = os.path.join(workdir, "cgroup")
    with open(cgroup, "w") as f:
        f.write("5:devices:/zerogpu-harness\n")  # the line spaces parses to name this Space to the API
    env = dict(os.environ)
    env.update(
        SPACES_ZERO_GPU="true",
        SPACES_ZERO_DEVICE_API_URL=api_url,
        ZEROGPU_OFFLOAD_DIR=offload,
        ZEROGPU_PROC_SELF_CGROUP_PATH=cgroup,
        ZEROGPU_CALLS_LOG=calls_log,
        # At launch spaces deletes the HF-cache files of tensors it packed (ZEROGPU_MMAP_AUTOPRUNE_PATTERN, under HOME by
        # default): keep the real cache where it is and out of the pattern.
        HOME=home,
        HF_HOME=os.environ.get("HF_HOME", os.path.join(os.path.expanduser("~"), ".cache", "huggingface")),
        ZEROGPU_MMAP_AUTOPRUNE_PATTERN=os.path.join(workdir, "autoprune", "*"),
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p),
    )
    return env


def read_calls(path: str) -> list[dict[str, Any]]:
    """The records the shim wrote to ``ZEROGPU_CALLS_LOG``, oldest first; [] when there are none."""
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                members.append(int(name))
    return members


def kill_group(proc: subprocess.Popen[Any], grace_s: float = 10.0) -> None:
    """End ``proc`` (started with ``start_new_session=True``) and everything in its process group, ZeroGPU workers included."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)
            if proc.returncode is not None and not _group_members(proc.pid):
                return
    proc.wait()


def run_script(script: str, *args: str, env: dict[str, str], cwd: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python tests/zerogpu/run.py SCRIPT ARGS...`` to completion (stdout and stderr captured), leaving no process behind."""
    proc = subprocess.Popen([sys.executable, RUN_PY, script, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        kill_group(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@contextlib.contextmanager
def launched(cmd: Sequence[str], env: dict[str, str], port: int, cwd: str | None = None, log_path: str | None = None,
             timeout: float = 180) -> Iterator[str]:
    """Start a server (e.g. ``[sys.executable, RUN_PY, "app.py"]``) in its own process group, yield its URL once it answers
    on ``port``, and kill the whole group on exit."""
    log = open(log_path, "w+") if log_path else tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed below, after the server)
    proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"

    def failure(reason: str) -> RuntimeError:
        log.seek(0)
        return RuntimeError(f"{' '.join(cmd)} {reason}; its output ends with:\n{log.read()[-4000:]}")

    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise failure(f"exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise failure(f"did not answer on {url} within {timeout:.0f} s") from None
                time.sleep(0.2)
        yield url
    finally:
        kill_group(proc)
        log.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Import the shim, then run SCRIPT as ``__main__`` with ``sys.argv = [SCRIPT, ARGS...]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        sys.exit(f"usage: {sys.executable} {RUN_PY} SCRIPT [ARGS...]")
    script = os.path.abspath(argv[0])
    sys.path.insert(0, TESTS_DIR)
    from zerogpu import shim  # noqa: F401 (patches spaces on import)

    sys.path.remove(TESTS_DIR)
    # As `python SCRIPT` would: the script's folder first on sys.path, not this one.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(RUN_PY):
        sys.path[0] = os.path.dirname(script)
    else:
        sys.path.insert(0, os.path.dirname(script))
    sys.argv = [script, *argv[1:]]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
